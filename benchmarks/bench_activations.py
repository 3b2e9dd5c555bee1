"""Exact recovery across rectified activations, plus the step cone.

For each activation and seed, a planted instance at ``(d, k, m, n) = (20, 10, 15, 3000)``
is recovered; the table reports successes, the worst relative error after the
activation's symmetries (``compare_networks``), the worst max-abs error of ``V`` itself
without any normalisation (for non-homogeneous ``f`` the scale is not a symmetry), times,
and for the non-ReLU activations a 50-digit certificate on the first ``--cert-seeds``
seeds (labels evaluated at 70 digits with ``TwoLayerNetwork.mp_call``). For the
activations with rational values (``c t^p``, integer ``p``) an exact rational certificate
is issued on ``--exact-seeds`` integer planted instances of the same shape. The step row
counts seeds where every true unit lies in one of the returned weight cones.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_activations.py
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_activations.py --seeds 5 --cert-seeds 1
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_activations.py --step-sweep 50

``--record DIR`` writes every row to ``DIR/activations.json``, the record behind the
tables of docs/activations.md (``benchmarks/records/docs``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recover import (RecoveryFailed, get_activation, planted_instance,  # noqa: E402
                     recover_network)
from verify import RationalMonomial, certify, compare_networks, match_units  # noqa: E402

from benchmarks.records import write_record  # noqa: E402

ACTIVATIONS = ["relu", "relu2", "t**3", "log(1+t)", "1-exp(-t)", "t*exp(-t)"]
SHAPE = (20, 10, 15, 3000)
#: Shapes of the step sweep (``--step-sweep``): small k, where a facet of a step holds
#: few distinct points, up to k = 15.
STEP_SWEEP = [(6, 3, 4, 300), (8, 4, 6, 500), (10, 5, 8, 1000), (12, 6, 8, 1500),
              (20, 10, 15, 3000), (30, 15, 20, 5000)]


def run_activation(act: str, seeds: int, cert_seeds: int, shape=SHAPE) -> dict:
    row = {"act": act, "ok": 0, "err": 0.0, "v_err": 0.0, "times": [], "attempts": 0,
           "cert": 0, "cert_tried": 0, "cert_res": 0.0, "cert_truth": 0.0, "cert_times": []}
    for seed in range(seeds):
        inst = planted_instance(*shape, seed=seed, activation=act)
        t = time.perf_counter()
        try:
            res = recover_network(inst.X, inst.Y, activation=act, seed=seed, mode="exact")
        except RecoveryFailed as exc:
            print(f"  {act} seed {seed}: FAILED ({exc})", flush=True)
            continue
        row["times"].append(time.perf_counter() - t)
        row["attempts"] = max(row["attempts"], len(res.attempts))
        err = compare_networks(inst.network, res.network)
        perm = match_units(inst.network, res.network)
        ref = inst.network.canonical().V
        v_err = np.abs(res.network.canonical().V[perm] - ref).max() / np.abs(ref).max()
        row["ok"] += err <= 1e-10
        row["err"], row["v_err"] = max(row["err"], err), max(row["v_err"], v_err)
        if act != "relu" and seed < cert_seeds:
            t = time.perf_counter()
            cert = certify(inst.X, inst.network.mp_call(inst.X, 70), res.network,
                           exact=False, digits=50, truth=inst.network)
            row["cert_times"].append(time.perf_counter() - t)
            row["cert_tried"] += 1
            row["cert"] += cert.holds
            row["cert_res"] = max(row["cert_res"],
                                  cert.check("reproduction").numbers["relative_residual"])
            row["cert_truth"] = max(row["cert_truth"],
                                    cert.check("truth").numbers["max_unit_error"])
    return row


def run_exact_certificates(act: str, seeds: int, shape=SHAPE) -> dict:
    """Exact rational certificates (with the truth check) on integer planted data."""
    row = {"holds": 0, "tried": 0, "times": []}
    for seed in range(seeds):
        inst = planted_instance(*shape, seed=seed, activation=act, integer=True)
        res = recover_network(inst.X, inst.Y, activation=act, seed=seed, mode="exact")
        t = time.perf_counter()
        cert = certify(inst.X, inst.Y, res.network, exact=True, truth=inst.network,
                       identifiability=False)
        row["times"].append(time.perf_counter() - t)
        row["tried"] += 1
        row["holds"] += cert.holds
    return row


def run_step(seeds: int, shape=SHAPE) -> dict:
    row = {"ok": 0, "contains": 0, "times": [], "margin": np.inf}
    for seed in range(seeds):
        inst = planted_instance(*shape, seed=seed, activation="step")
        t = time.perf_counter()
        try:
            res = recover_network(inst.X, inst.Y, activation="step", seed=seed, mode="exact")
        except RecoveryFailed as exc:
            print(f"  step seed {seed}: FAILED ({exc})", flush=True)
            continue
        row["times"].append(time.perf_counter() - t)
        row["ok"] += 1
        cones = res.diagnostics["cones"]
        row["contains"] += all(any(c.contains(v) for c in cones) for v in inst.network.V)
        row["margin"] = min(row["margin"], min(c.margin for c in cones))
    return row


def _print_activation(r: dict, seeds: int) -> None:
    times = r["times"] or [float("nan")]
    cert = f"{r['cert']}/{r['cert_tried']}" if r["cert_tried"] else "-"
    print(f"{r['act']:12s} {r['ok']:>3d}/{seeds:<3d} {r['err']:9.1e} {r['v_err']:10.1e} "
          f"{np.median(times):6.2f} {max(times):6.2f} {r['attempts']:4d} {cert:>7s} "
          f"{r['cert_res']:9.1e} {r['cert_truth']:10.1e} "
          f"{np.median(r['cert_times'] or [float('nan')]):7.1f}", flush=True)


def _command(args) -> str:
    return (f"python benchmarks/bench_activations.py --seeds {args.seeds} --cert-seeds "
            f"{args.cert_seeds} --exact-seeds {args.exact_seeds} --step-sweep "
            f"{args.step_sweep}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--cert-seeds", type=int, default=2)
    parser.add_argument("--exact-seeds", type=int, default=5)
    parser.add_argument("--step-sweep", type=int, default=0, metavar="SEEDS",
                        help="also run the step on SEEDS seeds at each shape of STEP_SWEEP")
    parser.add_argument("--record", default=None, metavar="DIR",
                        help="write the rows to DIR/activations.json")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    print(f"shape (d, k, m, n) = {SHAPE}, {args.seeds} seeds each\n")
    print(f"{'activation':12s} {'exact':>7s} {'max err':>9s} {'max V err':>10s} "
          f"{'med s':>6s} {'max s':>6s} {'att':>4s} {'cert50':>7s} {'cert res':>9s} "
          f"{'cert truth':>10s} {'cert s':>7s}")
    rows = []
    for act in ACTIVATIONS:
        rows.append(run_activation(act, args.seeds, args.cert_seeds))
        _print_activation(rows[-1], args.seeds)
    print("\nexact rational certificates on integer data (truth check included):")
    exact = []
    for act in ACTIVATIONS:
        if RationalMonomial.of(get_activation(act)) is None:
            continue
        r = dict(run_exact_certificates(act, args.exact_seeds), act=act)
        exact.append(r)
        print(f"{act:12s} {r['holds']}/{r['tried']} hold, median {np.median(r['times']):.2f} s, "
              f"max {max(r['times']):.2f} s", flush=True)
    steps = [dict(run_step(args.seeds), shape=SHAPE, seeds=args.seeds)]
    s = steps[0]
    times = s["times"] or [float("nan")]
    print(f"\nstep: recovered {s['ok']}/{args.seeds}, cone contains the truth on "
          f"{s['contains']}/{args.seeds}, min LP margin {s['margin']:.2e}, "
          f"median {np.median(times):.2f} s")
    for shape in STEP_SWEEP if args.step_sweep else []:
        steps.append(dict(run_step(args.step_sweep, shape), shape=shape, seeds=args.step_sweep))
        s = steps[-1]
        print(f"step at {shape}: recovered {s['ok']}/{args.step_sweep}, truth inside the "
              f"cones {s['contains']}/{args.step_sweep}", flush=True)
    if args.record:
        write_record(args.record, {
            "suite": "activations", "scale": "full",
            "params": {"shape": SHAPE, "seeds": args.seeds, "cert_seeds": args.cert_seeds,
                       "cert_digits": 50, "label_digits": 70,
                       "exact_seeds": args.exact_seeds, "step_sweep": args.step_sweep,
                       "exact": 1e-10, "command": _command(args)},
            "runs": {"activations": rows, "exact_certificates": exact, "step": steps},
            "summary": {}, "wall_seconds": time.perf_counter() - start})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
