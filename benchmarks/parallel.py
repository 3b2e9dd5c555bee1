"""Speed-up of ``n_jobs=2`` over one core on the exact path of ``recover_network``.

    OPENBLAS_NUM_THREADS=1 python -m benchmarks.parallel [--seeds S] [--quick] [--out DIR]

For each shape (d,k,m,n) of :data:`SHAPES` and seeds ``0 … S−1``: the planted ReLU
instance (``planted_instance``), recovered with ``mode="exact"`` by ``n_jobs=1`` and by
``n_jobs=2`` on the same instance (their order alternating from seed to seed, so that a
drift in the load of a shared machine does not favour one). Each run records its wall
time, whether it is exact (``compare_networks`` against the planted network ≤
:data:`benchmarks.baselines.EXACT`), its facet programs and batches; each instance its ratio
``seconds(n_jobs=1) / seconds(n_jobs=2)``, and each shape the median ratio. A failed run
is recorded with its reason and no ratio.

BLAS threads and ``n_jobs`` multiply, so run with ``OPENBLAS_NUM_THREADS=1`` (the record
keeps the thread variables, the number of cores and the load average) on an idle
machine of at least two cores. ``--quick`` is a smoke run: the small shape, 2 seeds, a
few seconds. ``--out DIR`` writes ``DIR/parallel.json`` (:func:`benchmarks.records.write_record`).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from recover import planted_instance

from .baselines import EXACT, run_relunet
from .records import write_record

#: (d, k, m, n): the scale the speed goal is stated at, and a small one.
SHAPES = ((100, 50, 60, 10_000), (20, 10, 15, 2_000))
QUICK_SHAPES = ((20, 10, 15, 2_000),)
QUICK_SEEDS = 2
JOBS = (1, 2)


def one_run(inst, seed: int, n_jobs: int) -> dict:
    """:func:`benchmarks.baselines.run_relunet` with ``n_jobs``: seconds, error,
    exactness, the facet programs and batches (or why it failed)."""
    outcome = run_relunet(inst, seed, n_jobs=n_jobs)
    row = {"n_jobs": n_jobs, "seconds": outcome.seconds,
           "exact": bool(outcome.error <= EXACT), "error": outcome.error}
    if outcome.failed:
        return {**row, "failure": outcome.failed[:200]}
    return {**row, "failure": None, "programs": outcome.extra.get("programs"),
            "batches": outcome.extra.get("batches", 0)}


def one_instance(dims: tuple, seed: int) -> dict:
    """Both runs on one planted instance and their ratio (None unless both exact)."""
    inst = planted_instance(*dims, seed=seed)
    order = JOBS if seed % 2 == 0 else JOBS[::-1]
    runs = {n_jobs: one_run(inst, seed, n_jobs) for n_jobs in order}
    one, two = runs[1], runs[2]
    ratio = one["seconds"] / two["seconds"] if one["exact"] and two["exact"] else None
    return {"dims": list(dims), "seed": seed, "order": list(order),
            "runs": [runs[n_jobs] for n_jobs in JOBS], "speedup": ratio}


def summarise(instances: list[dict], shapes) -> dict:
    """Per shape: instances, exact runs per ``n_jobs``, median seconds and median and
    range of the speed-up over the instances where both runs were exact."""
    summary = {}
    for dims in shapes:
        rows = [row for row in instances if row["dims"] == list(dims)]
        ratios = [row["speedup"] for row in rows if row["speedup"] is not None]
        per_jobs = {}
        for i, n_jobs in enumerate(JOBS):
            runs = [row["runs"][i] for row in rows]
            per_jobs[str(n_jobs)] = {
                "exact": sum(run["exact"] for run in runs),
                "median_seconds": float(np.median([run["seconds"] for run in runs]))}
        summary["x".join(map(str, dims))] = {
            "instances": len(rows), "n_jobs": per_jobs, "compared": len(ratios),
            "median_speedup": float(np.median(ratios)) if ratios else None,
            "min_speedup": min(ratios) if ratios else None,
            "max_speedup": max(ratios) if ratios else None}
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.parallel",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="instances per shape")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: {QUICK_SHAPES[0]} only, {QUICK_SEEDS} seeds")
    parser.add_argument("--out", metavar="DIR", help="write DIR/parallel.json")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error("--seeds must be >= 1")
    shapes, seeds = (QUICK_SHAPES, QUICK_SEEDS) if args.quick else (SHAPES, args.seeds)
    started, instances = time.perf_counter(), []
    for dims in shapes:
        for seed in range(seeds):
            row = one_instance(dims, seed)
            instances.append(row)
            times = ", ".join(f"n_jobs={run['n_jobs']} {run['seconds']:.2f}s"
                              f"{'' if run['exact'] else ' NOT EXACT'}" for run in row["runs"])
            ratio = "—" if row["speedup"] is None else f"{row['speedup']:.2f}x"
            print(f"{dims} seed {seed}: {times}; speed-up {ratio}", flush=True)
    summary = summarise(instances, shapes)
    for name, line in summary.items():
        median = line["median_speedup"]
        print(f"{name}: median speed-up "
              f"{'—' if median is None else f'{median:.2f}x'} over {line['compared']} "
              f"instance(s)")
    if args.out:
        command = "python -m benchmarks.parallel " + " ".join(
            sys.argv[1:] if argv is None else argv)
        path = write_record(args.out, {
            "suite": "parallel", "scale": "quick" if args.quick else "full",
            "title": "Parallel facet programs and hidden-unit solves (n_jobs)",
            "params": {"shapes": [list(s) for s in shapes], "seeds": seeds,
                       "n_jobs": list(JOBS), "exact_error": EXACT,
                       "activation": "relu", "mode": "exact", "command": command},
            "runs": instances, "summary": summary,
            "wall_seconds": time.perf_counter() - started})
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
