"""Farkas certificates of infeasibility, found with HiGHS and verified over ℚ.

A linear system of rows ``a_r·z ≤ b_r`` (inequalities) and ``a_r·z = b_r`` (equalities)
has no solution iff (Farkas' lemma) there are multipliers ``w_r``, ``w_r ≥ 0`` on the
inequality rows and free on the equalities, with

    Σ_r w_r a_r = 0   and   Σ_r w_r b_r < 0.

Adding the rows with these weights gives the contradiction ``0 ≤ (negative number)``.
:func:`check_farkas` checks such multipliers in exact rational arithmetic;
:func:`find_farkas` finds them by solving the normalised Farkas LP (``Σ w_r b_r = -1``)
with HiGHS (a vertex, hence small support), then solving the support system exactly and
re-checking. It returns ``None`` rather than an unverified certificate.

Complexity: one LP with ``#rows`` variables and ``n_vars + 1`` equalities, plus an exact
Gauss–Jordan solve on the support, O((n_vars + 1)² · #rows) Fraction operations.

Internal module of :mod:`hardness`: use the names the package exports (``hardness.__all__``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Sequence

import gmpy2
import numpy as np
from scipy.optimize import linprog

from ._rational import exact_point_near


@dataclass(frozen=True)
class Row:
    """One linear constraint ``coeffs·z ≤ rhs`` (or ``= rhs`` when ``equality``).

    ``key`` names the row (hashable, e.g. ``("label", j)``) so certificates can refer to
    rows by meaning; ``coeffs`` are exact, ``approx`` is their float64 copy for HiGHS.
    """

    key: tuple
    equality: bool
    coeffs: tuple
    rhs: Fraction
    approx: np.ndarray
    fast: tuple = ()  # (coeffs, rhs) as gmpy2.mpq, for the search's own exact checks


def make_row(key: tuple, equality: bool, coeffs: Sequence[Fraction], rhs) -> Row:
    coeffs = tuple(Fraction(c) for c in coeffs)
    rhs = Fraction(rhs)
    return Row(key, equality, coeffs, rhs, np.array([float(c) for c in coeffs], dtype=float),
               (tuple(_mpq(c) for c in coeffs), _mpq(rhs)))


def _mpq(v: Fraction):
    return gmpy2.mpq(v.numerator, v.denominator)


def _fraction(q) -> Fraction:
    return Fraction(int(q.numerator), int(q.denominator))


def proves_infeasible(rows: Sequence[Row], multipliers: Mapping[tuple, Fraction]) -> bool:
    """The test of :func:`check_farkas`, in gmpy2's exact rationals (~8x faster than
    Fraction) for the search's many candidates; :func:`check_farkas`, standard library
    only, stays the reference that certificates are re-checked with."""
    by_key = {row.key: row for row in rows}
    n_vars = len(rows[0].coeffs) if rows else 0
    total, rhs = [gmpy2.mpq(0)] * n_vars, gmpy2.mpq(0)
    for key, w in multipliers.items():
        row = by_key.get(key)
        if row is None or (not row.equality and w < 0):
            return False
        if w == 0:
            continue
        w = _mpq(w)
        coeffs, b = row.fast
        total = [t + w * a for t, a in zip(total, coeffs)]
        rhs += w * b
    return all(t == 0 for t in total) and rhs < 0


def check_farkas(rows: Sequence[Row], multipliers: Mapping[tuple, Fraction]) -> str | None:
    """Exact check of a Farkas certificate. Returns ``None`` if it proves ``rows``
    infeasible, else a one-line reason why it does not."""
    by_key = {row.key: row for row in rows}
    if len(by_key) != len(rows):
        return "rows with repeated keys"
    n_vars = len(rows[0].coeffs) if rows else 0
    total = [Fraction(0)] * n_vars
    rhs = Fraction(0)
    for key, w in multipliers.items():
        if key not in by_key:
            return f"multiplier on unknown row {key}"
        if not isinstance(w, (int, Fraction)) or isinstance(w, bool):
            return f"multiplier of row {key} is not an exact rational: {w!r}"
        row = by_key[key]
        if not row.equality and w < 0:
            return f"negative multiplier {w} on inequality row {key}"
        if w == 0:
            continue
        total = [t + w * a for t, a in zip(total, row.coeffs)]
        rhs += w * row.rhs
    if any(t != 0 for t in total):
        return "the weighted rows do not cancel (Σ w_r a_r ≠ 0)"
    if rhs >= 0:
        return f"the weighted right-hand side is {rhs}, not negative"
    return None


def find_farkas(rows: Sequence[Row]) -> dict[tuple, Fraction] | None:
    """Exact Farkas multipliers for ``rows`` (sparse dict key → Fraction), or ``None``
    if HiGHS finds none or none survives the exact check."""
    if not rows:
        return None
    A = np.array([row.approx for row in rows])            # (#rows, n_vars)
    b = np.array([float(row.rhs) for row in rows])
    bounds = [(None, None) if row.equality else (0, None) for row in rows]
    res = linprog(np.zeros(len(rows)), A_eq=np.vstack([A.T, b[None, :]]),
                  b_eq=np.r_[np.zeros(A.shape[1]), -1.0], bounds=bounds, method="highs-ds")
    if res.status != 0:
        return None
    w = res.x
    scale = max(1.0, float(np.abs(w).max()))
    for tol in (1e-9, 1e-12, -1.0):
        support = [r for r in range(len(rows)) if abs(w[r]) > tol * scale]
        cert = _exact_on_support(rows, support, w)
        if cert is not None:
            return cert
    return None


def farkas_from_ray(rows: Sequence[Row], ray) -> dict[tuple, Fraction] | None:
    """Exact Farkas multipliers for ``rows`` guided by a float Farkas ray aligned with
    them (HiGHS' dual ray, :class:`hardness._lp.IncrementalLP`): the ray's support system
    is solved exactly; if that fails (or there is no ray), :func:`find_farkas` solves
    the Farkas LP afresh. ``None`` if neither gives a certificate that checks."""
    if ray is not None and len(ray) == len(rows):
        w = np.asarray(ray, dtype=float)
        rhs = float(w @ np.array([float(r.rhs) for r in rows]))
        if rhs < 0:
            w = w / -rhs  # the normalisation Σ w_r b_r = −1 of the exact solve
            scale = max(1.0, float(np.abs(w).max()))
            cert = _rounded(rows, w, 1e-9 * scale)
            if cert is not None:
                return cert
            for tol in (1e-9, 1e-12):
                support = [r for r in range(len(rows)) if abs(w[r]) > tol * scale]
                cert = _exact_on_support(rows, support, w) if support else None
                if cert is not None:
                    return cert
    return find_farkas(rows)


def _rounded(rows: Sequence[Row], w: np.ndarray, tol: float):
    """The ray rounded to small denominators, if that alone is exact: the common case
    for small integer data, and no linear system to solve."""
    support = [r for r in range(len(rows)) if abs(w[r]) > tol]
    for den in (12, 1000):
        cert = {rows[r].key: Fraction(float(w[r])).limit_denominator(den) for r in support}
        cert = {key: v for key, v in cert.items() if v != 0}
        if proves_infeasible(rows, cert):
            return cert
    return None


def _exact_on_support(rows: Sequence[Row], support: list[int], w: np.ndarray):
    sub = [rows[r] for r in support]
    n_vars = len(rows[0].coeffs)
    A = [[row.coeffs[c] for row in sub] for c in range(n_vars)]
    A.append([row.rhs for row in sub])
    b = [Fraction(0)] * n_vars + [Fraction(-1)]

    def accept(values):
        return proves_infeasible(sub, dict(zip((row.key for row in sub), values)))

    values = exact_point_near(A, b, w[support], accept)
    if values is None:
        return None
    return {row.key: v for row, v in zip(sub, values) if v != 0}
