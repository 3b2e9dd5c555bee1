"""Fitting labels of rank 2 with k = 2 units: ``Y = U f(V X)``, ``Y`` of shape (m, n).

Argument (docs/hardness.md, "Several outputs"). Let ``B`` be two linearly independent
rows of ``Y`` (so ``rowspace(Y) = rowspace(B)``, ``Y = A B`` for a unique ``A``) and
``H = f(V X)`` (2 × n). If ``Y = U H`` then ``2 = rank Y ≤ rank H ≤ 2``, so
``rowspace(H) = rowspace(Y)``: each row ``h_i = c_iᵀ B`` with ``c_1, c_2`` independent.
Conversely, if ``c_1, c_2`` are independent and ``c_iᵀ B = f(v_iᵀ X)``, then
``U = A C⁻¹`` (``C`` with rows ``c_i``) gives ``U f(V X) = A C⁻¹ C B = Y``. So a fit
exists iff the set

    S = {c ∈ ℚ² : cᵀ B = f(vᵀ X) for some v ∈ ℚ^d}

(a union of polyhedral cones, one per activation pattern of ONE unit, closed under
positive scaling) contains two independent vectors, i.e. iff ``S`` is not contained in
a line. With a pattern fixed, ``c ∈ S`` is linear in ``(v, c)``: on ``⇒ v·x_j ≥ 0``,
``(cᵀB)_j = v·x_j``; off ``⇒ v·x_j ≤ 0``, ``(cᵀB)_j = 0``; and every element of ``S``
satisfies the bound rows ``(cᵀB)_j ≥ 0`` and ``v·x_j ≤ (cᵀB)_j`` (``f(t) ≥ max(t, 0)``).

Decision: search ``S`` for ``c`` with ``g·c ≥ 1`` (a cone, so this is ``g·c > 0``) for
``g = e_1`` and ``g = −e_1``. If neither exists, ``S`` lies in the line ``c_1 = 0``:
"no", certified by the two refuted searches. Else take that ``c`` and its normal
``n = (−c_2, c_1)`` and search for ``c'`` with ``n·c' ≥ 1`` or ``−n·c' ≥ 1``: one found is
independent of ``c`` ("yes", exact ``U`` and ``V``); both refuted put ``S`` in the line
``n·c = 0`` ("no"). A "no" certificate is the normal ``n`` and the two refutation trees.
Cost: two to four searches over the ``2^n`` patterns of one unit (pruned), each LP
with ``d + 2`` variables.

Internal module of :mod:`hardness`: use the names the package exports (``hardness.__all__``).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ._farkas import Row, make_row
from ._rational import exact_point_near
from ._search import _Found, Search


def independent_rows(Y) -> list[int]:
    """Indices of the first rows of ``Y`` (object array of Fraction, m × n) that are
    linearly independent, greedily: a basis of ``rowspace(Y)`` made of rows of ``Y``."""
    basis, reduced = [], []  # reduced: echelon copies of the chosen rows
    for i in range(Y.shape[0]):
        row = [Fraction(v) for v in Y[i]]
        for pivot, r in reduced:
            if row[pivot] != 0:
                factor = row[pivot] / r[pivot]
                row = [a - factor * b for a, b in zip(row, r)]
        pivot = next((c for c, v in enumerate(row) if v != 0), None)
        if pivot is not None:
            basis.append(i)
            reduced.append((pivot, row))
    return basis


class PairProblem:
    """The search for ``c ∈ S`` with ``g·c ≥ 1`` (see the module docstring). Variables
    ``(v_1..v_d, c_1, c_2)``; rows keyed ``("unit", j, 0)``, ``("label", j)``,
    ``("bound", j, 0)`` (``−(cᵀB)_j ≤ 0``), ``("bound", j, 1)`` (``v·x_j − (cᵀB)_j ≤ 0``)
    and ``("normal",)`` (``−g·c ≤ −1``)."""

    initial_symmetric = False

    def __init__(self, X, B, g):
        self.X, self.B, self.g = X, B, tuple(Fraction(v) for v in g)
        self.d, self.n = X.shape
        self.n_vars = self.d + 2
        self.order = list(range(self.n))
        self._root = None
        self._rows: dict = {}

    def _coeffs(self, j, v_sign, c_sign) -> list[Fraction]:
        return ([v_sign * v for v in self.X[:, j]]
                + [c_sign * self.B[0, j], c_sign * self.B[1, j]])

    def root_rows(self) -> list[Row]:
        if self._root is None:
            rows = []
            for j in range(self.n):
                rows.append(make_row(("bound", j, 0), False, self._coeffs(j, 0, -1), 0))
                rows.append(make_row(("bound", j, 1), False, self._coeffs(j, 1, -1), 0))
            rows.append(make_row(("normal",), False,
                                 [Fraction(0)] * self.d + [-v for v in self.g], -1))
            self._root = rows
        return list(self._root)

    def rows(self, j, p) -> list[Row]:
        if (j, p) not in self._rows:
            on = p[0]
            self._rows[j, p] = [
                make_row(("unit", j, 0), False, self._coeffs(j, -1 if on else 1, 0), 0),
                make_row(("label", j), True, self._coeffs(j, 1 if on else 0, -1), 0)]
        return self._rows[j, p]

    def patterns(self, j, symmetric):
        return [(True,), (False,)]

    def rule_leaf(self, j, p):
        return None

    def symmetric_after(self, symmetric, p):
        return False

    def solution(self, rows, z):
        """An exact ``(v, c)`` satisfying ``rows``, near the float solution ``z``."""
        def ok(values):
            return all(_holds(r, values) for r in rows)
        for tol in (1e-9, 1e-6, None):
            chosen = [r for r in rows if r.equality or
                      (tol is not None and abs(r.approx @ z - float(r.rhs)) <= tol)]
            values = exact_point_near([r.coeffs for r in chosen], [r.rhs for r in chosen],
                                      z, ok)
            if values is not None:
                return values[:self.d], values[self.d:]
        return None


def _holds(row: Row, values) -> bool:
    lhs = sum((a * v for a, v in zip(row.coeffs, values) if a), Fraction(0))
    return lhs == row.rhs if row.equality else lhs <= row.rhs


def search_direction(X, B, g, stats, cover=None):
    """``("found", (v, c))`` or ``("refuted", tree)`` for the search ``g·c ≥ 1``."""
    try:
        return "refuted", Search(PairProblem(X, B, g), stats, cover).run()
    except _Found as found:
        return "found", found.solution


def network_from_pair(X, Y, V) -> np.ndarray | None:
    """``U`` with ``U f(V X) = Y`` exactly, for ``H = f(V X)`` of rank 2 and
    ``rowspace(H) = rowspace(Y)``: ``U = Y Hᵀ (H Hᵀ)⁻¹``; None if ``H H ᵀ`` is singular."""
    H = [[max(sum((v * x for v, x in zip(row, X[:, j])), Fraction(0)), Fraction(0))
          for j in range(X.shape[1])] for row in V]
    G = [[sum((a * b for a, b in zip(H[p], H[q])), Fraction(0)) for q in range(2)]
         for p in range(2)]
    det = G[0][0] * G[1][1] - G[0][1] * G[1][0]
    if det == 0:
        return None
    inv = [[G[1][1] / det, -G[0][1] / det], [-G[1][0] / det, G[0][0] / det]]
    YH = [[sum((a * b for a, b in zip(Y[i], H[q])), Fraction(0)) for q in range(2)]
          for i in range(Y.shape[0])]
    U = [[YH[i][0] * inv[0][q] + YH[i][1] * inv[1][q] for q in range(2)]
         for i in range(Y.shape[0])]
    return np.array(U, dtype=object).reshape(Y.shape[0], 2)
