"""Exact decision of "does some ``u f(V x)`` with k ≤ 2 ReLU units fit ``y`` exactly?".

Used to check the hardness reduction (Bakshi, Jayaram, Woodruff, COLT 2019) on small
instances, and independent of it: nothing here assumes the data come from a reduction
or that the output weights are positive.

Method (docs/hardness.md, "The decision procedure"):

1. **Sign cases.** ReLU is positively homogeneous, so ``u_i f(v_i·x) =
   sign(u_i) f(|u_i| v_i·x)``: WLOG ``u_i ∈ {+1, −1, 0}``, and up to swapping the units
   the cases for k = 2 are ``(+,+), (+,−), (+,0), (−,−), (−,0), (0,0)``.
2. **Closed patterns.** For a sign case and an activation pattern (unit on/off at each
   point) the fit is a linear system in ``V``: on ``⇒ v_i·x_j ≥ 0`` and contributes
   ``s_i v_i·x_j``; off ``⇒ v_i·x_j ≤ 0`` and contributes 0; ``Σ_on s_i v_i·x_j = y_j``.
   At ``v_i·x_j = 0`` both readings give the same output, so a fit exists iff one of
   these LPs is feasible.
3. **Branch and bound** over points: a partial pattern's LP is a relaxation of all its
   completions; HiGHS decides it, and an infeasible node becomes a leaf carrying an
   exact Farkas certificate. Label rules that hold for any data prune further
   (:func:`needed_patterns`, :func:`label_infeasible`), and the swap of two units of
   the same sign is broken by fixing the first asymmetric pattern to (on, off).

"Yes" comes with a rational network verified exactly; "no" with a
:class:`FitCertificate` whose every leaf is verified exactly and whose tree is checked to
cover every sign case and pattern. Worst-case cost: O(3^n) LPs for n points (each with
2d variables); in practice pruning keeps reduced instances and 12 points in dimension
6 well under a minute (benchmarks/bench_hardness.py).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from recover.errors import InvalidInputError, RelunetError
from recover.network import TwoLayerNetwork
from verify.progress import Stage, check_progress

from .farkas import Row, check_farkas, farkas_from_ray, make_row
from .lp import IncrementalLP
from .rational import exact_data, exact_point_near

Pattern = tuple  # tuple[bool, ...]: on/off of each unit with a non-zero sign


class CertificateError(RelunetError):
    """A certificate failed its exact re-check."""


# --- the rules (each proved in docs/hardness.md and brute-force tested) -----------------
def sign_cases(k: int) -> list[tuple[int, ...]]:
    """Output-weight signs up to permutation of the units: every ``u ∈ R^k`` is a
    positive rescaling of one of these, with units permuted."""
    return list(itertools.combinations_with_replacement((1, -1, 0), k))


def needed_patterns(signs: tuple[int, ...], label, symmetric_prefix: bool) -> list[Pattern]:
    """Patterns of the non-zero units at a point with ``label`` that must be explored.

    Dropped: (D) for ``label = 0``, patterns whose active units all have the same sign —
    their outputs are ``±Σ t_i`` with ``t_i ≥ 0`` summing to 0, so every ``t_i = 0`` and
    the all-off pattern covers them; (S) when the two units have equal sign and the
    path so far is symmetric, the pattern (off, on) — swapping units maps it to
    (on, off).
    """
    out = []
    for p in itertools.product((True, False), repeat=len(signs)):
        active = {s for s, on in zip(signs, p) if on}
        if label == 0 and len(active) == 1:
            continue
        if symmetric_prefix and _swappable(signs) and p == (False, True):
            continue
        out.append(p)
    return out


def label_infeasible(signs: tuple[int, ...], pattern: Pattern, label) -> bool:
    """A positive label needs an active positive unit, a negative one a negative unit."""
    active = {s for s, on in zip(signs, pattern) if on}
    return (label > 0 and 1 not in active) or (label < 0 and -1 not in active)


def label_certificate(signs, pattern, point: int, label) -> dict:
    """Farkas multipliers for a :func:`label_infeasible` point: ``w = −sign(y)`` on the
    label row and ``w·s_i ≥ 0`` on each active unit's ``−v_i·x ≤ 0`` row."""
    w = Fraction(-1 if label > 0 else 1)
    cert = {("label", point): w}
    for q, (s, on) in enumerate(zip(signs, pattern)):
        if on:
            cert[("unit", point, q)] = w * s
    return cert


