"""Exact decision of "does some ``U f(V X)`` with k ≤ 2 ReLU units fit ``Y`` exactly?".

Used to check the hardness reduction (Bakshi, Jayaram, Woodruff, COLT 2019) on small
instances, and independent of it: nothing here assumes the data come from a reduction
or that the output weights are positive.

Method (docs/hardness.md, "The decision procedure"). First the rank of ``Y`` (m × n):
``rank Y ≤ rank f(V X) ≤ k``, so a larger rank is a "no" (certificate: a non-zero
(k+1)-minor); ``Y = 0`` is fitted by ``U = 0``. For ``rank Y = 1``, ``Y = a bᵀ`` with
``b`` a row of ``Y``: a fit ``Y = U H`` gives ``b = (row of U) H``, a one-output fit of
``b``, and a one-output fit ``b = u f(V X)`` gives ``Y = (a u) f(V X)`` — so the
question is the one-output question for ``b``, decided as below. For ``rank Y = 2 = k``
see :mod:`hardness._pairs` (no sign cases: ``U`` is then forced by ``V``).
One output row ``y``:

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
2d variables); but only the cells of the hyperplane arrangement that the LPs leave
feasible are visited (:mod:`hardness._search`), which keeps every reduced instance of
the 5-element, 5-clause grid under a second or so (benchmarks/bench_hardness.py).

Internal module of :mod:`hardness`: use the names the package exports (``hardness.__all__``).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from recover import InvalidInputError, RelunetError, TwoLayerNetwork
from verify import Stage, check_progress

from ._farkas import Row, make_row
from ._pairs import PairProblem, independent_rows, network_from_pair, search_direction
from ._rational import exact_data, exact_point_near
from ._search import (FitCertificateRejected, _Found, Leaf, Search, check_tree,
                     count_leaves)

Pattern = tuple  # tuple[bool, ...]: on/off of each unit with a non-zero sign


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


# --- the linear programs of one output row ----------------------------------------------
class _Data:
    """Exact data of one output row (``X`` d×n, ``y`` (n,), Fraction object arrays) and
    a cache of pattern rows."""

    def __init__(self, X: np.ndarray, y: np.ndarray):
        self.X, self.y = X, y
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


class SignProblem:
    """One sign case of one output row, as a problem of :mod:`hardness._search`."""

    initial_symmetric = True

    def __init__(self, data: _Data, full_signs: tuple[int, ...]):
        self.data, self.full_signs = data, tuple(full_signs)
        self.signs = tuple(s for s in full_signs if s)
        self.n, self.n_vars = data.n, data.d * len(self.signs)
        self.order = sorted(range(data.n), key=self._branching)

    def _branching(self, j: int) -> int:
        """Points with fewer surviving patterns first."""
        y = self.data.y[j]
        return sum(not label_infeasible(self.signs, p, y)
                   for p in needed_patterns(self.signs, y, False))

    def root_rows(self) -> list[Row]:
        return list(self.data.bound_rows(self.signs))

    def rows(self, j, p) -> list[Row]:
        return self.data.rows(self.signs, j, p)

    def patterns(self, j, symmetric):
        return needed_patterns(self.signs, self.data.y[j], symmetric)

    def rule_leaf(self, j, p):
        y = self.data.y[j]
        if label_infeasible(self.signs, p, y):
            return Leaf(label_certificate(self.signs, p, j, y), rule=True)
        return None

    def symmetric_after(self, symmetric, p):
        return _still_symmetric(symmetric, p)

    def solution(self, rows, z):
        return _exact_witness(rows, z, self.full_signs, self.data)


def _exact_witness(rows, z, full_signs, data: _Data):
    """A rational one-output network near the float LP solution ``z`` that fits
    ``data.y`` exactly, or None."""
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
            _check_witness(to_network(values), data.X, data.y[None, :], len(full_signs))
        except FitCertificateRejected:
            return False
        return True

    for tol in (1e-9, 1e-6, None):
        chosen = [r for r in rows if r.equality or
                  (tol is not None and abs(r.approx @ z - float(r.rhs)) <= tol)]
        values = exact_point_near([r.coeffs for r in chosen], [r.rhs for r in chosen], z, fits)
        if values is not None:
            return to_network(values)
    return None


# --- certificates -------------------------------------------------------------------------
#: Kinds of :class:`FitCertificate`.
KINDS = ("witness", "farkas", "rank", "pair")


@dataclass
class FitCertificate:
    """Proof of a :func:`decide_fit` answer, re-checkable with :meth:`verify`.

    * ``"witness"`` (yes): ``witness`` is an exact network with ``witness(X) == Y``.
    * ``"farkas"`` (no, ``rank Y = 1``): ``Y``'s rows are multiples of ``b = Y[row]``,
      and ``cases`` maps every sign case to a tree refuting a one-output fit of ``b``
      (leaves: exact Farkas multipliers; branches: every pattern the rules require).
    * ``"rank"`` (no): ``minor = (rows, cols)``, a non-zero ``(k+1)``-minor of ``Y``.
    * ``"pair"`` (no, ``k = 2``, ``rank Y = 2``): ``cases = {+1: tree, −1: tree}`` refute
      ``±normal·c ≥ 1`` over the one-unit set ``S`` of :mod:`hardness._pairs`, so ``S``
      lies in a line.
    Save and reload with :func:`hardness.save_certificate` / :func:`hardness.load_certificate`
    (JSON; the package keeps the format apart so that this module does not import it).
    """

    kind: str
    k: int
    witness: TwoLayerNetwork | None = None
    cases: dict = field(default_factory=dict)
    row: int = 0
    minor: tuple | None = None
    normal: tuple | None = None

    @property
    def n_leaves(self) -> int:
        return sum(count_leaves(tree) for tree in self.cases.values())

    @property
    def n_rule_leaves(self) -> int:
        return sum(count_leaves(tree, rule_only=True) for tree in self.cases.values())

    def verify(self, X, Y, k: int | None = None, *, exact_floats: bool = False,
               raise_on_failure: bool = False) -> bool:
        """Re-check everything exactly against the data (``Y`` of shape (n,) or
        (m, n)). Returns ``True`` only if the certificate proves its answer (for ``k``
        hidden units, if given: the number of units is part of the claim); otherwise
        ``False`` (or raises :class:`FitCertificateRejected` with the reason when
        ``raise_on_failure``)."""
        try:
            if k is not None and k != self.k:
                raise FitCertificateRejected(f"the certificate is about k = {self.k}, not k = {k}")
            X, Y = validate_fit_labels(X, Y, exact_floats)
            check = {"witness": self._check_witness, "farkas": self._check_farkas,
                     "rank": self._check_rank, "pair": self._check_pair}.get(self.kind)
            if check is None:
                raise FitCertificateRejected(f"unknown certificate kind {self.kind!r}")
            check(X, Y)
        except FitCertificateRejected:
            if raise_on_failure:
                raise
            return False
        return True

    def _check_witness(self, X, Y) -> None:
        _check_witness(self.witness, X, Y, self.k)

    def _check_farkas(self, X, Y) -> None:
        b = _rank_one_row(Y, self.row)
        data = _Data(X, b)
        for signs in sign_cases(self.k):
            if signs not in self.cases:
                raise FitCertificateRejected(f"sign case {signs} is not refuted")
            try:
                check_tree(self.cases[signs], SignProblem(data, signs))
            except FitCertificateRejected as exc:
                raise FitCertificateRejected(f"sign case {signs}: {exc}") from None

    def _check_rank(self, X, Y) -> None:
        rows, cols = self.minor if self.minor is not None else ((), ())
        size = self.k + 1
        if not (len(rows) == len(cols) == size and len(set(rows)) == len(set(cols)) == size
                and all(_index_ok(i, Y.shape[0]) for i in rows)
                and all(_index_ok(j, Y.shape[1]) for j in cols)):
            raise FitCertificateRejected(f"the minor {self.minor!r} is not {size} distinct rows "
                                   f"and columns of Y")
        sub = Y[np.ix_(list(rows), list(cols))]
        if len(independent_rows(sub)) != size:
            raise FitCertificateRejected("the minor of Y is zero")

    def _check_pair(self, X, Y) -> None:
        basis = independent_rows(Y)
        if self.k != 2 or len(basis) != 2:
            raise FitCertificateRejected(f"a pair certificate needs k = 2 and rank Y = 2, not "
                                   f"k = {self.k}, rank {len(basis)}")
        normal = tuple(self.normal) if self.normal is not None else ()
        if len(normal) != 2 or not all(isinstance(v, Fraction) for v in normal) \
                or normal == (0, 0):
            raise FitCertificateRejected(f"invalid normal {self.normal!r}")
        B = Y[basis]
        for sign in (1, -1):
            if sign not in self.cases:
                raise FitCertificateRejected(f"direction {sign:+d} is not refuted")
            g = tuple(sign * v for v in normal)
            try:
                check_tree(self.cases[sign], PairProblem(X, B, g))
            except FitCertificateRejected as exc:
                raise FitCertificateRejected(f"direction {sign:+d}: {exc}") from None

    def summary(self) -> dict:
        out = {"kind": self.kind, "k": self.k}
        if self.kind in ("farkas", "pair"):
            out.update(cases=len(self.cases), leaves=self.n_leaves,
                       label_rule_leaves=self.n_rule_leaves,
                       lp_leaves=self.n_leaves - self.n_rule_leaves,
                       verified="every leaf exactly (Fraction arithmetic)")
        if self.kind == "witness":
            out.update(U=_exact_strings(self.witness.U), V=_exact_strings(self.witness.V))
        elif self.kind == "rank":
            out.update(minor_rows=list(self.minor[0]), minor_cols=list(self.minor[1]))
        elif self.kind == "pair":
            out.update(normal=[str(v) for v in self.normal])
        return out


def _index_ok(i, size: int) -> bool:
    return isinstance(i, (int, np.integer)) and not isinstance(i, bool) and 0 <= i < size


def _exact_strings(M) -> list:
    return [[str(v) for v in row] for row in M]


def _rank_one_row(Y, row) -> np.ndarray:
    """``Y[row]`` after checking that every row of ``Y`` is a multiple of it."""
    if not _index_ok(row, Y.shape[0]):
        raise FitCertificateRejected(f"row {row!r} is not a row of Y")
    b = Y[row]
    pivot = next((j for j, v in enumerate(b) if v != 0), None)
    for i in range(Y.shape[0]):
        if pivot is None:
            ok = all(v == 0 for v in Y[i])
        else:
            ratio = Y[i, pivot] / b[pivot]
            ok = all(Y[i, j] == ratio * b[j] for j in range(Y.shape[1]))
        if not ok:
            raise FitCertificateRejected(f"row {i} of Y is not a multiple of row {row}")
    return b


def _check_witness(net, X, Y, k: int) -> None:
    if not isinstance(net, TwoLayerNetwork) or not net.exact:
        raise FitCertificateRejected("the witness is not an exact TwoLayerNetwork")
    if net.d != X.shape[0] or net.m != Y.shape[0] or net.k != k:
        raise FitCertificateRejected("the witness has the wrong shape")
    out = net(X)
    if not all(a == b for a, b in zip(out.flat, Y.flat)):
        raise FitCertificateRejected("the witness does not fit the labels exactly")


# --- the entry point ----------------------------------------------------------------------
def _coverage(stage: Stage, offset: int):
    """``cover(share)`` for one search: adds up the decided shares of its pattern
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


