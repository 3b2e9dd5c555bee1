"""Steps 2–3 of the exact pipeline: the facets of the cone of reduced labels.

With ``Z = A F`` (k×n, see :mod:`recover._span`) and ``W = A^{-1}``, row ``w_i`` of ``W``
satisfies ``w_i · z_j = F_ij ≥ 0`` with equality exactly when unit ``i`` is inactive on
sample ``j``. So the hyperplane ``H_i = {z : w_i·z = 0}`` holds about half
of all samples and bounds the cone spanned by the ``z_j``: it is a *facet*.

The **exact step** (:func:`exact_facet`) turns any rough normal into the exact one: take
the samples within a tolerance of the hyperplane, and compute the one-dimensional left
null space of ``Z[:, J]`` (smallest singular vector). When ``J`` holds only inactive
samples whose other activations have rank ``k−1``, the null vector is ``w_i`` to machine
precision — no estimation error. A true facet certifies itself: ~n/2 samples lie on it to
machine precision, while a spurious hyperplane through ``k−1`` generic samples holds no
others. Every facet returned here has been checked that way.

Complexity: ``exact_facet`` is O(n k²) (one pass over ``Z`` plus an SVD of ``Z[:, J]``).

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._spread import spread_columns, spread_indices
from ._tolerances import current

# Tolerances (recover._tolerances): a sample is *on* a hyperplane when
# |w·z| ≤ on_facet_rtol ‖w‖ ‖z‖; gather_rtol gathers candidates before the exact
# null-space solve on svd_columns_per_unit·k columns; Z[:, J] has rank k−1 when
# σ_{k−1}/σ₁ > rank_gap_min.


@dataclass
class Facet:
    """A verified facet of the cone of the reduced labels.

    Attributes
    ----------
    w : ndarray, shape (k,)
        Unit normal, oriented so that ``w · z_j ≥ 0`` for every sample.
    support : ndarray of bool, shape (n,)
        Samples on the facet (the unit is inactive there).
    rank_gap : float
        ``σ_{k−1}/σ₁`` of ``Z[:, support]``: evidence of rank ``k−1``.
    flatness : float
        ``σ_k/σ₁`` of ``Z[:, support]``: ~1e-16 for an exact facet.
    """

    w: np.ndarray
    support: np.ndarray
    rank_gap: float
    flatness: float

    @property
    def count(self) -> int:
        """Number of samples on the facet."""
        return int(self.support.sum())

    def same_as(self, other: "Facet", tol: float | None = None) -> bool:
        """True if the two normals agree up to ``tol`` (they are unit vectors; default
        ``Tolerances.same_normal_rtol``)."""
        tol = current().same_normal_rtol if tol is None else tol
        return abs(float(self.w @ other.w)) > 1 - tol


def informative_columns(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Norms of the columns of ``Z`` and the mask of columns that are not zero.

    A zero column (every unit inactive) lies on every hyperplane and says nothing.
    """
    norms = np.linalg.norm(Z, axis=0)
    floor = current().informative_rtol * max(float(norms.max()), np.finfo(float).tiny)
    return norms, norms > floor


