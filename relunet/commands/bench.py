"""``relunet bench``: run the benchmark suites against the competitors, render the doc."""

from __future__ import annotations


def register(sub) -> None:
    from benchmarks.run import add_arguments

    p = sub.add_parser("bench", help="benchmark relunet against its competitors",
                       description="Run relunet, the paper's moment method, L-BFGS-B "
                                   "(single and multi-start) and Adam on the same seeded "
                                   "planted instances; write one JSON record per suite "
                                   "and render a markdown report with plots.")
    add_arguments(p)
    p.set_defaults(run=run)


def run(args) -> int:
    from benchmarks.run import main

    return main(args)
