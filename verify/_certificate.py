"""The :class:`Certificate`: what was proven (or measured), with numbers, as JSON.

A certificate is data: its checks, the network and the data digest. ``holds`` is derived
from the checks (True iff there is a required check and every required check passed); the
JSON carries it for readers, and :meth:`Certificate.from_json` refuses a file whose stored
``holds`` disagrees with its checks. A file can still be edited consistently by hand —
weights, statuses and all — so it is evidence, not proof: :func:`verify.recheck`
re-derives everything from the data and the stored network.

JSON layout (``schema = "relunet.certificate/1"``)::

    {"schema", "holds", "mode": "exact" | "precision", "digits",
     "data":    {"X": {"shape", "dtype", "sha256"}, "Y": {...}},
     "network": {"kind": "exact" | "decimal", "activation", "U": [[str]], "V": [[str]],
                 "b": [str], "c": [str]},   # b, c only for a network with biases
     "checks":  [{"name", "status", "required", "detail", "numbers"}],
     "claims":  [str], "timings": {step: seconds}, "versions": {package: version}}

Exact weights are ``"p/q"`` strings (``"p"`` for integers); the precision path stores
decimal strings with ``digits`` significant digits. The biases ``b`` (k) and ``c`` (m)
are written for a network with a nonzero bias; a file without them (also any written
before biases existed) is read with zeros.

Loading is bounded (:mod:`recover._bounded_json`): at most :data:`MAX_CERTIFICATE_CHARS`
characters (64 MiB: room for a million weights of 60 characters, ten times the
``d = 1000, k = 100, m = 100`` network at typical sizes), nesting at most 32 deep, at
most :data:`MAX_NUMBER_DIGITS` digits in each integer of a weight (``p``, ``q``, a
mantissa; Python's own int-string limit, so a certificate that could be written can be
read), decimal exponents of at most 4 digits, and ``digits`` at most
:data:`MAX_PRECISION_DIGITS`.

Internal module of :mod:`verify`: use the names the package exports (``verify.__all__``).
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import metadata

import numpy as np

from recover import InvalidInputError, TwoLayerNetwork, loads_bounded

from ._checks import STATUSES, Check

SCHEMA = "relunet.certificate/1"
#: Largest certificate text accepted by :meth:`Certificate.from_json` (see module doc).
MAX_CERTIFICATE_CHARS = 64 * 2 ** 20
#: Most digits of each integer in a weight string (Python's default int-string limit).
MAX_NUMBER_DIGITS = 4300
#: Largest working precision a certificate may claim (re-checking works at it).
MAX_PRECISION_DIGITS = 10_000
_N = MAX_NUMBER_DIGITS
_RATIONAL = re.compile(rf"-?\d{{1,{_N}}}(/[1-9]\d{{0,{_N - 1}}})?")
# a decimal exponent of at most 4 digits: Fraction("1e999999999") would build 10**999999999
_DECIMAL = re.compile(r"-?\d+(\.\d+)?(e[-+]?\d{1,4})?")
_KEYS = {"schema", "holds", "mode", "digits", "data", "network", "checks", "claims",
         "timings", "versions"}


def data_digest(X: np.ndarray, Y: np.ndarray) -> dict:
    """Shape, dtype and SHA-256 of the float64 bytes of ``X`` and ``Y``."""
    out = {}
    for name, A in (("X", X), ("Y", Y)):
        A = np.ascontiguousarray(A, dtype=np.float64)
        out[name] = {"shape": list(A.shape), "dtype": "float64",
                     "sha256": hashlib.sha256(A.tobytes()).hexdigest()}
    return out


def versions() -> dict:
    """Versions of the software that produced a certificate."""
    import mpmath
    import sympy

    out = {"python": platform.python_version(), "numpy": np.__version__,
           "sympy": sympy.__version__, "mpmath": mpmath.__version__}
    for dist in ("python-flint", "relunet"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def verdict(checks: list[Check]) -> bool:
    """The verdict of a list of checks: some check is required and every required one
    passed (an empty or all-optional list proves nothing)."""
    required = [c for c in checks if c.required]
    return bool(required) and all(c.passed for c in required)


@dataclass
class Certificate:
    """Result of :func:`verify.certify`.

    Attributes
    ----------
    holds : bool (read-only property)
        True iff there is a required check and every required check passed. Exact mode:
        proven in rational arithmetic. Precision mode: measured at ``digits`` digits,
        claiming no more.
    mode : {"exact", "precision"}
    digits : int or None
        Working precision of the precision path.
    network : TwoLayerNetwork or None
        The certified network. Exact mode: object arrays of ``fractions.Fraction`` in the
        rational canonical form (rows of ``V`` with max-norm 1, units sorted). Precision
        mode: float64 rounding of the high-precision solution (the JSON keeps all digits).
    checks : list of Check
    data : dict
        :func:`data_digest` of the data certified.
    claims : list of str
        Plain statements of what ``holds`` means for this certificate.
    """

    mode: str
    network: TwoLayerNetwork | None
    checks: list[Check]
    data: dict
    digits: int | None = None
    claims: list[str] = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    decimal_weights: dict | None = None

    @property
    def holds(self) -> bool:
        """True iff there is a required check and every required check passed."""
        return verdict(self.checks)

    def check(self, name: str) -> Check:
        """The check called ``name`` (``KeyError`` if it did not run)."""
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(f"no check named {name!r}; ran {[c.name for c in self.checks]}")

    # --- JSON ---------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"schema": SCHEMA, "holds": bool(self.holds), "mode": self.mode,
                "digits": self.digits, "data": self.data,
                "network": self._network_dict(), "checks": [c.to_dict() for c in self.checks],
                "claims": list(self.claims), "timings": dict(self.timings),
                "versions": dict(self.versions)}

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def _network_dict(self) -> dict | None:
        if self.network is None:
            return None
        net = self.network
        if self.decimal_weights is not None:
            kind, weights = "decimal", dict(self.decimal_weights)
        else:
            kind = "exact"
            weights = {name: _strings(getattr(net, name)) for name in ("U", "V")}
            if net.has_bias:
                weights.update(b=_strings(net.b), c=_strings(net.c))
        return {"kind": kind, "activation": net.activation.name, **weights}

    @classmethod
    def from_json(cls, text: str) -> "Certificate":
        """Parse and strictly validate a certificate; :class:`InvalidInputError` if the
        schema is violated or ``holds`` disagrees with the required checks."""
        obj = loads_bounded(text, "certificate", MAX_CERTIFICATE_CHARS)
        _validate(obj)
        checks = [Check(c["name"], c["status"], c["detail"], c["required"], c["numbers"])
                  for c in obj["checks"]]
        network, decimal = _parse_network(obj["network"])
        return cls(mode=obj["mode"], network=network, checks=checks,
                   data=obj["data"], digits=obj["digits"], claims=obj["claims"],
                   timings=obj["timings"], versions=obj["versions"],
                   decimal_weights=decimal)

    def full_network(self) -> TwoLayerNetwork | None:
        """The certified network at the precision it was stored: exact in exact mode,
        the decimal strings read exactly (object arrays of Fractions) in precision mode
        — not the float64 rounding in :attr:`network`."""
        if self.decimal_weights is None:
            return self.network
        exact = {name: np.array(value, dtype=object) for name, value in
                 _exact_weights(self.decimal_weights).items()}
        return TwoLayerNetwork(**exact, activation=self.network.activation)

    # --- display ------------------------------------------------------------------
    def summary(self, max_entries: int = 400) -> str:
        """Human-readable summary: outcome, each check, and the certified weights
        (exact rationals in exact mode; ``b`` and ``c`` when the network has biases) when
        ``U`` and ``V`` have at most ``max_entries`` entries."""
        head = (f"certificate ({self.mode}"
                + (f", {self.digits} digits" if self.mode == "precision" else "")
                + f"): {'HOLDS' if self.holds else 'DOES NOT HOLD'}")
        lines = [head]
        lines += [f"  [{c.status:>10}] {c.name}: {c.detail}" for c in self.checks]
        lines += [f"  claim: {c}" for c in self.claims]
        net = self._network_dict()
        if net is not None and self.network.U.size + self.network.V.size <= max_entries:
            for name in ("V", "U"):
                lines.append(f"  {name} ({net['kind']}, rows):")
                lines += ["    [" + ", ".join(row) + "]" for row in net[name]]
            lines += [f"  {name} ({net['kind']}): [" + ", ".join(net[name]) + "]"
                      for name in ("b", "c") if name in net]
        return "\n".join(lines)


def _strings(A: np.ndarray) -> list:
    """Exact ``"p/q"`` strings: a list for a vector, a list of rows for a matrix."""
    if A.ndim == 1:
        return [str(Fraction(a)) for a in A]
    return [[str(Fraction(a)) for a in row] for row in A]


def _exact_weights(strings: dict) -> dict:
    """Decimal weight strings (``U``, ``V`` and optionally ``b``, ``c``) as Fractions."""
    out = {}
    for name, value in strings.items():
        out[name] = ([[Fraction(a) for a in row] for row in value]
                     if name in ("U", "V") else [Fraction(a) for a in value])
    return out


# --- strict validation ---------------------------------------------------------------
def _fail(msg: str):
    raise InvalidInputError(f"invalid certificate: {msg}")


def _validate(obj) -> None:
    if not isinstance(obj, dict) or set(obj) != _KEYS:
        _fail(f"expected exactly the keys {sorted(_KEYS)}")
    if obj["schema"] != SCHEMA:
        _fail(f"schema {obj['schema']!r} is not {SCHEMA!r}")
    if obj["mode"] not in ("exact", "precision") or not isinstance(obj["holds"], bool):
        _fail("'mode' must be 'exact' or 'precision' and 'holds' a boolean")
    if obj["mode"] == "precision" and not (
            isinstance(obj["digits"], int) and not isinstance(obj["digits"], bool)
            and 16 <= obj["digits"] <= MAX_PRECISION_DIGITS):
        _fail(f"a precision certificate needs an integer 'digits' in "
              f"[16, {MAX_PRECISION_DIGITS}]")
    checks = obj["checks"]
    if not isinstance(checks, list) or not checks:
        _fail("'checks' must be a non-empty list")
    for c in checks:
        if (not isinstance(c, dict) or set(c) != {"name", "status", "required", "detail",
                                                  "numbers"}
                or c["status"] not in STATUSES or not isinstance(c["required"], bool)
                or not isinstance(c["numbers"], dict)):
            _fail(f"malformed check {c!r}")
    required = [c for c in checks if c["required"]]
    if obj["holds"] != (bool(required) and all(c["status"] == "passed" for c in required)):
        _fail("'holds' disagrees with the required checks")
    if obj["holds"] and "reproduction" not in {c["name"] for c in required}:
        _fail("a certificate that holds must contain the required 'reproduction' check")
    for part in ("X", "Y"):
        entry = obj["data"].get(part) if isinstance(obj["data"], dict) else None
        if (not isinstance(entry, dict)
                or not re.fullmatch(r"[0-9a-f]{64}", str(entry.get("sha256")))):
            _fail(f"data digest of {part} is missing or malformed")
    if obj["holds"] and obj["network"] is None:
        _fail("a certificate that holds must contain its network")


def _parse_network(net) -> tuple[TwoLayerNetwork | None, dict | None]:
    if net is None:
        return None, None
    base = {"kind", "activation", "U", "V"}
    if not isinstance(net, dict) or set(net) not in (base, base | {"b", "c"}):
        _fail("malformed 'network' (keys kind, activation, U, V and, together, b and c)")
    pattern = _RATIONAL if net["kind"] == "exact" else _DECIMAL
    if net["kind"] not in ("exact", "decimal"):
        _fail(f"unknown network kind {net['kind']!r}")
    mats = []
    for name in ("U", "V"):
        rows = net[name]
        if (not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows)
                or len({len(r) for r in rows}) != 1):
            _fail(f"network {name} must be a non-empty rectangular list of lists")
        mats.append(np.array([[_number(a, pattern, name, net["kind"]) for a in r]
                              for r in rows], dtype=object))
    U, V = mats
    biases = {}
    for name, length in (("b", V.shape[0]), ("c", U.shape[0])):
        if name in net:
            vec = net[name]
            if not isinstance(vec, list) or len(vec) != length:
                _fail(f"network {name} must be a list of {length} numbers")
            biases[name] = np.array([_number(a, pattern, name, net["kind"]) for a in vec],
                                    dtype=object)
    if net["kind"] == "decimal":
        floats = {name: A.astype(float) for name, A in biases.items()}
        return (TwoLayerNetwork(U.astype(float), V.astype(float), **floats,
                                activation=net["activation"]),
                {name: net[name] for name in ("U", "V", *biases)})
    return TwoLayerNetwork(U, V, **biases, activation=net["activation"]), None


def _number(a, pattern: re.Pattern, name: str, kind: str) -> Fraction:
    """A weight string as an exact Fraction; digits capped before any int conversion."""
    if not (isinstance(a, str) and len(a) <= 2 * MAX_NUMBER_DIGITS + 2
            and pattern.fullmatch(a)):
        _fail(f"network {name} holds entries that are not {kind} number strings "
              f"(at most {MAX_NUMBER_DIGITS} digits per integer)")
    try:
        return Fraction(a)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        _fail(f"network {name} holds a number with more than {MAX_NUMBER_DIGITS} digits")