def exact_facet(w0: np.ndarray, Z: np.ndarray, znorm: np.ndarray, informative: np.ndarray,
                min_count: int) -> Facet | None:
    """The exact step: snap a rough normal ``w0`` onto the facet it points at.

    Parameters
    ----------
    w0 : ndarray, shape (k,)
        Rough normal (from a linear program, a moment estimate, …).
    Z : ndarray, shape (k, n)
        Reduced labels.
    znorm, informative : ndarray, shape (n,)
        From :func:`informative_columns`.
    min_count : int
        Reject the facet unless at least this many samples lie on it.

    Returns
    -------
    Facet or None
        ``None`` if ``w0`` does not lead to a verified facet (too few samples on it, rank
        of ``Z[:, J]`` not ``k−1``, or samples on both sides).
    """
    k, tol = Z.shape[0], current()
    w = np.asarray(w0, dtype=float)
    if not np.all(np.isfinite(w)) or not np.any(w):
        return None
    # A vertex of a facet program is already on its facet to rounding: the last step
    # alone verifies it (and makes the same checks); anything rougher is gathered.
    facet = _final_step(w, Z, znorm, informative, min_count)
    if facet is not None:
        return facet
    # Tolerances shrink geometrically from gather_rtol to on_facet_rtol, then stay: an
    # activation flat at 0 (t^3) puts barely active samples within the loose band, and
    # a gentle schedule lets them drop out one decade at a time.
    schedule = np.geomspace(tol.gather_rtol, tol.on_facet_rtol, 4)
    cols = spread_columns(Z.shape[1], GATHER_COLUMNS_PER_UNIT * k)
    if cols is not None:
        # The gathering steps on a spread subset, the last step and every check on all
        # samples; if the subset misses (a facet whose samples it holds too few of), the
        # whole schedule runs on all samples.
        rough = _gather(w, Z[:, cols], znorm[cols], informative[cols], schedule)
        facet = None if rough is None else _final_step(rough, Z, znorm, informative,
                                                       min_count)
        if facet is not None:
            return facet
    rough = _gather(w, Z, znorm, informative, schedule)
    return None if rough is None else _final_step(rough, Z, znorm, informative, min_count)


#: Samples per unit on which :func:`exact_facet` runs its gathering steps when there
#: are many more (:func:`recover._spread.spread_columns`).
GATHER_COLUMNS_PER_UNIT = 32


def _gather(w: np.ndarray, Z, znorm, informative, schedule) -> np.ndarray | None:
    """The gathering steps of :func:`exact_facet`: at each band of ``schedule``, the null
    vector of the samples within it. None if too few samples or a lost rank."""
    for band in schedule:
        step = _null_step(w, Z, znorm, informative, band)
        if step is None:
            return None
        w = step[1]
    return w


def _null_step(w: np.ndarray, Z, znorm, informative, band: float):
    """One step of the exact step: the singular values and the null vector of the
    samples within ``band`` of the hyperplane of ``w``; None if fewer than ``k − 1``
    samples lie there or their rank is lost."""
    k = Z.shape[0]
    w = w / np.linalg.norm(w)
    support = informative & (np.abs(w @ Z) <= band * znorm)
    if support.sum() < max(k - 1, 1):
        return None
    s, vt = _null_space_on(Z, support, k)
    return None if len(s) < k else (s, vt[-1])


def _final_step(w: np.ndarray, Z, znorm, informative, min_count: int) -> Facet | None:
    """The last step of :func:`exact_facet` on all samples: the null vector of the
    samples within ``on_facet_rtol``, then the checks (count, rank, sign)."""
    k, tol = Z.shape[0], current()
    step = _null_step(w, Z, znorm, informative, tol.on_facet_rtol)
    if step is None:
        return None
    s, w = step
    rank_gap, flatness = float(s[k - 2] / s[0]) if k > 1 else 1.0, float(s[k - 1] / s[0])
    values = w @ Z
    support = informative & (np.abs(values) <= tol.on_facet_rtol * znorm)
    off = informative & ~support
    if off.any() and np.median(values[off]) < 0:
        w, values = -w, -values
    # Count distinct points, not samples: a step activation repeats each z_j many
    # times, and a spurious hyperplane through k−1 points would hold all their copies.
    if support.sum() < min_count or rank_gap < tol.rank_gap_min or \
            not _has_distinct(Z, support, min_count):
        return None
    # Every sample must lie on the non-negative side: w is a facet of the cone, not a
    # hyperplane cutting through it.
    if off.any() and values[off].min() < -tol.on_facet_rtol * znorm[off].max():
        return None
    return Facet(w=w, support=support, rank_gap=rank_gap, flatness=flatness)


