"""Finding facets by linear programming over the dual cone (relunet's default).

Every vertex of the polyhedron ``{w : w·z_j ≥ 0 ∀j, w·r = 1}`` is the normal of a facet
of the cone spanned by the reduced labels ``z_j``. If the cone were exactly the
simplicial cone of ``A``, its only facets would be the ``k`` true ones and
the linear program ``min (Σ_j z_j)·w`` would return the unit ``i`` that maximises
``F_ir / ‖F_i‖₁`` among those active at sample ``r``. With finitely many samples the cone
is slightly smaller and has a few extra facets near its extreme rays, but in practice the
optimum lands on a true facet; either way the exact step
(:func:`recover.facets.exact_facet`) verifies it by its sample count.

To reach every unit, the next ``r`` is the sample whose direction makes the largest angle
with every facet found so far: units already found are (nearly) inactive there, so the
optimum must come from a unit not yet found. When that fails (the program returns a
facet already known), ``r`` is drawn from the span of the missing units' columns of
``A`` (:func:`residual_span`), where every found normal vanishes: such a program cannot
return a known facet. A unit that another always dominates never
wins these programs; when the search stalls, it is found inside the facet of the unit
that dominates it (:func:`facets_through_edges`).

Each program is solved by constraint generation (:func:`dual_vertex`): a small program
on a few constraints, re-solved with the samples it violates until none is.

The method needs no moment estimates, hence few samples: it succeeds as soon as each unit
has ``k−1`` inactive samples in general position and ``d`` active ones. Each linear
program has ``k`` variables; ``k`` to ``1.5k`` programs are typical, each costing a few
small restricted programs and O(nk) to check all samples.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.optimize import linprog

from .facets import Facet, add_if_new, exact_facet, informative_columns
from .span import left_singular

#: Constraints of the first restricted program, per unit; more are added as violated.
INITIAL_PER_UNIT = 4
#: Searches inside the facets found allowed in one run, and facets searched in each
#: (those most often returned again first: they dominate the unit not yet found).
EDGE_SWEEPS = 2
EDGE_BASES = 4
#: Samples per unit in a subsample searched when the full search stalls.
SUBSAMPLE_PER_UNIT = 40
#: A facet must hold at least 1/SPARSE_FACTOR of the samples of the most populated one.
SPARSE_FACTOR = 16
#: After this many programs in a row that find no new facet, search inside the facets
#: found (:func:`facets_through_edges`) before trying more anchors.
STALL = 5
#: A sample violates ``w·z ≥ 0`` when ``w·z < −VIOLATION_RTOL ‖w‖ ‖z‖``.
VIOLATION_RTOL = 1e-9


def cone_facets(Z: np.ndarray, k: int, rng: np.random.Generator, min_count: int,
                max_programs: int | None = None,
                progress: Callable[[int, int], None] | None = None,
                subsample_rounds: int = 3,
                accept: Callable[[Facet], bool] | None = None,
                sparse_factor: float | None = SPARSE_FACTOR,
                keep_sparse: Callable[[Facet], bool] | None = None
                ) -> tuple[list[Facet], dict]:
    """Find up to ``k`` verified facets of the cone of the columns of ``Z`` (k×n).

    Parameters
    ----------
    Z : ndarray, shape (k, n)
        Reduced labels (:func:`recover.span.label_span`).
    k : int
        Number of facets wanted (hidden units).
    rng : numpy Generator
        Source of the random choices (first anchor, initial constraints, tie-breaks).
    min_count : int
        Samples a facet must hold to be accepted.
    max_programs : int, optional
        Budget of linear programs (default ``4k + 20``).
    progress : callable, optional
        Called as ``progress(found, k)`` after each program.
    subsample_rounds : int
        If units are still missing when the search stalls, repeat it this many times on
        a random subsample of ``SUBSAMPLE_PER_UNIT·k`` samples (another cone, another
        dominance order) and snap what it finds onto the full data.
    accept : callable, optional
        An extra test a verified facet must pass to be kept (e.g. that its pattern is a
        half-space of the inputs: :func:`recover.weight_cones.realisable`); facets that
        fail it are counted as ``unrealisable`` and the search goes on.
    sparse_factor : float or None
        Drop facets holding fewer than ``1/sparse_factor`` of the samples of the most
        populated one (None: keep them): spurious facets can hold many samples
        (repeated points of a step or of duplicated inputs, points near a face of lower
        dimension, near-coincident points of a saturating f).
    keep_sparse : callable, optional
        A test that keeps a facet the share rule would drop (e.g. that its activations
        are those of one unit): a unit off on 2 % of the samples beside one off on 93 %
        (inputs in one orthant) has a true facet the share alone would drop.

    Returns
    -------
    facets : list of Facet
    stats : dict with the numbers of programs solved, failed and duplicated, and of
        restricted programs solved in all (constraint generation rounds).
    """
    znorm, informative = informative_columns(Z)
    dirs = Z / np.where(informative, znorm, np.inf)
    objective = Z.sum(axis=1)
    budget = max_programs or 4 * k + 20
    facets: list[Facet] = []
    used = ~informative
    stats = {"programs": 0, "rounds": 0, "infeasible": 0, "rejected": 0, "duplicates": 0,
             "unrealisable": 0}
    stalled, dominant = 0, {}
    # A spurious supporting hyperplane can hold more than k−1 samples — many with
    # repeated points (a step activation has at most 2^k distinct z_j), a few when
    # points nearly coincide (saturating f). A facet must therefore also hold at least
    # 1/SPARSE_FACTOR of the samples of the most populated one.
    while len(facets) < k and stats["programs"] < budget and not used.all():
        stats["programs"] += 1
        found = len(facets)
        residual = bool(facets) and stalled > 0
        if residual:
            # The last program found nothing new: anchor in the span where every found
            # normal vanishes, so that only a missing facet can be returned.
            r = residual_anchor(Z, facets, k, rng)
            stats["residual_programs"] = stats.get("residual_programs", 0) + 1
        else:
            j = next_anchor(dirs, [f.w for f in facets], used, rng)
            used[j] = True
            r = Z[:, j]
        w = dual_vertex(Z, dirs, r, tilted_objective(Z, informative, facets, objective),
                        rng, stats)
        if w is None:
            stats["infeasible"] += 1
        else:
            facet = exact_facet(w, Z, znorm, informative, min_count)
            if facet is None:
                stats["rejected"] += 1
            else:
                same = [i for i, f in enumerate(facets) if facet.same_as(f)]
                if same:
                    stats["duplicates"] += 1
                    dominant[same[0]] = dominant.get(same[0], 0) + 1
                elif not add_if_new(facets, facet, accept):
                    stats["unrealisable"] += 1
        if residual and len(facets) > found:
            stats["residual_found"] = stats.get("residual_found", 0) + 1
        stalled = 0 if len(facets) > found else stalled + 1
        if stalled >= STALL and facets:
            # A unit that never wins is dominated by the units that keep winning: look
            # for it inside their facets first.
            order = sorted(range(len(facets)), key=lambda i: -dominant.get(i, 0))
            if stats.get("edge_sweeps", 0) < EDGE_SWEEPS:
                stats["edge_sweeps"] = stats.get("edge_sweeps", 0) + 1
                facets_through_edges(Z, k, facets, rng, min_count, stats,
                                     bases=[facets[i] for i in order[:EDGE_BASES]],
                                     accept=accept)
            dominant.clear()
            stalled = 0
        _prune_sparse(facets, stats, sparse_factor, keep_sparse)
        if progress:
            progress(len(facets), k)
    for _ in range(subsample_rounds if len(facets) < k else 0):
        _facets_from_subsample(Z, k, rng, min_count, facets, stats, accept, sparse_factor,
                               keep_sparse)
        if progress:
            progress(len(facets), k)
        if len(facets) == k:
            break
    return facets, stats


def random_columns(informative: np.ndarray, size: int,
                   rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of ``size`` random informative samples (all of them if fewer)."""
    pool = np.flatnonzero(informative)
    return np.sort(rng.choice(pool, size=min(len(pool), size), replace=False))


