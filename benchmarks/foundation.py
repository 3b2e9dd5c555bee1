"""The foundation issue's suites (exactness, sample efficiency, speed), now folded into
:mod:`benchmarks.suites`.

Kept as a shortcut: ``python -m benchmarks.foundation SUITE [--scale quick|full]
[--out DIR]`` with SUITE one of ``exactness``, ``efficiency``, ``speed`` runs that one
suite and writes ``DIR/SUITE.json``. It is the same as
``relunet bench --suite SCALE --only SUITE --out DIR`` without the rendering.
"""

from __future__ import annotations

import argparse
import sys

from .run import run_suites
from .suites import SCALES


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.foundation")
    parser.add_argument("suite", choices=["exactness", "efficiency", "speed"])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args(argv)
    run_suites(SCALES[args.scale], args.out, [args.suite])
    return 0


if __name__ == "__main__":
    sys.exit(main())