def bound_coefficients(signs: tuple[int, ...], label) -> dict:
    """Valid inequalities ``c·t_q ≤ rhs`` (``t_q = v_q·x``) at a point, for any fit
    ``y = Σ s_q f(t_q)``, as ``{q: (c, rhs)}``.

    (a) all signs equal to σ: ``σy = Σ f(t_q) ≥ f(t_q) ≥ t_q``, i.e. ``t_q ≤ σy``.
    (b) mixed signs, ``y ≠ 0``: the unit ``q`` with ``s_q = sign(y)`` has
        ``|y| ≤ f(t_q)``, so ``f(t_q) > 0`` and ``t_q ≥ |y|``, i.e. ``−t_q ≤ −|y|``.
    """
    if not signs:
        return {}
    if len(set(signs)) == 1:
        return {q: (Fraction(1), signs[0] * label) for q in range(len(signs))}
    if label == 0:
        return {}
    q = signs.index(1 if label > 0 else -1)
    return {q: (Fraction(-1), -abs(label))}


def _swappable(signs) -> bool:
    return len(signs) == 2 and signs[0] == signs[1]


def _still_symmetric(symmetric_prefix: bool, pattern: Pattern) -> bool:
    return symmetric_prefix and len(set(pattern)) <= 1


# --- the linear programs ------------------------------------------------------------------
class _Data:
    """Exact and float copies of the data plus a cache of pattern rows."""

    def __init__(self, X: np.ndarray, y: np.ndarray):
        self.X, self.y = X, y                       # Fraction object arrays, d×n and (n,)
        self.d, self.n = X.shape
        self._cache: dict = {}

    def rows(self, signs, point: int, pattern: Pattern) -> list[Row]:
        """Rows of point ``j`` under ``pattern``; variables are ``(v_1, …, v_k')``
        for the k' units with non-zero sign, each a block of ``d``."""
        key = (signs, point, pattern)
        if key not in self._cache:
            self._cache[key] = self._build_rows(signs, point, pattern)
        return self._cache[key]

    def _build_rows(self, signs, j, pattern) -> list[Row]:
        x = list(self.X[:, j])
        zero = [Fraction(0)] * self.d
        rows, label = [], [Fraction(0)] * (self.d * len(signs))
        for q, (s, on) in enumerate(zip(signs, pattern)):
            block = [-v for v in x] if on else x
            rows.append(make_row(("unit", j, q), False,
                                 zero * q + block + zero * (len(signs) - q - 1), 0))
            if on:
                label[q * self.d:(q + 1) * self.d] = [s * v for v in x]
        rows.append(make_row(("label", j), True, label, self.y[j]))
        return rows

    def path_rows(self, signs, path: dict) -> list[Row]:
        """The LP of a partial pattern: the bound rows of every point plus the pattern
        rows of the points in ``path``."""
        return self.bound_rows(signs) + [row for j, p in path.items()
                                         for row in self.rows(signs, j, p)]

    def bound_rows(self, signs) -> list[Row]:
        """Rows that every fit with these signs satisfies, whatever its pattern
        (:func:`bound_coefficients`); cached."""
        key = (signs, "bounds")
        if key not in self._cache:
            rows = []
            for j in range(self.n):
                x = list(self.X[:, j])
                for q, (c, rhs) in bound_coefficients(signs, self.y[j]).items():
                    coeffs = [Fraction(0)] * (self.d * len(signs))
                    coeffs[q * self.d:(q + 1) * self.d] = [c * v for v in x]
                    rows.append(make_row(("bound", j, q), False, coeffs, rhs))
            self._cache[key] = rows
        return self._cache[key]


# --- certificates -------------------------------------------------------------------------
@dataclass
class Leaf:
    """An infeasible node: exact Farkas multipliers keyed by row (``("label", j)`` or
    ``("unit", j, q)``); ``rule`` says whether they came from a label rule or an LP."""

    multipliers: dict
    rule: bool = False


@dataclass
class Branch:
    """A node that branches on the pattern of ``point``."""

    point: int
    children: dict = field(default_factory=dict)


