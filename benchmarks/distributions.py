"""Input distributions × outcome × time: exact, loud, or wrong.

For each input distribution, planted ReLU networks at ``(d, k, m) = (20, 10, 15)`` are
recovered with ``mode="exact"`` from ``n`` samples; each run ends **exact** (error ≤ 1e-10
against the truth after matching), **loud** (RecoveryFailed / InvalidInputError: the
message says why), **partial** (rank-deficient inputs: exact on ``span(X)``, with a
warning), or **wrong** (a network returned that is not the truth — must never happen).
For every run the *sample condition* is also measured on the truth (see
docs/algorithm.md, "What the data must show"): every unit off on ≥ k−1 samples whose
other activations span rank k−1 (its facet), and on for ≥ d samples spanning R^d.

    OPENBLAS_NUM_THREADS=1 python -m benchmarks.distributions [--seeds 10] [--n 2000]

The record behind docs/algorithm.md's table (``--record`` writes
``benchmarks/records/docs/distributions.json``)::

    OPENBLAS_NUM_THREADS=1 python -m benchmarks.distributions --seeds 10 --n 2000 \
        --extra "uniform[0,1] (positive)" 20000 --record benchmarks/records/docs
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recover import (InvalidInputError, RecoveryFailed, TwoLayerNetwork,  # noqa: E402
                     recover_network)
from verify import compare_networks  # noqa: E402

from benchmarks.records import write_record  # noqa: E402

SHAPE = (20, 10, 15)


def _sparse(rng, d, n):
    return rng.standard_normal((d, n)) * (rng.random((d, n)) < 0.1)


def _duplicated(rng, d, n):
    X = rng.standard_normal((d, n // 2))
    return np.hstack([X, X])[:, :n]


def _rank_deficient(rng, d, n):
    X = rng.standard_normal((d, n))
    X[-1] = X[0] + X[1]
    return X


DISTRIBUTIONS = {
    "gaussian": lambda rng, d, n: rng.standard_normal((d, n)),
    "uniform[-1,1]": lambda rng, d, n: rng.uniform(-1, 1, (d, n)),
    "laplace": lambda rng, d, n: rng.laplace(size=(d, n)),
    "student t3": lambda rng, d, n: rng.standard_t(3, size=(d, n)),
    "90% sparse": _sparse,
    "duplicated columns": _duplicated,
    "uniform[0,1] (positive)": lambda rng, d, n: rng.uniform(0, 1, (d, n)),
    "rank d-1": _rank_deficient,
}


def sample_condition(net: TwoLayerNetwork, X: np.ndarray) -> str:
    """'holds', or which unit breaks the sample condition and how."""
    F = net.hidden(X)
    k, d = net.k, X.shape[0]
    for i in range(k):
        off, on = F[i] <= 0, F[i] > 0
        if not on.any():
            return f"unit {i} on no sample"
        if not off.any():
            return f"unit {i} off on no sample"
        if np.linalg.matrix_rank(X[:, on]) < min(d, np.linalg.matrix_rank(X)):
            return f"unit {i}: active samples span < rank X"
        rank = np.linalg.matrix_rank(np.delete(F, i, axis=0)[:, off])
        if rank < k - 1:
            return f"unit {i}: facet of rank {rank} < k-1"
    return "holds"


def one_run(name: str, seed: int, n: int) -> dict:
    d, k, m = SHAPE
    rng = np.random.default_rng([seed, 7])
    net = TwoLayerNetwork(rng.standard_normal((m, k)), rng.standard_normal((k, d)))
    X = DISTRIBUTIONS[name](rng, d, n)
    Y = net(X)
    row = {"distribution": name, "seed": seed, "n": n, "condition": sample_condition(net, X)}
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = recover_network(X, Y, k=k, mode="exact", seed=seed)
    except (RecoveryFailed, InvalidInputError) as exc:
        row.update(outcome="loud", message=str(exc)[:160])
    else:
        basis = res.diagnostics.get("input_basis")
        truth = net if basis is None else TwoLayerNetwork(net.U, net.V @ basis @ basis.T)
        error = compare_networks(res.network, truth)
        outcome = "wrong" if error > 1e-10 else ("partial" if basis is not None else "exact")
        row.update(outcome=outcome, error=error, warned=bool(caught))
    row["seconds"] = time.perf_counter() - t0
    return row


def table(rows: list[dict]) -> str:
    lines = ["| inputs | n | seeds | condition holds | exact | partial (span X) | loud | "
             "wrong | median s | max s |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name in DISTRIBUTIONS:
        for n in sorted({r["n"] for r in rows}):
            sel = [r for r in rows if r["distribution"] == name and r["n"] == n]
            if not sel:
                continue
            count = lambda o: sum(r["outcome"] == o for r in sel)  # noqa: E731
            secs = [r["seconds"] for r in sel]
            holds = sum(r["condition"] == "holds" for r in sel)
            lines.append(f"| {name} | {n} | {len(sel)} | {holds} | {count('exact')} | "
                         f"{count('partial')} | {count('loud')} | {count('wrong')} | "
                         f"{np.median(secs):.2f} | {max(secs):.2f} |")
    return "\n".join(lines)


def _cells(args) -> list[tuple[str, int]]:
    """(distribution, n) of every cell: each distribution at each ``--n``, then the
    ``--extra`` cells, in the order of :data:`DISTRIBUTIONS`."""
    cells = [(name, n) for name in args.only or DISTRIBUTIONS for n in args.n]
    cells += [(name, int(n)) for name, n in args.extra]
    order = list(DISTRIBUTIONS)
    return sorted(cells, key=lambda c: (order.index(c[0]), c[1]))


def _command(args) -> str:
    extra = "".join(f' --extra "{name}" {n}' for name, n in args.extra)
    only = "".join(f' "{name}"' for name in args.only or [])
    return (f"python -m benchmarks.distributions --seeds {args.seeds} --n "
            + " ".join(map(str, args.n)) + extra + (f" --only{only}" if only else ""))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--n", type=int, nargs="+", default=[2000])
    p.add_argument("--only", nargs="*", default=None, help="distribution names")
    p.add_argument("--extra", nargs=2, action="append", default=[], metavar=("NAME", "N"),
                   help="one more cell: distribution NAME at N samples (repeatable)")
    p.add_argument("--record", default=None, metavar="DIR",
                   help="write the runs to DIR/distributions.json")
    args = p.parse_args(argv)
    unknown = {name for name, _ in args.extra} - set(DISTRIBUTIONS)
    if unknown:
        p.error(f"unknown distribution(s): {sorted(unknown)}")
    start, rows = time.perf_counter(), []
    for name, n in _cells(args):
        for seed in range(args.seeds):
            row = one_run(name, seed, n)
            rows.append(row)
            print(f"{name:24s} n={n:6d} seed={seed:2d} {row['outcome']:8s} "
                  f"{row['seconds']:6.2f}s condition: {row['condition']}", flush=True)
    print(table(rows))
    bad = [r for r in rows if r["outcome"] == "wrong" or
           (r["outcome"] == "loud" and r["condition"] == "holds")]
    for r in bad:
        print("NOTE:", r)
    if args.record:
        write_record(args.record, {
            "suite": "distributions", "scale": "full",
            "params": {"shape": SHAPE, "seeds": args.seeds, "exact": 1e-10,
                       "command": _command(args)},
            "runs": rows, "summary": {}, "wall_seconds": time.perf_counter() - start})
    return 1 if any(r["outcome"] == "wrong" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
