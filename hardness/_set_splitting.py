"""SET SPLITTING (hypergraph 2-colouring), the NP-complete source problem of the
k = 2 hardness reduction (Bakshi, Jayaram, Woodruff, COLT 2019).

An instance is a ground set ``{0, …, N-1}`` and a list of clauses (non-empty subsets).
A *splitting* is a colouring ``s ∈ {0, 1}^N`` under which no clause is monochromatic,
i.e. every clause meets both colour classes. A clause of size 1 can never be split.

The instance is stored as a networkx bipartite incidence graph: element nodes
``("e", i)`` (``bipartite=0``) and clause nodes ``("c", j)`` (``bipartite=1``), with an
edge when element ``i`` lies in clause ``j``. Isomorphism of instances is isomorphism of
these graphs that keeps the two sides apart.

Size limits: at most :data:`MAX_ELEMENTS` elements, :data:`MAX_CLAUSES` clauses and
:data:`MAX_INCIDENCES` element-in-clause incidences in total, and instance files of at
most :data:`MAX_FILE_BYTES` bytes. The reduction builds an integer ``(N+2) × (N+|C|+3)``
matrix, which these limits keep below 100 MB (1002 × 11003 × 8 bytes ≈ 88 MB); deciding
the reduced instance is exponential in ``N`` anyway.

Internal module of :mod:`hardness`: use the names the package exports (``hardness.__all__``).
"""

from __future__ import annotations

import itertools
import json
import numbers
from typing import Iterator, Sequence

import networkx as nx
import numpy as np

from recover import InvalidInputError, load_bounded

#: Most elements ``N`` of an instance.
MAX_ELEMENTS = 1000
#: Most clauses of an instance.
MAX_CLAUSES = 10_000
#: Most incidences ``Σ|c|`` of an instance (its incidence graph has this many edges).
MAX_INCIDENCES = 100_000
#: Largest instance file :meth:`SetSplitting.load` reads.
MAX_FILE_BYTES = 2 ** 20
_LIMIT_REASON = ("the reduction builds an (N+2) x (N+|C|+3) integer matrix, kept below "
                 "~100 MB, and deciding it is exponential in N anyway")


