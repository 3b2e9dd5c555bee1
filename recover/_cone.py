"""Finding facets by linear programming over the dual cone (relunet's default).

Every vertex of the polyhedron ``{w : w·z_j ≥ 0 ∀j, w·r = 1}`` is the normal of a facet
of the cone spanned by the reduced labels ``z_j``. If the cone were exactly the
simplicial cone of ``A``, its only facets would be the ``k`` true ones and
the linear program ``min (Σ_j z_j)·w`` would return the unit ``i`` that maximises
``F_ir / ‖F_i‖₁`` among those active at sample ``r``. With finitely many samples the cone
is smaller and has extra facets, each through ``k−1`` samples: normals of mixed signs in
the coordinates of ``A`` that no sample contradicts. Their number grows with ``k`` at a
fixed number of samples per unit, and an anchor ``r = A c`` with ``c`` of mixed signs
reaches them easily (see below). Either way the exact step
(:func:`recover._facets.exact_facet`) verifies each vertex by its sample count. A
rejected vertex is not wasted: the samples nearest its hyperplane are mostly those of one
true facet, and the one-sided trimmed fit from it (:func:`recover._facets.nearby_facet`)
usually lands there, where the exact step verifies it (:meth:`FacetSearch.snap`).

To reach every unit, once a facet is found the next ``r`` lies in the span of the
missing units' columns of ``A`` (:func:`residual_span`): since ``w_i·a_l = δ_il`` it is
the orthogonal complement of the normals found, where every found normal vanishes, so a
program cannot return a known facet (the first ``r`` is a random sample). Given the
inputs, ``r`` is a sample with the found units' part peeled off
(:mod:`recover._peeling`): nearly a non-negative combination of the missing columns,
which rarely ends on a spurious vertex; without them, a random direction of that span.
A unit that the others dominate may still not win; when the search stalls, it is found
inside the facet of the unit that dominates it (:meth:`FacetSearch.search_edges`).

Each program is solved by constraint generation (:func:`dual_vertex`): a small program
on a few constraints, re-solved with the samples it violates until none is.

The method needs no moment estimates, hence few samples: it succeeds as soon as each unit
has ``k−1`` inactive samples in general position and ``d`` active ones. Each linear
program has ``k`` variables; ``k`` to ``1.5k`` programs are typical, each costing a few
small restricted programs and O(nk) to check all samples.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import time
from itertools import repeat
from typing import Callable

import highspy
import numpy as np

from ._facets import (Facet, add_if_new, exact_facet, informative_columns, nearby_facet,
                      thin_svd)
from ._highs import add_dense_rows, silent_highs
from ._parallel import SEQUENTIAL, Workers
from ._peeling import Peeling
from ._spread import spread_columns
from ._tolerances import current

# Tolerances and budgets (recover._tolerances): initial_per_unit, lp_rounds, lp_box and
# violation_rtol (one program); programs_per_unit·k + programs_extra programs; stall,
# edge_sweeps, edge_bases, edge_programs_per_facet (search inside found facets);
# subsample_rounds, subsample_per_unit, subsample_programs_per_unit; sparse_factor.


def cone_facets(Z: np.ndarray, k: int, rng: np.random.Generator, min_count: int,
                max_programs: int | None = None,
                progress: Callable[[int, int], None] | None = None,
                subsample_rounds: int | None = None,
                accept: Callable[[Facet], bool] | None = None,
                keep_sparse: Callable[[Facet], bool] | None = None,
                workers: Workers = SEQUENTIAL,
                inputs: np.ndarray | None = None,
                highs: dict | None = None) -> tuple[list[Facet], dict]:
    """Find up to ``k`` verified facets of the cone of the columns of ``Z`` (k×n).

    Parameters
    ----------
    Z : ndarray, shape (k, n)
        Reduced labels (:func:`recover._span.label_span`).
    k : int
        Number of facets wanted (hidden units).
    rng : numpy Generator
        Source of the random choices (first anchor, initial constraints, tie-breaks).
    min_count : int
        Samples a facet must hold to be accepted.
    max_programs : int, optional
        Budget of linear programs (default ``programs_per_unit·k + programs_extra`` of
        :class:`recover._tolerances.Tolerances`, ``4k + 20``).
    progress : callable, optional
        Called as ``progress(found, k)`` after each program.
    subsample_rounds : int, optional
        If units are still missing when the search stalls, repeat it this many times
        (default ``Tolerances.subsample_rounds``) on a random subsample of
        ``subsample_per_unit·k`` samples (another cone, another dominance order) and
        snap what it finds onto the full data.
    accept : callable, optional
        An extra test a verified facet must pass to be kept (e.g. that its pattern is a
        half-space of the inputs: :func:`recover._weight_cones.realisable`); facets that
        fail it are counted as ``unrealisable`` and the search goes on.
    keep_sparse : callable, optional
        A test that keeps a facet the share rule (``Tolerances.sparse_factor``) would
        drop (e.g. that its activations are those of one unit): a unit off on 2 % of
        the samples beside one off on 93 % (inputs in one orthant) has a true facet the
        share alone would drop.
    workers : recover._parallel.Workers, optional
        Threads for the programs (default: none, one program at a time). With threads,
        while two or more units are missing the programs run in batches of
        :data:`PROGRAM_BATCH` (:meth:`FacetSearch.program_batch`): another sequence of
        anchors than without threads, the same for any number of threads.

    highs : dict, optional
        Filled with what HiGHS spent on the programs: ``lp_seconds`` and
        ``simplex_iterations`` (summed over threads). They are not in ``stats``, which
        a seed fixes: seconds vary from run to run, iterations between HiGHS releases.

    Returns
    -------
    facets : list of Facet
    stats : dict with the numbers of programs solved, failed and duplicated, and of
        restricted programs solved in all (constraint generation rounds).
    """
    search = FacetSearch(Z, k, rng, min_count, accept=accept, keep_sparse=keep_sparse,
                         progress=progress, workers=workers, inputs=inputs)
    facets, stats = search.run(max_programs, subsample_rounds)
    if highs is not None:
        highs.update(search.highs)
    return facets, stats


class FacetSearch:
    """The search of :func:`cone_facets`: its state and one method per strategy.

    * :meth:`program` — one linear program, anchored by :meth:`sample_anchor` (a random
      sample) before any facet is found, then by :meth:`residual_anchor` (where every
      found normal vanishes, so that only a missing facet can be returned: a peeled
      sample, :meth:`peeled_anchor`, when the inputs are given);
    * :meth:`program_batch` — with threads (``workers``), several residual-anchored
      programs and their exact steps at once, kept in the order they were drawn;
    * :meth:`confirm` — the exact step on the program's vertex, and what became of it;
    * :meth:`on_stall` — after ``Tolerances.stall`` programs without a new facet,
      programs inside the facets found (:meth:`search_edges`);
    * :meth:`search_subsample` — when the full search is spent, the search on a random
      subsample, its facets snapped onto all samples;
    * :meth:`prune` — the share rule: a spurious supporting hyperplane can hold more
      than ``k−1`` samples (repeated points of a step, near-coincident points of a
      saturating f), but not ``1/sparse_factor`` of the most populated facet's.

    ``facets`` grows as the search goes; ``stats`` counts what happened.
    """

    def __init__(self, Z: np.ndarray, k: int, rng: np.random.Generator, min_count: int, *,
                 accept: Callable[[Facet], bool] | None = None,
                 keep_sparse: Callable[[Facet], bool] | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 workers: Workers = SEQUENTIAL, inputs: np.ndarray | None = None):
        self.Z, self.k, self.rng, self.min_count = Z, k, rng, min_count
        self.inputs, self._peeling = inputs, None
        self.workers = workers
        self.accept, self.keep_sparse, self.progress = accept, keep_sparse, progress
        self.tol = current()
        self.znorm, self.informative = informative_columns(Z)
        self.dirs = Z / np.where(self.informative, self.znorm, np.inf)
        self.facets: list[Facet] = []
        self.used = ~self.informative
        self._peeled = ~self.informative  # samples that have anchored a peeled program
        self.stats = {"programs": 0, "rounds": 0, "infeasible": 0, "rejected": 0,
                      "duplicates": 0, "unrealisable": 0}
        self.stalled = 0
        self.dominant: dict[int, int] = {}  # facet index -> times a program returned it
        self.highs: dict = {}  # HIGHS_KEYS, moved out of stats when run() ends
        self._program_samples(spread_columns(Z.shape[1], PROGRAM_COLUMNS_PER_UNIT * k))

    def _program_samples(self, cols: np.ndarray | None) -> None:
        """The samples the facet programs see: the columns ``cols`` (None: all). The
        exact step always sees all of them, so a subset only changes which vertices the
        programs propose, never what is accepted."""
        self.cols = cols
        if cols is None:
            self.lp_Z, self.lp_dirs, self.lp_informative = self.Z, self.dirs, self.informative
        else:
            self.lp_Z, self.lp_dirs = self.Z[:, cols], self.dirs[:, cols]
            self.lp_informative = self.informative[cols]
        self.objective = self.lp_Z.sum(axis=1)

    def run(self, max_programs: int | None = None, subsample_rounds: int | None = None
            ) -> tuple[list[Facet], dict]:
        """Programs until ``k`` facets, the budget or the anchors run out; then the
        subsample rounds while facets are missing. Returns ``(facets, stats)``."""
        tol = self.tol
        per_phase = max_programs or tol.programs_per_unit * self.k + tol.programs_extra
        budget = per_phase
        while self.missing() and self.stats["programs"] < budget and not self.used.all():
            size = self._batch_size(budget)
            if size > 1:
                self.program_batch(size)
            else:
                self.program()
            if self.missing() and self.stats["programs"] == budget and self.cols is not None:
                # the programs saw a subset of the samples: a second budget on all
                _count(self.stats, "all_samples_phase")
                self._program_samples(None)
                budget += per_phase
        rounds = tol.subsample_rounds if subsample_rounds is None else subsample_rounds
        for _ in range(rounds if self.missing() else 0):
            self.search_subsample()
            self._report()
            if not self.missing():
                break
        # what HiGHS spent varies from run to run (seconds) and from one HiGHS release
        # to the next (iterations): kept apart from the search's own statistics, which
        # a seed fixes
        self.highs = {key: self.stats.pop(key, 0) for key in HIGHS_KEYS}
        return self.facets, self.stats

    def missing(self) -> bool:
        return len(self.facets) < self.k

    def program(self) -> None:
        """One program: anchor, solve, confirm; then the stall rule and the share rule."""
        self.stats["programs"] += 1
        found = len(self.facets)
        in_residual = bool(self.facets)
        r = self.residual_anchor() if in_residual else self.sample_anchor()
        objective = tilted_objective(self.lp_Z, self.lp_informative, self.facets,
                                     self.objective, self.cols)
        w = dual_vertex(self.lp_Z, self.lp_dirs, r, objective, self.rng, self.stats)
        if w is None and in_residual:
            # r = Σ c_l a_l over the missing units: infeasible when no c_l is positive,
            # and then every c_l of −r is non-negative.
            w = dual_vertex(self.lp_Z, self.lp_dirs, -r, objective, self.rng, self.stats)
        self.confirm(w)
        self._after_program(found, in_residual)

    def _batch_size(self, budget: int) -> int:
        """Programs of the next step: one without threads, before the first facet (a
        sample anchor) or with one unit missing (one facet left to find); else
        :data:`PROGRAM_BATCH`, within the budget and the number of missing units."""
        if not self.workers.parallel or not self.facets:
            return 1
        return min(PROGRAM_BATCH, self.k - len(self.facets),
                   budget - self.stats["programs"])

    def program_batch(self, size: int) -> None:
        """``size`` programs anchored in the residual span of the facets found so far,
        solved with their exact steps on the threads of ``workers``.

        Everything random is drawn here, in one fixed order, from the search's
        generator: the anchors, then one seed per program for its own generator (its
        initial constraints). The vertices are then kept one after the other in that
        order (:meth:`keep`), with the stall and share rules after each, as
        :meth:`program` does: the facets, their order and the statistics depend on the
        seed and :data:`PROGRAM_BATCH`, never on the number of threads. Vertices left
        once every facet is found are counted as ``batch_surplus`` and dropped.
        """
        _count(self.stats, "batches")
        anchors = [self.residual_anchor() for _ in range(size)]
        rngs = [np.random.default_rng(seed)
                for seed in self.rng.integers(0, 2**63, size=size)]
        objective = tilted_objective(self.lp_Z, self.lp_informative, self.facets,
                                     self.objective, self.cols)
        solved = self.workers.map(self._solve_and_snap, anchors, rngs, repeat(objective))
        for w, facet, stats in solved:
            if not self.missing():
                _count(self.stats, "batch_surplus")
                continue
            self.stats["programs"] += 1
            for key in ("rounds", "rejected", "rescued", *HIGHS_KEYS):
                _count(self.stats, key, stats.get(key, 0))
            found = len(self.facets)
            self.keep(w, facet)
            self._after_program(found, in_residual=True)

    def _solve_and_snap(self, r: np.ndarray, rng: np.random.Generator,
                        objective: np.ndarray):
        """One residual-anchored program and the exact step on its vertex, touching no
        shared state (a task of :meth:`program_batch`): ``(w, facet, stats)``."""
        stats: dict = {}
        w = dual_vertex(self.lp_Z, self.lp_dirs, r, objective, rng, stats)
        if w is None:  # as in program(): then every c_l of −r is non-negative
            w = dual_vertex(self.lp_Z, self.lp_dirs, -r, objective, rng, stats)
        facet = None if w is None else self.snap(w, stats)
        return w, facet, stats

    def _after_program(self, found: int, in_residual: bool) -> None:
        """After a program's vertex is kept or not: progress, the stall rule (searches
        inside found facets) and the share rule."""
        progressed = len(self.facets) > found
        if in_residual and progressed:
            _count(self.stats, "residual_found")
        self.stalled = 0 if progressed else self.stalled + 1
        if self.stalled >= self.tol.stall and self.facets:
            self.on_stall()
        self.prune()
        self._report()

    def sample_anchor(self) -> np.ndarray:
        """A random unused sample (the first program: no facet is found yet)."""
        j = next_anchor(self.dirs, [f.w for f in self.facets], self.used, self.rng)
        self.used[j] = True
        return self.Z[:, j]

    def residual_anchor(self) -> np.ndarray:
        """An anchor in the span where every found normal vanishes, so that only a
        missing facet can be returned: with ``inputs``, a random unused sample with the
        found units peeled off (:meth:`peeled_anchor`); otherwise, or when that leaves
        nothing, a random direction of the span (:func:`residual_anchor`)."""
        _count(self.stats, "residual_programs")
        r = self.peeled_anchor() if self.inputs is not None else None
        return residual_anchor(self.facets, self.Z.shape[0], self.rng) if r is None else r

    def peeled_anchor(self) -> np.ndarray | None:
        """A random unused informative sample less the estimated part of the found
        units, in the span of the missing ones (:class:`recover._peeling.Peeling`);
        None when every sample has anchored such a program (a mask of its own: the
        sample anchors' ``used`` ends the search) or the peeled sample vanishes (no
        missing unit active on it, to rounding)."""
        if self._peeling is None:
            self._peeling = Peeling(self.Z, self.inputs)
        unused = np.flatnonzero(~self._peeled)
        if len(unused) == 0:
            return None
        j = int(self.rng.choice(unused))
        self._peeled[j] = True
        basis = residual_span(self.facets, self.Z.shape[0])
        normals = np.array([f.w for f in self.facets])
        r = self._peeling.anchor(normals, basis, self.Z[:, j])
        if np.linalg.norm(r) <= self.tol.on_facet_rtol * self.znorm[j]:
            return None
        _count(self.stats, "peeled_anchors")
        return r

    def confirm(self, w: np.ndarray | None) -> None:
        """The exact step on a program's vertex ``w`` (None: the program failed); a new
        verified facet that passes ``accept`` is kept, a known one counts towards the
        dominance order that :meth:`on_stall` follows."""
        facet = None if w is None else self.snap(w, self.stats)
        self.keep(w, facet)

    def snap(self, w: np.ndarray, stats: dict) -> Facet | None:
        """The verified facet of a program's vertex ``w``: the exact step on ``w``, or,
        when it rejects ``w`` (counted as ``rejected``: a spurious vertex), on the
        populated hyperplane near it (:func:`recover._facets.nearby_facet`; counted as
        ``rescued`` when that is a verified facet). None if neither is."""
        facet = exact_facet(w, self.Z, self.znorm, self.informative, self.min_count)
        if facet is not None:
            return facet
        _count(stats, "rejected")
        facet = nearby_facet(w, self.Z, self.znorm, self.informative, self.min_count)
        if facet is not None:
            _count(stats, "rescued")
        return facet

    def keep(self, w: np.ndarray | None, facet: Facet | None) -> None:
        """What :meth:`confirm` makes of a vertex ``w`` and its verified facet ``facet``
        (:meth:`snap`)."""
        if w is None:
            self.stats["infeasible"] += 1
            return
        if facet is None:
            return
        same = [i for i, f in enumerate(self.facets) if facet.same_as(f)]
        if same:
            self.stats["duplicates"] += 1
            self.dominant[same[0]] = self.dominant.get(same[0], 0) + 1
        elif not add_if_new(self.facets, facet, self.accept):
            self.stats["unrealisable"] += 1

    def on_stall(self) -> None:
        """A unit that never wins is dominated by the units that keep winning: look for
        it inside their facets first (up to ``edge_sweeps`` times per search)."""
        order = sorted(range(len(self.facets)), key=lambda i: -self.dominant.get(i, 0))
        if self.stats.get("edge_sweeps", 0) < self.tol.edge_sweeps:
            _count(self.stats, "edge_sweeps")
            self.search_edges([self.facets[i] for i in order[:self.tol.edge_bases]])
        self.dominant.clear()
        self.stalled = 0

    def search_edges(self, bases: list[Facet]) -> None:
        """Find missing facets inside the facets ``bases`` already found.

        A unit whose facet never wins the uniform program (another unit always
        dominates it) still shows on the facet ``H_l`` of the unit ``l`` that dominates
        it: inside ``H_l`` the samples ``J_l`` span a cone with facets ``H_l ∩ H_u``. A
        program over ``J_l`` with ``w ⊥ w_l`` finds such an edge; its samples
        ``J_l ∩ J_u`` leave a two-dimensional null space ``span(w_l, w_u)``, and ``w_u``
        is the direction in it that puts the most other samples exactly on its
        hyperplane (:func:`_rotate_to_facet`).
        """
        # A facet met through an edge must be about as populated as those found
        # directly: with few distinct points (a step activation) a spurious supporting
        # hyperplane can hold many samples, but never half as many as a true facet.
        min_count = max(self.min_count, min(f.count for f in self.facets) // 2)
        for base in bases:
            if not self.missing():
                return
            self._programs_inside(base, min_count)

    def _programs_inside(self, base: Facet, min_count: int) -> None:
        """Up to ``edge_programs_per_facet`` programs over the samples of ``base``,
        with ``w ⊥ base.w``; each edge found is rotated to the facet beyond it."""
        J = np.flatnonzero(base.support)
        ZJ = self.Z[:, J]
        dirs = ZJ / self.znorm[J]
        used = np.zeros(len(J), dtype=bool)
        for _ in range(self.tol.edge_programs_per_facet):
            if not self.missing() or used.all():
                break
            j = next_anchor(dirs, [f.w for f in self.facets], used, self.rng)
            used[j] = True
            _count(self.stats, "edge_programs")
            w = dual_vertex(ZJ, dirs, ZJ[:, j], ZJ.sum(axis=1), self.rng, self.stats,
                            orthogonal_to=base.w)
            if w is None:
                continue
            facet = _rotate_to_facet(base.w, w, self.Z, self.znorm, self.informative,
                                     min_count)
            if add_if_new(self.facets, facet, self.accept):
                _count(self.stats, "edge_found")

    def search_subsample(self) -> None:
        """Search the cone of a random subsample of the samples; snap each facet it
        finds onto all samples with the exact step, and keep the new ones."""
        tol = self.tol
        cols = random_columns(self.informative, tol.subsample_per_unit * self.k, self.rng)
        inner = FacetSearch(self.Z[:, cols], self.k, self.rng, self.min_count,
                            inputs=None if self.inputs is None else self.inputs[:, cols])
        found, inner_stats = inner.run(tol.subsample_programs_per_unit * self.k,
                                       subsample_rounds=0)
        _count(self.stats, "subsample_programs", inner_stats["programs"])
        for key, value in inner.highs.items():
            _count(self.stats, key, value)
        for facet in found:
            snapped = exact_facet(facet.w, self.Z, self.znorm, self.informative,
                                  self.min_count)
            if add_if_new(self.facets, snapped, self.accept):
                _count(self.stats, "subsample_found")
        self.prune()

    def prune(self) -> None:
        """Drop facets holding fewer than ``1/sparse_factor`` of the samples of the
        most populated one, unless ``keep_sparse`` keeps them."""
        if not self.facets:
            return
        most = max(f.count for f in self.facets)
        kept = [f for f in self.facets if self.tol.sparse_factor * f.count >= most or
                (self.keep_sparse is not None and self.keep_sparse(f))]
        _count(self.stats, "pruned", len(self.facets) - len(kept))
        self.facets[:] = kept

    def _report(self) -> None:
        if self.progress:
            self.progress(len(self.facets), self.k)


def _count(stats: dict, key: str, by: int = 1) -> None:
    stats[key] = stats.get(key, 0) + by


#: What :meth:`_RestrictedProgram.solve` counts of HiGHS's own work (``cone_facets``'s
#: ``highs``): the floor of the search, which the benchmarks report beside its time.
HIGHS_KEYS = ("lp_seconds", "simplex_iterations")


#: Programs per batch of :meth:`FacetSearch.program_batch` (threads only). A constant,
#: not the number of threads, so that a seed gives one result for every ``n_jobs != 1``.
#: Each batch is anchored in the residual span known when it starts, so two of its
#: programs may return the same missing facet: a larger batch overlaps more programs
#: and wastes more of them. Counted (not timed) over seeds 0–5 at (d,k,m,n) =
#: (20,10,15,2000) and 0–2 at (50,20,30,5000): one at a time takes 73 and 61 programs;
#: batches of 2 take 69 and 68 programs in 41 and 37 steps of two threads; batches of 4
#: take 83 and 76 programs in 52 and 42 steps of two threads (37 and 25 of four). Two
#: suits the two cores relunet is measured on.
PROGRAM_BATCH = 2


#: Samples per unit the facet programs see when there are many more
#: (:func:`recover._spread.spread_columns`). The programs' vertices are then facets of
#: the cone of that subset, whose true facets are those of all samples: each
#: constraint-generation round checks ``w`` against the subset, not all ``n`` samples;
#: the exact step still checks every sample.
PROGRAM_COLUMNS_PER_UNIT = 1000


def random_columns(informative: np.ndarray, size: int,
                   rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of ``size`` random informative samples (all of them if fewer)."""
    pool = np.flatnonzero(informative)
    return np.sort(rng.choice(pool, size=min(len(pool), size), replace=False))


