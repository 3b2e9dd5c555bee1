"""Exercises on the k = 2 reduction, for a course: a small random SET SPLITTING instance,
its reduced fitting data, and the solution with its proof.

:func:`draw_exercise` returns an :class:`Exercise`: the instance
(:func:`~hardness._set_splitting.random_instance`, clauses of sizes 2 and 3, drawn
freely so that yes and no both occur over seeds), the reduced points and labels
(:func:`~hardness._reduction.reduce_set_splitting`, exact integers) and, when asked, the
:class:`Solution`:

* yes — the lexicographically first splitting (brute force) and the network the forward
  map builds from it, with its hidden pre-activations at every point; the network is
  checked exactly (``Reduction.forward`` refuses one that does not fit);
* no — for every colouring (element 0 coloured 0; the swap covers the rest) a clause it
  leaves monochromatic, which proves the source instance has no splitting, and the
  Farkas certificate of :func:`~hardness._decide.decide_fit` that no two-ReLU network
  fits the reduced data, re-verified exactly before it is returned.

Everything is deterministic in the seed. Cost: the brute force is O(2^N Σ|c|); a
no-instance adds one ``decide_fit`` (exponential in the number of points: 0.1–4 s for
the default 4 elements and 4 clauses, up to about 15 s at the largest sizes allowed).
:mod:`hardness._exercise_render` formats an exercise as text or LaTeX.

Internal module of :mod:`hardness`: use the names the package exports (``hardness.__all__``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from recover import InvalidInputError, RelunetError, TwoLayerNetwork

from ._decide import FitCertificate, decide_fit
from ._rational import exact_matrix
from ._reduction import Reduction, reduce_set_splitting
from ._set_splitting import SetSplitting, random_instance

#: Most elements of an exercise: the solution of a no-instance decides a fit on
#: N + |C| + 3 points by branch and bound, exponential in that number (N = 5 with 6
#: clauses, 14 points: about 15 s on a busy 2-core machine).
MAX_ELEMENTS = 5
#: Most clauses of an exercise (same reason).
MAX_CLAUSES = 6
#: Fewest elements: a clause of size 2 needs two.
MIN_ELEMENTS = 2
#: The sizes :func:`draw_exercise` accepts: elements and clauses as (lowest, highest).
EXERCISE_SIZES = {"elements": (MIN_ELEMENTS, MAX_ELEMENTS), "clauses": (0, MAX_CLAUSES)}
#: Clause sizes drawn: size 1 can never be split (a trivial no), and sizes 2 and 3 are
#: the ones a student checks by eye.
CLAUSE_SIZES = (2, 3)


@dataclass(frozen=True)
class Solution:
    """The answer to an exercise, with its proof.

    Attributes
    ----------
    splitting : tuple of int or None
        A splitting (colour of each element), or None for a no-instance.
    witness : TwoLayerNetwork or None
        Yes: the exact network ``Reduction.forward(splitting)`` (m = 1, k = 2, d = N + 2).
    preactivations : ndarray of Fraction, shape (2, n), or None
        Yes: ``V X`` of the witness, one column per point.
    refutations : tuple of (colouring, clause) pairs
        No: each colouring with element 0 coloured 0 and a clause it leaves
        monochromatic (empty for a yes-instance).
    certificate : FitCertificate or None
        No: the Farkas certificate of ``decide_fit``, already re-verified exactly.
    """

    splitting: tuple | None
    witness: TwoLayerNetwork | None = None
    preactivations: np.ndarray | None = None
    refutations: tuple = ()
    certificate: FitCertificate | None = None

    @property
    def feasible(self) -> bool:
        """Whether the instance has a splitting (and the reduced data a fit)."""
        return self.splitting is not None


@dataclass(frozen=True)
class Exercise:
    """One exercise: ``seed``, ``instance`` (SetSplitting), ``reduction`` (its ``X``,
    ``(N+2) × n`` integers with coordinates ``(bias, x_0..x_{N-1}, w)``, labels ``y``
    and point ``names``) and ``solution`` (None unless asked for)."""

    seed: int
    instance: SetSplitting
    reduction: Reduction
    solution: Solution | None = None


def draw_exercise(seed: int, n_elements: int = 4, n_clauses: int = 4, *,
                  solve: bool = False) -> Exercise:
    """Draw the exercise of ``seed``: ``n_elements`` elements (2..MAX_ELEMENTS) and
    ``n_clauses`` distinct clauses (0..MAX_CLAUSES) of sizes 2 and 3.

    With ``solve`` the :class:`Solution` is computed and checked (see the module
    docstring). Raises :class:`InvalidInputError` for sizes out of range or more clauses
    than there are distinct ones, and :class:`RelunetError` if a proof fails its exact
    check (a bug, never a guessed answer).
    """
    seed = _check_int(seed, "seed", 0, 2**63 - 1)
    n_elements = _check_int(n_elements, "n_elements", MIN_ELEMENTS, MAX_ELEMENTS)
    n_clauses = _check_int(n_clauses, "n_clauses", 0, MAX_CLAUSES)
    available = sum(math.comb(n_elements, s) for s in CLAUSE_SIZES)
    if n_clauses > available:
        raise InvalidInputError(f"{n_elements} elements make {available} distinct "
                                f"clauses of sizes 2 and 3, fewer than the {n_clauses} "
                                f"asked for")
    instance = random_instance(n_elements, n_clauses, clause_sizes=CLAUSE_SIZES, seed=seed)
    reduction = reduce_set_splitting(instance)
    solution = solve_exercise(reduction) if solve else None
    return Exercise(seed, instance, reduction, solution)


def solve_exercise(reduction: Reduction) -> Solution:
    """The :class:`Solution` of a reduced instance (m = 1), checked exactly."""
    splitting = reduction.instance.solve()
    if splitting is not None:
        witness = reduction.forward(splitting)  # raises unless it fits exactly
        pre = exact_matrix(witness.V) @ exact_matrix(reduction.X)
        return Solution(splitting, witness=witness, preactivations=pre)
    decision = decide_fit(reduction.X, reduction.y)
    if decision.feasible or not decision.certificate.verify(reduction.X, reduction.y, k=2):
        raise RelunetError(f"{reduction.instance} has no splitting but its reduced data "
                           f"were not refuted by a verified certificate (a bug)")
    return Solution(None, refutations=monochromatic_clauses(reduction.instance),
                    certificate=decision.certificate)


def monochromatic_clauses(instance: SetSplitting) -> tuple:
    """For each colouring with element 0 coloured 0 that is not a splitting, the pair
    (colouring, first clause it leaves monochromatic), in lexicographic order.
    O(2^N Σ|c|)."""
    out = []
    for rest in itertools.product((0, 1), repeat=instance.n_elements - 1):
        colouring = (0,) + rest
        clause = next((c for c in instance.clauses
                       if len({colouring[i] for i in c}) == 1), None)
        if clause is not None:
            out.append((colouring, clause))
    return tuple(out)


def _check_int(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidInputError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise InvalidInputError(f"{name} must be in {low}..{high}, got {value}")
    return int(value)

