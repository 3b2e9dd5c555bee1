"""``relunet bench``: run the benchmark suites against the competitors, render the doc.

The harness (``benchmarks/`` at the top of the source tree) is not installed with the
package — a top-level package of that generic name would clash with other projects — so
this command works from a source checkout (an editable install, ``make bench``, or a
working directory that holds the checkout) and otherwise fails with exit 2.

Unlike the other commands, bench regenerates files it owns — the records
``OUT/<suite>.json``, the markdown doc and its figures — and replaces them on every run
without ``--force`` (``make bench`` reruns it into the same folder). Its only inputs are
those records, and the doc may not be one of them.

Internal module of the relunet command line (public: :func:`relunet.main`).
"""

from __future__ import annotations

import argparse
import glob
import importlib
import os
import sys
from pathlib import Path

import relunet
from recover import InvalidInputError, same_file

NOT_INSTALLED = ("relunet bench runs from a source checkout: the benchmark harness in "
                 "benchmarks/ is not installed with the package")


def register(sub) -> None:
    harness = _harness()
    if harness is None:
        # Take every argument as it comes, so that run() can say what is missing.
        p = sub.add_parser("bench", help="benchmark relunet (from a source checkout only)",
                           prefix_chars="+", add_help=False)
        p.add_argument("ignored", nargs=argparse.REMAINDER)
        p.set_defaults(run=_not_installed)
        return
    p = sub.add_parser("bench", help="benchmark relunet against its competitors",
                       description="Run relunet, the paper's moment method, L-BFGS-B "
                                   "(single and multi-start) and Adam on the same seeded "
                                   "planted instances; write one JSON record per suite "
                                   "and render a markdown report with plots.")
    harness.add_arguments(p)
    p.set_defaults(run=lambda args: _run(harness, args))


def _run(harness, args) -> int:
    doc = args.doc or os.path.join(args.out, "benchmarks.md")
    for record in glob.glob(os.path.join(glob.escape(args.out), "*.json")):
        if same_file(doc, record):
            raise InvalidInputError(f"--doc ({doc}) is the benchmark record {record}; "
                                    f"refusing to overwrite it")
    return harness.main(args)


def _not_installed(args) -> int:
    raise InvalidInputError(NOT_INSTALLED)


def _checkout() -> Path | None:
    """The source tree this relunet comes from, if it is one: the folder above the
    ``relunet`` package that holds ``pyproject.toml`` and ``benchmarks/run.py``."""
    root = Path(relunet.__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and (root / "benchmarks" / "run.py").is_file():
        return root
    return None


def _harness():
    """``benchmarks.run`` from the checkout (or from ``sys.path``, e.g. the working
    directory of ``python -m``), or None when relunet was installed without it."""
    root = _checkout()
    if root is not None and str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        return importlib.import_module("benchmarks.run")
    except ModuleNotFoundError as exc:
        if exc.name not in ("benchmarks", "benchmarks.run"):
            raise  # the harness is there but something it needs is not
        return None
