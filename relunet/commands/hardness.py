"""``relunet hardness …``: the k = 2 NP-hardness reduction from the command line.

* ``build --instance inst.json --out reduced.npz`` — reduce a SET SPLITTING instance;
  the ``.npz`` holds ``X`` ((N+2)×n, integers) and ``y`` (n).
* ``decide --x X.npy --y y.npy [--k 2] [--exact-floats] [--certificate out.json]`` —
  exact decision; exit 0 for yes, 1 for no.
* ``check --max-elements 4 --max-clauses 4`` — the exhaustive check; exit 1 on any
  disagreement.
* ``demo [--out-dir DIR]`` — one yes- and one no-instance, walked through, with figures.
"""

from __future__ import annotations

import json
import os

import numpy as np

from hardness import SetSplitting, check_reductions, decide_fit, reduce_set_splitting
from recover.io import load_array, load_npz_arrays


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "hardness", help="the k = 2 NP-hardness reduction from SET SPLITTING",
        description="Build, decide and check the SET SPLITTING reduction (k = 2).")
    sub = parser.add_subparsers(dest="hardness_command", metavar="ACTION")
    parser.set_defaults(run=lambda args: parser.print_help() or 2)

    build = sub.add_parser("build", help="reduce a SET SPLITTING instance (JSON) to X, y")
    build.add_argument("--instance", required=True, help="JSON {n_elements, clauses}")
    build.add_argument("--out", required=True, help="output .npz with X and y")
    build.set_defaults(run=run_build)

    decide = sub.add_parser("decide", help="exactly decide whether u f(V X) = y has a fit")
    decide.add_argument("--x", required=True, help="X (d x n) as .npy/.npz/.csv, "
                                                   "or a reduced .npz holding X and y")
    decide.add_argument("--y", help="labels (n) as .npy/.csv; omit if --x holds y")
    decide.add_argument("--k", type=int, default=2, help="hidden units, 1 or 2")
    decide.add_argument("--exact-floats", action="store_true",
                        help="accept non-integer floats at their exact binary value")
    decide.add_argument("--certificate", help="write the certificate summary as JSON")
    decide.set_defaults(run=run_decide)

    check = sub.add_parser("check", help="check the reduction on all small instances")
    check.add_argument("--max-elements", type=int, default=4)
    check.add_argument("--max-clauses", type=int, default=4)
    check.set_defaults(run=run_check)

    demo = sub.add_parser("demo", help="guided walk through a yes- and a no-instance")
    demo.add_argument("--out-dir", default="hardness_demo", help="where figures go")
    demo.set_defaults(run=run_demo)


def run_build(args) -> int:
    instance = SetSplitting.load(args.instance)
    reduction = reduce_set_splitting(instance)
    np.savez(args.out, X=reduction.X, y=reduction.y)
    print(f"{instance}: X is {reduction.X.shape[0]}x{reduction.X.shape[1]} "
          f"(points {', '.join(reduction.names)}); wrote {args.out}")
    return 0


def _load_xy(args):
    if args.y is None:
        arrays = load_npz_arrays(args.x, required=("X", "y"))
        return arrays["X"], arrays["y"]
    return load_array(args.x, "X"), load_array(args.y, "y")


def run_decide(args) -> int:
    X, y = _load_xy(args)
    result = decide_fit(X, y, k=args.k, exact_floats=args.exact_floats)
    stats = result.stats
    print(f"{'YES' if result.feasible else 'NO'}: {X.shape[1]} points in dimension "
          f"{X.shape[0]}, k = {args.k}; {stats['lps']} LPs, {stats['seconds']:.2f} s")
    summary = result.certificate.summary()
    if result.feasible:
        print(f"  exact witness (verified): U = {summary['U']}, V = {summary['V']}")
    else:
        print(f"  Farkas certificate: {summary['leaves']} leaves over {summary['cases']} "
              f"sign cases, each verified exactly")
    if args.certificate:
        with open(args.certificate, "w", encoding="utf-8") as fh:
            json.dump(summary, fh, indent=1)
    return 0 if result.feasible else 1


def run_check(args) -> int:
    report = check_reductions(args.max_elements, args.max_clauses)
    return 0 if report.all_agree else 1


def run_demo(args) -> int:
    from hardness.figures import plot_gadget_line, plot_hypergraph

    os.makedirs(args.out_dir, exist_ok=True)
    for name, instance in (("yes", SetSplitting(4, [(0, 1), (1, 2, 3), (0, 3)])),
                           ("no", SetSplitting(3, [(0, 1), (1, 2), (0, 2)]))):
        _walk(name, instance, args.out_dir, plot_hypergraph, plot_gadget_line)
    return 0


def _walk(name, instance, out_dir, plot_hypergraph, plot_gadget_line) -> None:
    print(f"\n== {name}-instance: {instance}")
    splitting = instance.solve()
    print(f"1. brute force: {'splitting ' + str(list(splitting)) if splitting else 'none'}")
    red = reduce_set_splitting(instance)
    print(f"2. reduced: X is {red.X.shape[0]}x{red.X.shape[1]}, points "
          f"{', '.join(f'{n}:{int(v)}' for n, v in zip(red.names, red.y))} (name:label)")
    if splitting:
        net = red.forward(splitting)
        print(f"3. forward map: V = {[[str(v) for v in row] for row in net.V]}, U = 1; "
              f"fits exactly: {red.fits(net)}")
    result = decide_fit(red.X, red.y)
    print(f"4. decide_fit (knows nothing of the reduction): "
          f"{'YES' if result.feasible else 'NO'} after {result.stats['lps']} LPs")
    if result.feasible:
        print(f"5. backward map of its witness: {list(red.backward(result.witness))}")
        line = plot_gadget_line(red.forward(splitting), os.path.join(out_dir, "gadget_line.png"))
        print(f"   figure: {line}")
    else:
        cert = result.certificate
        print(f"5. certificate: {cert.n_leaves} Farkas leaves, re-verified exactly: "
              f"{cert.verify(red.X, red.y)}")
    path = plot_hypergraph(instance, os.path.join(out_dir, f"hypergraph_{name}.png"), splitting)
    print(f"   figure: {path}")