def validate_fit_labels(X, Y, exact_floats: bool):
    """Exact copies of ``X`` (d×n) and ``Y`` (m×n; a vector is one row) as Fraction
    object arrays, validated (see :func:`~hardness._rational.exact_data`)."""
    X = exact_data(X, "X", exact_floats=exact_floats)
    Y = exact_data(Y, "y", exact_floats=exact_floats)
    if X.ndim != 2:
        raise InvalidInputError(f"X must be a d x n matrix (one point per column), got "
                                f"shape {X.shape}")
    if Y.ndim == 1:
        Y = Y[None, :]
    if Y.ndim != 2:
        raise InvalidInputError(f"y must be a vector or an m x n matrix, got shape {Y.shape}")
    if Y.shape[1] != X.shape[1]:
        raise InvalidInputError(f"X has {X.shape[1]} points (columns) but y has "
                                f"{Y.shape[1]} labels per row")
    return X, Y


def validate_fit_data(X, y, exact_floats: bool):
    """Exact ``X`` (d×n) and ONE label row ``y`` (n,) (given as (n,) or 1×n); more rows
    are refused — the one-output callers (:mod:`hardness._smt`) use this."""
    X, Y = validate_fit_labels(X, y, exact_floats)
    if Y.shape[0] != 1:
        raise InvalidInputError(f"y must be one row of labels here (m = 1), got {Y.shape[0]}")
    return X, Y[0]


