"""Recovery under mean-zero noise: a robust start, then maximum-likelihood refinement.

With ``Y = U* f(V* X) + E`` no sample lies exactly on a facet, so the exact step of
:mod:`recover._facets` has nothing to snap to. The same geometry still holds on average
(docs/algorithm.md): about half of the reduced labels ``z_j`` lie within noise of each facet
``H_i``. The robust start therefore

1. finds rough facet normals by the same linear programs as the exact method
   (:mod:`recover._cone`) — or from the paper's moment directions —
2. replaces the exact null-space step by a *trimmed* hyperplane fit
   (:func:`recover._facets.trimmed_hyperplane`): the normal of the samples nearest to the
   hyperplane, iterated; samples near a facet are never trusted individually;
3. fits ``V_i`` only on the samples confidently active (the top 40% of ``w_i·z_j``),
   and ``U`` by least squares.

Then :func:`recover._refine.refine` (Levenberg–Marquardt with the activation pattern
re-read at every step) converges to the least-squares estimate — the maximum-likelihood
estimate for Gaussian noise — reachable from that start. Error bars come from
:mod:`recover._uncertainty`.

Complexity: the start costs as the exact pipeline (``k``–``4k`` small LPs, O(nk²) per
trimmed fit); each refinement step O(n (kd)²).

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import numpy as np

from ._activations import Activation
from ._cone import dual_vertex, next_anchor, random_columns
from ._errors import RecoveryFailed
from ._facets import informative_columns, trimmed_hyperplane
from ._moments import hermite_directions
from ._span import LabelSpan, label_span
from ._tolerances import current

#: Fraction of samples kept by the trimmed hyperplane fit (each facet holds ~50%).
NEAR_FRACTION = 0.35
#: Fraction of samples, the most active, used to fit each ``V_i`` of the start.
ACTIVE_FRACTION = 0.4
#: Samples per unit in the linear programs of the start.
PROGRAM_SAMPLES_PER_UNIT = 40


#: Extra candidate normals (plus k/2) drawn for lifted labels, of which the k most
#: one-sided are kept (:func:`two_sidedness`).
LIFTED_SPARE = 3

# Tolerances (recover._tolerances): same_facet_cos, same_facet_share (two noisy normals
# are one facet), deflation_rounds, the program budget programs_per_unit·k +
# programs_extra.


def robust_start(X: np.ndarray, Y: np.ndarray, span: LabelSpan, act: Activation,
                 rng: np.random.Generator, method: str = "cone", bias: bool = False
                 ) -> tuple[np.ndarray, np.ndarray, dict]:
    """Starting ``U`` (m×k) and ``V`` (k×d) for refinement.

    Facet normals found in the reduced labels give some units; under strong noise
    the trimmed fits may collapse onto fewer than ``k`` distinct facets. The units
    still missing are then sought in the residual ``Y − U f(VX)`` of those found
    (deflation), whose span holds the missing units plus noise.

    With ``bias`` the problem is lifted (:mod:`recover._lift`): ``X`` is ``[X; 1ᵀ]``,
    ``span`` that of ``[Y; s 1ᵀ]`` (``k + 1`` dimensions, ``k`` facets sought), ``Y`` the
    labels themselves; the start is then ``[U | c]`` (m×(k+1)) and ``[V | b]``.
    """
    k = span.k - bias
    V_parts, stats = [], {"programs": 0, "from_moments": 0, "rounds": 0}
    R, residual_span = Y, span
    for _ in range(current().deflation_rounds):
        stats["rounds"] += 1
        W = robust_normals(X, residual_span, rng, method, stats,
                           units=k - sum(len(V) for V in V_parts))
        if len(W):
            V_parts.append(start_from_normals(W, X, R, residual_span, act)[1])
        found = sum(len(V) for V in V_parts)
        if found == k or not len(W):
            break
        # The residual holds the missing units (their hidden biases included) and no
        # constant: c is refitted with the units found.
        R = Y - _least_squares_fit(np.vstack(V_parts), X, Y, act, bias)[1]
        residual_span = label_span(R, k - found)
    V = np.vstack(V_parts) if V_parts else np.zeros((0, X.shape[0]))
    if len(V) < k:
        raise RecoveryFailed(f"found only {len(V)} of {k} distinct facets under noise; "
                             f"the data may not determine {k} units")
    U, _ = _least_squares_fit(V, X, Y, act, bias)
    return U, V, stats


def _least_squares_fit(V, X, Y, act: Activation, bias: bool = False):
    """``U`` minimising ``‖U f(VX) − Y‖`` (``[U | c]`` against ``[f(VX); 1ᵀ]`` with
    ``bias``) and the fitted labels."""
    H = act(V @ X)
    if bias:
        H = np.vstack([H, np.ones((1, H.shape[1]))])
    U = np.linalg.lstsq(H.T, Y.T, rcond=None)[0].T
    return U, U @ H


def robust_normals(X: np.ndarray, span: LabelSpan, rng: np.random.Generator,
                   method: str = "cone", stats: dict | None = None,
                   units: int | None = None) -> np.ndarray:
    """Up to ``k`` distinct facet normals (rows, unit norm, oriented so ``w·Z`` is
    mostly ≥ 0), ``k = units`` (default ``span.k``; one less for lifted labels, whose
    constant direction holds no facet).

    ``method="cone"`` uses linear programs, topped up from moment directions if they
    find fewer than ``k`` distinct facets; ``method="moments"`` uses moment directions
    only (the paper's way). Moment directions assume bias-free Gaussian inputs, so
    lifted labels get none.
    """
    Z, dim = span.Z, span.k
    k = dim if units is None else units
    if dim == 1:  # the cone is a half-line; its "facet" is the origin, w = ±1
        return np.array([[1.0 if np.sum(Z) >= 0 else -1.0]])
    znorm, informative = informative_columns(Z)
    size = max(k, int(NEAR_FRACTION * informative.sum()))
    normals: list[np.ndarray] = []
    stats = {"programs": 0, "from_moments": 0} if stats is None else stats
    if method == "cone":
        # Lifted labels (biases): the cone of finitely many samples has facets on the far
        # side of the hull of the points F_j; under noise nothing rejects them by count,
        # so extra candidates are drawn and the k most one-sided are kept.
        spare = 0 if k == dim else LIFTED_SPARE + k // 2
        _normals_from_programs(Z, k + spare, rng, znorm, informative, size, normals, stats)
        if spare:
            normals[:] = _most_one_sided(normals, Z, k, size)
    if len(normals) < k and k == dim:
        for v in hermite_directions(X, Z, k, rng):
            if len(normals) == k:
                break
            J = np.argsort(np.where(informative, v @ X, np.inf))[:size]
            w = trimmed_hyperplane(v, Z, znorm, informative, size, start=J)
            if _add_normal(normals, _oriented(w, Z)):
                stats["from_moments"] += 1
    return np.array(normals).reshape(len(normals), dim)


def _normals_from_programs(Z, k, rng, znorm, informative, size, normals, stats) -> None:
    # Programs on a subsample: with noise, the more samples constrain a vertex, the more
    # extreme the noisy points that fix it; 40 per unit keep it near a true facet, and
    # the trimmed fit then uses every sample.
    cols = random_columns(informative, PROGRAM_SAMPLES_PER_UNIT * k, rng)
    Zs = Z[:, cols]
    dirs = Zs / znorm[cols]
    objective = Zs.sum(axis=1)
    used = np.zeros(len(cols), dtype=bool)
    budget = stats["programs"] + current().programs_per_unit * k + current().programs_extra
    while len(normals) < k and stats["programs"] < budget and not used.all():
        j = next_anchor(dirs, normals, used, rng)
        used[j] = True
        stats["programs"] += 1
        w = dual_vertex(Zs, dirs, Zs[:, j], objective, rng)
        if w is not None and np.any(w):
            w = trimmed_hyperplane(w, Z, znorm, informative, size)
            _add_normal(normals, _oriented(w, Z))


def _most_one_sided(normals: list, Z: np.ndarray, k: int, size: int) -> list:
    """Up to ``k`` of the candidate normals, most one-sided first, skipping any whose
    ``size`` nearest samples are mostly those of one already kept (two noisy fits of
    one facet can differ by more than ``Tolerances.same_facet_cos``; distinct facets share
    only the samples where both units are off, about a quarter)."""
    kept, near_sets = [], []
    for w in sorted(normals, key=lambda w: two_sidedness(w, Z)):
        near = np.zeros(Z.shape[1], dtype=bool)
        near[np.argpartition(np.abs(w @ Z), size - 1)[:size]] = True
        if any(np.sum(near & other) > current().same_facet_share * size
               for other in near_sets):
            continue
        kept.append(w)
        near_sets.append(near)
        if len(kept) == k:
            break
    return kept


def two_sidedness(w: np.ndarray, Z: np.ndarray) -> float:
    """``Σ_j max(−w·z_j, 0) / Σ_j max(w·z_j, 0)``: noise level for a facet normal (the
    samples below it are only those pushed across by noise), large for a hyperplane
    that cuts the cloud of samples (a spurious vertex refitted by the trimmed fit)."""
    v = w @ Z
    return float(np.sum(np.maximum(-v, 0.0)) / max(np.sum(np.maximum(v, 0.0)),
                                                    np.finfo(float).tiny))


def _oriented(w: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """Sign so that the samples off the facet are on the positive side."""
    return w if np.sum(w @ Z) >= 0 else -w


def _add_normal(normals: list, w: np.ndarray) -> bool:
    if any(abs(float(w @ u)) > current().same_facet_cos for u in normals):
        return False
    normals.append(w)
    return True


def start_from_normals(W: np.ndarray, X: np.ndarray, Y: np.ndarray, span: LabelSpan,
                       act: Activation) -> tuple[np.ndarray, np.ndarray]:
    """Starting ``U`` (m×k), ``V`` (k×d) from facet normals ``W`` (k×k)."""
    if act.inverse is None:
        raise RecoveryFailed(f"activation {act.name!r} is not invertible: no noisy start")
    F = W @ span.Z
    V = np.empty((W.shape[0], X.shape[0]))
    for i, f in enumerate(F):
        active = f > np.quantile(f, 1 - ACTIVE_FRACTION)
        V[i] = np.linalg.lstsq(X[:, active].T, act.inverse(f[active]), rcond=None)[0]
    return _least_squares_fit(V, X, Y, act)[0], V
