"""Competitors of relunet on the same instances, with one error metric.

* ``relunet``: the default, ``recover_network(method="auto")`` (cone of the reduced
  labels by linear programming, moment method on a retry).
* ``moments``: the paper's method (Hermite moments + Jennrich), finished by the same
  exact step (``recover_network(method="moments")``).
* ``lbfgs``: scipy's L-BFGS-B on the squared loss ``½‖U relu(VX) − Y‖²/n`` from one
  random Gaussian start — what a practitioner would do instead of recovery.
* ``lbfgs_multistart``: the same from fresh random starts, one after the other, until
  the target is reached or the budget — 10 × relunet's time on that instance — is spent.
* ``lbfgs`` with ``bias=True`` (``run_lbfgs(..., bias=True)``): the same single start on
  the model with biases, ``½‖U relu(VX + b1ᵀ) + c1ᵀ − Y‖²/n`` in ``θ = (U, V, b, c)``.
* ``adam``: full-batch Adam on the same loss, with PyTorch (CPU, float64) when it is
  installed (``pip install relunet[baselines]``), otherwise a numpy implementation on
  :func:`squared_loss`.

Every runner takes ``(inst, seed, budget)`` where ``budget`` is a :class:`Budget`, and
returns an :class:`Outcome`: wall time, error against the truth by
:func:`verify.compare_networks` (``inf`` when nothing comparable came out), and the
reason of a failure. Gradient methods stop at ``budget.target`` error or when their time
cap is spent; an outcome that hit the cap says so in ``extra["capped"]``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from recover import RecoveryFailed, TwoLayerNetwork, recover_network
from verify import compare_networks

#: Relative error (after matching) that counts as exact recovery.
EXACT = 1e-10


@dataclass
class Outcome:
    """One run of one method on one instance."""

    method: str
    seconds: float
    error: float
    failed: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class Budget:
    """Stopping rule of the gradient methods.

    ``seconds`` caps a single run; ``multistart_factor`` × relunet's time on the same
    instance is the total budget of the multi-start run; gradient methods stop early
    once the error reaches ``target``; ``check_every`` iterations the error is measured.
    """

    seconds: float = 60.0
    target: float = EXACT
    multistart_factor: float = 10.0
    check_every: int = 25


def run_relunet(inst, seed: int, method: str = "auto", n_jobs: int = 1) -> Outcome:
    """``recover_network`` with ``k`` given; per-step timings in ``extra["timings"]``,
    and the facet search's programs, rejected and rescued vertices, batches, and the
    seconds and simplex iterations HiGHS spent on its programs when it ran."""
    name = "relunet" if method == "auto" else method
    t0 = time.perf_counter()
    try:
        res = recover_network(inst.X, inst.Y, k=inst.network.k, mode="exact", method=method,
                              seed=seed, n_jobs=n_jobs)
    except RecoveryFailed as exc:
        return Outcome(name, time.perf_counter() - t0, float("inf"), failed=str(exc),
                       extra={"timings": exc.diagnostics.get("timings", {})})
    seconds = time.perf_counter() - t0
    search = res.diagnostics.get("cone_stats") or {}
    return Outcome(name, seconds, compare_networks(inst.network, res.network),
                   extra={"attempts": len(res.attempts),
                          "method_used": res.diagnostics.get("method"),
                          "timings": res.timings,
                          **({"programs": search["programs"],
                              "rejected": search.get("rejected", 0),
                              "rescued": search.get("rescued", 0),
                              "batches": search.get("batches", 0),
                              **res.diagnostics.get("highs", {})}
                             if search else {})})


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


def squared_loss_bias(theta: np.ndarray, X: np.ndarray, Y: np.ndarray, k: int):
    """Loss ``½‖U relu(VX + b1ᵀ) + c1ᵀ − Y‖²/n`` and its gradient in
    ``θ = (vec U, vec V, b, c)`` (U m×k, V k×d, b (k,), c (m,))."""
    m, n = Y.shape
    d = X.shape[0]
    U = theta[: m * k].reshape(m, k)
    V = theta[m * k: m * k + k * d].reshape(k, d)
    b, c = theta[m * k + k * d: m * k + k * d + k], theta[m * k + k * d + k:]
    pre = V @ X + b[:, None]
    H = np.maximum(pre, 0.0)
    R = U @ H + c[:, None] - Y
    G = (U.T @ R) * (pre > 0)
    grad = [R @ H.T / n, G @ X.T / n, G.sum(axis=1) / n, R.sum(axis=1) / n]
    return 0.5 * float(np.sum(R * R)) / n, np.concatenate([g.ravel() for g in grad])


def random_start(inst, seed: int, bias: bool = False) -> np.ndarray:
    """Gaussian ``θ = (vec U, vec V)`` drawn from ``seed`` (independent of the instance).

    With ``bias``, N(0, 1) entries for ``b`` and ``c`` follow, drawn after ``(U, V)``
    from the same generator: the weights start where the bias-free run starts."""
    m, k, d = inst.network.m, inst.network.k, inst.network.d
    rng = np.random.default_rng([seed, 7919])
    weights = rng.standard_normal(m * k + k * d)
    return np.concatenate([weights, rng.standard_normal(k + m)]) if bias else weights


def unpack(inst, theta: np.ndarray, bias: bool = False) -> TwoLayerNetwork:
    """The network of ``θ``; with ``bias``, ``θ = (vec U, vec V, b, c)``."""
    m, k, d = inst.network.m, inst.network.k, inst.network.d
    U, V = theta[: m * k].reshape(m, k), theta[m * k: m * k + k * d].reshape(k, d)
    if not bias:
        return TwoLayerNetwork(U, V)
    return TwoLayerNetwork(U, V, b=theta[m * k + k * d: m * k + k * d + k],
                           c=theta[m * k + k * d + k:])


def error_of(inst, theta: np.ndarray, bias: bool = False) -> float:
    """``compare_networks`` against the truth; ``inf`` for a dead unit (``V_i = 0``)."""
    try:
        return compare_networks(inst.network, unpack(inst, theta, bias))
    except Exception:  # a dead unit has no canonical form
        return float("inf")


class _Watch:
    """Measures the error every ``check_every`` iterations; says when to stop.

    ``check_seconds`` is the time those measurements took (a matching against the
    truth, tens of milliseconds at k = 50): the benchmark's, not the method's, so
    :func:`run_lbfgs` leaves it out of the method's time."""

    def __init__(self, inst, budget: Budget, deadline: float, bias: bool = False):
        self.inst, self.budget, self.deadline, self.bias = inst, budget, deadline, bias
        self.iterations, self.error, self.capped = 0, float("inf"), False
        self.check_seconds = 0.0

    def should_stop(self, theta: np.ndarray) -> bool:
        self.iterations += 1
        if self.iterations % self.budget.check_every:
            return False
        started = time.perf_counter()
        self.error = error_of(self.inst, theta, self.bias)
        self.capped = time.perf_counter() > self.deadline
        self.check_seconds += time.perf_counter() - started
        return self.error <= self.budget.target or self.capped