class SetSplitting:
    """A SET SPLITTING instance.

    Parameters
    ----------
    n_elements : int
        Size ``N ≥ 1`` of the ground set ``{0, …, N-1}``.
    clauses : sequence of sequences of int
        Each clause is a non-empty set of element indices, given without repeats.
        Clauses are stored as sorted tuples, in the order given; a clause may not
        appear twice.

    Raises
    ------
    InvalidInputError
        Element out of range, empty clause, repeated element or clause, non-integers.
    """

    def __init__(self, n_elements: int, clauses: Sequence[Sequence[int]]):
        self.n_elements = _check_n_elements(n_elements)
        self.clauses = _check_clauses(clauses, self.n_elements)
        self.graph = self._incidence_graph()

    # --- structure -----------------------------------------------------------------
    def _incidence_graph(self) -> nx.Graph:
        graph = nx.Graph()
        graph.add_nodes_from((("e", i) for i in range(self.n_elements)), bipartite=0)
        graph.add_nodes_from((("c", j) for j in range(len(self.clauses))), bipartite=1)
        graph.add_edges_from((("e", i), ("c", j))
                             for j, clause in enumerate(self.clauses) for i in clause)
        return graph

    @property
    def max_clause_size(self) -> int:
        """``M = max |c|`` (0 when there are no clauses)."""
        return max((len(c) for c in self.clauses), default=0)

    def __eq__(self, other) -> bool:
        return (isinstance(other, SetSplitting) and self.n_elements == other.n_elements
                and sorted(self.clauses) == sorted(other.clauses))

    def __hash__(self) -> int:
        return hash((self.n_elements, tuple(sorted(self.clauses))))

    def __repr__(self) -> str:
        return f"SetSplitting(n_elements={self.n_elements}, clauses={list(self.clauses)})"

    def is_isomorphic(self, other: "SetSplitting") -> bool:
        """Isomorphism of the incidence graphs, elements mapped to elements."""
        return nx.is_isomorphic(self.graph, other.graph,
                                node_match=lambda a, b: a["bipartite"] == b["bipartite"])

    # --- splittings ------------------------------------------------------------------
    def check_colouring(self, colouring) -> tuple[int, ...]:
        """Validate a colouring (``N`` entries in {0, 1}) and return it as a tuple."""
        values = list(colouring)
        if len(values) != self.n_elements:
            raise InvalidInputError(
                f"a colouring needs {self.n_elements} colours, got {len(values)}")
        if any(isinstance(v, bool) or v not in (0, 1) for v in values):
            raise InvalidInputError(f"colours must be 0 or 1, got {values}")
        return tuple(int(v) for v in values)

    def is_splitting(self, colouring) -> bool:
        """True iff no clause is monochromatic under ``colouring``. O(Σ|c|)."""
        colours = self.check_colouring(colouring)
        return all(len({colours[i] for i in clause}) == 2 for clause in self.clauses)

    def solve(self) -> tuple[int, ...] | None:
        """A splitting found by brute force, or ``None``.

        Element 0 is coloured 0 (swapping the colours maps splittings to splittings), so
        at most ``2^(N-1)`` colourings are tried: O(2^N Σ|c|). Deterministic: the
        lexicographically first splitting with ``s_0 = 0``.
        """
        for rest in itertools.product((0, 1), repeat=self.n_elements - 1):
            colouring = (0,) + rest
            if self.is_splitting(colouring):
                return colouring
        return None

    def is_yes(self) -> bool:
        """Whether a splitting exists (brute force)."""
        return self.solve() is not None

    # --- files -----------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"n_elements": self.n_elements, "clauses": [list(c) for c in self.clauses]}

    @classmethod
    def from_dict(cls, data) -> "SetSplitting":
        """Build from ``{"n_elements": N, "clauses": [[...], ...]}`` with validation."""
        if not isinstance(data, dict):
            raise InvalidInputError("a SET SPLITTING instance must be a JSON object")
        unknown = sorted(set(data) - {"n_elements", "clauses"})
        if unknown:
            raise InvalidInputError(f"unknown keys in instance: {unknown}")
        for key in ("n_elements", "clauses"):
            if key not in data:
                raise InvalidInputError(f"instance is missing {key!r}")
        if not isinstance(data["clauses"], list):
            raise InvalidInputError("'clauses' must be a list of lists of element indices")
        return cls(data["n_elements"], data["clauses"])

    def save(self, path) -> None:
        """Write the instance as JSON."""
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(self.to_dict(), fh, indent=1)
            fh.write("\n")

    @classmethod
    def load(cls, path) -> "SetSplitting":
        """Read an instance written by :meth:`save`, with validation.

        Any problem (missing file, directory, unreadable, not UTF-8, not JSON, over
        :data:`MAX_FILE_BYTES`, nested over 32 deep, over the size limits) raises
        :class:`InvalidInputError`.
        """
        return cls.from_dict(load_bounded(path, "instance", MAX_FILE_BYTES))


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_n_elements(n_elements) -> int:
    if not _is_int(n_elements):
        raise InvalidInputError(f"n_elements must be an integer, got {n_elements!r}")
    if not 1 <= n_elements <= MAX_ELEMENTS:
        raise InvalidInputError(f"n_elements must be in 1..{MAX_ELEMENTS}, got {n_elements} "
                                f"({_LIMIT_REASON})")
    return int(n_elements)


