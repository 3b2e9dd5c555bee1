"""Exact recovery with fewer outputs than hidden units (m < k): samples needed, time,
and L-BFGS-B on the same instances.

Run ``python -m benchmarks.few_outputs [--quick] [--out DIR]``.

* ``exact``: for each shape (d, k, m), planted instances ``planted_instance(d, k, m, n,
  seed=s)`` recovered by ``recover_network(X, Y, k=k, mode="exact", seed=s)``. A grid of
  ``n`` is scanned upwards with ``SCAN_SEEDS`` seeds (a point is left as soon as more
  seeds failed than 95 % allows); the first point at ≥ 95 % is confirmed with
  ``CONFIRM_SEEDS`` seeds (the scan's seeds included) — if it falls short the scan goes
  on. That point is n₉₅. On its first ``BASELINE_SEEDS`` instances, single-start
  L-BFGS-B (:func:`benchmarks.baselines.run_lbfgs`, capped at ``LBFGS_SECONDS``) and
  multi-start L-BFGS-B given 10 × our time on that very instance
  (:func:`benchmarks.baselines.run_lbfgs_multistart`).
* ``--bias SEEDS``: ``bias=True`` on instances with biases at the bias-free n₉₅ of each
  shape and twice it (:func:`bias_exact`; printed, not recorded).
* ``noisy``: (20, 10, 1) at 20 dB, n = 20 000, 5 seeds: ``recover_network(..., k=10,
  mode="noisy")`` against the oracle, :func:`recover._refine.refine` started at the truth;
  the ratio of their errors.

Every method is scored by ``compare_networks(truth, estimate) ≤ EXACT``. Every miss of
ours must be loud (``RecoveryFailed``): a returned network that is not exact is counted
as "wrong returned" (must be 0). Records go to ``DIR/few_outputs.json`` after every cell
(rendered by :mod:`benchmarks.render` as "Fewer outputs than hidden units").
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, replace

import numpy as np

from recover import (RecoveryFailed, TwoLayerNetwork, get_activation, planted_instance,
                     recover_network, refine)
from verify import compare_networks

from .baselines import EXACT, Budget, run_lbfgs, run_lbfgs_multistart
from .records import write_record

TARGET = 0.95
#: Cap of one single-start L-BFGS-B run (seconds).
LBFGS_SECONDS = 30.0


@dataclass(frozen=True)
class Plan:
    """Everything in which the full and the quick runs differ."""

    name: str
    #: shape → grid of n, smallest first
    grids: dict
    scan_seeds: int
    confirm_seeds: int
    baseline_seeds: int
    #: shapes with fewer seeds (too slow to sweep): shape → (scan, confirm, baseline)
    reduced: dict
    noisy_seeds: int
    noisy_n: int
    command: str = ""


FULL = Plan("full", {(10, 5, 1): (150, 200, 300, 500), (20, 10, 1): (600, 800, 1000, 1500),
                     (20, 10, 5): (300, 400, 500, 700), (50, 20, 1): (3000, 5000, 8000)},
            scan_seeds=20, confirm_seeds=50, baseline_seeds=10,
            reduced={(50, 20, 1): (5, 10, 3)}, noisy_seeds=5, noisy_n=20000)
QUICK = Plan("quick", {(6, 3, 1): (100, 200)}, scan_seeds=3, confirm_seeds=4,
             baseline_seeds=2, reduced={}, noisy_seeds=1, noisy_n=2000)


def run_ours(inst, seed: int) -> dict:
    """One exact-mode recovery: seconds, error (inf when it failed loudly), outcome."""
    t0 = time.perf_counter()
    try:
        res = recover_network(inst.X, inst.Y, k=inst.network.k, mode="exact", seed=seed)
    except RecoveryFailed:
        return {"seconds": time.perf_counter() - t0, "error": float("inf"),
                "outcome": "failed_loudly"}
    seconds = time.perf_counter() - t0
    error = compare_networks(inst.network, res.network)
    return {"seconds": seconds, "error": error,
            "outcome": "exact" if error <= EXACT else "wrong_returned"}


def tally(rows: list[dict]) -> dict:
    seconds = [r["seconds"] for r in rows]
    return {"seeds": len(rows), "exact": sum(r["outcome"] == "exact" for r in rows),
            "failed_loudly": sum(r["outcome"] == "failed_loudly" for r in rows),
            "wrong_returned": sum(r["outcome"] == "wrong_returned" for r in rows),
            "median_seconds": float(np.median(seconds)) if seconds else None}


def _seeds(plan: Plan, shape) -> tuple[int, int, int]:
    return plan.reduced.get(shape, (plan.scan_seeds, plan.confirm_seeds, plan.baseline_seeds))


def _point(shape, n: int, seeds: int, runs: list, start: int = 0) -> list[dict]:
    """Our rows at ``n`` for seeds ``start..seeds-1``, stopping once more failed than
    95 % of ``seeds`` allows."""
    allowed = int(np.floor((1 - TARGET) * seeds + 1e-9))
    rows = [r for r in runs if r["dims"] == list(shape) and r["n"] == n
            and r["method"] == "ours"]
    for s in range(start, seeds):
        row = {"method": "ours", "dims": list(shape), "n": n, "seed": s,
               **run_ours(planted_instance(*shape, n, seed=s), s)}
        runs.append(row)
        rows.append(row)
        if sum(r["outcome"] != "exact" for r in rows) > allowed:
            break
    return rows


def scan(shape, grid, plan: Plan, runs: list) -> dict:
    """n₉₅ of one shape (None when the grid never reaches it) and the curve."""
    scan_seeds, confirm_seeds, _ = _seeds(plan, shape)
    curve = []
    for n in grid:
        rows = _point(shape, n, scan_seeds, runs)
        if len(rows) == scan_seeds and tally(rows)["exact"] >= TARGET * scan_seeds:
            rows = _point(shape, n, confirm_seeds, runs, start=scan_seeds)
        t = tally(rows)
        curve.append({"n": n, **t})
        _say(f"ours {shape} n={n}", t)
        if t["seeds"] == confirm_seeds and t["exact"] >= TARGET * confirm_seeds:
            return {"dims": list(shape), "n95": n, "curve": curve, "ours": t}
    return {"dims": list(shape), "n95": None, "curve": curve, "ours": None}


def baselines(shape, n: int, plan: Plan, runs: list) -> dict:
    """Single- and multi-start L-BFGS-B on our first instances at ``n``."""
    _, _, count = _seeds(plan, shape)
    budget = Budget(seconds=LBFGS_SECONDS)
    single, multi, ours = [], [], []
    for s in range(count):
        inst = planted_instance(*shape, n, seed=s)
        mine = next(r for r in runs if r["method"] == "ours" and r["dims"] == list(shape)
                    and r["n"] == n and r["seed"] == s)
        ours.append(mine)
        for name, outcome in (("lbfgs", run_lbfgs(inst, s, budget)),
                              ("lbfgs_multistart",
                               run_lbfgs_multistart(inst, s, budget, mine["seconds"]))):
            row = {"method": name, "dims": list(shape), "n": n, "seed": s,
                   "seconds": outcome.seconds, "error": outcome.error,
                   "outcome": "exact" if outcome.error <= EXACT else "not_exact",
                   "starts": outcome.extra.get("starts")}
            runs.append(row)
            (single if name == "lbfgs" else multi).append(row)
    result = {"n": n, "ours": tally(ours), "lbfgs": tally(single),
              "lbfgs_multistart": tally(multi)}
    for key in ("lbfgs", "lbfgs_multistart"):
        _say(f"{key} {shape} n={n}", result[key])
    return result


def noisy(plan: Plan, runs: list) -> dict:
    """Our noisy error against the oracle's (refinement from the truth)."""
    ratios = []
    act = get_activation("relu")
    for s in range(plan.noisy_seeds):
        inst = planted_instance(20, 10, 1, plan.noisy_n, seed=s, snr_db=20.0)
        t0 = time.perf_counter()
        res = recover_network(inst.X, inst.Y, k=10, mode="noisy", seed=s)
        seconds = time.perf_counter() - t0
        oracle = refine(inst.network.U, inst.network.V, inst.X, inst.Y, act)
        ours_error = compare_networks(inst.network, res.network)
        oracle_error = compare_networks(inst.network, TwoLayerNetwork(oracle.U, oracle.V))
        ratios.append(ours_error / oracle_error)
        runs.append({"method": "noisy", "dims": [20, 10, 1], "n": plan.noisy_n, "seed": s,
                     "seconds": seconds, "error": ours_error, "oracle_error": oracle_error,
                     "ratio": ratios[-1]})
        print(f"noisy seed {s}: ours {ours_error:.4g}, oracle {oracle_error:.4g}, ratio "
              f"{ratios[-1]:.3f}, {seconds:.1f} s", flush=True)
    return {"n": plan.noisy_n, "snr_db": 20.0, "seeds": plan.noisy_seeds,
            "median_ratio": float(np.median(ratios)), "max_ratio": float(np.max(ratios))}


