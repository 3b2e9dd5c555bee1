"""``relunet bench``: run the benchmark suites against the competitors, render the doc.

Unlike the other commands, bench regenerates files it owns — the records
``OUT/<suite>.json``, the markdown doc and its figures — and replaces them on every run
without ``--force`` (``make bench`` reruns it into the same folder). Its only inputs are
those records, and the doc may not be one of them.
"""

from __future__ import annotations

import glob
import os

from recover.errors import InvalidInputError
from recover.files import same_file


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

    doc = args.doc or os.path.join(args.out, "benchmarks.md")
    for record in glob.glob(os.path.join(glob.escape(args.out), "*.json")):
        if same_file(doc, record):
            raise InvalidInputError(f"--doc ({doc}) is the benchmark record {record}; "
                                    f"refusing to overwrite it")
    return main(args)
