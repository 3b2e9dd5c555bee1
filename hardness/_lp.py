"""An incremental HiGHS linear program for the depth-first pattern search.

The search of :mod:`hardness._decide` solves one small LP per node, and a child's LP is
its parent's plus the rows of one point. Re-building each LP through
``scipy.optimize.linprog`` cost ~15 ms of argument checking per call for ~1 ms of
solving; here one HiGHS model lives for the whole search: a child *pushes* its rows, the
dual simplex re-starts from the parent's basis, and returning *pops* them again.

When HiGHS finds the LP infeasible it also returns a dual ray, which is a floating-point
Farkas certificate of that same LP (no second LP needed); :mod:`hardness._farkas` turns
it into exact multipliers and checks them. Nothing here is trusted on its own.

Internal module of :mod:`hardness`: use the names the package exports (``hardness.__all__``).
"""

from __future__ import annotations

from typing import Sequence

import highspy
import numpy as np

from recover import silent_highs

from ._farkas import Row

_INF = highspy.kHighsInf


class IncrementalLP:
    """Feasibility of a stack of row groups over ``n_vars`` free variables.

    ``push(rows)`` adds a group, ``pop()`` removes the last one, ``solve()`` returns
    ``("feasible", z)``, ``("infeasible", w)`` with ``w`` a float Farkas ray aligned
    with :attr:`rows` (``w ≥ 0`` on inequalities, ``Σ w_r a_r ≈ 0``, ``Σ w_r b_r < 0``;
    ``None`` if HiGHS gave none) or ``("unknown", None)``.
    """

    def __init__(self, n_vars: int):
        self.n_vars = n_vars
        self.rows: list[Row] = []
        self.rhs: list[float] = []  # float copies of the rows' right-hand sides
        self._sizes: list[int] = []
        self.highs = silent_highs()
        if n_vars:
            self.highs.addVars(n_vars, np.full(n_vars, -_INF), np.full(n_vars, _INF))

    def push(self, rows: Sequence[Row]) -> None:
        self._sizes.append(len(rows))
        self.rows.extend(rows)
        upper = [float(r.rhs) for r in rows]
        self.rhs.extend(upper)
        if not rows or not self.n_vars:
            return
        upper = np.array(upper)
        lower = np.array([u if r.equality else -_INF for r, u in zip(rows, upper)])
        matrix = np.array([r.approx for r in rows])
        nz = np.nonzero(matrix)
        starts = np.searchsorted(nz[0], np.arange(len(rows)))
        self.highs.addRows(len(rows), lower, upper, len(nz[0]), starts.astype(np.int32),
                           nz[1].astype(np.int32), matrix[nz])

    def pop(self) -> None:
        size = self._sizes.pop()
        if size and self.n_vars:
            first = len(self.rows) - size
            self.highs.deleteRows(size, np.arange(first, len(self.rows), dtype=np.int32))
        del self.rows[len(self.rows) - size:]
        del self.rhs[len(self.rhs) - size:]

    def solve(self):
        if not self.n_vars:  # only constant rows 0 = y_j (all output weights zero)
            ok = all(r.rhs == 0 if r.equality else r.rhs >= 0 for r in self.rows)
            return ("feasible", np.zeros(0)) if ok else ("infeasible", None)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return "feasible", np.array(self.highs.getSolution().col_value)
        if status == highspy.HighsModelStatus.kInfeasible:
            return "infeasible", self._farkas_ray()
        return "unknown", None

    def _farkas_ray(self):
        """HiGHS' dual ray with the sign that makes it a Farkas certificate of our rows,
        or None (the sign convention is checked, not assumed)."""
        _, has_ray, ray = self.highs.getDualRay()
        if not has_ray or len(ray) != len(self.rows):
            return None
        ray = np.asarray(ray, dtype=float)
        ineq = np.array([not r.equality for r in self.rows])
        b = np.array(self.rhs)
        for w in (ray, -ray):
            scale = max(1e-300, float(np.abs(w).max()))
            if np.all(w[ineq] >= -1e-9 * scale) and w @ b < -1e-9 * scale:
                return np.where(ineq, np.maximum(w, 0), w)
        return None
