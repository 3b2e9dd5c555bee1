"""Timing and accuracy of ``verify.certify`` on seeded integer planted instances.

For each size ``(d, k, m, n)`` and seed: the exact certificate from the float canonical
form of the truth (must hold, and the certified rational network must equal the truth
exactly), and the mpmath path at 50 and 100 digits (relative residual). Prints one row
per size: holds counts, exact-equality count, median/max times, worst residuals.

    python benchmarks/bench_certify.py                 # 20 seeds x 3 sizes, all paths
    python benchmarks/bench_certify.py --seeds 5 --no-precision
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recover import planted_instance  # noqa: E402
from verify import certify  # noqa: E402

SIZES = [(10, 5, 8, 1000), (20, 10, 15, 2000), (30, 15, 20, 3000)]


def run_size(shape, seeds, precision: bool) -> dict:
    row = {"shape": shape, "exact_holds": 0, "equal_truth": 0, "t_exact": [],
           "t_ident": [], "res50": [], "res100": [], "t50": [], "t100": [], "p_holds": 0}
    for seed in range(seeds):
        inst = planted_instance(*shape, seed=seed, integer=True)
        cand = inst.network.canonical()
        t = time.perf_counter()
        cert = certify(inst.X, inst.Y, cand, truth=inst.network)
        row["t_exact"].append(time.perf_counter() - t)
        row["t_ident"].append(cert.timings.get("identifiability", 0.0))
        row["exact_holds"] += cert.holds
        row["equal_truth"] += cert.check("truth").passed
        if not precision:
            continue
        for digits in (50, 100):
            t = time.perf_counter()
            pc = certify(inst.X, inst.Y, cand, exact=False, digits=digits,
                         truth=inst.network, identifiability=False)
            row[f"t{digits}"].append(time.perf_counter() - t)
            row[f"res{digits}"].append(pc.check("reproduction").numbers["relative_residual"])
            row["p_holds"] += pc.holds
        print(f"  {shape} seed {seed}: exact {row['t_exact'][-1]:.2f}s", flush=True)
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--sizes", type=int, nargs="*", default=[0, 1, 2],
                    help="indices into SIZES")
    ap.add_argument("--no-precision", action="store_true")
    args = ap.parse_args(argv)
    rows = [run_size(SIZES[i], args.seeds, not args.no_precision) for i in args.sizes]
    print(f"\n{'(d,k,m,n)':>20} {'exact holds':>11} {'=truth':>7} {'t_exact med/max':>16} "
          f"{'t_ident med':>11} {'mp holds':>9} {'max res@50':>10} {'max res@100':>11} "
          f"{'t50 med':>8} {'t100 med':>8}")
    for r in rows:
        n = args.seeds
        fmt = (lambda v: f"{max(v):.1e}") if r["res50"] else (lambda v: "-")
        med = (lambda v: f"{np.median(v):.2f}") if r["t50"] else (lambda v: "-")
        print(f"{str(r['shape']):>20} {r['exact_holds']:>5}/{n:<5} {r['equal_truth']:>3}/{n:<3} "
              f"{np.median(r['t_exact']):>7.2f}/{max(r['t_exact']):<7.2f}  "
              f"{np.median(r['t_ident']):>10.2f} {r['p_holds']:>4}/{2 * n:<4} "
              f"{fmt(r['res50']):>10} {fmt(r['res100']):>11} {med(r['t50']):>8} "
              f"{med(r['t100']):>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
