"""Timings of ``decide_fit`` (k = 2) on the instance sizes the hardness issue asks for.

Run from the repository root:  ``python benchmarks/bench_hardness.py``
Prints one row per instance: family, points n, dimension d, answer, LPs, leaves, seconds.

``python benchmarks/bench_hardness.py --grid 5 5 [--label after]`` instead times
``decide_fit`` on the reduction of every SET SPLITTING instance with at most 5 elements
and 5 clauses (``hardness.enumerate_instances``) and stores every run and the
distributions (median, p95, max) of wall-clock and CPU seconds (the CPU time is what
to compare on a shared machine) under ``--label`` in
benchmarks/records/hardness/decide_grid.json (other labels in the file are kept). The
"before"/"after" entries there are CPU seconds on every 10th instance of the 5 x 5 grid
for the code before and after the search was reworked (incremental HiGHS LP, dual-ray
Farkas certificates, gmpy2 exact steps), plus the five slowest instances.
Families: reductions of the hardest N = 4 SET SPLITTING instances (11 points in
dimension 6), and random integer data with 12 points in dimension 6 (planted k = 2
networks with mixed output signs, random labels of both signs, positive labels, and
positive labels on rank-deficient data). Deterministic (fixed seeds).

``--record DIR`` writes the families' runs (wall-clock and CPU seconds, LPs) to
``DIR/hardness_families.json``; ``--check ELEMENTS CLAUSES --record DIR`` instead runs
``check_reductions(ELEMENTS, CLAUSES, smt=True)`` (``relunet hardness check --smt``) and
writes its counts, LPs and seconds to ``DIR/hardness_check.json``. Both are records
behind docs/hardness.md (``benchmarks/records/docs``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.records import environment, write_record  # noqa: E402
from hardness import (SetSplitting, check_reductions, decide_fit,  # noqa: E402
                      enumerate_instances, reduce_set_splitting)

RECORD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "records", "hardness",
                      "decide_grid.json")


def reduction_cases():
    for clauses in ([(0, 1), (1, 2), (0, 2), (1, 2, 3)], [(0, 1), (1, 2), (2, 3), (0, 3)],
                    [(0, 1, 2), (0, 1, 3), (0, 2, 3), (1, 2, 3)], [(0, 1), (0, 2), (0, 3), (1, 2, 3)]):
        red = reduce_set_splitting(SetSplitting(4, clauses))
        yield f"reduction {clauses}", red.X, red.y


def random_cases(seed=0, d=6, n=12):
    rng = np.random.default_rng(seed)
    for trial in range(3):
        X = rng.integers(-3, 4, (d, n))
        V = rng.integers(-2, 3, (2, d))
        yield f"planted u=(1,-1) #{trial}", X, (np.array([1, -1]) @ np.maximum(V @ X, 0))
        yield f"random labels #{trial}", X, rng.integers(-3, 4, n)
        yield f"positive labels #{trial}", X, rng.integers(1, 4, n)
        low = np.zeros((d, n), dtype=int)
        low[:4] = rng.integers(-3, 4, (4, n))
        low[0] = 1
        yield f"positive, rank 4 #{trial}", low, rng.integers(1, 4, n)


def distribution(seconds) -> dict:
    """Median, 95th percentile (nearest rank), max and total of a list of timings."""
    ordered = sorted(seconds)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]
    return {"instances": len(ordered), "median": statistics.median(ordered), "p95": p95,
            "max": ordered[-1], "total": sum(ordered)}


def grid(max_elements: int, max_clauses: int) -> dict:
    """One decide_fit per reduced instance of the grid: every run and the distribution."""
    runs = []
    for inst in enumerate_instances(max_elements, max_clauses):
        red = reduce_set_splitting(inst)
        start, cpu = time.perf_counter(), time.process_time()
        res = decide_fit(red.X, red.y)
        runs.append({"n_elements": inst.n_elements, "clauses": [list(c) for c in inst.clauses],
                     "points": int(red.X.shape[1]), "feasible": res.feasible,
                     "lps": res.stats["lps"], "seconds": time.perf_counter() - start,
                     "cpu_seconds": time.process_time() - cpu})
    return {"grid": [max_elements, max_clauses],
            "summary": distribution([r["seconds"] for r in runs]),
            "cpu_summary": distribution([r["cpu_seconds"] for r in runs]),
            "yes": sum(r["feasible"] for r in runs), "runs": runs}


def record_grid(max_elements: int, max_clauses: int, label: str, path: str = RECORD) -> dict:
    entry = dict(grid(max_elements, max_clauses), environment=environment())
    record = {}
    if os.path.exists(path):
        with open(path) as fh:
            record = json.load(fh)
    record[label] = entry
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        json.dump(record, fh, indent=1)
        fh.write("\n")
    return entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", nargs=2, type=int, metavar=("ELEMENTS", "CLAUSES"))
    parser.add_argument("--label", default="after")
    parser.add_argument("--check", nargs=2, type=int, metavar=("ELEMENTS", "CLAUSES"))
    parser.add_argument("--record", default=None, metavar="DIR")
    args = parser.parse_args()
    if args.check:
        record_check(*args.check, args.record)
        return
    if args.grid:
        entry = record_grid(*args.grid, args.label)
        for name in ("summary", "cpu_summary"):
            summary = entry[name]
            print(f"{summary['instances']} instances ({entry['yes']} yes), "
                  f"{'wall-clock' if name == 'summary' else 'CPU'}: median "
                  f"{summary['median']:.3f} s, p95 {summary['p95']:.3f} s, max "
                  f"{summary['max']:.3f} s, total {summary['total']:.1f} s")
        print(f"wrote {RECORD}")
        return
    families(args.record)


def families(record: str | None = None) -> None:
    print(f"{'instance':48s} {'n':>3s} {'d':>3s} {'answer':>6s} {'LPs':>6s} {'leaves':>7s} {'sec':>7s}")
    runs, begin = [], time.perf_counter()
    for name, X, y in list(reduction_cases()) + list(random_cases()):
        start, cpu = time.perf_counter(), time.process_time()
        res = decide_fit(X, y)
        sec, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert res.certificate.verify(X, y)
        runs.append({"instance": name, "points": int(X.shape[1]), "dimension": int(X.shape[0]),
                     "feasible": res.feasible, "lps": res.stats["lps"], "seconds": sec,
                     "cpu_seconds": cpu})
        print(f"{name:48s} {X.shape[1]:3d} {X.shape[0]:3d} {'yes' if res.feasible else 'no':>6s} "
              f"{res.stats['lps']:6d} {res.stats.get('leaves', '-')!s:>7s} {sec:7.2f}", flush=True)
    print(f"worst: {max(r['seconds'] for r in runs):.2f} s")
    if record:
        write_record(record, {
            "suite": "hardness_families", "scale": "full",
            "params": {"command": "python benchmarks/bench_hardness.py",
                       "timing": "wall-clock and CPU seconds on a shared 2-core machine"},
            "runs": runs, "summary": {}, "wall_seconds": time.perf_counter() - begin})


def record_check(max_elements: int, max_clauses: int, record: str | None) -> None:
    """``check_reductions(..., smt=True)`` once, its counts, LPs, wall and CPU seconds."""
    cpu = time.process_time()
    report = check_reductions(max_elements, max_clauses, smt=True)
    cpu = time.process_time() - cpu
    counts = {key: value for key, value in vars(report).items() if key != "failures"}
    if record:
        write_record(record, {
            "suite": "hardness_check", "scale": "full",
            "params": {"max_elements": max_elements, "max_clauses": max_clauses, "smt": True,
                       "command": f"python benchmarks/bench_hardness.py --check "
                                  f"{max_elements} {max_clauses} --record DIR",
                       "timing": "wall-clock and CPU seconds on a shared 2-core machine"},
            "runs": [dict(counts, cpu_seconds=cpu, failures=len(report.failures))],
            "summary": {}, "wall_seconds": report.seconds})


if __name__ == "__main__":
    main()
