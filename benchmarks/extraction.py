"""Extraction of a trained scikit-learn model: relunet against a real ``MLPRegressor``.

An ``MLPRegressor(hidden_layer_sizes=(k,), activation="relu")`` is trained (fixed
``random_state``) as an autoencoder of the 30 standardised features of scikit-learn's
bundled breast-cancer data (569 samples; d = m = 30, so m ≥ k for k ≤ 30; no download).
Its function is ``Y = U relu(V X + b 1ᵀ) + c 1ᵀ`` with ``U = W2ᵀ``, ``V = W1ᵀ``,
``b = b1``, ``c = b2``. Two settings:

* **query** — the model is an oracle: ``n`` standard Gaussian inputs are sent to
  ``est.predict`` and ``recover_network(X, Y, bias=True, mode="exact")`` is run on the
  answers, for each ``n`` of a small grid. Reported: wall time, the errors against the
  model's true weights after matching (:func:`verify.compare_networks`,
  :func:`verify.max_unit_error`, the largest absolute difference of the canonical forms),
  the largest output difference on fresh Gaussian inputs (and its log2), and the float
  certificate (:func:`verify.certify_float`) of the recovered network on the queries and,
  as a check of the oracle itself, of the model's own weights.
* **data** — the model's own (standardised) training inputs are the queries. Exact where
  the samples determine the network; otherwise relunet refuses and says why. For each
  unit the number of samples on which it is active and the rank of its facet (the lifted
  activations ``[H; 1ᵀ]`` of the other units on the samples where it is off; ``k`` is
  full) are reported, so that a refusal can be told apart from missing information.
  Two subsets of the training inputs chosen on purpose (one unit always on, one unit
  always off) show the refusal that names the cause.

Run ``python -m benchmarks.extraction [--quick] [--json PATH]``; needs scikit-learn
(not a dependency of relunet). The conversion of the estimator is done by hand in
:func:`to_network`.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np

from recover import RecoveryFailed, TwoLayerNetwork, recover_network
from verify import certify_float, compare_networks, match_units, max_unit_error

#: A recovered network counts as exact when every unit agrees with the model's to this
#: relative error (per unit, max norm: :func:`verify.max_unit_error`).
EXACT = 1e-10
SEED = 0


@dataclass(frozen=True)
class Scale:
    """What to run: hidden sizes ``ks``, query counts ``grid``, ``fresh`` held-out inputs
    for the output error, training ``max_iter``, and whether to add the constructed
    subsets of the data setting."""

    name: str
    ks: tuple[int, ...]
    grid: tuple[int, ...]
    fresh: int
    max_iter: int = 500
    subsets: bool = True


QUICK = Scale("quick", ks=(5,), grid=(100, 200), fresh=2000, subsets=False)
FULL = Scale("full", ks=(5, 10, 20), grid=(50, 100, 200, 400, 800, 1600), fresh=100_000)


# --- the model ------------------------------------------------------------------------
def training_inputs() -> np.ndarray:
    """The breast-cancer features, standardised (569×30, samples as rows)."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler
    return StandardScaler().fit_transform(load_breast_cancer().data)


def train(inputs: np.ndarray, k: int, max_iter: int):
    """An ``MLPRegressor`` with one hidden layer of ``k`` ReLU units trained to reproduce
    its inputs. Not converged at ``max_iter`` is fine: any trained model is a target."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor
    est = MLPRegressor(hidden_layer_sizes=(k,), activation="relu", max_iter=max_iter,
                       random_state=SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(inputs, inputs)


def to_network(est) -> TwoLayerNetwork:
    """The estimator's function as ``U relu(V X + b) + c`` (sklearn's samples are rows, so
    its weight matrices are the transposes of ours): :meth:`TwoLayerNetwork.from_sklearn`."""
    return TwoLayerNetwork.from_sklearn(est)


def ask(est, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(X, Y)`` in relunet's orientation (d×n, m×n) for ``inputs`` given as rows."""
    return inputs.T, est.predict(inputs).reshape(len(inputs), -1).T


def parameter_count(net: TwoLayerNetwork) -> int:
    """Weights and biases: ``k(d + 1) + m(k + 1)``."""
    return net.k * (net.d + 1) + net.m * (net.k + 1)


# --- measurements ---------------------------------------------------------------------
def weight_errors(truth: TwoLayerNetwork, net: TwoLayerNetwork) -> dict:
    """Errors of ``net`` against ``truth`` after matching units and scales."""
    a, b = truth.canonical(), net.canonical().permuted(match_units(truth, net))
    absolute = max(float(np.abs(x - y).max()) for x, y in
                   ((a.U, b.U), (a.V, b.V), (a.b, b.b), (a.c, b.c)))
    return {"relative_frobenius": compare_networks(truth, net),
            "max_unit_relative": max_unit_error(truth, net),
            "max_absolute_canonical": absolute}


