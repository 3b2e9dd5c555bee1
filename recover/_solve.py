"""Step 4 of the exact pipeline: from facets back to ``V`` and ``U``.

With the facet normals ``W`` (k×k), the hidden activations are ``F = W Z`` up to a
positive scale per unit. On the samples where unit ``i`` is active,
``f(V_i x_j) = F_ij``; for an invertible positive part this is the linear system
``V_i x_j = f^{-1}(F_ij)`` — for a homogeneous ``f`` the unknown scale of ``F_i`` only
rescales ``V_i``, which is a symmetry. Then ``Y = U f(V X)`` is linear in ``U``.

Both solves are least squares on exact (noiseless) equations, so their residuals measure
how exactly the data are explained; callers check them.
Complexity: O(n d²) per unit and O(n k²) for ``U``.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.optimize

from ._activations import Activation
from ._errors import RecoveryFailed
from ._parallel import SEQUENTIAL, Workers
from ._spread import spread_columns
from ._tolerances import current
from ._weight_cones import fit_in_cone, weight_cone


# Tolerances (recover._tolerances): weight_floor (saturated samples dropped),
# subsample_per_dim and subsample_rtol (the first, subsampled fit of a hidden unit),
# scale_xatol and scale_polish_steps (the scale of a non-homogeneous unit).
#: Grid of the implied largest preactivation used to bracket the scale of a unit.
SCALE_GRID = np.geomspace(1e-3, 1e3, 61)


@dataclass
class HiddenUnitFit:
    """``V_i`` fitted to one unit's activations, with the measured quality of the fit.

    ``scale`` is ``c`` with ``F_i = c f(V_i X)`` (1 for a homogeneous ``f``, whose scale
    is absorbed into ``V_i``); ``residual`` is relative and in activation units.
    """

    v: np.ndarray
    active: int
    residual: float
    sign_violation: float
    scale: float = 1.0


def hidden_unit(F_i: np.ndarray, on_facet: np.ndarray, X: np.ndarray,
                activation: Activation, facet_tolerance=0.0) -> HiddenUnitFit:
    """Solve ``f(V_i X) = F_i / c`` for ``V_i`` (d,) — and ``c > 0`` if ``f`` is not
    homogeneous — on the active samples.

    Parameters
    ----------
    F_i : ndarray, shape (n,)  — the unit's activations (≥ 0), up to a positive scale.
    on_facet : ndarray of bool, shape (n,)  — samples where the unit is inactive.
    X : ndarray, shape (d, n)
    facet_tolerance : float or ndarray, shape (n,)
        How far from 0 a sample's ``F_ij`` may be and still be on the facet (the facet
        step's acceptance band). A sample on the facet where the fitted unit is active
        counts as a sign violation only by how much ``c f(V_i x_j)`` exceeds twice this
        band: for an ``f`` flat at 0 (``t^3``) barely active samples are on the facet.

    For a homogeneous ``f`` of degree ``p`` the scale only rescales ``V_i`` (a symmetry)
    and ``c = 1`` is used. Otherwise ``c`` is the one value for which the points
    ``(x_j, f^{-1}(F_ij / c))`` lie on a hyperplane through the origin: see
    :func:`solve_scale`. Equations are weighted by ``f'`` at the solution so that the
    residual is measured in activation units (saturated samples carry no weight).

    Raises
    ------
    RecoveryFailed
        If the activation has no inverse, or the active samples do not determine ``V_i``
        (fewer than ``d`` of them, or not of full rank).
    """
    start = _start_unit(F_i, on_facet, X, activation)
    return _finish_unit(start, start.v @ X, X, activation, facet_tolerance)


@dataclass
class _UnitStart:
    """A unit's fit on a subsample of its active samples (:func:`_fit_on_subsample`),
    before it is confirmed on all of them by :func:`_finish_unit`."""

    F_i: np.ndarray
    active: np.ndarray
    v: np.ndarray
    scale: float
    rank: int


def _start_unit(F_i: np.ndarray, on_facet: np.ndarray, X: np.ndarray,
                activation: Activation) -> _UnitStart:
    """The first half of :func:`hidden_unit`: the checks and the subsample fit."""
    if activation.inverse is None:
        raise RecoveryFailed(
            f"activation {activation.name!r} is not invertible on (0, ∞): V is not "
            f"determined by the activations")
    active = ~on_facet & (F_i > 0)
    d = X.shape[0]
    if active.sum() < d:
        raise RecoveryFailed(
            f"a unit is active on only {int(active.sum())} samples; {d} are needed to "
            f"determine its weights")
    v, scale, rank = _fit_on_subsample(X, F_i[active], active, activation)
    return _UnitStart(F_i, active, v, scale, rank)


def _finish_unit(start: _UnitStart, pre: np.ndarray, X: np.ndarray, activation: Activation,
                 facet_tolerance=0.0) -> HiddenUnitFit:
    """The second half of :func:`hidden_unit`, given ``pre = v·X`` (n,) of the subsample
    fit: its residual on all active samples (a refit on all of them if it is not
    exact), the rank and the sign violation."""
    F_i, active, v, scale, rank = start.F_i, start.active, start.v, start.scale, start.rank
    d, Fa = X.shape[0], F_i[active]
    residual = _residual_at(pre[active], Fa, scale, activation)
    if residual > current().subsample_rtol:  # not exact on all of them: refit on all
        Xa = X[:, active]
        scale = 1.0 if activation.homogeneous else solve_scale(Xa, Fa, activation)
        v, residual, rank = _fit_at_scale(Xa, Fa, scale, activation)
        pre = v @ X
    if rank < d:
        raise RecoveryFailed(
            f"the {int(active.sum())} active samples of a unit span only {rank} of {d} "
            f"input dimensions (after dropping saturated ones)")
    off = ~active
    excess = (scale * activation(pre[off])
              - 2 * np.broadcast_to(facet_tolerance, F_i.shape)[off])
    violation = float(max(excess.max(initial=0.0), 0.0)
                      / max(float(Fa.max()), np.finfo(float).tiny))
    return HiddenUnitFit(v=v, active=int(active.sum()), residual=residual,
                         sign_violation=violation, scale=scale)


def hidden_weights(Z: np.ndarray, W: np.ndarray, supports: list[np.ndarray],
                   X: np.ndarray, activation: Activation, facet_tolerance=0.0,
                   workers: Workers = SEQUENTIAL):
    """``V`` (k×d) from the facets ``W`` (k×k, rows = normals) of the reduced labels
    ``Z`` (k×n): ``F = W Z`` are the activations up to a positive scale per unit.

    For an injective ``f`` flat at 0 (``t^p``, ``p > 1``) a barely active sample can sit
    on a facet within its tolerance and bend the normal by ~1e-10; so when the fitted
    ``V_i`` is positive on a sample of the facet, the normal is recomputed (null vector
    of ``Z`` on the facet samples where ``V_i x_j ≤ 0``) and the unit solved again.
    Returns ``(V, fits, extra)`` as :func:`weights_from_activations`.

    ``workers`` (:class:`recover._parallel.Workers`) runs the units' solves, which are
    independent, on its threads; results are taken in unit order, so they are those of
    the sequential loop, bit for bit.
    """
    F = np.maximum(W @ Z, 0.0)
    if not activation.injective:
        return weights_from_activations(F, supports, X, activation, facet_tolerance,
                                        workers)
    V, fits, extra, pre = _injective_weights(F, supports, X, activation, facet_tolerance,
                                             workers)
    redo = [i for i, support in enumerate(supports) if np.any(support & (pre[i] > 0))]
    refits = workers.map(lambda i: _refit_on_clean_facet(
        Z, W[i], supports[i], pre[i], X, activation, facet_tolerance), redo)
    for i, fit in zip(redo, refits):
        if fit is not None and fit.residual < fits[i].residual:
            V[i], fits[i] = fit.v, fit
            if "scales" in extra:
                extra["scales"][i] = fit.scale
    return V, fits, extra


def _refit_on_clean_facet(Z, w_i, support, pre_i, X, activation,
                          facet_tolerance) -> HiddenUnitFit | None:
    """A unit solved again from the normal of its facet samples where ``V_i x_j ≤ 0``
    (see :func:`hidden_weights`); None when no facet sample is left for the normal."""
    clean = support & (pre_i <= 0)
    if not clean.any():
        return None
    _, _, vt = np.linalg.svd(Z[:, clean].T, full_matrices=False)
    w = vt[-1] if vt[-1] @ w_i > 0 else -vt[-1]
    return hidden_unit(np.maximum(w @ Z, 0.0), clean, X, activation, facet_tolerance)


def weights_from_activations(F: np.ndarray, supports: list[np.ndarray], X: np.ndarray,
                             activation: Activation, facet_tolerance=0.0,
                             workers: Workers = SEQUENTIAL):
    """``V`` (k×d) from the facet activations ``F`` (k×n), one unit at a time.

    Injective ``f``: :func:`hidden_unit` per unit; returns ``(V, fits, {"identifiable":
    True, "scales": [...]})``. Step ``f`` (constant positive part): ``V_i`` is only known
    up to the cone of :func:`recover._weight_cones.weight_cone`; ``V`` holds the
    max-margin representatives and the extras are ``{"identifiable": False, "cones":
    [...]}``. Other non-injective ``f`` (a bump): ``V_i`` is fitted inside its cone
    (:func:`recover._weight_cones.fit_in_cone`); extras as for the step plus ``scales``.
    ``workers`` runs the units on its threads (results in unit order).
    """
    if activation.injective:
        return _injective_weights(F, supports, X, activation, facet_tolerance, workers)[:3]
    return _weights_in_cones(F, supports, X, activation, workers)


def _injective_weights(F, supports, X, activation, facet_tolerance, workers=SEQUENTIAL):
    """:func:`weights_from_activations` for an injective ``f``, and the preactivations
    ``V X`` (k×n): every unit is fitted on its subsample first, so that all of them are
    confirmed on all samples with one product ``V X`` (one pass over ``X`` instead of
    one per unit)."""
    units = range(len(supports))
    starts = workers.map(lambda i: _start_unit(F[i], supports[i], X, activation), units)
    pre = np.array([start.v for start in starts]) @ X
    fits = workers.map(lambda i: _finish_unit(starts[i], pre[i], X, activation,
                                              facet_tolerance), units)
    V = np.array([fit.v for fit in fits])
    for i in [i for i, fit in enumerate(fits) if fit.v is not starts[i].v]:
        pre[i] = V[i] @ X  # refitted on all its samples
    extra = {"identifiable": True}
    if not activation.homogeneous:
        extra["scales"] = [fit.scale for fit in fits]
    return V, fits, extra, pre


#: What a non-injective result means, for a constant ``g`` and for any other.
_CONE_NOTES = {
    True: "f is constant on t > 0: each V_i is determined only up to the cone of weights "
          "with the same activation pattern (diagnostics['cones']); V holds the "
          "max-margin representatives",
    False: "f = {name} is not injective on t > 0: each V_i was fitted inside the cone of "
           "weights with its activation pattern and reproduces the data, but its "
           "uniqueness is not proven; the cones (outer bounds on every consistent V_i) "
           "are in diagnostics['cones']",
}


def _weights_in_cones(F, supports, X, activation, workers=SEQUENTIAL):
    """A non-injective ``g``: each unit's pattern cone and, in it, the max-margin
    representative (constant ``g``) or the weights whose activations match ``F_i``
    (:func:`recover._weight_cones.fit_in_cone`)."""
    units = workers.map(lambda i: _unit_in_cone(F[i], supports[i], X, activation),
                        range(len(supports)))
    cones, fits = [cone for cone, _ in units], [fit for _, fit in units]
    extra = {"identifiable": False, "cones": cones,
             "note": _CONE_NOTES[activation.constant].format(name=activation.name)}
    if not activation.constant:
        extra["scales"] = [f.scale for f in fits]
    return np.array([fit.v for fit in fits]), fits, extra


def _unit_in_cone(F_i, support, X, activation):
    """One unit of :func:`_weights_in_cones`: ``(its pattern cone, its fit)``."""
    active = ~support & (F_i > 0)
    cone = weight_cone(X, active)
    fit = _step_fit if activation.constant else _bump_fit
    return cone, fit(X, F_i, active, cone, activation)


def _step_fit(X, F_i, active, cone, activation) -> HiddenUnitFit:
    """The representative; the residual is how far ``F_i`` is from constant."""
    level = float(np.median(F_i[active]))
    spread = float(np.linalg.norm(F_i[active] - level) / np.linalg.norm(F_i[active]))
    return HiddenUnitFit(v=cone.representative, active=int(active.sum()),
                         residual=spread, sign_violation=0.0, scale=level)


def _bump_fit(X, F_i, active, cone, activation) -> HiddenUnitFit:
    """The weights fitted in the cone, with their sign violation off the pattern."""
    v, scale, residual = fit_in_cone(X, F_i, cone, activation)
    g = activation(v @ X)
    top = max(float(g.max()), np.finfo(float).tiny)
    violation = float(g[~active].max(initial=0.0) / top)
    return HiddenUnitFit(v=v, active=int(active.sum()), residual=residual,
                         sign_violation=violation, scale=scale)


def _fit_on_subsample(X: np.ndarray, Fa: np.ndarray, active: np.ndarray,
                      activation: Activation):
    """Fit scale and ``V_i`` on ``subsample_per_dim·d`` evenly spread active samples
    (``Fa`` are the activations on the ``active`` (n,) samples of ``X``).

    Noiseless equations are exact on any subset of full rank, so the subsample's
    solution is the solution, and the caller confirms it on all samples with one
    product ``v X`` (:func:`_residual_at`): O(n d) and no copy of the active columns,
    instead of the O(n d²) of the full least squares (times ~100 with the scale
    search). Returns ``(v, scale, rank on the subsample)``.
    """
    idx = np.flatnonzero(active)
    size = min(len(idx), current().subsample_per_dim * X.shape[0])
    pick = np.linspace(0, len(idx) - 1, size)
    pick = pick.astype(int)
    Xs, Fs = X[:, idx[pick]], Fa[pick]
    scale = 1.0 if activation.homogeneous else solve_scale(Xs, Fs, activation)
    v, _, rank = _fit_at_scale(Xs, Fs, scale, activation)
    return v, scale, rank


def _residual_at(pre: np.ndarray, Fa, scale: float, activation: Activation) -> float:
    """The residual of :func:`_fit_at_scale` for the preactivations ``pre = v·x_j`` of
    the active samples. O(n)."""
    eq = _weighted_equations(Fa, scale, activation)
    if eq is None:
        return float("inf")
    y, h, weight, keep = eq
    r = (pre[keep] - h[keep]) * weight[keep]
    return float(np.linalg.norm(r) / max(np.linalg.norm(y), np.finfo(float).tiny))


def _weighted_equations(Fa: np.ndarray, scale: float, activation: Activation):
    """``V_i x_j = h_j = g^{-1}(F_ij / c)`` with weights ``g'(h_j)``: returns
    ``(y, h, weight, keep)``, ``keep`` dropping saturated samples, or None when some
    ``F_ij / c`` is outside the range of ``g`` or no sample carries weight."""
    y = Fa / scale
    if np.any(y >= activation.supremum):
        return None
    h = activation.inverse(y)
    weight = activation.derivative(h)
    keep = np.isfinite(h) & np.isfinite(weight) & (weight > 0)
    if not keep.any():
        return None
    keep &= weight >= current().weight_floor * weight[keep].max()
    return y, h, weight, keep


def _fit_at_scale(Xa: np.ndarray, Fa: np.ndarray, scale: float, activation: Activation):
    """Weighted least squares ``V_i x_j ≈ g^{-1}(F_ij / c)``.

    Returns ``(v, residual, rank)``; ``residual`` is ``‖g'(h) (Xᵀv − h)‖ / ‖F/c‖`` —
    to first order the relative error in activation units — and ``inf`` when some
    ``F_ij / c`` is outside the range of ``g``. O(n d²).
    """
    eq = _weighted_equations(Fa, scale, activation)
    if eq is None:
        return np.zeros(Xa.shape[0]), float("inf"), 0
    y, h, weight, keep = eq
    A = Xa[:, keep].T * weight[keep, None]
    b = h[keep] * weight[keep]
    # QR with column pivoting (gelsy): several times faster than the SVD-based default
    # on these tall systems, and rank-revealing all the same.
    v, _, rank, _ = scipy.linalg.lstsq(A, b, lapack_driver="gelsy", check_finite=False)
    residual = float(np.linalg.norm(A @ v - b) / max(np.linalg.norm(y), np.finfo(float).tiny))
    return v, residual, int(rank)


def solve_scale(Xa: np.ndarray, Fa: np.ndarray, activation: Activation) -> float:
    """The scale ``c > 0`` with ``F_ij = c g(V_i x_j)`` for a non-homogeneous ``g``.

    One-dimensional: only the true ``c`` makes ``g^{-1}(F_a / c)`` exactly linear in the
    active inputs ``Xa`` (d×n_a). The search is parametrised by the implied largest
    preactivation ``T`` (``c = max F / g(T)``, which respects ``F / c < sup g``): a grid
    over ``T ∈ [1e-3, 1e3]`` brackets the minimum of the fit residual, a bounded scalar
    minimisation (scipy, Brent) narrows it, and Gauss–Newton steps in ``log c`` on the
    zero-residual problem polish it to machine precision. O(n d² · 100).
    """
    top = float(Fa.max())
    levels = activation.positive_part(SCALE_GRID)
    ok = np.isfinite(levels) & (levels > 0) & (levels < activation.supremum)
    if not ok.any():
        raise RecoveryFailed(f"activation {activation.name!r}: no scale bracket found")
    log_c = np.log(top / levels[ok])
    cost = np.array([_fit_at_scale(Xa, Fa, np.exp(s), activation)[1] for s in log_c])
    best = int(np.argmin(cost))
    lo, hi = log_c[max(best - 1, 0)], log_c[min(best + 1, len(log_c) - 1)]
    lo, hi = min(lo, hi), max(lo, hi)
    found = scipy.optimize.minimize_scalar(
        lambda s: _fit_at_scale(Xa, Fa, np.exp(s), activation)[1], bounds=(lo, hi),
        method="bounded", options={"xatol": current().scale_xatol})
    s = float(found.x) if found.fun <= cost[best] else float(log_c[best])
    return float(np.exp(_polish_log_scale(Xa, Fa, s, activation)))


def _polish_log_scale(Xa, Fa, s: float, activation: Activation) -> float:
    """Gauss–Newton on ``log c`` for ``r(s) = Ω (I − Π) g^{-1}(F e^{-s})`` (Π: projection
    on the weighted column space of ``Xaᵀ``); accepts a step only if it lowers ``‖r‖``."""
    best = _fit_at_scale(Xa, Fa, np.exp(s), activation)[1]
    for _ in range(current().scale_polish_steps):
        y = Fa * np.exp(-s)
        h = activation.inverse(y)
        weight = activation.derivative(h)
        keep = np.isfinite(h) & (weight >= current().weight_floor * np.nanmax(weight))
        A = Xa[:, keep].T * weight[keep, None]
        q, _ = np.linalg.qr(A)
        project = lambda u: u - q @ (q.T @ u)  # noqa: E731
        r = project(h[keep] * weight[keep])
        dr = project(-y[keep])               # d(h w)/ds with w fixed: w · (−y / g'(h))
        if not np.any(dr):
            break
        s_new = s - float(r @ dr) / float(dr @ dr)
        cost = _fit_at_scale(Xa, Fa, np.exp(s_new), activation)[1]
        if not cost < best:
            break
        s, best = s_new, cost
    return s


def output_weights(Y: np.ndarray, H: np.ndarray) -> tuple[np.ndarray, "Residual"]:
    """Least-squares ``U`` (m×k) with ``Y ≈ U H``; returns ``U`` and its :class:`Residual`
    on all ``n`` samples.

    Solved on ``OUTPUT_COLUMNS_PER_UNIT·k`` evenly spread samples first: noiseless
    equations are exact on any subset where ``H`` has rank ``k``, so when that ``U``
    reproduces all samples to ``residual_rtol`` it is the least-squares ``U``; otherwise
    (labels not exact, a subset of lower rank) the least squares on all samples decide.
    Raises :class:`RecoveryFailed` if ``H`` (k×n) is rank deficient.
    """
    k, n = H.shape
    cols = spread_columns(n, OUTPUT_COLUMNS_PER_UNIT * k)
    if cols is not None:
        U_t, _, rank, _ = np.linalg.lstsq(H[:, cols].T, Y[:, cols].T, rcond=None)
        if rank == k:
            U = U_t.T
            residual = Residual.of(U @ H - Y, Y)
            if residual.relative <= current().residual_rtol:
                return U, residual
    return _output_weights_on_all(Y, H)


#: Samples per unit of the first, subsampled solve of ``U`` (:func:`output_weights`).
OUTPUT_COLUMNS_PER_UNIT = 4


@dataclass(frozen=True)
class Residual:
    """How well a fit reproduces the labels ``Y``, from its residual matrix ``E`` (formed
    once: at n = 10⁶ each product ``U H`` is a pass over the labels).

    * ``relative`` — ``‖E‖_F / ‖Y‖_F``;
    * ``largest`` — ``max|E| / max|Y|``, the acceptance's second measure, which the first
      averages away: one label among thousands off by 1e-9 of the largest moves
      ``relative`` by ~1e-11, under ``residual_rtol``, and ``largest`` by 1e-9.
    """

    relative: float
    largest: float

    @classmethod
    def of(cls, E: np.ndarray, Y: np.ndarray) -> "Residual":
        tiny = np.finfo(float).tiny
        return cls(float(np.linalg.norm(E) / max(np.linalg.norm(Y), tiny)),
                   largest_residual(E, Y))


def largest_residual(E: np.ndarray, Y: np.ndarray) -> float:
    """``max|E| / max|Y|`` for the residual ``E`` of labels ``Y`` (:class:`Residual`)."""
    peak = max(float(Y.max()), -float(Y.min()))
    return max(float(E.max()), -float(E.min())) / max(peak, np.finfo(float).tiny)


def _output_weights_on_all(Y: np.ndarray, H: np.ndarray) -> tuple[np.ndarray, Residual]:
    U_t, _, rank, _ = np.linalg.lstsq(H.T, Y.T, rcond=None)
    if rank < H.shape[0]:
        raise RecoveryFailed(
            f"hidden activations have rank {rank} < k = {H.shape[0]}: U is not determined")
    U = U_t.T
    return U, Residual.of(U @ H - Y, Y)