def _check_clauses(clauses, n_elements: int) -> tuple[tuple[int, ...], ...]:
    if isinstance(clauses, (str, bytes)) or not isinstance(clauses, (Sequence, np.ndarray)):
        raise InvalidInputError("clauses must be a sequence of sequences of element indices")
    if len(clauses) > MAX_CLAUSES:
        raise InvalidInputError(f"{len(clauses)} clauses; at most {MAX_CLAUSES} accepted "
                                f"({_LIMIT_REASON})")
    out: list[tuple[int, ...]] = []
    seen: set[tuple[int, ...]] = set()
    incidences = 0
    for j, clause in enumerate(clauses):
        if isinstance(clause, (str, bytes)) or not isinstance(clause, (Sequence, np.ndarray)):
            raise InvalidInputError(f"clause {j} is not a sequence of element indices: "
                                    f"{_short(clause)}")
        incidences += len(clause)
        if incidences > MAX_INCIDENCES:
            raise InvalidInputError(f"the clauses hold more than {MAX_INCIDENCES} elements in "
                                    f"total ({_LIMIT_REASON})")
        items = list(clause)
        if not items:
            raise InvalidInputError(f"clause {j} is empty; every clause needs an element")
        for i in items:
            if not _is_int(i):
                raise InvalidInputError(f"clause {j} holds a non-integer element {_short(i)}")
            if not 0 <= i < n_elements:
                raise InvalidInputError(
                    f"clause {j} holds element {i}, out of range 0..{n_elements - 1}")
        if len(set(items)) != len(items):
            raise InvalidInputError(f"clause {j} repeats an element: {_short(items)}")
        normal = tuple(sorted(int(i) for i in items))
        if normal in seen:  # a set: 10^4 clauses would make a list search quadratic
            raise InvalidInputError(f"clause {_short(list(normal))} appears twice")
        seen.add(normal)
        out.append(normal)
    return tuple(out)


def _short(value, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters: error messages stay one short line."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


# --- generators ---------------------------------------------------------------------
def random_instance(n_elements: int, n_clauses: int, clause_sizes=(2, 3), seed=0,
                    splittable: bool | None = None) -> SetSplitting:
    """A random instance with distinct clauses of the given sizes.

    With ``splittable=True`` a colouring is planted first and only clauses it splits
    are drawn (so the instance is a yes-instance); ``False`` draws a no-instance by
    rejection (may fail for large ``N``); ``None`` draws freely. Deterministic in
    ``seed``. Raises :class:`InvalidInputError` if the requested clauses do not exist.
    """
    rng = np.random.default_rng(seed)
    sizes = [s for s in clause_sizes if 1 <= s <= n_elements]
    if not sizes:
        raise InvalidInputError(f"no clause size in {clause_sizes} fits {n_elements} elements")
    for _ in range(1000):
        planted = rng.integers(0, 2, n_elements) if splittable else None
        candidates = [c for s in sizes for c in itertools.combinations(range(n_elements), s)
                      if planted is None or len({planted[i] for i in c}) == 2]
        if len(candidates) < n_clauses:
            continue
        picks = rng.choice(len(candidates), size=n_clauses, replace=False)
        inst = SetSplitting(n_elements, [candidates[p] for p in sorted(picks)])
        if splittable is not False or not inst.is_yes():
            return inst
    raise InvalidInputError(
        f"could not draw a {'yes' if splittable else 'no'}-instance with N={n_elements}, "
        f"{n_clauses} clauses of sizes {clause_sizes}")


def enumerate_instances(max_elements: int, max_clauses: int, clause_sizes=(1, 2, 3),
                        min_clauses: int = 0) -> Iterator[SetSplitting]:
    """Every instance with ``1 ≤ N ≤ max_elements`` elements and
    ``min_clauses ≤ |C| ≤ max_clauses`` distinct clauses of the given sizes, one per
    isomorphism class of the incidence graph.

    Brute force: all clause sets are generated and bucketed by a Weisfeiler–Lehman hash
    of the incidence graph, then compared with :func:`networkx.is_isomorphic` inside a
    bucket. Cost grows like ``C(#possible clauses, max_clauses)``; fine for N ≤ 5.
    """
    _check_n_elements(max_elements)
    for n in range(1, max_elements + 1):
        universe = [c for s in clause_sizes if 1 <= s <= n
                    for c in itertools.combinations(range(n), s)]
        buckets: dict[str, list[SetSplitting]] = {}
        for count in range(min_clauses, max_clauses + 1):
            for clauses in itertools.combinations(universe, count):
                inst = SetSplitting(n, clauses)
                key = nx.weisfeiler_lehman_graph_hash(
                    _labelled(inst.graph), node_attr="side", iterations=3)
                bucket = buckets.setdefault(key, [])
                if not any(inst.is_isomorphic(other) for other in bucket):
                    bucket.append(inst)
                    yield inst


def _labelled(graph: nx.Graph) -> nx.Graph:
    labelled = graph.copy()
    nx.set_node_attributes(labelled, {v: str(d["bipartite"]) for v, d in graph.nodes(data=True)},
                           "side")
    return labelled