def residual_span(Z: np.ndarray, facets: list[Facet], k: int) -> np.ndarray:
    """Orthonormal basis (r×q, ``q = r − len(facets)``, ``r`` the rows of ``Z``) of the
    span of the columns ``a_l`` of the units not found yet (and, with biases, of the
    constant row's column, which no facet holds).

    With ``Z = A F`` and the found rows ``F_i ∝ w_i Z``, projecting the rows of ``Z`` off
    the row space of the found ``F_i`` leaves ``A_missing F_missing P⊥``, whose column
    space is ``span{a_l : l missing}``. Every found normal vanishes there
    (``w_i·a_l = 0`` for ``i ≠ l``). O(n k²).
    """
    F = np.array([f.w @ Z for f in facets])
    Q, _ = np.linalg.qr(F.T)
    R = Z - (Z @ Q) @ Q.T
    return left_singular(R)[0][:, : Z.shape[0] - len(facets)]


def residual_anchor(Z: np.ndarray, facets: list[Facet], k: int,
                    rng: np.random.Generator) -> np.ndarray:
    """A random direction ``r`` (k,) in :func:`residual_span`.

    ``w_i·r = 0`` for every found facet removes them from the polyhedron
    ``{w·z_j ≥ 0, w·r = 1}``: its vertices can only be facets not found yet. This reaches
    units that sample anchors reach late or never (a step at ``k = 6`` with no sample
    where the unit alone is active among the others; ``k = d = 30``, where it cuts the
    programs from ~100 to ~40).
    """
    basis = residual_span(Z, facets, k)
    return basis @ rng.standard_normal(basis.shape[1])


