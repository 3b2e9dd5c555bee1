"""Loading JSON from untrusted files with caps on size, nesting and number length.

``json.loads`` on hostile text can exhaust memory (a huge file), overflow the stack or
raise ``RecursionError`` (``[[[[...``), or spend quadratic time converting a
million-digit integer. :func:`loads_bounded` and :func:`load_bounded` check the size and
the bracket nesting before parsing, cap every number literal's length while parsing, and
turn every failure into one :class:`~recover._errors.InvalidInputError` line.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import json
import os
import re

from ._errors import InvalidInputError

#: Default deepest nesting of arrays and objects.
MAX_DEPTH = 32
#: Default most arrays and objects (each costs ~60 bytes of memory for 2 characters).
MAX_CONTAINERS = 1_000_000
#: Default longest number literal (Python's default limit on int-string conversion).
MAX_NUMBER_CHARS = 4300

#: A JSON string (escapes included); removed before counting brackets.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def loads_bounded(text, what: str, max_chars: int, max_depth: int = MAX_DEPTH,
                  max_containers: int = MAX_CONTAINERS,
                  max_number_chars: int = MAX_NUMBER_CHARS):
    """Parse the JSON ``text`` (str or UTF-8 bytes) named ``what`` in messages.

    Refuses (:class:`InvalidInputError`) text longer than ``max_chars`` characters,
    arrays/objects nested deeper than ``max_depth`` or more than ``max_containers`` of
    them, number literals longer than
    ``max_number_chars`` characters, and anything ``json`` cannot parse.
    """
    if isinstance(text, (bytes, bytearray)):
        if len(text) > max_chars:
            _too_big(what, len(text), max_chars)
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInputError(f"{what} is not UTF-8 text: {exc}") from None
    if not isinstance(text, str):
        raise InvalidInputError(f"{what} must be JSON text, not {type(text).__name__}")
    if len(text) > max_chars:
        _too_big(what, len(text), max_chars)
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))  # C-speed passes
    if len(brackets) > 2 * max_containers:
        raise InvalidInputError(f"{what} holds more than {max_containers} arrays/objects")
    depth = _bracket_depth(brackets)
    if depth > max_depth:
        raise InvalidInputError(f"{what} nests arrays/objects {depth} deep; at most "
                                f"{max_depth} accepted")
    number = _NumberParser(what, max_number_chars)
    try:
        return json.loads(text, parse_int=number.integer, parse_float=number.real)
    except InvalidInputError:
        raise
    except (ValueError, RecursionError, MemoryError) as exc:  # JSONDecodeError is a ValueError
        raise InvalidInputError(f"{what} is not valid JSON: {exc}") from None


def load_bounded(path, what: str, max_bytes: int, **caps):
    """Read the JSON file ``path`` with :func:`recover._io.read_text` (a regular file of
    at most ``max_bytes`` bytes of UTF-8, checked before reading) and parse it with the
    caps of :func:`loads_bounded`. Every failure is one :class:`InvalidInputError`."""
    from ._io import read_text

    label = f"{what} {os.fspath(path)!r}"
    return loads_bounded(read_text(path, label, max_bytes), label, max_bytes, **caps)


def _too_big(what: str, size: int, limit: int):
    raise InvalidInputError(f"{what} is {size} bytes; at most {limit} accepted")


def _bracket_depth(brackets: str) -> int:
    """Deepest nesting in a string of the brackets found outside JSON strings (an
    unterminated string only makes it overestimate; json then refuses the text)."""
    depth = deepest = 0
    for ch in brackets:
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


class _NumberParser:
    """``parse_int``/``parse_float`` hooks refusing over-long literals before converting
    (int conversion is quadratic in the number of digits)."""

    def __init__(self, what: str, max_chars: int):
        self.what, self.max_chars = what, max_chars

    def _check(self, literal: str) -> None:
        if len(literal) > self.max_chars:
            raise InvalidInputError(f"{self.what} holds a number literal of {len(literal)} "
                                    f"characters; at most {self.max_chars} accepted")

    def integer(self, literal: str) -> int:
        self._check(literal)
        return int(literal)

    def real(self, literal: str) -> float:
        self._check(literal)
        return float(literal)
