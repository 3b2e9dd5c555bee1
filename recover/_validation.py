"""Input validation at the door: every public entry point checks its arguments here.

The point is that bad input gets one clear message naming the problem
(:class:`~recover._errors.InvalidInputError`), never a traceback from deep inside numpy
and never a silent wrong answer.

Arrays must hold real numbers: integer or floating dtypes (any width, converted to
float64). Complex arrays are refused even when every imaginary part is zero — the
caller passes ``a.real`` when that is what is meant, so an imaginary part is never
dropped silently — and so are bool, object (except exact rationals where a function
asks for them), string, bytes, structured, datetime and timedelta arrays.

Extreme but finite scales are the business of :func:`power_of_two_scale`: dividing a
matrix by a power of two is exact in floating point, so the pipeline can work at unit
scale and the caller undo the scaling on the result.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import numbers

import numpy as np

from ._errors import InvalidInputError

#: dtype kinds accepted as real numbers: signed and unsigned integers, floats.
REAL_KINDS = "iuf"
_KIND_NAMES = {"b": "boolean", "c": "complex", "O": "object", "U": "string", "S": "bytes",
               "V": "structured or void", "M": "datetime", "m": "timedelta"}


def as_matrix(a, name: str, *, allow_exact: bool = False) -> np.ndarray:
    """Return ``a`` as a finite 2-D float64 array (or an exact object array).

    Parameters
    ----------
    a : array_like
        The candidate matrix, of an integer or floating dtype.
    name : str
        How to call it in error messages (``"X"``, ``"Y"``, ``"U"`` …).
    allow_exact : bool
        Keep object arrays of exact numbers (``Fraction``, ``int``, sympy ``Rational``)
        as they are instead of refusing them.

    Raises
    ------
    InvalidInputError
        Not 2-D, empty, a dtype that is not real numbers (the message names it), NaN or
        Inf entries, or values beyond the float64 range.
    """
    if allow_exact and isinstance(a, np.ndarray) and a.dtype == object:
        return _exact_matrix(a, name)
    try:
        raw = np.asarray(a)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{name} is not numeric: {exc}") from None
    check_real_dtype(raw, name)
    with np.errstate(over="ignore"):  # reported below as "beyond the float64 range"
        arr = raw.astype(float, copy=False)
    if arr.ndim != 2:
        raise InvalidInputError(
            f"{name} must be a 2-D matrix, got shape {arr.shape}")
    if arr.size == 0:
        raise InvalidInputError(f"{name} is empty (shape {arr.shape})")
    if not np.all(np.isfinite(arr)):
        if raw.dtype != arr.dtype and np.all(np.isfinite(raw)):
            raise InvalidInputError(
                f"{name} has entries beyond the float64 range (dtype {raw.dtype})")
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(np.isinf(arr).sum())
        raise InvalidInputError(
            f"{name} contains non-finite values ({n_nan} NaN, {n_inf} Inf)")
    return arr


def check_real_dtype(raw: np.ndarray, name: str) -> None:
    """Refuse (naming the dtype, with a hint) any array that does not hold integers or
    real floats: complex (the imaginary part would be dropped), boolean, object, string,
    bytes, structured, datetime."""
    kind = raw.dtype.kind
    if kind in REAL_KINDS:
        return
    what = _KIND_NAMES.get(kind, "unsupported")
    hint = {"c": "; pass the real part (a.real) if the imaginary part is meant to be zero",
            "b": "; convert to 0/1 numbers explicitly if that is meant",
            "O": "; convert to a float array"}.get(kind, "")
    prefix = "is not numeric" if kind in "USVMm" else "must hold real numbers"
    raise InvalidInputError(f"{name} {prefix}: dtype {raw.dtype} ({what}){hint}")


def _exact_matrix(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.ndim != 2:
        raise InvalidInputError(f"{name} must be a 2-D matrix, got {arr.ndim}-D")
    if arr.size == 0:
        raise InvalidInputError(f"{name} is empty (shape {arr.shape})")
    bad = [v for v in arr.flat if isinstance(v, bool) or (
        not isinstance(v, numbers.Rational) and not is_sympy_rational(v))]
    if bad:
        raise InvalidInputError(f"{name} holds non-rational entries such as {bad[0]!r}")
    return arr


def is_sympy_rational(v) -> bool:
    """True for a sympy rational number (``sympy.Rational``, integers included)."""
    try:
        import sympy
    except ImportError:  # pragma: no cover - sympy is a core dependency
        return False
    return isinstance(v, sympy.Rational)


def check_data(X, Y) -> tuple[np.ndarray, np.ndarray]:
    """Validate a data set: ``X`` is d×n, ``Y`` is m×n, one sample per column."""
    X = as_matrix(X, "X")
    Y = as_matrix(Y, "Y")
    if X.shape[1] != Y.shape[1]:
        raise InvalidInputError(
            f"X and Y must have the same number of columns (samples): "
            f"X is {X.shape[0]}x{X.shape[1]}, Y is {Y.shape[0]}x{Y.shape[1]}")
    return X, Y


def power_of_two_scale(A: np.ndarray) -> tuple[np.ndarray, int]:
    """``(A', e)`` with ``A = 2^e A'`` and ``max|A'|`` in ``[1/2, 1)``; ``e = 0`` for ``A = 0``.

    Multiplying by a power of two only changes exponents, so ``A'`` is exact (up to
    entries more than 2^-1022 below the largest, which nothing downstream can see).
    """
    peak = max(float(A.max()), -float(A.min())) if A.size else 0.0  # no |A| copy
    if peak == 0.0:
        return A, 0
    e = int(np.frexp(peak)[1])
    if abs(e) < 1000:  # 2^-e is a normal float: the product is ldexp(A, -e), faster
        return A * np.ldexp(1.0, -e), e
    return np.ldexp(A, -e), e


def check_positive_int(value, name: str, *, minimum: int = 1) -> int:
    """Validate an integer parameter such as ``k`` or ``n`` (Python or numpy integer;
    ``bool`` is refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise InvalidInputError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise InvalidInputError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_seed(seed) -> int:
    """A seed is a non-negative integer (Python or numpy; ``bool`` refused)."""
    return check_positive_int(seed, "seed", minimum=0)


def check_real(value, name: str, *, minimum: float | None = None,
               below: float | None = None) -> float:
    """Validate a finite real parameter (int or float, numpy scalars too; ``bool`` and
    strings refused), ``value >= minimum`` and ``value < below`` when given."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InvalidInputError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise InvalidInputError(f"{name} must be finite, got {value}")
    if minimum is not None and value < minimum:
        raise InvalidInputError(f"{name} must be >= {minimum}, got {value}")
    if below is not None and value >= below:
        raise InvalidInputError(f"{name} must be < {below}, got {value}")
    return value


def check_choice(value, name: str, choices) -> str:
    """``value`` must be one of the strings ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise InvalidInputError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value
