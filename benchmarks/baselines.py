"""Competitors of relunet's default method on the same instances.

* ``lbfgs``: scipy's L-BFGS-B on the squared loss ``½‖U f(VX) − Y‖²/n`` from a random
  start — what a practitioner would do instead of recovery.
* ``moments``: the paper's method (Hermite moments + Jennrich), finished by the same
  exact step as the default (``recover_network(method="moments")``).
* ``cone``: relunet's default (``recover_network(method="cone")``).

Each runner returns a :class:`Outcome` with the network (or ``None``), the wall time,
and the error against the truth measured by :func:`verify.compare_networks`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from recover import RecoveryFailed, TwoLayerNetwork, recover_network
from verify import compare_networks


@dataclass
class Outcome:
    method: str
    seconds: float
    error: float
    failed: str | None = None
    extra: dict = field(default_factory=dict)


def run_relunet(inst, method: str, seed: int) -> Outcome:
    t0 = time.perf_counter()
    try:
        res = recover_network(inst.X, inst.Y, k=inst.network.k, mode="exact", method=method,
                              seed=seed)
    except RecoveryFailed as exc:
        return Outcome(method, time.perf_counter() - t0, float("inf"), failed=str(exc))
    seconds = time.perf_counter() - t0
    return Outcome(method, seconds, compare_networks(inst.network, res.network),
                   extra={"attempts": len(res.diagnostics["attempts"])})


def squared_loss(theta: np.ndarray, X: np.ndarray, Y: np.ndarray, k: int):
    """Loss ``½‖U relu(VX) − Y‖²/n`` and its gradient in ``θ = (vec U, vec V)``."""
    m, n = Y.shape
    d = X.shape[0]
    U = theta[: m * k].reshape(m, k)
    V = theta[m * k:].reshape(k, d)
    pre = V @ X
    H = np.maximum(pre, 0.0)
    R = U @ H - Y
    gU = R @ H.T / n
    gV = ((U.T @ R) * (pre > 0)) @ X.T / n
    return 0.5 * float(np.sum(R * R)) / n, np.concatenate([gU.ravel(), gV.ravel()])


class _Stop(Exception):
    pass


def run_lbfgs(inst, seed: int, target: float = 1e-10, max_seconds: float = 120.0,
              max_iterations: int = 20000) -> Outcome:
    """L-BFGS-B from a random Gaussian start, stopped at ``target`` error or the budget."""
    X, Y, k = inst.X, inst.Y, inst.network.k
    m, d = Y.shape[0], X.shape[0]
    rng = np.random.default_rng([seed, 7919])
    theta0 = np.concatenate([rng.standard_normal(m * k), rng.standard_normal(k * d)])
    t0 = time.perf_counter()
    state = {"iterations": 0, "error": float("inf"), "theta": theta0}

    def unpack(theta):
        return TwoLayerNetwork(theta[: m * k].reshape(m, k), theta[m * k:].reshape(k, d))

    def callback(intermediate_result):
        state["iterations"] += 1
        state["theta"] = intermediate_result.x
        if state["iterations"] % 25 == 0:
            state["error"] = _safe_error(inst.network, unpack(intermediate_result.x))
            if state["error"] <= target or time.perf_counter() - t0 > max_seconds:
                raise StopIteration

    minimize(squared_loss, theta0, args=(X, Y, k), jac=True, method="L-BFGS-B",
             callback=callback,
             options={"maxiter": max_iterations, "ftol": 0.0, "gtol": 1e-14,
                      "maxcor": 30})
    seconds = time.perf_counter() - t0
    error = _safe_error(inst.network, unpack(state["theta"]))
    return Outcome("lbfgs", seconds, error, extra={"iterations": state["iterations"]})


def _safe_error(truth: TwoLayerNetwork, net: TwoLayerNetwork) -> float:
    try:
        return compare_networks(truth, net)
    except Exception:  # a dead unit (V_i = 0) has no canonical form
        return float("inf")


RUNNERS = {
    "cone": lambda inst, seed: run_relunet(inst, "cone", seed),
    "moments": lambda inst, seed: run_relunet(inst, "moments", seed),
    "lbfgs": run_lbfgs,
}
