"""``relunet`` command line: dispatches to the modules of :mod:`relunet.commands`.

Exit codes: 0 success, 1 a negative result (recovery failed, certificate does not hold),
2 bad input (clear one-line message on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from recover.errors import InvalidInputError, RecoveryFailed, RelunetError

#: Subcommand modules, in the order ``relunet --help`` lists them.
COMMANDS = ["demo", "plant", "recover", "certify", "hardness", "bench"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="relunet",
        description="Recover two-layer rectified networks Y = U f(V X) exactly, certify "
                    "the result, and explore the NP-hardness reduction.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"relunet.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"relunet.commands.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except InvalidInputError as exc:
        print(f"relunet {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except RecoveryFailed as exc:
        print(f"relunet {args.command}: recovery failed: {exc}", file=sys.stderr)
        return 1
    except RelunetError as exc:
        print(f"relunet {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
