"""``relunet hardness …``: the k = 2 NP-hardness reduction from the command line.

* ``build --instance inst.json --out reduced.npz [--force]`` — reduce a SET SPLITTING
  instance; the ``.npz`` holds ``X`` ((N+2)×n, integers) and ``y`` (n).
* ``decide --x X.npy --y y.npy [--k 2] [--exact-floats] [--certificate out.json
  [--force]]`` — exact decision (labels of shape (n,) or (m, n)); exit 0 for yes, 1
  for no; ``--certificate`` writes the whole proof (witness or Farkas trees) as JSON.
* ``verify --certificate c.json --x X.npy --y y.npy [--k K] [--exact-floats]`` —
  re-check a saved certificate against the data in exact rational arithmetic; exit 0
  if it holds, 1 if it does not.
* ``check --max-elements 4 --max-clauses 4 [--smt]`` — the exhaustive check (with
  ``--smt`` every instance is also decided by z3); exit 1 on any disagreement, which
  is printed with its instance.
* ``demo [--out-dir DIR] [--force]`` — one yes- and one no-instance, walked through,
  with figures.
* ``exercise --seed S [--solution] [--format text|latex] [--elements N] [--clauses C]
  [--out FILE [--force]]`` — a random small instance and its reduced data for a course;
  with ``--solution`` the answer and its proof; ``latex`` is a standalone document with
  a table and TikZ pictures for slides.

Outputs never replace an input, nor an existing file without ``--force``; every file
is written atomically.

Internal module of the relunet command line (public: :func:`relunet.main`).
"""

from __future__ import annotations

import functools
import os

import numpy as np

from hardness import SetSplitting, check_reductions, decide_fit, reduce_set_splitting
from hardness import FitCertificateRejected, load_certificate, save_certificate, z3_available
from recover import (InvalidInputError, atomic_path, atomic_write, load_array, load_npz_arrays,
                     numeric)

from .inputs import add_force, guard, int_in, require_suffix
from .report import Progress

#: Largest --max-elements / --max-clauses of ``check``; the number of instances (and
#: the time) grows exponentially with both.
MAX_CHECK_SIZE = 10
#: Figures of ``demo``, in its --out-dir.
DEMO_FIGURES = ("gadget_line.png", "hypergraph_yes.png", "hypergraph_no.png")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "hardness", help="the k = 2 NP-hardness reduction from SET SPLITTING",
        description="Build, decide and check the SET SPLITTING reduction (k = 2).")
    sub = parser.add_subparsers(dest="hardness_command", metavar="ACTION")
    parser.set_defaults(run=lambda args: parser.print_help() or 2)

    build = sub.add_parser("build", help="reduce a SET SPLITTING instance (JSON) to X, y")
    build.add_argument("--instance", required=True, help="JSON {n_elements, clauses}")
    build.add_argument("--out", required=True, help="output .npz with X and y")
    add_force(build)
    build.set_defaults(run=run_build)

    decide = sub.add_parser("decide", help="exactly decide whether u f(V X) = y has a fit")
    decide.add_argument("--x", required=True, help="X (d x n) as .npy/.npz/.csv, "
                                                   "or a reduced .npz holding X and y")
    decide.add_argument("--y", help="labels (n, or m x n) as .npy/.csv; omit if --x holds y")
    decide.add_argument("--k", type=int, default=2, choices=(1, 2), help="hidden units, 1 or 2")
    decide.add_argument("--exact-floats", action="store_true",
                        help="accept non-integer floats at their exact binary value")
    decide.add_argument("--certificate",
                        help="write the whole certificate (witness or Farkas trees) as JSON")
    add_force(decide)
    decide.add_argument("--quiet", action="store_true", help="no progress bar")
    decide.set_defaults(run=run_decide)

    verify = sub.add_parser("verify", help="re-check a saved decide certificate exactly")
    verify.add_argument("--certificate", required=True, help="JSON written by decide")
    verify.add_argument("--x", required=True, help="X as for decide")
    verify.add_argument("--y", help="labels as for decide; omit if --x holds y")
    verify.add_argument("--k", type=int, choices=(1, 2),
                        help="require the certificate to be about k hidden units")
    verify.add_argument("--exact-floats", action="store_true",
                        help="accept non-integer floats at their exact binary value")
    verify.set_defaults(run=run_verify)

    check = sub.add_parser("check", help="check the reduction on all small instances")
    check.add_argument("--max-elements", type=_check_size(1), default=4,
                       help=f"1..{MAX_CHECK_SIZE} (default 4)")
    check.add_argument("--max-clauses", type=_check_size(0), default=4,
                       help=f"0..{MAX_CHECK_SIZE} (default 4)")
    check.add_argument("--smt", action="store_true",
                       help="also decide every instance with z3 (needs z3-solver, the "
                            "'smt' extra) and require agreement")
    check.add_argument("--quiet", action="store_true", help="no progress bar")
    check.set_defaults(run=run_check)

    demo = sub.add_parser("demo", help="guided walk through a yes- and a no-instance")
    demo.add_argument("--out-dir", default="hardness_demo",
                      help="where figures go (created if missing)")
    add_force(demo)
    demo.set_defaults(run=run_demo)

    _register_exercise(sub)


