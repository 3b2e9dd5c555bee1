"""Suites of the noisy-recovery issue: accuracy against the oracle, rate, calibration,
non-Gaussian noise, overwhelming noise.

Run ``python -m benchmarks.noisy SUITE [--seeds N] [--out DIR]`` with SUITE one of
``accuracy``, ``rate``, ``kinds``, ``overwhelming``. Each prints a table and writes a
JSON record after every cell (nothing is lost if a long run is stopped).

Competitors on the same instances, in the same run:

* ``ours``: ``recover_network(mode="noisy")``;
* ``oracle``: the same refinement started at the true weights (the estimate reached from
  the truth) — the benchmark's yardstick;
* ``moments``: the paper-style estimate: moment directions, trimmed facets, least
  squares, no refinement;
* ``lbfgs``: L-BFGS-B on the squared loss from a random start (fewer seeds; capped).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np

from recover import (RecoveryFailed, RelunetWarning, TwoLayerNetwork, label_span,
                     planted_instance, recover_network, refine, robust_start)
from verify import compare_networks, match_units

from .baselines import Budget, run_lbfgs
from .records import write_record

DIMS = (20, 10, 15)


def oracle(inst) -> TwoLayerNetwork:
    """Refinement of the squared loss started at the truth."""
    fit = refine(inst.network.U, inst.network.V, inst.X, inst.Y, inst.network.activation)
    return TwoLayerNetwork(fit.U, fit.V, inst.network.activation)


def paper_style(inst, seed: int) -> TwoLayerNetwork:
    """Moment directions → trimmed facets → least squares, without refinement."""
    span = label_span(inst.Y, inst.network.k)
    U, V, _ = robust_start(inst.X, inst.Y, span, inst.network.activation,
                           np.random.default_rng(seed), method="moments")
    return TwoLayerNetwork(U, V, inst.network.activation)


def coverage(truth: TwoLayerNetwork, result) -> tuple[int, int]:
    """Coordinates within ±2 standard errors of the truth, and their number."""
    can = truth.canonical()
    perm = match_units(can, result.network)
    se = result.standard_errors
    z = np.concatenate([((result.network.U[:, perm] - can.U) / se["U"][:, perm]).ravel(),
                        ((result.network.V[perm] - can.V) / se["V"][perm]).ravel()])
    return int(np.sum(np.abs(z) <= 2)), int(z.size)


def one_instance(inst, seed: int, with_lbfgs: bool, with_moments: bool = True) -> dict:
    t0 = time.perf_counter()
    try:
        res = recover_network(inst.X, inst.Y, k=inst.network.k, mode="noisy", seed=seed)
    except RecoveryFailed as exc:  # recorded, not fatal: a loud failure is a result
        return {"seed": seed, "ours": float("inf"), "oracle": float("nan"),
                "ours_failure": str(exc), "inside_2se": 0, "coordinates": 0,
                "ours_seconds": time.perf_counter() - t0}
    row = {"seed": seed, "ours": compare_networks(inst.network, res.network),
           "ours_seconds": time.perf_counter() - t0}
    t0 = time.perf_counter()
    row["oracle"] = compare_networks(inst.network, oracle(inst))
    row["oracle_seconds"] = time.perf_counter() - t0
    row["inside_2se"], row["coordinates"] = coverage(inst.network, res)
    if with_moments:
        try:
            row["moments"] = compare_networks(inst.network, paper_style(inst, seed))
        except Exception as exc:  # the paper-style start may not find k facets
            row["moments"], row["moments_failure"] = float("inf"), str(exc)
    if with_lbfgs:
        out = run_lbfgs(inst, seed, Budget(seconds=60.0, target=0.0))
        row["lbfgs"], row["lbfgs_seconds"] = out.error, out.seconds
    return row


def accuracy(seeds: int, out: str | None, ns=(2000, 10000, 50000), snrs=(40, 30, 20, 10),
             lbfgs_seeds: int = 2, seeds_by_n: dict | None = None,
             dims: tuple = DIMS) -> list[dict]:
    """Median ratio ours/oracle per (n, SNR) cell, with the competitors.

    ``seeds_by_n`` overrides the number of seeds for some ``n`` (the largest cells are
    the slowest)."""
    cells = []
    for n in ns:
        n_seeds = (seeds_by_n or {}).get(n, seeds)
        for snr in snrs:
            rows = [one_instance(planted_instance(*dims, n, seed=s, snr_db=snr), s,
                                 with_lbfgs=s < lbfgs_seeds) for s in range(n_seeds)]
            cells.append(_summarise({"n": n, "snr_db": snr}, rows))
            print(_fmt(cells[-1]), flush=True)
            if out:
                _save(out, "noisy_grid", {"dims": dims, "seeds": seeds}, cells)
    return cells


def _summarise(cell: dict, rows: list[dict]) -> dict:
    failed = [r for r in rows if "ours_failure" in r]
    rows_ok = [r for r in rows if "ours_failure" not in r]
    summary = _summary_of(cell, rows_ok) if rows_ok else dict(cell)
    summary.update(seeds=len(rows), ours_failed=len(failed), rows=rows)
    return summary


def _summary_of(cell: dict, rows: list[dict]) -> dict:
    ratio = np.array([r["ours"] / r["oracle"] for r in rows])
    summary = dict(cell, seeds=len(rows), median_ratio=float(np.median(ratio)),
                   max_ratio=float(ratio.max()),
                   median_ours=float(np.median([r["ours"] for r in rows])),
                   median_oracle=float(np.median([r["oracle"] for r in rows])),
                   coverage=sum(r["inside_2se"] for r in rows) /
                   sum(r["coordinates"] for r in rows),
                   median_seconds=float(np.median([r["ours_seconds"] for r in rows])))
    for name in ("moments", "lbfgs"):
        values = np.array([r[name] for r in rows if name in r])
        if len(values):
            finite = values[np.isfinite(values)]
            summary[f"median_{name}"] = float(np.median(finite)) if len(finite) else None
            summary[f"{name}_failed"] = int(len(values) - len(finite))
    return summary


def rate(seeds: int, out: str, ns=(1000, 2000, 5000, 10000, 20000, 50000),
         snr: float = 20.0, noise_kind: str = "gaussian") -> dict:
    """Median error against n at fixed SNR and the fitted log-log slope."""
    medians = []
    for n in ns:
        errs = [compare_networks(inst.network, recover_network(
                    inst.X, inst.Y, k=DIMS[1], mode="noisy", seed=s).network)
                for s in range(seeds)
                for inst in [planted_instance(*DIMS, n, seed=s, snr_db=snr,
                                              noise_kind=noise_kind)]]
        medians.append(float(np.median(errs)))
        print(f"n={n} median_error={medians[-1]:.3e}", flush=True)
    slope = float(np.polyfit(np.log(ns), np.log(medians), 1)[0])
    record = {"ns": list(ns), "median_error": medians, "slope": slope, "snr_db": snr,
              "noise_kind": noise_kind}
    print(f"slope={slope:.3f}", flush=True)
    _save(out, f"noisy_rate_{noise_kind}", {"dims": DIMS, "seeds": seeds}, [record])
    _plot_rate(record, f"{out}/noisy_rate_{noise_kind}.png")
    return record


def kinds(seeds: int, out: str, ns=(2000, 10000, 50000), snr: float = 20.0) -> list:
    """Consistency under Laplace, uniform and Student-t3 noise: error vs n, ratio."""
    cells = []
    for kind in ("gaussian", "laplace", "uniform", "student_t3"):
        for n in ns:
            rows = [one_instance(planted_instance(*DIMS, n, seed=s, snr_db=snr,
                                                  noise_kind=kind), s,
                                 with_lbfgs=False, with_moments=False)
                    for s in range(seeds)]
            cells.append(_summarise({"noise_kind": kind, "n": n, "snr_db": snr}, rows))
            print(_fmt(cells[-1]), flush=True)
            _save(out, "noisy_kinds", {"dims": DIMS, "seeds": seeds}, cells)
    return cells


def overwhelming(out: str, snrs=(0.0, -10.0, -20.0), n: int = 2000) -> list[dict]:
    """Does recovery warn when the noise swamps the signal?"""
    rows = []
    for snr in snrs:
        inst = planted_instance(*DIMS, n, seed=0, snr_db=snr)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RelunetWarning)
            res = recover_network(inst.X, inst.Y, k=DIMS[1], mode="noisy")
        rows.append({"snr_db": snr, "estimated_snr_db": res.diagnostics["snr_estimate_db"],
                     "error": compare_networks(inst.network, res.network),
                     "warned": any(issubclass(w.category, RelunetWarning) for w in caught),
                     "warning": (res.warnings or [""])[0]})
        print(_fmt(rows[-1]), flush=True)
    _save(out, "noisy_overwhelming", {"n": n}, rows)
    return rows


def _save(out: str, suite: str, params: dict, rows: list) -> None:
    """A record in the harness's format (rendered by :mod:`benchmarks.render`)."""
    write_record(out, {"suite": suite, "scale": "noisy", "params": params, "runs": rows,
                       "summary": {}, "wall_seconds": time.perf_counter() - _STARTED})


