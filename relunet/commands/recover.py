"""``relunet recover``: recover a network from X.npy and Y.npy."""

from __future__ import annotations

import json

from recover import TwoLayerNetwork, recover_network
from recover.io import load_array

from .report import ProgressPrinter, diagnostics_table, json_ready


def register(sub) -> None:
    p = sub.add_parser("recover", help="recover U and V from inputs and labels",
                       description="Recover a two-layer rectified network from X (d x n, "
                                   "one sample per column) and Y (m x n).")
    p.add_argument("--x", required=True, help="inputs X, .npy (d x n)")
    p.add_argument("--y", required=True, help="labels Y, .npy (m x n)")
    p.add_argument("--k", type=int, default=None, help="hidden units (default: rank of Y)")
    p.add_argument("--activation", default="relu",
                   help="rectified activation of the hidden units: a name (relu, relu2, "
                        "relu^p, step) or the positive part as an expression in t, e.g. "
                        "'log(1+t)' (default relu)")
    p.add_argument("--mode", default="auto", choices=["auto", "exact", "noisy"],
                   help="exact: noiseless labels, verified or exit 1; noisy: least-squares "
                        "estimate with standard errors; auto (default): exact if it verifies")
    p.add_argument("--method", default="auto", choices=["auto", "cone", "moments"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--truth", default=None, help="true network .npz, to report the error")
    p.add_argument("--out", required=True, help="where to write the network (.npz)")
    p.add_argument("--diagnostics", default=None, help="also write diagnostics as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress messages")
    p.set_defaults(run=run)


def run(args) -> int:
    X = load_array(args.x, "--x")
    Y = load_array(args.y, "--y")
    progress = None if args.quiet else ProgressPrinter()
    try:
        result = recover_network(X, Y, k=args.k, mode=args.mode, method=args.method,
                                 activation=args.activation, seed=args.seed,
                                 progress=progress)
    finally:
        if progress:
            progress.close()
    result.network.save(args.out)
    if result.standard_errors is not None:
        _save_with_errors(args.out, result)
    rows = diagnostics_table(result.diagnostics)
    if args.truth:
        from verify import compare_networks

        truth = TwoLayerNetwork.load(args.truth)
        rows.append(("error vs truth", f"{compare_networks(truth, result.network):.2e}"))
    _print_rows(rows)
    print(f"wrote {args.out}")
    if args.diagnostics:
        with open(args.diagnostics, "w") as fh:
            json.dump(json_ready(result.diagnostics), fh, indent=2)
    return 0


def _print_rows(rows) -> None:
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


def _save_with_errors(path: str, result) -> None:
    """Add the standard errors ``U_se``, ``V_se`` next to ``U`` and ``V`` in the .npz."""
    import numpy as np

    net, se = result.network, result.standard_errors
    np.savez(path, U=net.U, V=net.V, activation=np.array(net.activation.name),
             U_se=se["U"], V_se=se["V"])