def _check_size(low: int):
    """argparse type: an integer in [low, MAX_CHECK_SIZE]."""
    return functools.partial(int_in, low=low, high=MAX_CHECK_SIZE)


def run_build(args) -> int:
    guard(args, {"--out": args.out}, {"--instance": args.instance})
    require_suffix(args.out, ".npz", "--out")
    instance = SetSplitting.load(args.instance)
    reduction = reduce_set_splitting(instance)
    with atomic_write(args.out) as fh:
        np.savez(fh, X=reduction.X, y=reduction.y)
    print(f"{instance}: X is {reduction.X.shape[0]}x{reduction.X.shape[1]} "
          f"(points {', '.join(reduction.names)}); wrote {args.out}")
    return 0


def _load_xy(args):
    if args.y is None:
        label = f"--x ({args.x})"
        arrays = load_npz_arrays(args.x, required=("X", "y"), label=label)
        for name in ("X", "y"):  # keep integer dtypes: decide_fit is exact
            numeric(arrays[name], f"{label}: {name}")
        return arrays["X"], arrays["y"]
    return load_array(args.x, "--x"), load_array(args.y, "--y")


def run_decide(args) -> int:
    guard(args, {"--certificate": args.certificate}, {"--x": args.x, "--y": args.y})
    X, y = _load_xy(args)
    progress = Progress(enabled=not args.quiet)
    try:
        result = decide_fit(X, y, k=args.k, exact_floats=args.exact_floats,
                            progress=progress)
    finally:
        progress.close()
    stats = result.stats
    print(f"{'YES' if result.feasible else 'NO'}: {X.shape[1]} points in dimension "
          f"{X.shape[0]}, k = {args.k}; {stats['lps']} LPs, {stats['seconds']:.2f} s")
    print(f"  {_describe(result.certificate)}")
    if args.certificate is not None:
        save_certificate(result.certificate, args.certificate)
        print(f"  wrote {args.certificate}")
    return 0 if result.feasible else 1


def _describe(cert) -> str:
    summary = cert.summary()
    if cert.kind == "witness":
        return f"exact witness (verified): U = {summary['U']}, V = {summary['V']}"
    if cert.kind == "rank":
        return (f"rank certificate: rows {summary['minor_rows']}, columns "
                f"{summary['minor_cols']} of y form a non-zero minor (rank y > k)")
    what = "sign cases" if cert.kind == "farkas" else "directions (rank-2 labels)"
    return (f"Farkas certificate: {summary['leaves']} leaves over {summary['cases']} "
            f"{what}, each verified exactly")


