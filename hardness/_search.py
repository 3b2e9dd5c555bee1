"""Depth-first branch and bound over activation patterns, and the exact check of the
trees it leaves behind.

A *problem* (one sign case of :mod:`hardness._decide`, or one direction of
:mod:`hardness._pairs`) says which linear rows a pattern at a point adds, which patterns
must be explored at a point, which are refuted by a rule, and how to read an exact
solution off a feasible complete pattern. The search keeps one incremental LP
(:class:`~hardness._lp.IncrementalLP`) whose rows follow the path; a node whose LP is
infeasible becomes a leaf carrying exact Farkas multipliers (every completion of the
partial pattern satisfies the node's rows, so the whole subtree is empty). Only the
patterns some point of the search can still realise are ever visited: the activation
cells of the arrangement of the hyperplanes ``{v : v·x_j = 0}``, cut further by the
labels, are enumerated incrementally, a partial pattern being dropped as soon as its LP
is infeasible (in the spirit of the exact training algorithm of Arora, Basu, Mianjy &
Mukherjee, ICLR 2018).

Problem interface: ``n`` points, ``n_vars``, ``order`` (branching order),
``initial_symmetric``, ``root_rows()``, ``rows(j, p)``, ``patterns(j, symmetric)``,
``rule_leaf(j, p)`` (a :class:`Leaf` or None), ``symmetric_after(symmetric, p)``,
``solution(rows, z)`` (an exact answer for a feasible complete pattern, or None).

Internal module of :mod:`hardness`: use the names the package exports (``hardness.__all__``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from recover import RelunetError

from ._farkas import check_farkas, farkas_from_ray
from ._lp import IncrementalLP


class FitCertificateRejected(RelunetError):
    """A :class:`~hardness._decide.FitCertificate` (witness or Farkas refutation) failed its
    exact re-check against the data: it does not prove the answer it states. (Unrelated
    to :class:`verify.Certificate`; the old name ``hardness.FitCertificateRejected`` is a
    deprecated alias.)"""


@dataclass
class Leaf:
    """An infeasible node: exact Farkas multipliers keyed by row (``("label", j)``,
    ``("unit", j, q)``, ``("bound", j, q)``, ``("normal",)``); ``rule`` says whether
    they came from a label rule or an LP."""

    multipliers: dict
    rule: bool = False


@dataclass
class Branch:
    """A node that branches on the pattern of ``point``."""

    point: int
    children: dict = field(default_factory=dict)


class _Found(Exception):
    """Raised through the search when a complete pattern has an exact solution."""

    def __init__(self, solution):
        self.solution = solution


class Search:
    """Branch and bound for one problem; ``cover(share)`` is told each decided share of
    the pattern space (the root has 1, children split their parent's evenly)."""

    def __init__(self, problem, stats: dict, cover=None):
        self.problem, self.stats = problem, stats
        self.cover = cover or (lambda share: None)
        self.lp = IncrementalLP(problem.n_vars)
        self.lp.push(problem.root_rows())

    def run(self):
        """The refutation tree; raises :class:`_Found` with the solution if there is one."""
        return self._explore({}, self.problem.initial_symmetric, Fraction(1))

    def _explore(self, path: dict, symmetric: bool, share: Fraction):
        problem = self.problem
        self.stats["lps"] += 1
        status, z = self.lp.solve()
        complete = len(path) == problem.n
        if status == "infeasible" or complete:
            leaf = self._leaf(status, z, complete)
            if leaf is not None:
                self.cover(share)
                return leaf
        j = problem.order[len(path)]
        node = Branch(j)
        patterns = problem.patterns(j, symmetric)
        for p in patterns:
            rule = problem.rule_leaf(j, p)
            if rule is not None:
                node.children[p] = rule
                self.cover(share / len(patterns))
                continue
            self.lp.push(problem.rows(j, p))
            try:
                node.children[p] = self._explore({**path, j: p},
                                                 problem.symmetric_after(symmetric, p),
                                                 share / len(patterns))
            finally:
                self.lp.pop()
        return node

    def _leaf(self, status, z, complete: bool):
        """A leaf for the current LP, or None to branch on (a prune HiGHS suggests but
        that no exact certificate confirms is skipped)."""
        rows = list(self.lp.rows)
        if complete and status != "infeasible":
            solution = self.problem.solution(rows, z)
            if solution is not None:
                raise _Found(solution)
        cert = farkas_from_ray(rows, z if status == "infeasible" else None)
        if cert is not None:
            self.stats["farkas"] += 1
            return Leaf(cert)
        if complete:
            raise RelunetError(f"could not certify a complete pattern exactly (HiGHS said "
                               f"{status}); no answer is given")
        self.stats["uncertified_prunes_skipped"] += 1
        return None


def check_tree(node, problem, path: dict | None = None, symmetric: bool | None = None) -> None:
    """Raise :class:`FitCertificateRejected` unless ``node`` refutes ``problem``: every branch
    covers the patterns the problem requires at its point, and every leaf's multipliers
    are an exact Farkas certificate of the rows of its path (rebuilt from the data)."""
    path = {} if path is None else path
    symmetric = problem.initial_symmetric if symmetric is None else symmetric
    if isinstance(node, Leaf):
        rows = problem.root_rows() + [r for j, p in path.items() for r in problem.rows(j, p)]
        reason = check_farkas(rows, node.multipliers)
        if reason is not None:
            raise FitCertificateRejected(f"pattern {path}: {reason}")
        return
    if not isinstance(node, Branch):
        raise FitCertificateRejected(f"malformed certificate node {node!r}")
    j = node.point
    if not isinstance(j, (int, np.integer)) or isinstance(j, bool) or not 0 <= j < problem.n \
            or j in path:
        raise FitCertificateRejected(f"branch on invalid or repeated point {j!r}")
    missing = set(problem.patterns(j, symmetric)) - set(node.children)
    if missing:
        raise FitCertificateRejected(f"patterns {sorted(missing)} at point {j} are not covered")
    width = len(next(iter(problem.patterns(j, False))))
    for p, child in node.children.items():
        if not (isinstance(p, tuple) and len(p) == width and all(isinstance(a, bool) for a in p)):
            raise FitCertificateRejected(f"invalid pattern {p!r}")
        check_tree(child, problem, {**path, j: p}, problem.symmetric_after(symmetric, p))


def count_leaves(node, rule_only: bool = False) -> int:
    if isinstance(node, Leaf):
        return int(node.rule or not rule_only)
    return sum(count_leaves(c, rule_only) for c in node.children.values())
