"""``relunet demo``: recover a built-in planted network and show that it is exact.

Internal module of the relunet command line (public: :func:`relunet.main`).
"""

from __future__ import annotations

import time

from recover import planted_instance, recover_network

from .inputs import count, seed
from .plant import check_size
from .report import Progress, diagnostics_table

DEFAULT = dict(d=20, k=10, m=15, n=2000, seed=0)


def register(sub) -> None:
    p = sub.add_parser("demo", help="recover a built-in planted network and certify it",
                       description="Plant an integer-valued network (d=20, k=10, m=15, "
                                   "n=2000 by default), recover it, compare with the truth.")
    for name, value in DEFAULT.items():
        p.add_argument(f"--{name}", type=seed if name == "seed" else count, default=value,
                       help=f"default {value}")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(run=run)


def run(args) -> int:
    from verify import compare_networks

    check_size(args.d, args.k, args.m, args.n)
    print(f"relunet demo: planted integer network with d={args.d}, k={args.k}, m={args.m}, "
          f"n={args.n}, seed={args.seed}")
    inst = planted_instance(args.d, args.k, args.m, args.n, seed=args.seed, integer=True)
    print("  X: d x n Gaussian-like integer inputs; Y = U* relu(V* X), noiseless\n")
    t0 = time.perf_counter()
    progress = Progress(enabled=not args.quiet)
    try:
        result = recover_network(inst.X, inst.Y, seed=args.seed, progress=progress)
    finally:
        progress.close()
    elapsed = time.perf_counter() - t0
    rows = diagnostics_table(result.as_dict())
    error = compare_networks(inst.network, result.network)
    rows.append(("error vs truth (after matching)", f"{error:.2e}"))
    rows.append(("wall time", f"{elapsed:.3f} s"))
    width = max(len(name) for name, _ in rows)
    print("recovery")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    cert = _certify(inst, result, Progress(enabled=not args.quiet))
    return 0 if error < 1e-10 and cert.holds else 1


def _certify(inst, result, progress):
    """Prove the recovered network exactly (rational arithmetic) and print the proof."""
    from verify import certify

    print("\ncertification (exact, rational arithmetic: every float64 is a rational)")
    t0 = time.perf_counter()
    try:
        cert = certify(inst.X, inst.Y, result.network, exact=True, truth=inst.network,
                       progress=progress)
    finally:
        progress.close()
    print(cert.summary())
    print(f"  certified in {time.perf_counter() - t0:.2f} s")
    return cert