def output_error(est, net: TwoLayerNetwork, fresh: int) -> float:
    """``max |net(x) − est.predict(x)|`` over ``fresh`` new standard Gaussian inputs (a
    measurement on held-out queries, not a bound over every input)."""
    inputs = np.random.default_rng([SEED, 1]).standard_normal((fresh, net.d))
    X, Y = ask(est, inputs)
    return float(np.abs(net(X) - Y).max())


#: Relative distance per weight allowed between the recovered network and the model that
#: produced the answers: the recovery matches the model's weights to a few ulp
#: (measured ≤ 2^-46 relative), which moves outputs by about the rounding bound itself.
RECOVERED_WEIGHT_RTOL = 1e-14


def certificate(net: TwoLayerNetwork, X, Y, weight_rtol: float = 0.0) -> dict:
    """The float-aware certificate: ``Y`` is a float64 evaluation of ``net`` (or, with
    ``weight_rtol``, of a network within that relative distance per weight)."""
    cert = certify_float(net, X, Y, precision="float64", weight_rtol=weight_rtol)
    return {"holds": cert.holds, "max_ratio": cert.max_ratio, "weight_rtol": weight_rtol}


def extract(est, truth: TwoLayerNetwork, X, Y, fresh: int) -> dict:
    """Recover from ``(X, Y)`` and measure; ``outcome`` "exact", "inexact" or "refused"."""
    start = time.perf_counter()
    try:
        net = recover_network(X, Y, bias=True, mode="exact").network
    except RecoveryFailed as exc:
        return {"n": X.shape[1], "outcome": "refused", "reason": str(exc),
                "seconds": time.perf_counter() - start}
    seconds = time.perf_counter() - start
    errors = weight_errors(truth, net)
    out = output_error(est, net, fresh)
    return {"n": X.shape[1], "seconds": seconds, **errors,
            "outcome": "exact" if errors["max_unit_relative"] <= EXACT else "inexact",
            "log2_weight_error": _log2(errors["max_unit_relative"]),
            "output_error": out, "log2_output_error": _log2(out),
            "certificate_strict": certificate(net, X, Y),
            "certificate": certificate(net, X, Y, RECOVERED_WEIGHT_RTOL),
            "certificate_of_model": certificate(truth, X, Y)}


def _log2(x: float) -> float:
    return float(np.log2(x)) if x > 0 else float("-inf")


def facet_ranks(truth: TwoLayerNetwork, X) -> tuple[list[int], list[int]]:
    """Per unit: samples where it is active, and the rank of ``[H; 1ᵀ]`` on the samples
    where it is off (``k`` when its facet is determined; the unit's own row is 0 there)."""
    H = truth.hidden(X)
    lifted = np.vstack([H, np.ones(H.shape[1])])
    active = (H > 0).sum(axis=1)
    ranks = []
    for i in range(truth.k):
        off = lifted[:, H[i] <= 0]
        ranks.append(int(np.linalg.matrix_rank(off)) if off.size else 0)
    return active.tolist(), ranks


# --- the two settings -----------------------------------------------------------------
def query_setting(est, truth: TwoLayerNetwork, scale: Scale) -> dict:
    """Gaussian queries for each ``n`` of the grid (one seed per ``n``)."""
    runs = []
    for n in scale.grid:
        inputs = np.random.default_rng([SEED, n]).standard_normal((n, truth.d))
        runs.append(extract(est, truth, *ask(est, inputs), scale.fresh))
    exact = [r["n"] for r in runs if r["outcome"] == "exact"]
    return {"runs": runs, "smallest_exact_n": min(exact) if exact else None}


def data_setting(est, truth: TwoLayerNetwork, inputs: np.ndarray, fresh: int) -> dict:
    """The training inputs as queries, with the per-unit information they carry."""
    X, Y = ask(est, inputs)
    active, ranks = facet_ranks(truth, X)
    return {**extract(est, truth, X, Y, fresh), "active": active, "facet_ranks": ranks}