def _lbfgs_once(inst, theta0: np.ndarray, budget: Budget, deadline: float,
                bias: bool = False):
    """One L-BFGS-B run from ``theta0`` (of the model with biases if ``bias``); returns
    ``(theta, watch)``."""
    watch = _Watch(inst, budget, deadline, bias)
    state = {"theta": theta0}

    def callback(intermediate_result):
        state["theta"] = intermediate_result.x
        if watch.should_stop(intermediate_result.x):
            raise StopIteration

    loss = squared_loss_bias if bias else squared_loss
    minimize(loss, theta0, args=(inst.X, inst.Y, inst.network.k), jac=True,
             method="L-BFGS-B", callback=callback,
             options={"maxiter": 10**9, "ftol": 0.0, "gtol": 1e-14, "maxcor": 30})
    watch.error = error_of(inst, state["theta"], bias)
    return state["theta"], watch


def run_lbfgs(inst, seed: int, budget: Budget, bias: bool = False) -> Outcome:
    """L-BFGS-B from one random start, until ``budget.target`` or ``budget.seconds``.

    With ``bias`` it fits ``U, V, b, c`` (:func:`squared_loss_bias`) and is scored
    against the truth with its biases; otherwise the bias-free model. Its seconds leave
    out the benchmark's own error checks (``extra["check_seconds"]``; the wall time is
    ``extra["wall_seconds"]``)."""
    t0 = time.perf_counter()
    _, watch = _lbfgs_once(inst, random_start(inst, seed, bias), budget,
                           t0 + budget.seconds, bias)
    wall = time.perf_counter() - t0
    return Outcome("lbfgs", wall - watch.check_seconds, watch.error,
                   extra={"iterations": watch.iterations, "capped": watch.capped,
                          "cap_seconds": budget.seconds, "target": budget.target,
                          "check_every": budget.check_every,
                          "check_seconds": watch.check_seconds, "wall_seconds": wall})


