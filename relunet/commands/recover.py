"""``relunet recover``: recover a network from X.npy and Y.npy.

Internal module of the relunet command line (public: :func:`relunet.main`).
"""

from __future__ import annotations

import json

from recover import (InvalidInputError, TwoLayerNetwork, atomic_write, load_array, npy_as_dask,
                     recover_network)

from .inputs import add_force, count, guard, jobs, require_suffix, seed
from .report import Progress, diagnostics_table, json_ready


def register(sub) -> None:
    p = sub.add_parser("recover", help="recover U and V from inputs and labels",
                       description="Recover a two-layer rectified network from X (d x n, "
                                   "one sample per column) and Y (m x n).")
    p.add_argument("--x", required=True, help="inputs X, .npy (d x n)")
    p.add_argument("--y", required=True, help="labels Y, .npy (m x n)")
    p.add_argument("--k", type=count, default=None, help="hidden units (default: rank of Y)")
    p.add_argument("--activation", default="relu",
                   help="rectified activation of the hidden units: a name (relu, relu2, "
                        "relu^p, step) or the positive part as an expression in t, e.g. "
                        "'log(1+t)' (default relu)")
    p.add_argument("--mode", default="auto", choices=["auto", "exact", "noisy"],
                   help="exact: noiseless labels, verified or exit 1; noisy: least-squares "
                        "estimate with standard errors; auto (default): exact if it verifies")
    p.add_argument("--method", default="auto", choices=["auto", "cone", "moments"])
    p.add_argument("--bias", action="store_true",
                   help="fit hidden biases b and output biases c too: Y = U f(V X + b) + c "
                        "(works for m >= k, m = k included; k defaults to rank [Y; 1] - 1)")
    p.add_argument("--seed", type=seed, default=0, help="integer >= 0 (default 0)")
    p.add_argument("--jobs", type=jobs, default=1, metavar="N",
                   help="threads for the facet programs and the hidden-unit solves: an "
                        "integer >= 1, or -1 for every core (default 1); any N other than "
                        "1 gives one result per seed, whatever the threads")
    p.add_argument("--truth", default=None, help="true network .npz, to report the error")
    p.add_argument("--out", required=True, help="where to write the network (.npz)")
    p.add_argument("--diagnostics", default=None, help="also write diagnostics as JSON")
    p.add_argument("--mmap", action="store_true",
                   help="memory-map the .npy inputs (read-only) instead of reading them "
                        "into memory first")
    p.add_argument("--dask", action="store_true",
                   help="read the .npy inputs lazily in chunks of samples as dask arrays "
                        "and check the result on every sample in passes over the chunks "
                        "(exact mode only; needs pip install 'relunet[dask]'; a "
                        "dask.distributed cluster is used when one is the default scheduler)")
    p.add_argument("--chunk", type=count, default=None,
                   help="samples per chunk with --dask (default 262144)")
    add_force(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args) -> int:
    guard(args, {"--out": args.out, "--diagnostics": args.diagnostics},
          {"--x": args.x, "--y": args.y, "--truth": args.truth})
    require_suffix(args.out, ".npz", "--out")
    X, Y = _inputs(args)
    truth = TwoLayerNetwork.load(args.truth) if args.truth is not None else None
    progress = Progress(enabled=not args.quiet)
    try:
        result = recover_network(X, Y, k=args.k, mode=args.mode, method=args.method,
                                 activation=args.activation, seed=args.seed,
                                 progress=progress, bias=args.bias, n_jobs=args.jobs)
    finally:
        progress.close()
    se = result.standard_errors
    extra = {} if se is None else {f"{name}_se": value for name, value in se.items()}
    result.network.save(args.out, **extra)
    rows = diagnostics_table(result.as_dict())
    if truth is not None:
        from verify import compare_networks

        rows.append(("error vs truth", f"{compare_networks(truth, result.network):.2e}"))
    _print_rows(rows)
    print(f"wrote {args.out}")
    if args.diagnostics is not None:
        with atomic_write(args.diagnostics, "w") as fh:
            json.dump(json_ready(result.as_dict()), fh, indent=2)
        print(f"wrote {args.diagnostics}")
    return 0


def _inputs(args):
    """``X`` and ``Y`` as arrays in memory, memory maps (``--mmap``) or dask arrays read
    in chunks (``--dask``); the files are only read."""
    if args.chunk is not None and not args.dask:
        raise InvalidInputError("--chunk sets the chunks of --dask; pass --dask too")
    if args.dask:
        chunk = {} if args.chunk is None else {"samples_per_chunk": args.chunk}
        return npy_as_dask(args.x, "--x", **chunk), npy_as_dask(args.y, "--y", **chunk)
    return (load_array(args.x, "--x", mmap=args.mmap),
            load_array(args.y, "--y", mmap=args.mmap))


def _print_rows(rows) -> None:
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