def subset_refusals(est, truth: TwoLayerNetwork, inputs: np.ndarray) -> list[dict]:
    """Training inputs on which unit 0 is always on, and always off (``k`` given: the
    labels cannot show a unit that is never active)."""
    pre = truth.preactivation(inputs.T)[0]
    cases = []
    for name, rows, k in (("unit 0 active on every sample", pre > 0, None),
                          ("unit 0 active on no sample", pre <= 0, truth.k)):
        X, Y = ask(est, inputs[rows])
        try:
            net = recover_network(X, Y, k=k, bias=True, mode="exact").network
            outcome = f"returned a network with k = {net.k}"
        except RecoveryFailed as exc:
            outcome = f"refused: {exc}"
        cases.append({"case": name, "n": int(rows.sum()), "outcome": outcome})
    return cases


def run(scale: Scale) -> dict:
    """Every model of ``scale``: training, both settings; a JSON-ready dict."""
    inputs = training_inputs()
    models = []
    for k in scale.ks:
        start = time.perf_counter()
        est = train(inputs, k, scale.max_iter)
        truth = to_network(est)
        models.append({
            "k": k, "d": truth.d, "m": truth.m, "parameters": parameter_count(truth),
            "train_seconds": time.perf_counter() - start,
            "train_r2": float(est.score(inputs, inputs)),
            "query": query_setting(est, truth, scale),
            "data": data_setting(est, truth, inputs, scale.fresh),
            "subsets": subset_refusals(est, truth, inputs)
            if scale.subsets and k == scale.ks[0] else []})
    return {"scale": scale.name, "dataset": "sklearn load_breast_cancer, standardised",
            "models": models, "environment": _environment()}


def _environment() -> dict:
    import sklearn
    return {"python": platform.python_version(), "numpy": np.__version__,
            "sklearn": sklearn.__version__, "machine": platform.machine()}


# --- report ---------------------------------------------------------------------------
def report(result: dict) -> str:
    """Markdown tables of a :func:`run` result."""
    lines = ["| k | params | n | outcome | time (s) | max unit rel. err. | max abs. err. "
             "| log2 weight err. | log2 output err. | float cert. (recovered) "
             "| float cert. (model) |", "|" + "---|" * 11]
    for model in result["models"]:
        for r in model["query"]["runs"]:
            lines.append(_row(model, r))
    lines += ["", "| k | smallest exact n (query grid) | log2 n |", "|---|---|---|"]
    for model in result["models"]:
        n = model["query"]["smallest_exact_n"]
        lines.append(f"| {model['k']} | {n} | {np.log2(n):.1f} |" if n else
                     f"| {model['k']} | none on the grid | – |")
    lines += ["", "Data setting (training inputs, n = 569):", "",
              "| k | outcome | time (s) | max unit rel. err. | float cert. (recovered) "
              "| fewest samples a unit is active on | facets of rank < k |",
              "|---|---|---|---|---|---|---|"]
    for model in result["models"]:
        lines.append(_data_row(model))
    for model in result["models"]:
        for case in model["subsets"]:
            lines.append(f"\nk = {model['k']}, {case['case']} (n = {case['n']}): "
                         f"{case['outcome']}")
    for model in result["models"]:
        if model["data"]["outcome"] == "refused":
            lines.append(f"\nk = {model['k']}, data setting refused: "
                         f"{model['data']['reason']}")
    return "\n".join(lines)


def _row(model: dict, r: dict) -> str:
    if r["outcome"] == "refused":
        return (f"| {model['k']} | {model['parameters']} | {r['n']} | refused | "
                f"{r['seconds']:.2f} | – | – | – | – | – | – |")
    cert, own = r["certificate"], r["certificate_of_model"]
    return (f"| {model['k']} | {model['parameters']} | {r['n']} | {r['outcome']} | "
            f"{r['seconds']:.2f} | {r['max_unit_relative']:.1e} | "
            f"{r['max_absolute_canonical']:.1e} | {r['log2_weight_error']:.1f} | "
            f"{r['log2_output_error']:.1f} | {_cert(cert)} | {_cert(own)} |")


def _data_row(model: dict) -> str:
    d = model["data"]
    low = sum(rank < model["k"] for rank in d["facet_ranks"])
    if d["outcome"] == "refused":
        return (f"| {model['k']} | refused | {d['seconds']:.2f} | – | – | "
                f"{min(d['active'])} | {low} |")
    return (f"| {model['k']} | {d['outcome']} | {d['seconds']:.2f} | "
            f"{d['max_unit_relative']:.1e} | {_cert(d['certificate'])} | "
            f"{min(d['active'])} | {low} |")


def _cert(cert: dict) -> str:
    return f"{'holds' if cert['holds'] else 'no'} ({cert['max_ratio']:.2f})"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.extraction",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="k = 5 and two query counts (seconds), for the tests")
    parser.add_argument("--json", help="also write the results as JSON here")
    args = parser.parse_args(argv)
    result = run(QUICK if args.quick else FULL)
    print(report(result))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