def decide_fit(X, y, k: int = 2, *, exact_floats: bool = False,
               progress=None) -> FitDecision:
    """Decide exactly whether ``Y = U f(V X)`` for some ``U ∈ R^{m×k}``,
    ``V ∈ R^{k×d}``, ``f = ReLU``, ``k ∈ {1, 2}``, any ``m ≥ 1``.

    Parameters
    ----------
    X : array_like, shape (d, n)
        Points, one per column: integers or Fractions (floats only if whole numbers,
        unless ``exact_floats``).
    y : array_like, shape (n,) or (m, n)
        Labels (one row per output), same rules.
    k : int
        Number of hidden units, 1 or 2.
    progress : callable, optional
        ``progress(stage, done, total)`` (:mod:`verify._progress`); None is silent. One
        stage, ``"patterns"``: ``total = 100 ×`` the number of searches (sign cases for
        ``rank Y = 1``; 4 for ``rank Y = 2``; 1 when the rank alone decides), and
        ``done`` counts the share of pattern space decided so far, in hundredths of a
        search. A witness ends the search, and the stage, early.

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
    X, Y = validate_fit_labels(X, y, exact_floats)
    stats = {"lps": 0, "farkas": 0, "uncertified_prunes_skipped": 0}
    start = time.perf_counter()
    basis = independent_rows(Y)
    if len(basis) == 1:
        decision = _decide_rank_one(X, Y, basis[0], k, stats, progress)
    elif len(basis) == 2 and k == 2:
        decision = _decide_rank_two(X, Y, basis, stats, progress)
    else:
        with Stage(progress, "patterns", 100):
            decision = _decide_by_rank(X, Y, basis, k, stats)
    stats["seconds"] = time.perf_counter() - start
    if not decision.feasible:
        stats["leaves"] = decision.certificate.n_leaves
    return decision


def _yes(net: TwoLayerNetwork, k: int, stats) -> FitDecision:
    return FitDecision(True, net, FitCertificate("witness", k, witness=net), stats)


def _decide_by_rank(X, Y, basis, k, stats) -> FitDecision:
    """``Y = 0`` (fitted by zeros) or ``rank Y > k`` (refuted by a non-zero minor)."""
    m, (d, _) = Y.shape[0], X.shape
    if not basis:
        zero = lambda r, c: np.full((r, c), Fraction(0), dtype=object)  # noqa: E731
        return _yes(TwoLayerNetwork(zero(m, k), zero(k, d)), k, stats)
    rows = basis[:k + 1]
    cols = independent_rows(Y[rows].T)[:k + 1]
    cert = FitCertificate("rank", k, minor=(tuple(rows), tuple(cols)))
    return FitDecision(False, None, cert, stats)


def _decide_rank_one(X, Y, row, k, stats, progress) -> FitDecision:
    """``Y = a bᵀ`` with ``b = Y[row]``: the one-output question for ``b``."""
    b = Y[row]
    data = _Data(X, b)
    cases = {}
    stage = Stage(progress, "patterns", 100 * len(sign_cases(k)))
    try:
        with stage:
            for c, signs in enumerate(sign_cases(k)):
                problem = SignProblem(data, signs)
                cases[signs] = Search(problem, stats, _coverage(stage, 100 * c)).run()
    except _Found as found:
        stage.finish()
        pivot = next(j for j, v in enumerate(b) if v != 0)
        a = np.array([[Y[i, pivot] / b[pivot]] for i in range(Y.shape[0])], dtype=object)
        net = TwoLayerNetwork(a.dot(found.solution.U), found.solution.V)
        _check_witness(net, X, Y, k)
        return _yes(net, k, stats)
    return FitDecision(False, None, FitCertificate("farkas", k, cases=cases, row=row), stats)


def _decide_rank_two(X, Y, basis, stats, progress) -> FitDecision:
    """``k = 2``, ``rank Y = 2``: :mod:`hardness._pairs`."""
    B = Y[basis]
    one, zero = Fraction(1), Fraction(0)
    stage = Stage(progress, "patterns", 400)
    with stage:
        first, trees = None, {}
        for c, sign in enumerate((1, -1)):
            status, out = search_direction(X, B, (sign * one, zero), stats,
                                           _coverage(stage, 100 * c))
            if status == "found":
                first = out
                break
            trees[sign] = out
        if first is None:
            cert = FitCertificate("pair", 2, cases=trees, normal=(one, zero))
            return FitDecision(False, None, cert, stats)
        v, cvec = first
        normal = (-cvec[1], cvec[0])
        trees = {}
        for c, sign in enumerate((1, -1)):
            status, out = search_direction(X, B, tuple(sign * x for x in normal), stats,
                                           _coverage(stage, 200 + 100 * c))
            if status == "found":
                stage.finish()
                V = np.array([list(v), list(out[0])], dtype=object)
                U = network_from_pair(X, Y, V)
                if U is None:  # cannot happen: c and c' are independent
                    raise RelunetError("independent directions gave a singular f(V X)")
                net = TwoLayerNetwork(U, V)
                _check_witness(net, X, Y, 2)
                return _yes(net, 2, stats)
            trees[sign] = out
    return FitDecision(False, None, FitCertificate("pair", 2, cases=trees, normal=normal), stats)