def run(plan: Plan, out: str | None, shapes=None, noisy_run: bool = True) -> dict:
    """The exact cells of ``shapes`` (default all) and, when ``noisy_run``, the noisy
    ratio; the record is written after every cell."""
    started, runs = time.perf_counter(), []
    summary = {"cases": [], "noisy": None}
    for shape, grid in plan.grids.items():
        if shapes is not None and shape not in shapes:
            continue
        case = scan(shape, grid, plan, runs)
        if case["n95"] is not None:
            case["versus"] = baselines(shape, case["n95"], plan, runs)
        summary["cases"].append(case)
        _save(out, plan, started, runs, summary)
    if noisy_run:
        summary["noisy"] = noisy(plan, runs)
    _save(out, plan, started, runs, summary)
    return summary


#: ``bias=True``: shape → the n where the bias-free pipeline reaches 95 % (measured n₉₅;
#: ≤ 150 for (10, 5, 1)); each is run at that n and at twice it.
BIAS_POINTS = {(10, 5, 1): 150, (20, 10, 1): 800, (20, 10, 5): 400}
#: Planted biases ``b ~ N(0, β²)``, ``c ~ N(0, γ²)`` of the ``bias=True`` cells.
BIAS_STD, OUTPUT_BIAS_STD = 1.0, 1.0