def residual_span(facets: list[Facet], dim: int) -> np.ndarray:
    """Orthonormal basis (dim×q, ``q = dim − len(facets)``) of the span of the columns
    ``a_l`` of ``A`` of the units not found yet (and, with biases, of the constant row's
    column, which no facet holds); ``dim`` is the number of rows of ``Z``.

    ``W A = I`` (``W`` the normals of all facets, and of the constant direction with
    biases) gives ``w_i·a_l = 0`` for every found ``i`` and missing ``l``: the missing
    columns span the orthogonal complement of the found normals, which has exactly their
    dimension. One QR of the found normals, O(dim³); no pass over the samples.
    """
    if not facets:
        return np.eye(dim)
    Q = np.linalg.qr(np.array([f.w for f in facets]).T, mode="complete")[0]
    return Q[:, len(facets):]


def residual_anchor(facets: list[Facet], dim: int, rng: np.random.Generator) -> np.ndarray:
    """A random direction ``r`` (dim,) in :func:`residual_span`.

    ``w_i·r = 0`` for every found facet removes them from the polyhedron
    ``{w·z_j ≥ 0, w·r = 1}``: its vertices can only be facets not found yet. With
    ``r = Σ c_l a_l`` (``l`` missing) and random ``c``, each missing unit with ``c_l > 0``
    can win the program, so units that sample anchors reach late or never (a step at
    ``k = 6`` with no sample where the unit alone is active among the others) are
    reached, and no program returns a known facet.
    """
    basis = residual_span(facets, dim)
    return basis @ rng.standard_normal(basis.shape[1])