_STARTED = time.perf_counter()


def _plot_rate(record: dict, path: str) -> None:
    from matplotlib.figure import Figure  # object-oriented API: no backend switch

    ns, med = np.array(record["ns"]), np.array(record["median_error"])
    fig = Figure(figsize=(5, 3.5))
    ax = fig.subplots()
    ax.loglog(ns, med, "o-", label=f"relunet noisy (slope {record['slope']:.2f})")
    ax.loglog(ns, med[0] * np.sqrt(ns[0] / ns), "k--", lw=1, label="n^(-1/2)")
    ax.set_xlabel("samples n")
    ax.set_ylabel("median relative error")
    ax.set_title(f"(d,k,m)={DIMS}, {record['snr_db']:.0f} dB, {record['noise_kind']}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def _fmt(row: dict) -> str:
    return "  ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in row.items() if k != "rows")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.noisy")
    parser.add_argument("suite", choices=["accuracy", "rate", "kinds", "overwhelming"])
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--out", default="benchmarks/results")
    parser.add_argument("--seeds-by-n", default="",
                        help="e.g. 10000:10,50000:5 (fewer seeds for the slow cells)")
    args = parser.parse_args(argv)
    if args.suite == "accuracy":
        by_n = dict(tuple(map(int, item.split(":"))) for item in args.seeds_by_n.split(",")
                    if item)
        accuracy(args.seeds or 20, args.out, seeds_by_n=by_n)
    elif args.suite == "rate":
        rate(args.seeds or 10, args.out)
    elif args.suite == "kinds":
        kinds(args.seeds or 10, args.out)
    else:
        overwhelming(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