def bias_exact(seeds: int, points=None) -> list[dict]:
    """``recover_network(..., k=k, bias=True, mode="exact")`` on planted instances with
    biases at each shape's bias-free n₉₅ and twice it, ``seeds`` seeds each: exact
    (error ≤ EXACT, biases included), failed loudly, wrong returned, median seconds.
    Printed, not recorded."""
    rows = []
    for shape, n95 in (BIAS_POINTS if points is None else points).items():
        for n in (n95, 2 * n95):
            cell = []
            for seed in range(seeds):
                inst = planted_instance(*shape, n, seed=seed, bias_std=BIAS_STD,
                                        output_bias_std=OUTPUT_BIAS_STD)
                cell.append(_run_with_bias(inst, seed))
            t = tally(cell)
            _say(f"bias=True {shape} n={n}", t)
            rows.append({"dims": list(shape), "n": n, **t})
    return rows


def _run_with_bias(inst, seed: int) -> dict:
    t0 = time.perf_counter()
    try:
        res = recover_network(inst.X, inst.Y, k=inst.network.k, mode="exact", seed=seed,
                              bias=True)
    except RecoveryFailed:
        return {"seconds": time.perf_counter() - t0, "outcome": "failed_loudly"}
    error = compare_networks(inst.network, res.network)
    return {"seconds": time.perf_counter() - t0,
            "outcome": "exact" if error <= EXACT else "wrong_returned"}


def _save(out, plan: Plan, started: float, runs: list, summary: dict) -> None:
    if out:
        write_record(out, {
            "suite": "few_outputs", "title": "Fewer outputs than hidden units (m < k)",
            "scale": plan.name, "runs": runs, "summary": summary,
            "wall_seconds": time.perf_counter() - started,
            "params": {"grids": {str(k): v for k, v in plan.grids.items()},
                       "scan_seeds": plan.scan_seeds, "confirm_seeds": plan.confirm_seeds,
                       "baseline_seeds": plan.baseline_seeds,
                       "reduced": {str(k): v for k, v in plan.reduced.items()},
                       "lbfgs_seconds": LBFGS_SECONDS, "exact": EXACT, "target": TARGET,
                       "command": plan.command}})


def _say(label: str, t: dict) -> None:
    print(f"{label}: exact {t['exact']}/{t['seeds']}, failed loudly "
          f"{t.get('failed_loudly', 0)}, wrong {t.get('wrong_returned', 0)}, median "
          f"{t['median_seconds']:.3g} s", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.few_outputs",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny shapes (smoke test)")
    parser.add_argument("--shape", action="append", default=None,
                        help="only this shape d,k,m (repeatable); skips the noisy run")
    parser.add_argument("--noisy-only", action="store_true", help="only the noisy ratio")
    parser.add_argument("--out", default="benchmarks/results")
    parser.add_argument("--bias", type=int, metavar="SEEDS", default=None,
                        help="only the bias=True cells, SEEDS seeds each (printed)")
    args = parser.parse_args(argv)
    if args.bias is not None:
        bias_exact(args.bias, {(6, 3, 1): 200} if args.quick else None)
        return 0
    plan = replace(QUICK if args.quick else FULL,
                   command="python -m benchmarks.few_outputs " + " ".join(
                       sys.argv[1:] if argv is None else argv))
    shapes = [tuple(int(v) for v in s.split(",")) for s in args.shape] if args.shape else None
    if args.noisy_only:
        shapes = []
    run(plan, args.out, shapes, noisy_run=not args.shape)
    return 0


if __name__ == "__main__":
    sys.exit(main())
