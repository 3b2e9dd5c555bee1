"""Entry point of the benchmarks: run suites at a scale, write records, render the doc.

``relunet bench --suite quick|full --out DIR`` (or ``python -m benchmarks …``) runs the
suites of :mod:`benchmarks.suites` at that scale, writes ``DIR/<suite>.json`` for each,
and renders ``DIR/benchmarks.md`` with its figures in ``DIR/figures`` (or, with
``--doc docs/benchmarks.md``, the project's doc and ``docs/figures/bench_*.png``).
``--render-only`` re-renders from the records already in ``DIR``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from .records import THREAD_VARIABLES, environment, write_record
from .render import render
from .suites import SCALES, SUITES, Scale


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--suite", choices=sorted(SCALES), default="quick",
                        help="scale: quick (< 5 min on 2 cores, CI smoke) or full")
    parser.add_argument("--out", default="benchmarks/results",
                        help="folder of the JSON records (default benchmarks/results)")
    parser.add_argument("--only", default=None,
                        help=f"comma-separated subset of {','.join(SUITES)}")
    parser.add_argument("--doc", default=None,
                        help="markdown to write (default OUT/benchmarks.md); its figures "
                             "go to figures/ next to it")
    parser.add_argument("--render-only", action="store_true",
                        help="do not run anything; render the records in OUT")


def thread_warning() -> str | None:
    """A warning if the BLAS thread variables are unset (threaded BLAS on a busy machine
    makes small matrix products 10–100× slower and the timings meaningless)."""
    unset = [name for name in THREAD_VARIABLES[:2] if os.environ.get(name) is None]
    if not unset:
        return None
    return (f"warning: {' and '.join(unset)} unset; timings with threaded BLAS on a shared "
            f"machine are unreliable — run with OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "
            f"(the Makefile sets them)")


def run_suites(scale: Scale, out: str, names) -> list[str]:
    """Run the named suites at ``scale``; returns the record paths."""
    paths = []
    for name in names:
        print(f"[{scale.name}] {name} …", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        env = environment()  # before the run: the commit and load it ran with
        record = SUITES[name](scale)
        paths.append(write_record(out, record, env))
        print(f"[{scale.name}] {name}: {time.perf_counter() - t0:.1f} s → {paths[-1]}",
              file=sys.stderr, flush=True)
    return paths


def main(args: argparse.Namespace) -> int:
    warning = None if args.render_only else thread_warning()
    if warning:
        print(warning, file=sys.stderr)
    names = _suite_names(args.only)
    if not args.render_only:
        t0 = time.perf_counter()
        run_suites(SCALES[args.suite], args.out, names)
        print(f"[{args.suite}] all suites: {time.perf_counter() - t0:.1f} s",
              file=sys.stderr)
    doc = args.doc or os.path.join(args.out, "benchmarks.md")
    written = render(args.out, doc)
    print(f"wrote {', '.join(written)}")
    return 0


def _suite_names(only: str | None) -> list[str]:
    if not only:
        return list(SUITES)
    names = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in names if name not in SUITES]
    if unknown:
        from recover import InvalidInputError

        raise InvalidInputError(f"unknown suite(s) {unknown}; choose from {list(SUITES)}")
    return names


def cli(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.split("\n")[0])
    add_arguments(parser)
    return main(parser.parse_args(argv))
