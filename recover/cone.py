"""Finding facets by linear programming over the dual cone (relunet's default).

Every vertex of the polyhedron ``{w : w·z_j ≥ 0 ∀j, w·r = 1}`` is the normal of a facet
of the cone spanned by the reduced labels ``z_j``. If the cone were exactly the
simplicial cone of ``A`` (DESIGN §2.2), its only facets would be the ``k`` true ones and
the linear program ``min (Σ_j z_j)·w`` would return the unit ``i`` that maximises
``F_ir / ‖F_i‖₁`` among those active at sample ``r``. With finitely many samples the cone
is slightly smaller and has a few extra facets near its extreme rays, but in practice the
optimum lands on a true facet; either way the exact step
(:func:`recover.facets.exact_facet`) verifies it by its sample count.

To reach every unit, the next ``r`` is the sample whose direction makes the largest angle
with every facet found so far: units already found are (nearly) inactive there, so the
optimum must come from a unit not yet found.

The method needs no moment estimates, hence few samples: it succeeds as soon as each unit
has ``k−1`` inactive samples in general position and ``d`` active ones. Each linear
program has ``k`` variables and at most ``sample_size`` constraints (HiGHS, dual simplex);
``k`` to ``3k`` programs are typical.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.optimize import linprog

from .facets import Facet, add_if_new, exact_facet, informative_columns

#: Linear programs use at most this many samples times ``k`` (all if fewer).
SAMPLES_PER_UNIT = 40


def cone_facets(Z: np.ndarray, k: int, rng: np.random.Generator, min_count: int,
                max_programs: int | None = None, sample_size: int | None = None,
                progress: Callable[[int, int], None] | None = None
                ) -> tuple[list[Facet], dict]:
    """Find up to ``k`` verified facets of the cone of the columns of ``Z`` (k×n).

    Parameters
    ----------
    Z : ndarray, shape (k, n)
        Reduced labels (:func:`recover.span.label_span`).
    k : int
        Number of facets wanted (hidden units).
    rng : numpy Generator
        Source of the random choices (subsample, first ``r``, tie-breaks).
    min_count : int
        Samples a facet must hold to be accepted.
    max_programs : int, optional
        Budget of linear programs (default ``4k + 20``).
    sample_size : int, optional
        Columns used in each program (default ``SAMPLES_PER_UNIT · k``); the exact step
        always uses all of them.
    progress : callable, optional
        Called as ``progress(found, k)`` after each program.

    Returns
    -------
    facets : list of Facet
    stats : dict with the numbers of programs solved, failed and duplicated.
    """
    n = Z.shape[1]
    znorm, informative = informative_columns(Z)
    pool = np.flatnonzero(informative)
    size = min(len(pool), sample_size or SAMPLES_PER_UNIT * k)
    cols = np.sort(rng.choice(pool, size=size, replace=False))
    Zs = Z[:, cols]
    # Anchors come from every informative sample, not only the subsample: for a
    # saturating f (1 - e^{-t}) the few samples where all found units are exactly
    # inactive are the only anchors that lead to a new unit.
    dirs = np.where(informative, Z / np.maximum(znorm, np.finfo(float).tiny), 0.0)
    objective = Zs.sum(axis=1)
    budget = max_programs or 4 * k + 20
    facets: list[Facet] = []
    used = ~informative
    stats = {"programs": 0, "infeasible": 0, "rejected": 0, "duplicates": 0,
             "lp_samples": size}
    while len(facets) < k and stats["programs"] < budget and not used.all():
        j = _next_anchor(dirs, facets, used, rng)
        used[j] = True
        stats["programs"] += 1
        w = _vertex(Zs, Z[:, j], _tilted_objective(Z, informative, facets, objective))
        if w is None:
            stats["infeasible"] += 1
        else:
            facet = exact_facet(w, Z, znorm, informative, min_count)
            if facet is None:
                stats["rejected"] += 1
            elif not add_if_new(facets, facet):
                stats["duplicates"] += 1
        if progress:
            progress(len(facets), k)
    return facets, stats


def _tilted_objective(Z: np.ndarray, informative: np.ndarray, facets: list[Facet],
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


def _next_anchor(dirs: np.ndarray, facets: list[Facet], used: np.ndarray,
                 rng: np.random.Generator) -> int:
    """The unused sample farthest (in angle) from every facet found so far."""
    jitter = 1e-9 * rng.random(dirs.shape[1])
    if not facets:
        score = jitter
    else:
        W = np.array([f.w for f in facets])
        score = (W @ dirs).max(axis=0) + jitter
    score[used] = np.inf
    return int(np.argmin(score))


def _vertex(Zs: np.ndarray, r: np.ndarray, objective: np.ndarray) -> np.ndarray | None:
    """Solve ``min objective·w  s.t.  w·z_j ≥ 0 (all j), w·r = 1`` (HiGHS)."""
    k = Zs.shape[0]
    res = linprog(objective, A_ub=-Zs.T, b_ub=np.zeros(Zs.shape[1]),
                  A_eq=r[None, :], b_eq=[1.0], bounds=[(None, None)] * k,
                  method="highs")
    return res.x if res.status == 0 else None
