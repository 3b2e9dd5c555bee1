"""Hidden weights of a non-injective activation: the cone of consistent ``V_i``.

When the positive part ``g`` of ``f`` is constant (the step ``f(t) = 1[t > 0]``), the
activations ``f(V_i X)`` reveal only the activation pattern of unit ``i``, so ``V_i`` is
not point-identifiable: every ``v`` with

    v·x_j > 0  on the samples where the unit is active,
    v·x_j ≤ 0  on the samples where it is inactive,

gives the same network function on the data. This set is a polyhedral cone (open on the
active side). :func:`weight_cone` describes it by its constraint matrix and returns the
max-margin representative, the solution of the linear program

    maximise τ  subject to  s_j v·x̂_j ≥ τ  (all j),  ‖v‖_∞ ≤ 1,

with ``x̂_j = x_j/‖x_j‖`` and ``s_j = ±1`` for active/inactive (HiGHS). When some
inactive sample lies exactly on the boundary (``V_i x_j = 0`` happens with integer data)
the margin is asked of the active samples only.

A positive part that is neither injective nor constant (a bump ``t e^{-t}``) leaves more
than the pattern: the values ``F_ij`` up to a scale. :func:`fit_in_cone` then finds the
``v`` whose activations match them, starting from the cone's representative; the cone
stays as the outer bound on every consistent ``V_i``.

Complexity: one linear program with ``d + 1`` variables and ``n`` constraints per unit.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares, linprog

from ._errors import RecoveryFailed
from ._tolerances import current


@dataclass
class WeightCone:
    """The cone ``{v : G v ≥ 0, strictly on the active rows}`` of one unit.

    Attributes
    ----------
    constraints : ndarray, shape (n', d)
        Rows ``s_j x_j / ‖x_j‖`` (``s_j = +1`` active, ``−1`` inactive); zero samples
        are left out.
    active : ndarray of bool, shape (n',)
        Which rows must hold strictly.
    representative : ndarray, shape (d,)
        Max-margin point of the cone with ``‖v‖_∞ = 1``.
    margin : float
        Its smallest ``s_j v·x̂_j`` over the rows that carry the margin.
    pattern : ndarray of bool, shape (n,)
        The activation pattern on all samples, zero samples included: with ``X`` it
        defines the cone, and it is what :meth:`to_dict` stores.
    """

    constraints: np.ndarray
    active: np.ndarray
    representative: np.ndarray
    margin: float
    pattern: np.ndarray

    def to_dict(self) -> dict:
        """JSON-ready summary: the cone is ``{v : v·x_j > 0 exactly for j in
        active_samples}`` (with the same ``X``); plus its max-margin point."""
        return {"active_samples": np.flatnonzero(self.pattern).tolist(),
                "n": int(len(self.pattern)),
                "representative": self.representative.tolist(), "margin": self.margin}

    def contains(self, v, rtol: float = 0.0) -> bool:
        """True when ``v`` (d,) is in the cone: ``G v̂ ≥ −rtol`` and ``> rtol`` on the
        active rows, for ``v̂ = v/‖v‖``."""
        v = np.asarray(v, dtype=float)
        norm = np.linalg.norm(v)
        if norm == 0:
            return False
        values = self.constraints @ (v / norm)
        return bool(np.all(values[self.active] > rtol) and np.all(values >= -rtol))


def weight_cone(X: np.ndarray, active: np.ndarray) -> WeightCone:
    """The cone of ``V_i`` consistent with the activation pattern ``active`` (n,) on
    ``X`` (d×n), with its max-margin representative (module docstring).

    Raises :class:`RecoveryFailed` if the pattern is not realisable by any ``v`` (the
    cone has no interior point) — then the facets were wrong.
    """
    G, act = _pattern_constraints(X, active)
    v, margin = _max_margin(G, np.ones(len(act), dtype=bool))
    if margin <= 0:
        v, margin = _max_margin(G, act)
    if margin <= 0:
        raise RecoveryFailed(
            "no hidden weights realise a unit's activation pattern (the linear program "
            "has no strictly feasible point): the facets do not come from a network")
    return WeightCone(constraints=G, active=act, representative=v / np.abs(v).max(),
                      margin=float(margin), pattern=np.asarray(active, dtype=bool).copy())


#: Norms of the starting points of :func:`fit_in_cone` (a non-homogeneous ``f`` is not
#: scale-free: the fit needs a start of roughly the right norm as well as direction).
START_NORMS = (1.0, 0.3, 3.0, 10.0)


def fit_in_cone(X: np.ndarray, F: np.ndarray, cone: WeightCone,
                activation) -> tuple[np.ndarray, float, float]:
    """Point weights for a non-injective, non-constant ``f`` (a bump ``t e^{-t}``).

    ``F`` (n,) are a unit's activations up to a positive scale, zero off its pattern.
    ``g`` has no inverse, but the values still pin ``v`` down for generic data: solve
    ``min_v ‖g(v·X_a)/‖g(v·X_a)‖ − F_a/‖F_a‖‖`` over the active samples (Levenberg–
    Marquardt, scipy ``least_squares``) from the cone's max-margin direction at each
    norm of :data:`START_NORMS`. Returns ``(v, scale, residual)`` with
    ``F ≈ scale · g(v·X)`` and the relative residual. The fit is local: a residual at
    machine level proves that ``v`` reproduces ``F``, not that it is the only such ``v``.
    Complexity: O(n d²) per iteration.
    """
    Xa, Fa = X[:, cone.pattern], F[cone.pattern]
    target = Fa / np.linalg.norm(Fa)

    def residual(v):
        g = activation(v @ Xa)
        return g / max(float(np.linalg.norm(g)), np.finfo(float).tiny) - target

    direction = cone.representative / np.linalg.norm(cone.representative)
    best = (np.inf, direction)
    for norm in START_NORMS:
        # Stopping tolerances at float64 resolution and scipy's default evaluation
        # budget for "lm": the fit must reach machine level to prove anything.
        fit = least_squares(residual, norm * direction, method="lm", xtol=1e-15,
                            ftol=1e-15, gtol=1e-15, max_nfev=100 * (len(direction) + 1))
        best = min(best, (float(np.linalg.norm(fit.fun)), fit.x), key=lambda b: b[0])
        if best[0] <= current().cone_fit_rtol:
            break
    v = best[1]
    g = activation(v @ Xa)
    return v, float(Fa @ g / max(float(g @ g), np.finfo(float).tiny)), best[0]


def realisable(X: np.ndarray, active: np.ndarray) -> bool:
    """True when some ``v`` (d,) has ``v·x_j > 0`` exactly on the ``active`` (n,)
    samples of ``X`` (d×n) and ``v·x_j ≤ 0`` on the others: whether the pattern can be
    a hidden unit's. One linear program (HiGHS) with ``d + 1`` variables, ``n`` rows.

    Every rectified unit is inactive on a half-space, so a facet whose pattern fails
    this test is spurious; for a step activation it is the only test a facet gets.
    """
    G, act = _pattern_constraints(X, active)
    return _max_margin(G, act)[1] > 0


def _pattern_constraints(X: np.ndarray, active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``s_j x_j/‖x_j‖`` (``s_j = ±1`` for active/inactive) of the non-zero samples,
    and which of them are active."""
    norms = np.linalg.norm(X, axis=0)
    keep = norms > 0
    G = (X[:, keep] / norms[keep]).T * np.where(active[keep], 1.0, -1.0)[:, None]
    return G, np.asarray(active, dtype=bool)[keep]


def _max_margin(G: np.ndarray, strict: np.ndarray) -> tuple[np.ndarray, float]:
    """``max τ`` s.t. ``G_j v ≥ τ`` on ``strict`` rows, ``G_j v ≥ 0`` elsewhere,
    ``‖v‖_∞ ≤ 1``, ``τ ≤ 1``."""
    n, d = G.shape
    A = np.hstack([-G, strict[:, None].astype(float)])
    cost = np.zeros(d + 1)
    cost[-1] = -1.0
    res = linprog(cost, A_ub=A, b_ub=np.zeros(n), bounds=[(-1, 1)] * d + [(None, 1)],
                  method="highs")
    if res.status != 0:
        return np.zeros(d), 0.0
    return res.x[:d], float(res.x[-1])
