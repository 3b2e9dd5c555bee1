"""Noisy recovery with biases against the oracle.

At ``(d, k, m) = (20, 10, 15)``, 20 dB Gaussian noise, hidden biases ``b ~ N(0, 1)`` and
output biases ``c ~ N(0, 1)``: relunet's estimate (``recover_network(..., bias=True)``,
``k`` given) against the oracle — the same Levenberg–Marquardt refinement started at the
truth — on the same instances. *ratio* is ours / oracle per seed (goal of the noisy
page: median ≤ 1.25); *flagged* counts fits that failed the noise check and came with a
RelunetWarning (a loud miss); *silent misses* are ratios above 1.25 without a warning.

    OPENBLAS_NUM_THREADS=1 python -m benchmarks.noisy_bias [--seeds 5] [--n 2000 10000]
        [--record DIR]

``--record`` also writes every run to ``DIR/noisy_bias.json``, from which the table of
``docs/algorithm.md`` is rendered.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recover import (RecoveryFailed, TwoLayerNetwork, planted_instance,  # noqa: E402
                     recover_network, refine)
from verify import compare_networks  # noqa: E402

from benchmarks.records import write_record  # noqa: E402

SHAPE = (20, 10, 15)


def oracle(inst) -> TwoLayerNetwork:
    t, k = inst.network, inst.network.k
    X = np.vstack([inst.X, np.ones((1, inst.X.shape[1]))])
    fit = refine(np.hstack([t.U, t.c[:, None]]), np.hstack([t.V, t.b[:, None]]), X, inst.Y,
                 t.activation, output_bias=True)
    return TwoLayerNetwork(fit.U[:, :k], fit.V[:, :-1], fit.V[:, -1], fit.U[:, k],
                           activation=t.activation)


def one_run(activation: str, n: int, seed: int, snr_db: float) -> dict:
    d, k, m = SHAPE
    inst = planted_instance(d, k, m, n, seed=seed, activation=activation, snr_db=snr_db,
                            bias_std=1.0, output_bias_std=1.0)
    ref = compare_networks(oracle(inst), inst.network)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = recover_network(inst.X, inst.Y, k=k, bias=True, activation=activation,
                                  seed=seed)
        except RecoveryFailed as exc:
            return {"ratio": np.inf, "flagged": True, "seconds": time.perf_counter() - t0,
                    "oracle": ref, "error": np.inf, "failure": str(exc)[:100]}
    error = compare_networks(res.network, inst.network)
    return {"ratio": error / ref, "flagged": bool(res.misspecified) or bool(caught),
            "seconds": time.perf_counter() - t0, "oracle": ref, "error": error}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--n", type=int, nargs="+", default=[2000, 10000])
    p.add_argument("--snr-db", type=float, default=20.0)
    p.add_argument("--activations", nargs="+", default=["relu", "relu2", "log(1+t)"])
    p.add_argument("--record", metavar="DIR", help="also write the runs to DIR/noisy_bias.json")
    args = p.parse_args(argv)
    start, runs = time.perf_counter(), []
    lines = ["| activation | n | seeds | median ratio | max ratio | within 1.25× | flagged | "
             "silent misses | median ours | median oracle | median s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for act in args.activations:
        for n in args.n:
            rows = [one_run(act, n, s, args.snr_db) for s in range(args.seeds)]
            runs += [dict(r, activation=act, n=n, seed=s) for s, r in enumerate(rows)]
            for s, r in enumerate(rows):
                print(f"{act} n={n} seed={s} ratio={r['ratio']:.3g} flagged={r['flagged']} "
                      f"{r['seconds']:.1f}s", flush=True)
            ratios = np.array([r["ratio"] for r in rows])
            good = ratios <= 1.25
            silent = sum((not g) and not r["flagged"] for g, r in zip(good, rows))
            lines.append(
                f"| {act} | {n} | {len(rows)} | {np.median(ratios):.3g} | {ratios.max():.3g} | "
                f"{int(good.sum())} | {sum(r['flagged'] for r in rows)} | {silent} | "
                f"{np.median([r['error'] for r in rows]):.3g} | "
                f"{np.median([r['oracle'] for r in rows]):.3g} | "
                f"{np.median([r['seconds'] for r in rows]):.1f} |")
    print("\n".join(lines))
    if args.record:
        command = (f"python -m benchmarks.noisy_bias --seeds {args.seeds} --n "
                   + " ".join(map(str, args.n)))
        write_record(args.record, {
            "suite": "noisy_bias", "scale": "full",
            "params": {"shape": SHAPE, "seeds": args.seeds, "n": args.n,
                       "snr_db": args.snr_db, "activations": args.activations,
                       "command": command},
            "runs": runs, "summary": {}, "wall_seconds": time.perf_counter() - start})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