def trimmed_hyperplane(w0: np.ndarray, Z: np.ndarray, znorm: np.ndarray,
                       informative: np.ndarray, size: int, iterations: int | None = None,
                       start: np.ndarray | None = None, one_sided: bool = False
                       ) -> np.ndarray:
    """Least-squares hyperplane through the ``size`` samples nearest to it (trimmed).

    Starting from the normal ``w0`` (or from the samples ``start``), repeatedly keep the
    ``size`` informative samples with the smallest ``|w·z|/‖z‖`` and refit ``w`` as the
    smallest right singular vector of ``Z[:, J]ᵀ``, until the set stops changing. With
    noise, this is the robust counterpart of the exact step.

    ``one_sided`` ranks the samples by the signed ``w·z/‖z‖`` instead (``w`` keeps the
    orientation of ``w0``): a facet has every sample on its non-negative side, so the
    samples below the hyperplane are the first to bring onto it. It also stops as soon
    as ``2·size`` samples lie within ``gather_rtol`` of the hyperplane: it has settled on
    a populated one, and the exact step takes over (:func:`nearby_facet`).

    Complexity O(n k + size·k²) per iteration.
    """
    far = np.where(informative, 0.0, np.inf)
    J = None if start is None else np.asarray(start)
    w = np.asarray(w0, dtype=float)
    band = current().gather_rtol
    for _ in range(current().trimmed_fit_iterations if iterations is None else iterations):
        if J is not None:
            refit = thin_svd(Z[:, J].T)[1][-1]
            w = -refit if one_sided and refit @ w < 0 else refit
        signed = w @ Z / (np.linalg.norm(w) * np.maximum(znorm, np.finfo(float).tiny))
        if one_sided and np.count_nonzero(informative & (np.abs(signed) <= band)) >= 2 * size:
            break
        dist = (signed if one_sided else np.abs(signed)) + far  # 0/0-safe
        J_next = np.sort(np.argpartition(dist, size - 1)[:size])
        if J is not None and np.array_equal(J_next, np.sort(J)):
            break
        J = J_next
    return w / np.linalg.norm(w)


def nearby_facet(w0: np.ndarray, Z: np.ndarray, znorm: np.ndarray, informative: np.ndarray,
                 min_count: int, iterations: int | None = None) -> Facet | None:
    """A verified facet near the supporting hyperplane ``w0`` (``w0·z_j ≥ 0``) when the
    exact step rejects ``w0`` itself, or None.

    With few samples per unit the cone of ``Z`` has spurious facets, each through
    ``k−1`` samples, and a facet program often ends on one (:mod:`recover._cone`). The
    samples nearest such a hyperplane are mostly those of one true facet, which holds
    about half of all samples: the one-sided trimmed fit on the
    ``Tolerances.nearby_samples_per_unit·k`` nearest (:func:`trimmed_hyperplane`) is drawn
    to it, and the exact step (:func:`exact_facet`) verifies where it lands. Measured at
    (d,k,m) = (500,250,300), n = 20000: 16 of 25 spurious vertices led to 16 distinct
    true facets, and none to a wrong one — nothing can, since every facet returned has
    passed the exact step.

    Complexity O(iterations · (n k + k³)), then the exact step.
    """
    tol = current()
    size = min(tol.nearby_samples_per_unit * Z.shape[0], int(informative.sum()) - 1)
    iterations = tol.nearby_iterations if iterations is None else iterations
    if size < Z.shape[0] or iterations == 0:
        return None
    w = trimmed_hyperplane(w0, Z, znorm, informative, size, iterations, one_sided=True)
    return exact_facet(w, Z, znorm, informative, min_count)