def _facets_from_subsample(Z, k, rng, min_count, facets: list[Facet], stats: dict,
                           accept: Callable[[Facet], bool] | None = None,
                           sparse_factor: float | None = SPARSE_FACTOR,
                           keep_sparse: Callable[[Facet], bool] | None = None) -> None:
    """Search the cone of a random subsample of the samples; snap each facet it finds
    onto all samples with the exact step, and keep the new ones (appends to facets)."""
    znorm, informative = informative_columns(Z)
    cols = random_columns(informative, SUBSAMPLE_PER_UNIT * k, rng)
    found, sub_stats = cone_facets(Z[:, cols], k, rng, min_count, max_programs=2 * k,
                                   subsample_rounds=0, sparse_factor=sparse_factor)
    stats["subsample_programs"] = stats.get("subsample_programs", 0) + sub_stats["programs"]
    for facet in found:
        if add_if_new(facets, exact_facet(facet.w, Z, znorm, informative, min_count),
                      accept):
            stats["subsample_found"] = stats.get("subsample_found", 0) + 1
    _prune_sparse(facets, stats, sparse_factor, keep_sparse)


def _prune_sparse(facets: list[Facet], stats: dict,
                  sparse_factor: float | None = SPARSE_FACTOR,
                  keep_sparse: Callable[[Facet], bool] | None = None) -> None:
    if not facets or sparse_factor is None:
        return
    most = max(f.count for f in facets)
    kept = [f for f in facets if sparse_factor * f.count >= most or
            (keep_sparse is not None and keep_sparse(f))]
    stats["pruned"] = stats.get("pruned", 0) + len(facets) - len(kept)
    facets[:] = kept


def tilted_objective(Z: np.ndarray, informative: np.ndarray, facets: list[Facet],
                     base: np.ndarray) -> np.ndarray:
    """``Σ_j α_j z_j`` with ``α_j = 1 +`` (number of found units active at ``j``).

    A true facet ``w_i`` scores ``Σ_j α_j F_ij / F_ir``; the weights raise the score of
    the units already found (their activity is what ``α`` counts) and leave the others
    at about the average, so the program prefers a new unit. This matters when ``f``
    saturates or is a step: then ``F_ir`` is nearly the same for every active unit and
    the plain sum ``α = 1`` always returns the unit with the fewest active samples.
    """
    if not facets:
        return base
    found_active = sum((~f.support & informative).astype(float) for f in facets)
    return Z @ (informative * (1.0 + found_active))


def next_anchor(dirs: np.ndarray, normals: list[np.ndarray], used: np.ndarray,
                rng: np.random.Generator) -> int:
    """The unused sample (unit column of ``dirs``) farthest in angle from every facet
    normal found so far; random among all when none is found yet."""
    jitter = 1e-9 * rng.random(dirs.shape[1])
    if not normals:
        score = jitter
    else:
        score = (np.array(normals) @ dirs).max(axis=0) + jitter
    score[used] = np.inf
    return int(np.argmin(score))


def dual_vertex(Z: np.ndarray, dirs: np.ndarray, r: np.ndarray, objective: np.ndarray,
                rng: np.random.Generator, stats: dict | None = None,
                orthogonal_to: np.ndarray | None = None) -> np.ndarray | None:
    """Solve ``min objective·w  s.t.  w·z_j ≥ 0 (all j), w·r = 1`` by constraint generation
    (and ``w·orthogonal_to = 0`` if given: a program inside a facet).

    The program is solved on ``INITIAL_PER_UNIT·k`` random constraints; the samples it
    violates most (up to ``2k``) are added and it is solved again, until no sample is
    violated — then its optimum is that of the full program. Each restricted program is
    small (HiGHS, no presolve), and the check against all ``n`` samples is one product
    ``w Z``: typically 2–3 rounds, ten times faster than one program with every sample.
    A box ``|w_i| ≤ 10⁸/‖r‖`` keeps the early rounds bounded; an optimum on the box is no
    facet and the exact step rejects it.
    """
    k, n = Z.shape
    candidates = np.flatnonzero(np.isfinite(dirs[0]) & np.any(dirs != 0, axis=0))
    active = set(rng.choice(candidates, size=min(len(candidates), INITIAL_PER_UNIT * k),
                            replace=False).tolist())
    bound = 1e8 / max(float(np.linalg.norm(r)), np.finfo(float).tiny)
    A_eq, b_eq = r[None, :], [1.0]
    if orthogonal_to is not None:
        A_eq, b_eq = np.vstack([r, orthogonal_to]), [1.0, 0.0]
    for _ in range(50):
        idx = np.fromiter(sorted(active), dtype=int)
        res = linprog(objective, A_ub=-Z[:, idx].T, b_ub=np.zeros(len(idx)),
                      A_eq=A_eq, b_eq=b_eq, bounds=[(-bound, bound)] * k,
                      method="highs", options={"presolve": False})
        if stats is not None:
            stats["rounds"] = stats.get("rounds", 0) + 1
        if res.status != 0:
            return None
        w = res.x
        slack = w @ dirs
        violated = np.flatnonzero(slack < -VIOLATION_RTOL * np.linalg.norm(w))
        if len(violated) == 0:
            return w
        active.update(violated[np.argsort(slack[violated])[: 2 * k]].tolist())
    return None