@dataclass
class FitCertificate:
    """Proof of a :func:`decide_fit` answer, re-checkable with :meth:`verify`.

    ``kind == "witness"``: ``witness`` is an exact network with ``witness(X) == y``.
    ``kind == "farkas"``: ``cases`` maps every sign case to a tree whose leaves each
    carry exact Farkas multipliers and which covers all patterns the rules require.
    """

    kind: str
    k: int
    witness: TwoLayerNetwork | None = None
    cases: dict = field(default_factory=dict)

    @property
    def n_leaves(self) -> int:
        return sum(_count_leaves(tree) for tree in self.cases.values())

    @property
    def n_rule_leaves(self) -> int:
        return sum(_count_leaves(tree, rule_only=True) for tree in self.cases.values())

    def verify(self, X, y, k: int | None = None, *, exact_floats: bool = False,
               raise_on_failure: bool = False) -> bool:
        """Re-check everything exactly against the data. Returns ``True`` only if the
        certificate proves its answer (for ``k`` hidden units, if given: the number of
        units is part of the claim); otherwise ``False`` (or raises
        :class:`CertificateError` with the reason when ``raise_on_failure``)."""
        try:
            if k is not None and k != self.k:
                raise CertificateError(f"the certificate is about k = {self.k}, not k = {k}")
            data = _Data(*validate_fit_data(X, y, exact_floats))
            if self.kind == "witness":
                _check_witness(self.witness, data)
            elif self.kind == "farkas":
                self._check_refutation(data)
            else:
                raise CertificateError(f"unknown certificate kind {self.kind!r}")
        except CertificateError:
            if raise_on_failure:
                raise
            return False
        return True

    def _check_refutation(self, data: _Data) -> None:
        for signs in sign_cases(self.k):
            if signs not in self.cases:
                raise CertificateError(f"sign case {signs} is not refuted")
            eff = tuple(s for s in signs if s)
            _check_tree(self.cases[signs], eff, data, {}, True)

    def summary(self) -> dict:
        out = {"kind": self.kind, "k": self.k}
        if self.kind == "farkas":
            out.update(cases=len(self.cases), leaves=self.n_leaves,
                       label_rule_leaves=self.n_rule_leaves,
                       lp_leaves=self.n_leaves - self.n_rule_leaves,
                       verified="every leaf exactly (Fraction arithmetic)")
        else:
            out.update(U=_exact_strings(self.witness.U), V=_exact_strings(self.witness.V))
        return out


def _exact_strings(M) -> list:
    return [[str(v) for v in row] for row in M]


def _count_leaves(node, rule_only: bool = False) -> int:
    if isinstance(node, Leaf):
        return int(node.rule or not rule_only)
    return sum(_count_leaves(c, rule_only) for c in node.children.values())


def _check_witness(net, data: _Data) -> None:
    if not isinstance(net, TwoLayerNetwork) or not net.exact:
        raise CertificateError("the witness is not an exact TwoLayerNetwork")
    if net.d != data.d or net.m != 1:
        raise CertificateError("the witness has the wrong shape")
    out = net(data.X)[0]
    if not all(a == b for a, b in zip(out, data.y)):
        raise CertificateError("the witness does not fit the labels exactly")


def _check_tree(node, signs, data: _Data, path: dict, symmetric: bool) -> None:
    if isinstance(node, Leaf):
        reason = check_farkas(data.path_rows(signs, path), node.multipliers)
        if reason is not None:
            raise CertificateError(f"sign case {signs}, pattern {path}: {reason}")
        return
    if not isinstance(node, Branch):
        raise CertificateError(f"malformed certificate node {node!r}")
    j = node.point
    if not isinstance(j, (int, np.integer)) or not 0 <= j < data.n or j in path:
        raise CertificateError(f"branch on invalid or repeated point {j!r}")
    missing = set(needed_patterns(signs, data.y[j], symmetric)) - set(node.children)
    if missing:
        raise CertificateError(f"sign case {signs}: patterns {sorted(missing)} at point "
                               f"{j} are not covered")
    for p, child in node.children.items():
        if not (isinstance(p, tuple) and len(p) == len(signs)
                and all(isinstance(a, bool) for a in p)):
            raise CertificateError(f"invalid pattern {p!r}")
        _check_tree(child, signs, data, {**path, j: p}, _still_symmetric(symmetric, p))


