"""What the commands accept at the door: flag types with their ranges, and the output
guard every writing command runs first.

A flag value out of range is an argparse error (exit 2, one line). The ranges are those
the library documents: seeds are integers >= 0 (``numpy.random.default_rng``), sizes
are integers >= 1, ``--jobs`` is >= 1 or -1, ``--digits`` is at least 16
(:func:`verify.certify`).

Internal module of the relunet command line (public: :func:`relunet.main`).
"""

from __future__ import annotations

import argparse
import math

from recover import InvalidInputError, guard_outputs

#: Largest --digits: mpmath time grows quickly with the precision.
MAX_DIGITS = 10_000
#: Largest count flag (sizes, hidden units); sizes are capped again by memory.
MAX_COUNT = 10**9


def count(text: str) -> int:
    """argparse type: an integer >= 1 (sizes, hidden units)."""
    return int_in(text, 1, MAX_COUNT)


def seed(text: str) -> int:
    """argparse type: a seed, an integer >= 0 (numpy refuses negative seeds)."""
    return int_in(text, 0, 2**63 - 1)


def jobs(text: str) -> int:
    """argparse type: ``n_jobs`` of :func:`recover.recover_network`, an integer >= 1 or
    -1 (every core)."""
    value = int_in(text, -1, MAX_COUNT)
    if value == 0:
        raise argparse.ArgumentTypeError("must be an integer >= 1, or -1 for every core, "
                                         "got 0")
    return value


def digits(text: str) -> int:
    """argparse type: decimal digits of the precision path, 16 <= N <= MAX_DIGITS."""
    return int_in(text, 16, MAX_DIGITS)


def finite_float(text: str) -> float:
    """argparse type: a finite float (no nan, no inf, nothing that overflows to inf)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def int_in(text: str, low: int, high: int) -> int:
    """argparse type (with ``low``/``high`` bound by functools.partial): an integer in
    ``[low, high]``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"must be an integer in [{low}, {high}], got {value}")
    return value


def add_force(parser) -> None:
    """The ``--force`` flag of every command that writes files."""
    parser.add_argument("--force", action="store_true",
                        help="replace output files that already exist (inputs are never "
                             "replaced)")


def guard(args, outputs: dict, inputs: dict) -> None:
    """:func:`recover._files.guard_outputs` with the command's ``--force``."""
    guard_outputs(outputs, inputs, force=getattr(args, "force", False))


def require_suffix(path, suffix: str, flag: str) -> None:
    """Refuse an output name without ``suffix`` (``np.savez`` would silently add it)."""
    if path is not None and not str(path).endswith(suffix):
        raise InvalidInputError(f"{flag} ({path}) must end in {suffix}")
