"""Exact linear algebra over ℚ for turning floating-point LP answers into proofs.

HiGHS answers in float64. To certify, we guess which constraints are tight at the float
solution, solve that affine system exactly (Gauss–Jordan elimination in gmpy2's exact
rationals, answers as :class:`fractions.Fraction`), and fix the remaining free
coordinates to rational approximations of the float values. The caller then verifies
the rational point exactly; nothing here is trusted on its own.

Complexity: O(p·q·min(p, q)) rational operations for a p×q system.

Internal module of :mod:`hardness`: use the names the package exports (``hardness.__all__``).
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Callable, Sequence

import gmpy2
import numpy as np

from recover import InvalidInputError, is_sympy_rational

#: Denominator bounds tried, smallest (prettiest) first; ``None`` = the float exactly.
DENOMINATORS = (1, 12, 1000, 10**6, 10**9, None)


class AffineSystem:
    """The affine space ``{z : A z = b}`` over ℚ, in reduced row echelon form.

    Parameters
    ----------
    A : sequence of sequences of Fraction, shape (p, q)
    b : sequence of Fraction, shape (p,)
    n_vars : int
        ``q`` (needed when ``p = 0``).
    """

    def __init__(self, A: Sequence[Sequence[Fraction]], b: Sequence[Fraction], n_vars: int):
        self.n_vars = n_vars
        # eliminated in gmpy2's exact rationals (~8x faster than Fraction); point()
        # answers in Fraction
        rows = [[_mpq(v) for v in r] + [_mpq(rhs)] for r, rhs in zip(A, b)]
        self.pivots: list[int] = []
        self.consistent = True
        self.rows = self._eliminate(rows)

    def _eliminate(self, rows: list[list[Fraction]]) -> list[list[Fraction]]:
        r = 0
        for col in range(self.n_vars):
            pivot = next((i for i in range(r, len(rows)) if rows[i][col] != 0), None)
            if pivot is None:
                continue
            rows[r], rows[pivot] = rows[pivot], rows[r]
            inv = 1 / rows[r][col]
            rows[r] = [v * inv for v in rows[r]]
            for i in range(len(rows)):
                if i != r and rows[i][col] != 0:
                    factor = rows[i][col]
                    rows[i] = [a - factor * p for a, p in zip(rows[i], rows[r])]
            self.pivots.append(col)
            r += 1
        if any(row[-1] != 0 for row in rows[r:]):
            self.consistent = False
        return rows[:r]

    def point(self, free_values: Sequence[Fraction]) -> list[Fraction] | None:
        """The point whose non-pivot coordinates equal ``free_values`` (indexed by all
        coordinates; pivot entries are ignored), or ``None`` if the system is
        inconsistent."""
        if not self.consistent:
            return None
        z = [_mpq(Fraction(v)) for v in free_values]
        for row, col in zip(self.rows, self.pivots):
            z[col] = gmpy2.mpq(0)
        for row, col in zip(self.rows, self.pivots):
            z[col] = row[-1] - sum((row[c] * z[c] for c in range(self.n_vars)
                                    if c != col and row[c] != 0), gmpy2.mpq(0))
        return [Fraction(int(v.numerator), int(v.denominator)) for v in z]


def _mpq(v):
    v = Fraction(v)
    return gmpy2.mpq(v.numerator, v.denominator)


def rational_guesses(values: np.ndarray):
    """Rational approximations of a float vector, coarse to exact (see DENOMINATORS)."""
    for den in DENOMINATORS:
        if den is None:
            yield [Fraction(float(v)) for v in values]
        else:
            yield [Fraction(float(v)).limit_denominator(den) for v in values]


def exact_point_near(A, b, z_float: np.ndarray,
                     accept: Callable[[list[Fraction]], bool]) -> list[Fraction] | None:
    """A rational point of ``{A z = b}`` near ``z_float`` that ``accept`` approves.

    Tries each rounding of ``z_float`` for the free coordinates; returns the first
    accepted point, or ``None``.
    """
    system = AffineSystem(A, b, len(z_float))
    if not system.consistent:
        return None
    for guess in rational_guesses(z_float):
        z = system.point(guess)
        if z is not None and accept(z):
            return z
    return None


def exact_matrix(values) -> np.ndarray:
    """An object array of :class:`Fraction` with the same entries, for trusted numeric
    input (network weights, our own integer matrices). Floats are converted exactly:
    every float64 is a dyadic rational. Use :func:`exact_data` for user data."""
    arr = np.asarray(values, dtype=object)
    return np.vectorize(Fraction, otypes=[object])(arr) if arr.size else arr


def exact_data(values, name: str, *, exact_floats: bool = False) -> np.ndarray:
    """Validate user data for an exact computation; return a Fraction object array.

    Accepted entries: Python/numpy integers, :class:`Fraction` (any
    :class:`numbers.Rational`, sympy ``Rational``), and floats that are whole numbers.
    A float with a fractional part (``0.1``) is refused unless ``exact_floats=True``:
    its exact binary value (``0.1000000000000000055…``) is rarely what the caller
    meant, and an exact answer about it would be an answer to a different question.
    NaN, Inf, booleans, strings and complex numbers are always refused.
    """
    arr = np.asarray(values, dtype=object)
    if arr.dtype != object or arr.size == 0:
        raise InvalidInputError(f"{name} is empty")
    out = np.empty(arr.shape, dtype=object)
    for idx, v in np.ndenumerate(arr):
        out[idx] = _exact_scalar(v, f"{name}{list(idx)}", exact_floats)
    return out


def _exact_scalar(v, label: str, exact_floats: bool) -> Fraction:
    if isinstance(v, (bool, np.bool_)):
        raise InvalidInputError(f"{label} is a boolean ({v}); pass numbers")
    if isinstance(v, numbers.Integral):
        return Fraction(int(v))
    if isinstance(v, numbers.Rational):
        return Fraction(v.numerator, v.denominator)
    if is_sympy_rational(v):
        return Fraction(int(v.p), int(v.q))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if not math.isfinite(f):
            raise InvalidInputError(f"{label} is {f}; exact data must be finite")
        if f != int(f) and not exact_floats:
            raise InvalidInputError(
                f"{label} = {f!r} is not an integer; exactness is claimed, so pass "
                f"Fractions (or exact_floats=True to use the float's exact binary value)")
        return Fraction(f)
    raise InvalidInputError(f"{label} = {v!r} is not a rational number")