# --- the search -----------------------------------------------------------------------------
class _Found(Exception):
    def __init__(self, network):
        self.network = network


class _CaseSearch:
    """Depth-first branch and bound for one sign case, on one incremental LP
    (:class:`~hardness.lp.IncrementalLP`) whose rows follow the path."""

    def __init__(self, data: _Data, signs: tuple[int, ...], stats: dict, cover=None):
        self.data, self.full_signs, self.stats = data, signs, stats
        self.cover = cover or (lambda share: None)  # told each decided share of the case
        self.signs = tuple(s for s in signs if s)
        self.n_vars = data.d * len(self.signs)
        self.order = sorted(range(data.n), key=self._branching)
        self.lp = IncrementalLP(self.n_vars)
        self.lp.push(data.bound_rows(self.signs))

    def _branching(self, j: int) -> int:
        y = self.data.y[j]
        return sum(not label_infeasible(self.signs, p, y)
                   for p in needed_patterns(self.signs, y, False))

    def run(self):
        return self._explore({}, True, Fraction(1))

    def _explore(self, path: dict, symmetric: bool, share: Fraction):
        """The subtree of ``path`` (whose rows are on the LP); ``share`` is its part of
        the case's pattern space (the root has 1, children split their parent's
        evenly), reported to ``cover`` as each leaf is decided, so the shares of a
        finished case sum to 1."""
        self.stats["lps"] += 1
        status, z = self.lp.solve()
        if status == "infeasible" or len(path) == self.data.n:
            leaf = self._leaf(status, z, complete=len(path) == self.data.n)
            if leaf is not None:
                self.cover(share)
                return leaf
        j = self.order[len(path)]
        y = self.data.y[j]
        node = Branch(j)
        patterns = needed_patterns(self.signs, y, symmetric)
        for p in patterns:
            if label_infeasible(self.signs, p, y):
                node.children[p] = Leaf(label_certificate(self.signs, p, j, y), rule=True)
                self.cover(share / len(patterns))
                continue
            self.lp.push(self.data.rows(self.signs, j, p))
            try:
                node.children[p] = self._explore({**path, j: p},
                                                 _still_symmetric(symmetric, p),
                                                 share / len(patterns))
            finally:
                self.lp.pop()
        return node

    def _leaf(self, status, z, complete: bool):
        """A leaf for the current LP, or None to branch on (a prune HiGHS suggests but
        that no exact certificate confirms is skipped)."""
        rows = list(self.lp.rows)
        if complete and status != "infeasible":
            net = _exact_witness(rows, z, self.full_signs, self.data)
            if net is not None:
                raise _Found(net)
        cert = farkas_from_ray(rows, z if status == "infeasible" else None)
        if cert is not None:
            self.stats["farkas"] += 1
            return Leaf(cert)
        if complete:
            raise RelunetError(
                f"could not certify a complete pattern exactly for sign case "
                f"{self.full_signs} (HiGHS said {status}); no answer is given")
        self.stats["uncertified_prunes_skipped"] += 1
        return None


def _exact_witness(rows, z, full_signs, data: _Data):
    """A rational network near the float LP solution ``z`` that fits exactly, or None."""
    if z is None:
        return None

    def to_network(values):
        blocks = iter(range(len([s for s in full_signs if s])))
        V = []
        for s in full_signs:
            if s == 0:
                V.append([Fraction(0)] * data.d)
            else:
                q = next(blocks)
                V.append(list(values[q * data.d:(q + 1) * data.d]))
        return TwoLayerNetwork(np.array([[Fraction(s) for s in full_signs]], dtype=object),
                               np.array(V, dtype=object).reshape(len(full_signs), data.d))

    def fits(values):
        try:
            _check_witness(to_network(values), data)
        except CertificateError:
            return False
        return True

    for tol in (1e-9, 1e-6, None):
        chosen = [r for r in rows if r.equality or
                  (tol is not None and abs(r.approx @ z - float(r.rhs)) <= tol)]
        values = exact_point_near([r.coeffs for r in chosen], [r.rhs for r in chosen], z, fits)
        if values is not None:
            return to_network(values)
    return None


