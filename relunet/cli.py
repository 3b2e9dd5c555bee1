"""``relunet`` command line: dispatches to the modules of :mod:`relunet.commands`.

Exit codes, the same on every subcommand:

* 0 — success;
* 1 — a negative result: recovery failed, a certificate does not hold, an instance is
  a no-instance, the reduction check disagrees;
* 2 — no answer was produced: bad input of any kind (a malformed or oversized file, a
  bad flag value, a missing file or folder, permission denied, a full disk, too little
  memory, numbers out of range). One line on stderr, no traceback. Flag errors that
  argparse finds are printed on one line too, pointing at ``--help``;
* 130 — interrupted (Ctrl-C); a file being written is left as it was.

An exception that is none of the above is a bug in relunet: its traceback is printed,
followed by one line ``internal error … please report``, and the exit code is 2 (no
answer was produced; never 1, which a script would read as a negative answer).

Every command that writes refuses an output that is one of its inputs, and refuses to
replace an existing file unless given ``--force``; every file is written atomically.

Internal module of the relunet command line (public: :func:`relunet.main`).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from recover import InvalidInputError, RecoveryFailed, RelunetError

#: Subcommand modules, in the order ``relunet --help`` lists them.
COMMANDS = ["demo", "plant", "recover", "certify", "hardness", "bench"]


class UsageError(InvalidInputError):
    """A flag error found by argparse (bad input); main() prints it on one line and
    exits 2."""

    def __init__(self, prog: str, message: str):
        super().__init__(f"{prog}: error: {message} (see '{prog} --help')")


class Parser(argparse.ArgumentParser):
    """argparse, but an error raises :class:`UsageError` instead of printing the whole
    usage block and exiting: the caller prints one line. Subparsers inherit the class."""

    def error(self, message: str):
        raise UsageError(self.prog, message)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="relunet",
        description="Recover two-layer rectified networks Y = U f(V X) exactly, certify "
                    "the result, and explore the NP-hardness reduction. Exit codes: 0 "
                    "success, 1 a negative result, 2 bad input, 130 interrupted.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"relunet.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if any("\0" in arg for arg in argv):  # impossible from a shell; os calls would raise
        print("relunet: error: an argument contains a NUL byte", file=sys.stderr)
        return 2
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(_one_line(str(exc)), file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else 0
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    return _run(args)


def _run(args) -> int:
    name = " ".join(p for p in ("relunet", args.command, getattr(args, "hardness_command", None))
                    if p)
    try:
        return int(args.run(args) or 0)
    except InvalidInputError as exc:
        return _fail(f"{name}: error: {exc}", 2)
    except RecoveryFailed as exc:
        return _fail(f"{name}: recovery failed: {exc}", 1)
    except RelunetError as exc:
        return _fail(f"{name}: {exc}", 1)
    except OSError as exc:  # missing folder, permission denied, disk full, ...
        return _fail(f"{name}: error: {_os_message(exc)}", 2)
    except MemoryError:
        return _fail(f"{name}: error: not enough memory for this input", 2)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:  # a bug: show it, and never pass it off as an answer
        traceback.print_exc()
        return _fail(f"{name}: internal error: {type(exc).__name__}: {exc} "
                     f"(a bug in relunet; please report it with the traceback above)", 2)


def _os_message(exc: OSError) -> str:
    parts = [exc.strerror or str(exc)]
    if exc.filename is not None:
        parts.append(str(exc.filename))
    if exc.filename2 is not None:
        parts.append(str(exc.filename2))
    return ": ".join(parts)


def _fail(message: str, code: int) -> int:
    print(_one_line(message), file=sys.stderr)
    return code


def _one_line(message: str) -> str:
    """Messages go to stderr as one line: a multi-line library message is joined."""
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
