"""``relunet demo``: recover a built-in planted network and show that it is exact."""

from __future__ import annotations

import time

from recover import planted_instance, recover_network

from .report import ProgressPrinter, diagnostics_table

DEFAULT = dict(d=20, k=10, m=15, n=2000, seed=0)


def register(sub) -> None:
    p = sub.add_parser("demo", help="recover a built-in planted network and certify it",
                       description="Plant an integer-valued network (d=20, k=10, m=15, "
                                   "n=2000 by default), recover it, compare with the truth.")
    for name, value in DEFAULT.items():
        p.add_argument(f"--{name}", type=int, default=value)
    p.set_defaults(run=run)


def run(args) -> int:
    from verify import compare_networks

    print(f"relunet demo: planted integer network with d={args.d}, k={args.k}, m={args.m}, "
          f"n={args.n}, seed={args.seed}")
    inst = planted_instance(args.d, args.k, args.m, args.n, seed=args.seed, integer=True)
    print("  X: d x n Gaussian-like integer inputs; Y = U* relu(V* X), noiseless\n")
    t0 = time.perf_counter()
    progress = ProgressPrinter()
    result = recover_network(inst.X, inst.Y, seed=args.seed, progress=progress)
    progress.close()
    elapsed = time.perf_counter() - t0
    rows = diagnostics_table(result.diagnostics)
    error = compare_networks(inst.network, result.network)
    rows.append(("error vs truth (after matching)", f"{error:.2e}"))
    rows.append(("wall time", f"{elapsed:.3f} s"))
    width = max(len(name) for name, _ in rows)
    print("recovery")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    print(_certification_note(inst, result))
    return 0 if error < 1e-10 else 1


def _certification_note(inst, result) -> str:
    try:
        from verify import certify  # noqa: F401
    except ImportError:
        return ("\ncertification: the float result above agrees with the truth to machine "
                "precision; an exact rational certificate (relunet certify) proves it.")
    from .certify_summary import certificate_section

    return certificate_section(inst, result)