# --- the entry point ----------------------------------------------------------------------
def _coverage(stage: Stage, offset: int):
    """``cover(share)`` for one sign case: adds up the decided shares of its pattern
    space and sets ``stage`` to ``offset`` plus that sum in hundredths."""
    covered = Fraction(0)

    def cover(share: Fraction) -> None:
        nonlocal covered
        covered += share
        stage.update(offset + int(100 * covered))

    return cover


@dataclass
class FitDecision:
    """Result of :func:`decide_fit`: ``feasible``, an exact ``witness`` network (or
    None), the ``certificate`` and ``stats`` (LPs solved, leaves, seconds)."""

    feasible: bool
    witness: TwoLayerNetwork | None
    certificate: FitCertificate
    stats: dict


def validate_fit_data(X, y, exact_floats: bool):
    """Exact copies of ``X`` (d×n) and ``y`` (n,) as Fraction object arrays, validated
    (see :func:`~hardness.rational.exact_data`); ``y`` may be given as 1×n."""
    X = exact_data(X, "X", exact_floats=exact_floats)
    y = exact_data(y, "y", exact_floats=exact_floats)
    if X.ndim != 2:
        raise InvalidInputError(f"X must be a d x n matrix (one point per column), got "
                                f"shape {X.shape}")
    if y.ndim == 2 and y.shape[0] == 1:
        y = y[0]
    if y.ndim != 1:
        raise InvalidInputError(
            f"y must be a vector or a 1 x n matrix, got shape {y.shape}; decide_fit "
            f"supports m = 1 output (for repeated labels, pass one row)")
    if y.shape[0] != X.shape[1]:
        raise InvalidInputError(f"X has {X.shape[1]} points (columns) but y has "
                                f"{y.shape[0]} labels")
    return X, y


def decide_fit(X, y, k: int = 2, *, exact_floats: bool = False,
               progress=None) -> FitDecision:
    """Decide exactly whether ``y = u f(V X)`` for some ``u ∈ R^{1×k}``, ``V ∈ R^{k×d}``,
    ``f = ReLU``, ``k ∈ {1, 2}``.

    Parameters
    ----------
    X : array_like, shape (d, n)
        Points, one per column: integers or Fractions (floats only if whole numbers,
        unless ``exact_floats``).
    y : array_like, shape (n,) or (1, n)
        Labels, same rules. Several outputs (m > 1) are not supported.
    k : int
        Number of hidden units, 1 or 2.
    progress : callable, optional
        ``progress(stage, done, total)`` (:mod:`verify.progress`); None is silent. One
        stage, ``"patterns"``: ``total = 100 ×`` the number of sign cases, and ``done``
        counts the share of (sign case, activation pattern) space decided so far, in
        hundredths of a sign case. A witness ends the search, and the stage, early.

    Returns
    -------
    FitDecision
        ``feasible``; ``witness`` (exact, verified) when feasible; ``certificate`` that
        :meth:`FitCertificate.verify` re-checks; ``stats``.

    Raises
    ------
    InvalidInputError
        Malformed or non-exact data, unsupported ``k``.
    RelunetError
        If some node can be certified neither way (never a guessed answer).
    """
    if k not in (1, 2) or isinstance(k, bool):
        raise InvalidInputError(f"decide_fit supports k = 1 or k = 2 hidden units, got {k!r}")
    check_progress(progress)
    data = _Data(*validate_fit_data(X, y, exact_floats))
    stats = {"lps": 0, "farkas": 0, "uncertified_prunes_skipped": 0}
    start = time.perf_counter()
    cases = {}
    stage = Stage(progress, "patterns", 100 * len(sign_cases(k)))
    try:
        with stage:
            for c, signs in enumerate(sign_cases(k)):
                cover = _coverage(stage, 100 * c)
                cases[signs] = _CaseSearch(data, signs, stats, cover).run()
    except _Found as found:
        stage.finish()
        stats["seconds"] = time.perf_counter() - start
        cert = FitCertificate("witness", k, witness=found.network)
        return FitDecision(True, found.network, cert, stats)
    stats["seconds"] = time.perf_counter() - start
    cert = FitCertificate("farkas", k, cases=cases)
    stats["leaves"] = cert.n_leaves
    return FitDecision(False, None, cert, stats)