def _null_space_on(Z: np.ndarray, support: np.ndarray, k: int):
    """Singular values and right vectors of ``Z[:, support]ᵀ``, from an evenly spread
    ``svd_columns_per_unit·k`` of the samples when they show rank ``k − 1``, else from all.

    The spread subset is enough for inputs in general position; when most units are
    off on most samples (inputs in one orthant, large negative biases) a spread subset
    can miss every sample where some unit is on, lose rank, and return a normal from a
    null space of dimension 2 or more — a wrong hyperplane on a true facet.
    """
    tol = current()
    columns = tol.svd_columns_per_unit * k
    # The null vector of exact points is exact whichever k−1 or more of them are used;
    # a few k of them keep the SVD O(k³) instead of O(n k²).
    s, vt = thin_svd(Z[:, spread_indices(support, columns)].T)
    spread_all = support.sum() <= columns
    if spread_all or k < 2 or len(s) < k or s[k - 2] > tol.rank_gap_min * s[0]:
        return s, vt
    return thin_svd(Z[:, support].T)


def _has_distinct(Z: np.ndarray, support: np.ndarray, need: int) -> bool:
    """True when the samples in ``support`` hold at least ``need`` distinct points.

    Counted on an evenly spread ``2·need`` of them first (enough for continuous data),
    then on 16 times more, then on all: a step activation's facet has at most
    ``2^(k−1)−1`` distinct points, some of them rare, and a small spread can miss them.
    """
    total = int(support.sum())
    for cap in (2 * need, 32 * need):
        if cap >= total:
            break
        if distinct_columns(Z[:, spread_indices(support, cap)]) >= need:
            return True
    return distinct_columns(Z[:, support]) >= need


def distinct_columns(M: np.ndarray) -> int:
    """Number of distinct columns of ``M`` (equal to 12 significant digits)."""
    if M.shape[1] <= 1:
        return M.shape[1]
    scale = max(float(np.abs(M).max()), np.finfo(float).tiny)
    rows = np.round(M.T / scale, 12) + 0.0  # + 0.0 turns −0.0 into 0.0: equal points
    if len(rows) <= DISTINCT_BY_HASH:
        # the bytes of each row in a set: 2.5–6 times faster than np.unique(axis=0),
        # most of all on the few tens of columns a facet's first count sees
        return len({row.tobytes() for row in rows})
    return len(np.unique(rows, axis=0))  # no set of that many Python objects


#: Up to this many columns :func:`distinct_columns` hashes rows in a Python set;
#: beyond, ``np.unique`` (a sort), which holds no Python object per column.
DISTINCT_BY_HASH = 8192


def thin_svd(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Singular values and right singular vectors of a tall ``M`` (N×k, N ≥ k) through
    ``M = QR`` first: the SVD of the k×k ``R`` is as accurate and several times cheaper
    than that of ``M``. Wide ``M`` goes to the SVD directly."""
    if M.shape[0] > 2 * M.shape[1]:
        M = np.linalg.qr(M, mode="r")
    _, s, vt = np.linalg.svd(M, full_matrices=False)
    return s, vt


def add_if_new(facets: list[Facet], facet: Facet | None,
               accept: Callable[[Facet], bool] | None = None) -> bool:
    """Append ``facet`` unless it is ``None``, already known, or fails ``accept`` (a
    caller's extra test, run last since it may be costly); return True if added."""
    if facet is None or any(facet.same_as(f) for f in facets):
        return False
    if accept is not None and not accept(facet):
        return False
    facets.append(facet)
    return True


def single_unit_facet(Z: np.ndarray, min_count: int) -> Facet | None:
    """The facet when ``k = 1``: ``Z`` is 1×n and the unit is inactive exactly where
    ``z_j = 0`` (the "hyperplane" is the origin of the line)."""
    znorm, informative = informative_columns(Z)
    w = np.array([1.0 if np.median(Z[0, informative]) > 0 else -1.0])
    if np.any(w[0] * Z[0, informative] < 0) or (~informative).sum() < min_count:
        return None
    return Facet(w=w, support=~informative, rank_gap=1.0, flatness=0.0)
