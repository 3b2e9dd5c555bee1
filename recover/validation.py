"""Input validation at the door: every public entry point checks its arrays here.

The point is that bad input gets one clear message naming the problem
(:class:`~recover.errors.InvalidInputError`), never a traceback from deep inside numpy
and never a silent wrong answer.
"""

from __future__ import annotations

import numbers

import numpy as np

from .errors import InvalidInputError


def as_matrix(a, name: str, *, allow_exact: bool = False) -> np.ndarray:
    """Return ``a`` as a finite 2-D float64 array (or an exact object array).

    Parameters
    ----------
    a : array_like
        The candidate matrix.
    name : str
        How to call it in error messages (``"X"``, ``"Y"``, ``"U"`` …).
    allow_exact : bool
        Keep object arrays of exact numbers (``Fraction``, ``int``, sympy ``Rational``)
        as they are instead of converting them to float.
    """
    if allow_exact and isinstance(a, np.ndarray) and a.dtype == object:
        arr = a
        if arr.ndim != 2:
            raise InvalidInputError(f"{name} must be a 2-D matrix, got {arr.ndim}-D")
        bad = [v for v in arr.flat if not isinstance(v, numbers.Rational)
               and not _is_sympy_rational(v)]
        if bad:
            raise InvalidInputError(
                f"{name} holds non-rational entries such as {bad[0]!r}")
        return arr
    try:
        arr = np.asarray(a, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{name} is not numeric: {exc}") from None
    if arr.ndim != 2:
        raise InvalidInputError(
            f"{name} must be a 2-D matrix, got shape {arr.shape}")
    if arr.size == 0:
        raise InvalidInputError(f"{name} is empty (shape {arr.shape})")
    if not np.all(np.isfinite(arr)):
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(np.isinf(arr).sum())
        raise InvalidInputError(
            f"{name} contains non-finite values ({n_nan} NaN, {n_inf} Inf)")
    return arr


def _is_sympy_rational(v) -> bool:
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


def check_positive_int(value, name: str, *, minimum: int = 1) -> int:
    """Validate an integer parameter such as ``k`` or ``n``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidInputError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise InvalidInputError(f"{name} must be >= {minimum}, got {value}")
    return int(value)