def facets_through_edges(Z: np.ndarray, k: int, facets: list[Facet],
                         rng: np.random.Generator, min_count: int, stats: dict,
                         programs_per_facet: int = 2,
                         bases: list[Facet] | None = None,
                         accept: Callable[[Facet], bool] | None = None) -> None:
    """Find missing facets inside the facets already found (appends to ``facets``).

    A unit whose facet never wins the uniform program (another unit always dominates it)
    still shows on the facet ``H_l`` of the unit ``l`` that dominates it: inside ``H_l``
    the samples ``J_l`` span a cone with facets ``H_l ∩ H_u``. A program over ``J_l`` with
    ``w ⊥ w_l`` finds such an edge; its samples ``J_l ∩ J_u`` leave a two-dimensional
    null space ``span(w_l, w_u)``, and ``w_u`` is the direction in it that puts the most
    other samples exactly on its hyperplane (:func:`_rotate_to_facet`).
    """
    znorm, informative = informative_columns(Z)
    # A facet met through an edge must be about as populated as those found directly:
    # with few distinct points (a step activation) a spurious supporting hyperplane can
    # hold many samples, but never half as many as a true facet.
    min_count = max(min_count, min(f.count for f in facets) // 2)
    for base in list(facets if bases is None else bases):
        if len(facets) >= k:
            return
        J = np.flatnonzero(base.support)
        ZJ = Z[:, J]
        dirs = ZJ / znorm[J]
        used = np.zeros(len(J), dtype=bool)
        for _ in range(programs_per_facet):
            if len(facets) >= k or used.all():
                break
            j = next_anchor(dirs, [f.w for f in facets], used, rng)
            used[j] = True
            stats["edge_programs"] = stats.get("edge_programs", 0) + 1
            w = dual_vertex(ZJ, dirs, ZJ[:, j], ZJ.sum(axis=1), rng, stats,
                            orthogonal_to=base.w)
            if w is None:
                continue
            facet = _rotate_to_facet(base.w, w, Z, znorm, informative, min_count)
            if add_if_new(facets, facet, accept):
                stats["edge_found"] = stats.get("edge_found", 0) + 1


def _rotate_to_facet(w_base, w_edge, Z, znorm, informative, min_count) -> Facet | None:
    """The facet normal in ``span(w_base, q)`` (q: the part of the edge's null space
    orthogonal to ``w_base``) whose hyperplane holds the most samples."""
    k = Z.shape[0]
    edge = informative & (np.abs(w_edge @ Z) <= 1e-7 * znorm) & \
        (np.abs(w_base @ Z) <= 1e-9 * znorm)
    if edge.sum() < k - 2 or k < 3:
        return None
    _, _, vt = np.linalg.svd(Z[:, edge].T, full_matrices=True)
    null = vt[-2:]
    q = null[0] - (null[0] @ w_base) * w_base
    if np.linalg.norm(q) < 1e-6:
        q = null[1] - (null[1] @ w_base) * w_base
    q /= np.linalg.norm(q)
    a, b = w_base @ Z, q @ Z
    # cos θ a_j + sin θ b_j = 0  ⇔  θ_j = atan2(−a_j, b_j) (mod π)
    # Samples on the base facet (a = 0) would all vote for θ = 0: leave them out.
    off = informative & (np.abs(a) > 1e-9 * znorm)
    theta = np.mod(np.arctan2(-a[off], b[off]), np.pi)
    theta.sort()
    if len(theta) == 0:
        return None
    # The most populated cluster of equal angles (to 1e-7) is the missing facet.
    breaks = np.flatnonzero(np.diff(theta) > 1e-7)
    starts, ends = np.r_[0, breaks + 1], np.r_[breaks + 1, len(theta)]
    best = int(np.argmax(ends - starts))
    angle = float(np.median(theta[starts[best]:ends[best]]))
    w = np.cos(angle) * w_base + np.sin(angle) * q
    return exact_facet(w, Z, znorm, informative, min_count)
