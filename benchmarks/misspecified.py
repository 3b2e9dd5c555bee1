"""Misspecified labels in ``mode="auto"``: exact, loud, warned — never silent.

Each case plants one violation of the model ``Y = U f(V X)`` (ReLU, (d, k, m, n) =
(10, 5, 8, 1000)) with :func:`recover._instances.misspecified_instance`, or a control
(clean labels; Gaussian noise at 10 and 20 dB), runs ``recover_network`` with the
default ``mode="auto"`` and classifies the outcome:

* ``exact``   — verified, and equal to the truth (``compare_networks`` ≤ 1e-10) once
  the units active on no sample — which no data can show — are dropped from it;
* ``loud``    — :class:`RecoveryFailed` or :class:`InvalidInputError` raised;
* ``warned``  — returned with a :class:`RelunetWarning`, ``res.exact`` False and a
  ``cause`` set;
* ``estimate``— (noisy controls only) a noisy estimate judged consistent with the
  noise, no warning — the right outcome there;
* ``silent``  — anything else: returned, not exact (or exact but wrong), no warning.

``named`` counts the outcomes whose named cause is the planted one (where the planted
cause is identifiable). Run ``python -m benchmarks.misspecified [seeds] [--record DIR]``
(default 20 seeds); ``--record`` also writes ``DIR/misspecified.json``
(:func:`benchmarks.records.write_record`), from which the table of ``docs/noisy.md`` is
rendered.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from recover import (InvalidInputError, RecoveryFailed, RelunetWarning, TwoLayerNetwork,
                     misspecified_instance, planted_instance, recover_network)
from verify import compare_networks

from .records import write_record

DIMS = (10, 5, 8, 1000)
EXACT = 1e-10
OUTCOMES = ("exact", "loud", "warned", "estimate", "silent")


@dataclass(frozen=True)
class Case:
    """A planted data set: ``make(seed) -> (X, Y, k, truth)``; ``cause`` the cause the
    outcome must name (None: not required); ``noisy`` for the noise controls."""

    name: str
    make: Callable
    cause: str | None = None
    noisy: bool = False


def _planted(kind: str, k=None):
    def make(seed):
        inst = misspecified_instance(kind, *DIMS, seed=seed)
        return inst.X, inst.Y, k, inst.network
    return make


def _control(snr_db=None, k=None):
    def make(seed):
        inst = planted_instance(*DIMS, seed=seed, snr_db=snr_db)
        return inst.X, inst.Y, k, inst.network
    return make


def _noisy_planted(kind: str, snr_db: float):
    """A misspecified instance with Gaussian noise at ``snr_db`` added to its labels."""
    def make(seed):
        inst = misspecified_instance(kind, *DIMS, seed=seed)
        sigma = np.linalg.norm(inst.Y) / np.sqrt(inst.Y.size) / 10 ** (snr_db / 20)
        noise = sigma * np.random.default_rng([seed, 2]).standard_normal(inst.Y.shape)
        return inst.X, inst.Y + noise, None, inst.network
    return make


CASES = [
    Case("clean", _control()),
    Case("clean, k given", _control(k=DIMS[1])),
    Case("hidden bias b", _planted("hidden_bias"), "hidden_bias"),
    Case("output bias c", _planted("output_bias"), "output_bias"),
    Case("biases b and c", _planted("biases"), "hidden_bias"),
    Case("m < k (m=3)", _planted("fewer_outputs"), "fewer_outputs"),
    # with k given, m < k is no misspecification: recover._few_outputs recovers it exactly
    Case("m < k (m=3), k=5", _planted("fewer_outputs", k=DIMS[1])),
    Case("X uniform[0,1]", _planted("positive_inputs"), "halfspace_inputs"),
    Case("X rank d-1", _planted("rank_deficient_inputs"), "rank_deficient_inputs"),
    Case("X zero row", _planted("zero_input_row"), "rank_deficient_inputs"),
    Case("k too small (3<5)", _control(k=3), "k_too_small"),
    Case("unit never active", _planted("dead_unit")),
    Case("hidden bias b + 30 dB", _noisy_planted("hidden_bias", 30.0)),
    Case("output bias c + 30 dB", _noisy_planted("output_bias", 30.0)),
    Case("X uniform + 30 dB", _noisy_planted("positive_inputs", 30.0)),
    Case("noise 10 dB", _control(snr_db=10.0), noisy=True),
    Case("noise 20 dB", _control(snr_db=20.0), noisy=True),
    Case("noise 20 dB, k given", _control(snr_db=20.0, k=DIMS[1]), noisy=True),
]


def run_case(case: Case, seed: int) -> tuple[str, list[str], str]:
    """``(outcome, named causes, message)`` of one run in ``mode="auto"``."""
    X, Y, k, truth = case.make(seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = recover_network(X, Y, k=k, seed=seed)
        except (RecoveryFailed, InvalidInputError) as exc:
            causes = list(getattr(exc, "diagnostics", {}).get("causes", []))
            if isinstance(exc, InvalidInputError) and "m < k" in str(exc):
                causes.append("fewer_outputs")
            return "loud", causes, str(exc)
    warned = any(issubclass(w.category, RelunetWarning) for w in caught)
    causes = list(res.diagnostics.get("causes", []))
    if res.exact and not (warned and res.cause):
        seen = _identifiable(truth, X)
        right = res.network.k == seen.k and compare_networks(seen, res.network) <= EXACT
        return ("exact" if right else "silent"), causes, res.message
    if warned and res.cause:
        return "warned", causes, res.message
    if case.noisy and not warned and res.misspecified is False:
        return "estimate", causes, res.message
    return "silent", causes, res.message


def _identifiable(truth: TwoLayerNetwork, X) -> TwoLayerNetwork:
    """The truth without the units active on no sample: no data can show those."""
    alive = truth.pattern(X).any(axis=1)
    return TwoLayerNetwork(truth.U[:, alive], truth.V[alive], truth.activation)


def sweep(seeds: int) -> list[dict]:
    rows = []
    for case in CASES:
        counts = dict.fromkeys(OUTCOMES, 0)
        named = 0
        for seed in range(seeds):
            outcome, causes, _ = run_case(case, seed)
            counts[outcome] += 1
            named += case.cause is not None and outcome in ("loud", "warned") and \
                case.cause in causes
        rows.append({"case": case.name, **counts,
                     "named": f"{named}/{seeds - counts['exact']}" if case.cause else "-"})
    return rows


def render(rows: list[dict]) -> str:
    head = f"{'case':24s}" + "".join(f"{o:>9s}" for o in OUTCOMES) + f"{'named':>9s}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['case']:24s}" + "".join(f"{r[o]:9d}" for o in OUTCOMES)
                     + f"{r['named']:>9s}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.misspecified",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("seeds", type=int, nargs="?", default=20)
    parser.add_argument("--record", metavar="DIR",
                        help="also write the counts to DIR/misspecified.json")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows = sweep(args.seeds)
    print(render(rows))
    if args.record:
        write_record(args.record, {
            "suite": "misspecified", "scale": "full",
            "params": {"seeds": args.seeds, "dims": DIMS, "exact": EXACT,
                       "command": f"python -m benchmarks.misspecified {args.seeds}"},
            "runs": rows, "summary": {}, "wall_seconds": time.perf_counter() - start})
    return 0


if __name__ == "__main__":
    sys.exit(main())