def run_lbfgs_multistart(inst, seed: int, budget: Budget,
                         ours_seconds: float | None = None) -> Outcome:
    """L-BFGS-B restarted from fresh random starts within ``multistart_factor`` × our time.

    ``ours_seconds`` is relunet's time on this instance (measured here if not given).
    Start ``s`` is ``random_start(inst, 1000·seed + s)`` (for seed 0 the first start is
    the single-start run's). Each start is cut at the end of the total budget; the best
    error over starts counts.
    """
    if ours_seconds is None:
        ours_seconds = run_relunet(inst, seed).seconds
    total = budget.multistart_factor * ours_seconds
    t0 = time.perf_counter()
    deadline = t0 + total
    best, starts = float("inf"), 0
    while time.perf_counter() < deadline and best > budget.target:
        _, watch = _lbfgs_once(inst, random_start(inst, seed * 1000 + starts), budget,
                               deadline)
        best, starts = min(best, watch.error), starts + 1
    return Outcome("lbfgs_multistart", time.perf_counter() - t0, best,
                   extra={"starts": starts, "budget_seconds": total,
                          "ours_seconds": ours_seconds, "capped": best > budget.target})


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def run_adam(inst, seed: int, budget: Budget, lr: float = 1e-2) -> Outcome:
    """Full-batch Adam (β = 0.9, 0.999) from the same random start as ``lbfgs``.

    Step size ``lr · (1 + t/1000)^(-1/2)``: a constant step cannot settle below an error
    of the order of the step, so it decays. PyTorch CPU float64 if importable, else numpy
    on :func:`squared_loss`; which one ran is ``extra["backend"]``.
    """
    step = _torch_adam if torch_available() else _numpy_adam
    t0 = time.perf_counter()
    watch = _Watch(inst, budget, t0 + budget.seconds)
    step(inst, random_start(inst, seed), watch, lr)
    return Outcome("adam", time.perf_counter() - t0, watch.error,
                   extra={"iterations": watch.iterations, "capped": watch.capped,
                          "cap_seconds": budget.seconds, "lr": lr,
                          "backend": "torch" if step is _torch_adam else "numpy"})


def _numpy_adam(inst, theta: np.ndarray, watch: _Watch, lr: float,
                beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-12) -> None:
    mom, var = np.zeros_like(theta), np.zeros_like(theta)
    t = 0
    while not watch.should_stop(theta):
        t += 1
        _, grad = squared_loss(theta, inst.X, inst.Y, inst.network.k)
        mom = beta1 * mom + (1 - beta1) * grad
        var = beta2 * var + (1 - beta2) * grad * grad
        step = lr * _decay(t) * (mom / (1 - beta1**t))
        theta = theta - step / (np.sqrt(var / (1 - beta2**t)) + eps)


def _decay(t: int) -> float:
    return (1.0 + t / 1000.0) ** -0.5


def _torch_adam(inst, theta: np.ndarray, watch: _Watch, lr: float) -> None:  # pragma: no cover
    import torch

    m, k = inst.network.m, inst.network.k
    X = torch.from_numpy(inst.X)
    Y = torch.from_numpy(inst.Y)
    params = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([params], lr=lr, eps=1e-12)
    schedule = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: _decay(t + 1))
    n = X.shape[1]
    while not watch.should_stop(params.detach().numpy()):
        opt.zero_grad()
        U = params[: m * k].reshape(m, k)
        V = params[m * k:].reshape(k, -1)
        loss = 0.5 * ((U @ torch.relu(V @ X) - Y) ** 2).sum() / n
        loss.backward()
        opt.step()
        schedule.step()


#: Method name → runner ``(inst, seed, budget) -> Outcome``.
RUNNERS = {
    "relunet": lambda inst, seed, budget: run_relunet(inst, seed, "auto"),
    "moments": lambda inst, seed, budget: run_relunet(inst, seed, "moments"),
    "lbfgs": run_lbfgs,
    "adam": run_adam,
}
METHODS = ("relunet", "moments", "lbfgs", "lbfgs_multistart", "adam")
EXACT_METHODS = ("relunet", "moments")


def run_methods(inst, seed: int, methods, budget: Budget) -> list[Outcome]:
    """Run ``methods`` on one instance; relunet runs first so that the multi-start
    budget is 10 × *its* time on this very instance."""
    ours = run_relunet(inst, seed)
    outcomes = []
    for method in methods:
        if method == "relunet":
            outcomes.append(ours)
        elif method == "lbfgs_multistart":
            outcomes.append(run_lbfgs_multistart(inst, seed, budget, ours.seconds))
        else:
            outcomes.append(RUNNERS[method](inst, seed, budget))
    return outcomes