def tilted_objective(Z: np.ndarray, informative: np.ndarray, facets: list[Facet],
                     base: np.ndarray, cols: np.ndarray | None = None) -> np.ndarray:
    """``Σ_j α_j z_j`` with ``α_j = 1 +`` (number of found units active at ``j``).

    A true facet ``w_i`` scores ``Σ_j α_j F_ij / F_ir``; the weights raise the score of
    the units already found (their activity is what ``α`` counts) and leave the others
    at about the average, so the program prefers a new unit. This matters when ``f``
    saturates or is a step: then ``F_ir`` is nearly the same for every active unit and
    the plain sum ``α = 1`` always returns the unit with the fewest active samples.
    ``Z`` and ``informative`` may be the columns ``cols`` of the samples that the
    facets' supports cover.
    """
    if not facets:
        return base
    supports = [f.support if cols is None else f.support[cols] for f in facets]
    found_active = sum((~s & informative).astype(float) for s in supports)
    return Z @ (informative * (1.0 + found_active))


def next_anchor(dirs: np.ndarray, normals: list[np.ndarray], used: np.ndarray,
                rng: np.random.Generator) -> int:
    """The unused sample (unit column of ``dirs``) farthest in angle from every facet
    normal found so far; random among all when none is found yet."""
    jitter = current().anchor_jitter * rng.random(dirs.shape[1])
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

    The program is solved on ``initial_per_unit·k`` random constraints; the samples it
    violates most (up to ``2k``) are added and it is solved again, until no sample is
    violated — then its optimum is that of the full program. Each restricted program is
    small (HiGHS, no presolve), and the check against all ``n`` samples is one product
    ``w Z``: typically 2–3 rounds, ten times faster than one program with every sample.
    One HiGHS model per program: a round adds its rows and the dual simplex restarts
    from the last basis (``scipy.optimize.linprog`` would rebuild and re-check the
    whole program each round, which cost more than solving it at ``k = 10``).
    A box ``|w_i| ≤ lp_box/‖r‖`` keeps the early rounds bounded; an optimum on the box is no
    facet and the exact step rejects it.
    """
    k, n = Z.shape
    tol = current()
    candidates = np.flatnonzero(np.isfinite(dirs[0]) & np.any(dirs != 0, axis=0))
    rows = rng.choice(candidates, size=min(len(candidates), tol.initial_per_unit * k),
                      replace=False)
    bound = tol.lp_box / max(float(np.linalg.norm(r)), np.finfo(float).tiny)
    equalities = [(r, 1.0)] + ([] if orthogonal_to is None else [(orthogonal_to, 0.0)])
    lp = _RestrictedProgram(objective, bound, equalities)
    for _ in range(tol.lp_rounds):
        lp.add_samples(Z[:, np.sort(rows)])
        w = lp.solve(stats)
        if w is None:
            return None
        slack = w @ dirs
        violated = np.flatnonzero(slack < -tol.violation_rtol * np.linalg.norm(w))
        if len(violated) == 0:
            return w
        if len(violated) > 2 * k:  # the 2k most violated (a partial sort: O(n))
            violated = violated[np.argpartition(slack[violated], 2 * k)[: 2 * k]]
        rows = violated
    return None


class _RestrictedProgram:
    """``min c·w`` over the box ``|w_i| ≤ bound`` with equality rows ``a·w = b`` and the
    rows ``w·z ≥ 0`` added batch by batch: one HiGHS model (through highspy) that
    keeps its basis between batches."""

    def __init__(self, cost: np.ndarray, bound: float, equalities: list):
        k = len(cost)
        self.k, self.highs = k, silent_highs()
        self.highs.addVars(k, np.full(k, -bound), np.full(k, bound))
        self.highs.changeColsCost(k, np.arange(k, dtype=np.int32),
                                  np.asarray(cost, dtype=float))
        for a, b in equalities:
            add_dense_rows(self.highs, np.asarray(a, dtype=float)[None, :], b, b)

    def add_samples(self, Zs: np.ndarray) -> None:
        """The rows ``w·z_j ≥ 0`` of the columns of ``Zs`` (k×s)."""
        add_dense_rows(self.highs, Zs.T, 0.0, highspy.kHighsInf)

    def solve(self, stats: dict | None = None) -> np.ndarray | None:
        """The optimal ``w``, or None if HiGHS finds none (infeasible, or stopped).

        Counts in ``stats``: ``rounds`` (restricted programs solved), and what HiGHS
        itself spent on them (:data:`HIGHS_KEYS`)."""
        started = time.perf_counter()
        self.highs.run()
        if stats is not None:
            _count(stats, "lp_seconds", time.perf_counter() - started)
            _count(stats, "rounds")
            _count(stats, "simplex_iterations",
                   self.highs.getInfoValue("simplex_iteration_count")[1])
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.array(self.highs.getSolution().col_value)


def _rotate_to_facet(w_base, w_edge, Z, znorm, informative, min_count) -> Facet | None:
    """The facet normal in ``span(w_base, q)`` (q: the part of the edge's null space
    orthogonal to ``w_base``) whose hyperplane holds the most samples."""
    k, tol = Z.shape[0], current()
    on_base = np.abs(w_base @ Z) <= tol.edge_base_rtol * znorm
    edge = informative & (np.abs(w_edge @ Z) <= tol.edge_rtol * znorm) & on_base
    if edge.sum() < k - 2 or k < 3:
        return None
    # All k right singular vectors, never the N×N left ones (N ≈ n/4 samples on an
    # edge: full_matrices=True built that matrix, 11.7 s of 23 s at (200,100,130,2e4)).
    M = Z[:, edge].T
    vt = thin_svd(M)[1] if len(M) >= k else np.linalg.svd(M, full_matrices=True)[2]
    null = vt[-2:]
    q = null[0] - (null[0] @ w_base) * w_base
    if np.linalg.norm(q) < tol.degenerate_direction:
        q = null[1] - (null[1] @ w_base) * w_base
    q /= np.linalg.norm(q)
    a, b = w_base @ Z, q @ Z
    # cos θ a_j + sin θ b_j = 0  ⇔  θ_j = atan2(−a_j, b_j) (mod π)
    # Samples on the base facet (a = 0) would all vote for θ = 0: leave them out.
    off = informative & ~on_base
    theta = np.mod(np.arctan2(-a[off], b[off]), np.pi)
    theta.sort()
    if len(theta) == 0:
        return None
    # The most populated cluster of equal angles (to edge_angle_rtol) is the missing facet.
    breaks = np.flatnonzero(np.diff(theta) > tol.edge_angle_rtol)
    starts, ends = np.r_[0, breaks + 1], np.r_[breaks + 1, len(theta)]
    best = int(np.argmax(ends - starts))
    angle = float(np.median(theta[starts[best]:ends[best]]))
    w = np.cos(angle) * w_base + np.sin(angle) * q
    return exact_facet(w, Z, znorm, informative, min_count)
