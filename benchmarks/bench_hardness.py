"""Timings of ``decide_fit`` (k = 2) on the instance sizes the hardness issue asks for.

Run from the repository root:  ``python benchmarks/bench_hardness.py``
Prints one row per instance: family, points n, dimension d, answer, LPs, leaves, seconds.
Families: reductions of the hardest N = 4 SET SPLITTING instances (11 points in
dimension 6), and random integer data with 12 points in dimension 6 (planted k = 2
networks with mixed output signs, random labels of both signs, positive labels, and
positive labels on rank-deficient data). Deterministic (fixed seeds).
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from hardness import SetSplitting, decide_fit, reduce_set_splitting  # noqa: E402


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


def main() -> None:
    print(f"{'instance':48s} {'n':>3s} {'d':>3s} {'answer':>6s} {'LPs':>6s} {'leaves':>7s} {'sec':>7s}")
    worst = 0.0
    for name, X, y in list(reduction_cases()) + list(random_cases()):
        start = time.perf_counter()
        res = decide_fit(X, y)
        sec = time.perf_counter() - start
        worst = max(worst, sec)
        assert res.certificate.verify(X, y)
        print(f"{name:48s} {X.shape[1]:3d} {X.shape[0]:3d} {'yes' if res.feasible else 'no':>6s} "
              f"{res.stats['lps']:6d} {res.stats.get('leaves', '-')!s:>7s} {sec:7.2f}", flush=True)
    print(f"worst: {worst:.2f} s")


if __name__ == "__main__":
    main()
