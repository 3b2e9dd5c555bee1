"""Timing and accuracy of ``verify.certify`` on seeded integer planted instances.

For each size ``(d, k, m, n)`` and seed: the exact certificate from the float canonical
form of the truth (must hold, and the certified rational network must equal the truth
exactly), and, on the first ``--precision-seeds`` seeds, the mpmath path at 50 and 100
digits (relative residual). Prints one row per size: holds counts, exact-equality count,
median/max times, worst residuals.

``--record DIR`` also measures, and writes with the sizes to ``DIR/certify.json`` (the
record behind docs/certification.md's measured numbers):

* ``m < k`` (one and five outputs, with and without biases), seed 0: the exact and the
  50-digit certificate, their totals and solve stages;
* the standard-library checker ``verify/relu_audit.py`` run as a plain script (process
  start included) on the exact certificate of the second size's seed 0;
* with ``--large N``, one exact certificate at ``(20, 10, 15, N)`` (its stages) and the
  checker on it.

Times are wall-clock seconds on whatever machine runs it (one core with
``OPENBLAS_NUM_THREADS=1``).

    python benchmarks/bench_certify.py                 # 20 seeds x 3 sizes, all paths
    python benchmarks/bench_certify.py --seeds 5 --no-precision
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_certify.py --seeds 20 \\
        --precision-seeds 5 --large 100000 --record benchmarks/records/docs
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recover import planted_instance  # noqa: E402
from verify import certify  # noqa: E402

from benchmarks.records import write_record  # noqa: E402

SIZES = [(10, 5, 8, 1000), (20, 10, 15, 2000), (30, 15, 20, 3000)]
#: (d, k, m, n) of the certificates with fewer outputs than hidden units.
FEW_OUTPUTS = [(20, 10, 1, 2000), (20, 10, 5, 2000)]
#: The standard-library checker, run as a plain script.
AUDIT = Path(__file__).resolve().parents[1] / "verify" / "relu_audit.py"


def run_size(shape, seeds, precision_seeds: int) -> dict:
    row = {"shape": shape, "seeds": seeds, "precision_seeds": precision_seeds,
           "exact_holds": 0, "equal_truth": 0, "t_exact": [],
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
        for digits in (50, 100) if seed < precision_seeds else ():
            t = time.perf_counter()
            pc = certify(inst.X, inst.Y, cand, exact=False, digits=digits,
                         truth=inst.network, identifiability=False)
            row[f"t{digits}"].append(time.perf_counter() - t)
            row[f"res{digits}"].append(pc.check("reproduction").numbers["relative_residual"])
            row["p_holds"] += pc.holds
        print(f"  {shape} seed {seed}: exact {row['t_exact'][-1]:.2f}s", flush=True)
    return row


def few_outputs(shape, bias: bool) -> dict:
    """Seed 0 of an integer instance with ``m < k``: the exact and the 50-digit
    certificate of the float canonical truth, with ``truth``."""
    std = 1.0 if bias else 0.0
    inst = planted_instance(*shape, seed=0, integer=True, bias_std=std, output_bias_std=std)
    cand = inst.network.canonical()
    out = {"shape": shape, "bias": bias, "bias_std": std}
    for name, kwargs in (("exact", {}), ("digits50", {"exact": False, "digits": 50})):
        start = time.perf_counter()
        cert = certify(inst.X, inst.Y, cand, truth=inst.network, **kwargs)
        out[name] = {"holds": cert.holds, "truth": cert.check("truth").passed,
                     "seconds": time.perf_counter() - start, "timings": dict(cert.timings)}
    print(f"  m < k {shape} bias {bias}: exact {out['exact']['seconds']:.2f} s, 50 digits "
          f"{out['digits50']['seconds']:.2f} s", flush=True)
    return out


def audit(shape, seed: int = 0) -> dict:
    """An exact certificate of an integer instance, then ``relu_audit.py`` on it as a
    plain script (``python -I -S``), timed with its process start."""
    inst = planted_instance(*shape, seed=seed, integer=True)
    start = time.perf_counter()
    cert = certify(inst.X, inst.Y, inst.network.canonical(), truth=inst.network)
    out = {"shape": shape, "seed": seed, "holds": cert.holds,
           "certify_seconds": time.perf_counter() - start, "timings": dict(cert.timings)}
    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / "cert.json", Path(tmp) / "X.npy", Path(tmp) / "Y.npy"]
        paths[0].write_text(cert.to_json())
        np.save(paths[1], inst.X)
        np.save(paths[2], inst.Y)
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-I", "-S", str(AUDIT), *map(str, paths)],
                             capture_output=True, text=True)
        out.update(audit_seconds=time.perf_counter() - start, audit_exit=run.returncode)
    print(f"  audit {shape}: certify {out['certify_seconds']:.1f} s, relu_audit "
          f"{out['audit_seconds']:.1f} s (exit {out['audit_exit']})", flush=True)
    return out


def _print_sizes(rows) -> None:
    print(f"\n{'(d,k,m,n)':>20} {'exact holds':>11} {'=truth':>7} {'t_exact med/max':>16} "
          f"{'t_ident med':>11} {'mp holds':>9} {'max res@50':>10} {'max res@100':>11} "
          f"{'t50 med':>8} {'t100 med':>8}")
    for r in rows:
        n, p = r["seeds"], r["precision_seeds"]
        fmt = (lambda v: f"{max(v):.1e}") if r["res50"] else (lambda v: "-")
        med = (lambda v: f"{np.median(v):.2f}") if r["t50"] else (lambda v: "-")
        print(f"{str(r['shape']):>20} {r['exact_holds']:>5}/{n:<5} {r['equal_truth']:>3}/{n:<3} "
              f"{np.median(r['t_exact']):>7.2f}/{max(r['t_exact']):<7.2f}  "
              f"{np.median(r['t_ident']):>10.2f} {r['p_holds']:>4}/{2 * p:<4} "
              f"{fmt(r['res50']):>10} {fmt(r['res100']):>11} {med(r['t50']):>8} "
              f"{med(r['t100']):>8}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--sizes", type=int, nargs="*", default=[0, 1, 2],
                    help="indices into SIZES")
    ap.add_argument("--precision-seeds", type=int, default=None,
                    help="seeds with the 50- and 100-digit paths (default: all)")
    ap.add_argument("--no-precision", action="store_true")
    ap.add_argument("--large", type=int, default=0, metavar="N",
                    help="with --record: one exact certificate at (20, 10, 15, N)")
    ap.add_argument("--record", default=None, metavar="DIR")
    args = ap.parse_args(argv)
    precision = 0 if args.no_precision else (
        args.seeds if args.precision_seeds is None else args.precision_seeds)
    start = time.perf_counter()
    rows = [run_size(SIZES[i], args.seeds, precision) for i in args.sizes]
    _print_sizes(rows)
    if args.record:
        runs = {"sizes": rows,
                "few_outputs": [few_outputs(s, b) for s in FEW_OUTPUTS for b in (False, True)],
                "audit": [audit(SIZES[1])] + ([audit((20, 10, 15, args.large))]
                                              if args.large else [])}
        write_record(args.record, {
            "suite": "certify", "scale": "full",
            "params": {"seeds": args.seeds, "precision_seeds": precision,
                       "large": args.large,
                       "command": f"python benchmarks/bench_certify.py --seeds {args.seeds} "
                                  f"--precision-seeds {precision} --large {args.large}",
                       "timing": "wall-clock seconds, one core of a shared 2-core machine"},
            "runs": runs, "summary": {}, "wall_seconds": time.perf_counter() - start})
    return 0


if __name__ == "__main__":
    sys.exit(main())