def run_verify(args) -> int:
    X, y = _load_xy(args)
    cert = load_certificate(args.certificate)
    try:
        cert.verify(X, y, k=args.k, exact_floats=args.exact_floats, raise_on_failure=True)
    except FitCertificateRejected as exc:
        print(f"DOES NOT HOLD: {exc}")
        return 1
    answer = "a fit exists" if cert.kind == "witness" else "no fit exists"
    print(f"HOLDS: {answer} with k = {cert.k} ({cert.kind} certificate re-checked in exact "
          f"rational arithmetic)")
    return 0


def run_check(args) -> int:
    if args.smt and not z3_available():
        raise InvalidInputError("--smt needs the z3 solver: pip install 'relunet[smt]'")
    progress = Progress(enabled=not args.quiet)
    try:
        report = check_reductions(args.max_elements, args.max_clauses,
                                  progress=progress, smt=args.smt)
    finally:
        progress.close()
    return 0 if report.all_agree else 1


def run_demo(args) -> int:
    from hardness import figures

    if os.path.lexists(args.out_dir) and not os.path.isdir(args.out_dir):
        raise InvalidInputError(f"--out-dir ({args.out_dir}) is a file; give a folder")
    if os.path.isdir(args.out_dir):
        guard(args, {f"--out-dir {name}": os.path.join(args.out_dir, name)
                     for name in DEMO_FIGURES}, {})
    os.makedirs(args.out_dir, exist_ok=True)
    plot_hypergraph, plot_gadget_line = (_atomic_figure(figures.plot_hypergraph),
                                         _atomic_figure(figures.plot_gadget_line))
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


def _atomic_figure(plot):
    """``plot(..., path, ...)`` writing its figure atomically to ``path`` (the second
    argument) and returning ``path``."""
    def wrapped(first, path, *rest, **options):
        with atomic_path(path) as tmp:
            plot(first, tmp, *rest, **options)
        return path
    return wrapped


# --- exercise ---------------------------------------------------------------------------
def _register_exercise(sub) -> None:
    from hardness import EXERCISE_SIZES

    from .inputs import seed

    parser = sub.add_parser(
        "exercise", help="a random small instance and its reduced data, for a course",
        description="Draw a SET SPLITTING instance of the seed, print it with its reduced "
                    "points and labels (exact), and with --solution the splitting and "
                    "witness network or the proof that none exists.")
    parser.add_argument("--seed", type=seed, required=True, help="integer >= 0")
    parser.add_argument("--solution", action="store_true",
                        help="also print the answer and its exactly checked proof")
    parser.add_argument("--format", choices=("text", "latex"), default="text",
                        help="text (default) or latex: a standalone document with a table "
                             "and TikZ pictures")
    low, high = EXERCISE_SIZES["elements"]
    max_clauses = EXERCISE_SIZES["clauses"][1]
    parser.add_argument("--elements", type=functools.partial(int_in, low=low, high=high),
                        default=4, help=f"{low}..{high} (default 4)")
    parser.add_argument("--clauses", default=4,
                        type=functools.partial(int_in, low=0, high=max_clauses),
                        help=f"0..{max_clauses} (default 4), of sizes 2 and 3")
    parser.add_argument("--out", help="write to this file instead of standard output")
    add_force(parser)
    parser.set_defaults(run=run_exercise)


def run_exercise(args) -> int:
    from hardness import draw_exercise, render_latex, render_text

    guard(args, {"--out": args.out}, {})
    drawn = draw_exercise(args.seed, args.elements, args.clauses, solve=args.solution)
    render = render_latex if args.format == "latex" else render_text
    text = render(drawn, solution=args.solution)
    if args.out is None:
        print(text, end="")
        return 0
    with atomic_write(args.out, "w") as fh:
        fh.write(text)
    print(f"wrote {args.out}")
    return 0
