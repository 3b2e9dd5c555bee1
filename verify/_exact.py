"""The exact certificate: the recovery pipeline over ℚ, with the activation pattern fixed.

Every float64 is a rational number, so ``X`` and ``Y`` are taken as exact data. The
candidate network supplies only a *hypothesis*: which samples are inactive for which
unit. Everything below is decided in exact rational arithmetic (sympy ``DomainMatrix``
over ``QQ``, which runs on python-flint when it is installed), so a wrong hypothesis can
make a certificate fail but never pass.

Steps (``m ≥ k``; ReLU, or any ``f`` with positive part ``g(t) = c t^p`` for a rational
``c > 0`` and an integer ``p ≥ 1`` — :class:`RationalMonomial`), each one a
:class:`~verify._checks.Check`:

``rank``          rows ``R`` and columns ``C`` with ``Y[R, C]`` invertible and
                  ``Y = Y[:, C] Y[R, C]^{-1} Y[R, :]`` exactly, i.e. ``rank Y = k``. If not,
                  a nonzero (k+1)×(k+1) minor is exhibited: then *no* network with ``k``
                  hidden units reproduces ``Y`` (``rank U f(VX) ≤ k``).
``facets``        with ``Z = Y[R, :]`` (k×n), for each unit the hypothesised inactive
                  samples give ``k−1`` independent columns of ``Z``; ``w_i`` is the exact left
                  null vector; ``F_i = w_i Z`` must not take both signs (sign fixed ≥ 0).
``pattern``       ``V_i`` solves ``V_i x_j = g^{-1}(F_ij)`` on ``d`` independent active
                  samples; then ``f(V X) = F`` is verified on *all* entries: equality
                  where ``F > 0`` and ``V_i x_j ≤ 0`` where ``F = 0``. For ``p > 1`` the
                  scale of ``F_i`` is free (``w_i`` is a null vector), so ``F_i`` is first
                  divided by ``F_ij₀/c`` at one active sample ``j₀`` (then ``V_i x_j₀ = 1``)
                  and ``g^{-1}`` is an exact rational ``p``-th root; if some ratio is not
                  the ``p``-th power of a rational, ``V_i`` is irrational and the step
                  says "not proven" (the precision path still applies).
``reproduction``  ``U`` solves ``U F = Y`` on ``k`` independent columns, then
                  ``U f(V X) = Y`` is verified on all ``m·n`` entries. This last check,
                  computed from ``(U, V, X, Y)`` alone, is the proof of exact realizability.

Biases (``Y = U f(V X + b 1ᵀ) + c 1ᵀ``, ``bias=True`` of :func:`solve_exact`): the same
steps on augmented data. A row of ones appended to ``X`` carries ``b`` (``[V | b]`` acts
on ``[X; 1ᵀ]``) and one appended to ``Y`` carries ``c``: ``[Y; 1ᵀ] = [[U, c], [0, 1]]
[f(V X + b 1ᵀ); 1ᵀ]``, so ``rank`` proves ``rank [Y; 1ᵀ] = k + 1``, each facet normal
vanishes on ``k`` inactive columns, ``[V_i | b_i]`` solves ``d + 1`` equations, and
``[U | c]`` is solved from ``k + 1`` columns of ``[f(V X + b 1ᵀ); 1ᵀ]``. The last check
is then ``U f(V X + b 1ᵀ) + c 1ᵀ = Y`` on every entry, with ``b`` and ``c`` explicit.

Cost: a handful of k×k, (k−1)×k and d×d exact solves plus exact products of size
k·d·n and m·k·n — for integer data these are integer products in flint.

Internal module of :mod:`verify`: use the names the package exports (``verify.__all__``).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from sympy import QQ, Poly, integer_nthroot
from sympy.polys.matrices import DomainMatrix

from recover import InvalidInputError, RelunetError

from ._checks import Check
from ._progress import Stage
from ._selection import independent_columns, independent_rows, propose_columns


# --- conversions -------------------------------------------------------------------
def to_qq(a):
    """An exact ``QQ`` element equal to ``a`` (float64, int, Fraction or sympy Rational)."""
    if isinstance(a, (float, np.floating)):
        p, q = float(a).as_integer_ratio()
    elif hasattr(a, "p") and hasattr(a, "q"):  # sympy Rational
        p, q = a.p, a.q
    elif isinstance(a, numbers.Rational):  # int, numpy integer, Fraction
        p, q = a.numerator, a.denominator
    else:
        raise TypeError(f"{a!r} is not a rational number")
    return QQ(int(p), int(q))


def qq_matrix(A, stage: Stage | None = None) -> DomainMatrix:
    """``A`` (2-D float64 or object array of rationals) as an exact ``DomainMatrix``;
    ``stage`` (optional) advances by one per row converted."""
    A = np.asarray(A)
    if A.dtype == np.float64:  # float = p/2^e: build QQ's elements directly, 4x faster
        def convert(row):
            return [QQ.dtype(*a.as_integer_ratio()) for a in row]
    else:
        def convert(row):
            return [to_qq(a) for a in row]
    rows = []
    for row in A.tolist():
        rows.append(convert(row))
        _advance(stage)
    return DomainMatrix(rows, A.shape, QQ)


def to_fraction(a) -> Fraction:
    """A ``QQ`` element as a :class:`fractions.Fraction`."""
    return Fraction(int(QQ.numer(a)), int(QQ.denom(a)))


def fraction_array(M: DomainMatrix) -> np.ndarray:
    """An exact matrix as an object array of :class:`fractions.Fraction`."""
    out = np.empty(M.shape, dtype=object)
    for i, row in enumerate(M.to_list()):
        out[i, :] = [to_fraction(a) for a in row]
    return out


def float_array(M: DomainMatrix) -> np.ndarray:
    """An exact matrix rounded to float64 (used only to guide choices)."""
    return np.array([[float(a) for a in row] for row in M.to_list()], dtype=float).reshape(M.shape)


def differences(A: DomainMatrix, B: DomainMatrix) -> dict:
    """``{(i, j): A_ij − B_ij}`` for the entries where ``A`` and ``B`` differ, exactly.
    Equal matrices (the common case) are recognised by one equality test, without
    building the dictionary (seconds at 15×10⁵)."""
    return {} if A == B else (A - B).to_dok()


def relu_qq(M: DomainMatrix) -> DomainMatrix:
    """ReLU applied entrywise, exactly."""
    return M.applyfunc(lambda a: a if a > 0 else QQ.zero)


@dataclass(frozen=True)
class RationalMonomial:
    """An activation whose positive part is ``g(t) = c t^p`` (``c`` rational > 0, ``p``
    integer ≥ 1): it maps ℚ to ℚ, and ``g^{-1}(y) = (y/c)^{1/p}`` is rational exactly
    when ``y/c`` is the ``p``-th power of a rational. ReLU is ``c = 1, p = 1``."""

    c: object = QQ.one
    p: int = 1

    @classmethod
    def of(cls, activation) -> RationalMonomial | None:
        """The monomial of an :class:`~recover._activations.Activation`, or None."""
        g = activation.expr
        if not activation.homogeneous or not g.free_symbols or not g.is_polynomial():
            return None
        poly = Poly(g, *g.free_symbols)
        c = poly.LC()
        if not poly.is_monomial or not c.is_Rational or c <= 0:
            return None
        return cls(QQ(int(c.p), int(c.q)), int(poly.degree()))

    def apply(self, M: DomainMatrix) -> DomainMatrix:
        """``f`` entrywise, exactly."""
        if self.p == 1 and self.c == QQ.one:
            return relu_qq(M)
        return M.applyfunc(lambda a: self.c * a ** self.p if a > 0 else QQ.zero)

    def inverse(self, y):
        """``g^{-1}(y)`` for a rational ``y > 0`` if it is rational, else None."""
        y = y / self.c
        if self.p == 1:
            return y
        num, exact_num = integer_nthroot(int(QQ.numer(y)), self.p)
        den, exact_den = integer_nthroot(int(QQ.denom(y)), self.p)
        return QQ(int(num), int(den)) if exact_num and exact_den else None


RELU = RationalMonomial()
#: How the checks name the inputs of the model with biases.
_AUGMENTED = " (counting the row of ones that carries b)"


def _all(n: int) -> list[int]:
    return list(range(n))


# --- the steps -----------------------------------------------------------------------
@dataclass
class ExactSolution:
    """What :func:`solve_exact` found: ``U`` (m×k) and ``V`` (k×d) over ℚ (and, for the
    model with biases, ``b`` and ``c`` as columns), or ``None`` where a step failed;
    ``checks`` in the order they ran."""

    U: DomainMatrix | None = None
    V: DomainMatrix | None = None
    checks: list[Check] = field(default_factory=list)
    b: DomainMatrix | None = None  # k×1, with bias=True
    c: DomainMatrix | None = None  # m×1, with bias=True

    @property
    def ok(self) -> bool:
        return self.U is not None and all(c.passed for c in self.checks)


def _invertible_block(Yq: DomainMatrix, Yf: np.ndarray, k: int):
    """Rows ``R`` and columns ``C`` with ``Y[R, C]`` (k×k) invertible over ℚ, or None
    when ``rank Y < k`` (proven).

    Float pivoting proposes ``R`` and ``C``; one exact k×k rank confirms them. Only if
    that fails are the rows chosen by exact elimination — on ``Yᵀ``, n×k: for n = 10⁵
    that costs most of a minute, the proposal milliseconds.
    """
    n = Yq.shape[1]
    R = propose_columns(Yf.T, k)
    C = independent_columns(Yq.extract(R.tolist(), _all(n)), Yf[R], k) \
        if len(R) == k else None
    if C is not None:
        return R, C
    R = independent_rows(Yq, Yf, k)
    if R is None:
        return None
    return R, independent_columns(Yq.extract(R.tolist(), _all(n)), Yf[R], k)


def exact_span(Yq: DomainMatrix, Yf: np.ndarray, k: int, bias: bool = False):
    """Rows ``R`` and columns ``C`` proving ``rank Y = k`` (see module docstring).

    ``bias=True``: ``Yq``/``Yf`` are ``[Y; 1ᵀ]`` ((m+1)×n), ``k`` is still the number of
    hidden units and the rank proven is ``k + 1`` (the row of ones carries ``c``).
    """
    m, n = Yq.shape
    r_k = k + bias
    what = "[Y; 1]" if bias else "Y"
    model = f"k = {k} hidden units and biases" if bias else f"k = {k} hidden units"
    block = _invertible_block(Yq, Yf, r_k)
    if block is None:
        r = Yq.rank()
        return None, Check("rank", "not proven",
                           f"rank({what}) = {r} < {r_k} over Q: the hidden units cannot all "
                           f"be seen in the outputs; this path needs rank({what}) = {r_k}",
                           numbers={"rank": r, "k": k})
    R, C = block
    Zq = Yq.extract(R.tolist(), _all(n))
    G = Zq.extract(_all(r_k), C.tolist())
    off = differences(Yq.extract(_all(m), C.tolist()) * G.inv() * Zq, Yq)
    if off:
        r, c = min(off)
        rows, cols = sorted(set(R.tolist()) | {r}), sorted(set(C.tolist()) | {c})
        det = Yq.extract(rows, cols).det()
        if det == 0:  # impossible by the Schur complement; guard against a logic error
            raise RelunetError("internal error: rank witness has zero determinant")
        bound = (f"rank([U f(V X + b 1') + c 1'; 1']) <= {r_k} for every network with "
                 f"{k} units and biases" if bias
                 else f"rank(U f(V X)) <= {k} for every network with {k} units")
        return None, Check(
            "rank", "failed",
            f"Y is not exactly realizable with {model}: rank({what}) >= {r_k + 1} "
            f"over Q (the {r_k + 1}x{r_k + 1} minor of {what} at rows {rows}, columns "
            f"{cols} is nonzero), while {bound}",
            numbers={"k": k, "witness_rows": rows, "witness_cols": cols,
                     "witness_det_sign": 1 if det > 0 else -1,
                     "entries_off_span": len(off)})
    return (R, C), Check("rank", "passed",
                         f"rank({what}) = {r_k} exactly: {what} = {what}[:, C] "
                         f"{what}[R, C]^-1 {what}[R, :] on all {m}x{n} entries",
                         numbers={"rank": r_k, "rows": R.tolist(), "cols": C.tolist()})


def exact_facets(Zq: DomainMatrix, Zf: np.ndarray, inactive: np.ndarray,
                 stage: Stage | None = None):
    """Exact facet normals ``W`` (k×r) and ``F = W Z ≥ 0`` (k×n) from the hypothesis,
    for ``Z`` (r×n) of rank ``r`` (``r = k``, or ``k + 1`` with biases: ``Z`` then spans
    the row of ones too) and ``inactive`` (k×n); each normal vanishes on ``r − 1``
    independent inactive columns. ``stage`` (optional) advances by one per unit."""
    r, n = Zq.shape
    k = inactive.shape[0]
    rows = []
    for i in range(k):
        J = np.flatnonzero(inactive[i])
        sel = independent_columns(Zq, Zf, r - 1, among=J)
        if sel is None:
            return None, Check(
                "facets", "not proven",
                f"unit {i}: the {len(J)} samples the candidate calls inactive have rank "
                f"< {r - 1} in the output span, so they do not determine its facet",
                numbers={"unit": i, "inactive_samples": len(J)})
        null = Zq.extract(_all(r), sel.tolist()).transpose().nullspace()
        rows.append(null.to_list()[0])
        _advance(stage)
    F_rows = (DomainMatrix(rows, (k, r), QQ) * Zq).to_list()
    for i, row in enumerate(F_rows):
        pos, neg = sum(a > 0 for a in row), sum(a < 0 for a in row)
        if pos and neg:
            return None, Check(
                "facets", "failed",
                f"unit {i}: the hyperplane through the samples the candidate calls "
                f"inactive has data on both sides ({pos} vs {neg} samples): the candidate's "
                f"activation pattern is not exactly consistent with Y",
                numbers={"unit": i, "positive": pos, "negative": neg})
        if neg:
            rows[i] = [-a for a in rows[i]]
            F_rows[i] = [-a for a in row]
    W = DomainMatrix(rows, (k, r), QQ)
    if W.rank() < k:
        return None, Check("facets", "failed",
                           "two units found the same facet: the facet normals are dependent")
    active = [sum(a > 0 for a in row) for row in F_rows]
    disagree = int(sum(F_rows[i][j] != 0 for i in range(k)
                       for j in np.flatnonzero(inactive[i])))
    return DomainMatrix(F_rows, (k, n), QQ), Check(
        "facets", "passed",
        "each unit's hypothesised inactive samples span a hyperplane of the output span "
        "with all data on one side; F = W Z >= 0 exactly",
        numbers={"active_samples": active, "hypothesis_disagreements": disagree})


def exact_hidden_weights(Xq: DomainMatrix, Xf: np.ndarray, F: DomainMatrix,
                         g: RationalMonomial = RELU, stage: Stage | None = None,
                         bias: bool = False):
    """``V`` (k×d) and ``H = f(V X)`` (k×n) with ``H_i`` a positive multiple of ``F_i``,
    exactly, or the reason they do not exist; returns ``((V, H) or None, check)``.
    With ``bias=True``, ``X`` is ``[X; 1ᵀ]`` and ``V`` is ``[V | b]`` (only the wording of
    the checks differs).

    ``H = F`` for ``p = 1``; for ``p > 1`` each ``F_i`` is rescaled so that
    ``V_i x_j₀ = 1`` at its first chosen active sample (module docstring). ``stage``
    (optional) advances by one per unit.
    """
    d, n = Xq.shape
    k = F.shape[0]
    F_rows = F.to_list()
    V_rows, H_rows = [], []
    for i in range(k):
        A = [j for j, a in enumerate(F_rows[i]) if a > 0]
        sel = independent_columns(Xq, Xf, d, among=A)
        if sel is None:
            return None, Check(
                "pattern", "not proven",
                f"unit {i} is active on {len(A)} samples whose inputs have rank < {d}"
                f"{_AUGMENTED if bias else ''}: V_{i} is not determined by the data",
                numbers={"unit": i, "active_samples": len(A)})
        scale = QQ.one if g.p == 1 else g.c / F_rows[i][sel[0]]
        H_rows.append([a * scale for a in F_rows[i]])
        targets = [g.inverse(H_rows[i][j]) for j in sel]
        if any(t is None for t in targets):
            j = int(sel[[t is None for t in targets].index(True)])
            return None, Check(
                "pattern", "not proven",
                f"unit {i}: F_ij/F_ij0 at sample {j} is not the {g.p}-th power of a "
                f"rational, so V_{i} is irrational and no rational certificate exists "
                f"(use exact=False with digits)", numbers={"unit": i, "sample": j})
        S = Xq.extract(_all(d), sel.tolist()).transpose()
        v = S.lu_solve(DomainMatrix([[t] for t in targets], (d, 1), QQ))
        V_rows.append(v.transpose().to_list()[0])
        _advance(stage)
    V = DomainMatrix(V_rows, (k, d), QQ)
    H = DomainMatrix(H_rows, (k, n), QQ)
    P = V * Xq
    bad = differences(g.apply(P), H)
    if bad:
        i, j = min(bad)
        return None, Check(
            "pattern", "failed",
            f"no V reproduces the facet values: f(V X) != F at {len(bad)} entries "
            f"(first: unit {i}, sample {j})",
            numbers={"mismatches": len(bad)})
    zeros = k * n - len(P.to_dok())
    return (V, H), Check(
        "pattern", "passed",
        "f(V X) = F exactly (each F_i up to a positive scale): V_i x_j = g^-1(F_ij) where "
        "F_ij > 0 and V_i x_j <= 0 elsewhere, for all units and samples",
        numbers={"zero_preactivations": zeros})


def exact_output_weights(H: DomainMatrix, Yq: DomainMatrix):
    """``U`` (m×k) solving ``U H = Y`` on ``k`` independent columns of ``H = f(V X)``
    (with biases ``H = [f(V X + b 1ᵀ); 1ᵀ]`` and the solution is ``[U | c]``)."""
    k = H.shape[0]
    m = Yq.shape[0]
    cols = independent_columns(H, float_array(H), k)
    if cols is None:
        return None, Check("output weights", "not proven",
                           f"the {k} rows of f(V X) (and the row of ones for c, with "
                           f"biases) have rank < {k}: U is not determined")
    Ht = H.extract(_all(k), cols.tolist()).transpose()
    U = Ht.lu_solve(Yq.extract(_all(m), cols.tolist()).transpose()).transpose()
    return U, Check("output weights", "passed",
                    f"U solved exactly from {k} independent columns of f(V X)",
                    numbers={"cols": cols.tolist()})


def exact_reproduction(Xq: DomainMatrix, Yq: DomainMatrix, U: DomainMatrix,
                       V: DomainMatrix, g: RationalMonomial = RELU,
                       b: DomainMatrix | None = None, c: DomainMatrix | None = None) -> Check:
    """The proof: ``U f(V X + b 1ᵀ) + c 1ᵀ = Y`` on every entry, in exact rational
    arithmetic (``b`` k×1 and ``c`` m×1; None: no bias term, the model ``U f(V X)``)."""
    m, n = Yq.shape
    ones = DomainMatrix([[QQ.one] * n], (1, n), QQ)
    P = V * Xq if b is None else V * Xq + b * ones
    out = U * g.apply(P) if c is None else U * g.apply(P) + c * ones
    bad = differences(out, Yq)
    model = "U f(V X)" if b is None and c is None else "U f(V X + b 1') + c 1'"
    if bad:
        r, col = min(bad)
        return Check("reproduction", "failed",
                     f"{model} != Y at {len(bad)} of {m * n} entries (first: output {r}, "
                     f"sample {col})", numbers={"mismatches": len(bad)})
    return Check("reproduction", "passed",
                 f"{model} = Y exactly on all {m}x{n} entries (rational arithmetic)",
                 numbers={"mismatches": 0})


def exact_steps(k: int) -> int:
    """Number of progress steps of :func:`solve_exact` for ``k`` units: rank, ``k``
    facets, ``k`` hidden rows, output weights, reproduction."""
    return 2 * k + 3


def _advance(stage: Stage | None) -> None:
    if stage is not None:
        stage.advance()


def solve_exact(Xq: DomainMatrix, Yq: DomainMatrix, Xf: np.ndarray, Yf: np.ndarray,
                inactive: np.ndarray, g: RationalMonomial = RELU,
                stage: Stage | None = None, bias: bool = False) -> ExactSolution:
    """Run the steps of the module docstring; stop at the first one that does not pass.

    ``inactive`` (k×n bool) is the hypothesis: samples the candidate confidently calls
    inactive for each unit; ``g`` the activation's positive part. Requires ``m ≥ k``
    (the caller checks). ``bias=True`` solves the model ``U f(V X + b 1ᵀ) + c 1ᵀ``
    (module docstring) and also returns ``b`` and ``c``. ``stage`` (optional,
    :class:`~verify._progress.Stage` of :func:`exact_steps` steps) advances as the steps
    finish; the caller ends it.
    """
    k = inactive.shape[0]
    d, n = Xq.shape
    out = ExactSolution()
    Xa, Xaf, Ya, Yaf = (_with_ones(Xq, Xf) + _with_ones(Yq, Yf)) if bias \
        else (Xq, Xf, Yq, Yf)
    span, check = exact_span(Ya, Yaf, k, bias)
    out.checks.append(check)
    _advance(stage)
    if span is None:
        return out
    R, _ = span
    F, check = exact_facets(Ya.extract(R.tolist(), _all(n)), Yaf[R], inactive, stage)
    out.checks.append(check)
    if F is None:
        return out
    weights, check = exact_hidden_weights(Xa, Xaf, F, g, stage, bias)
    out.checks.append(check)
    if weights is None:
        return out
    W, H = weights
    U, check = exact_output_weights(_with_ones(H, None)[0] if bias else H, Yq)
    out.checks.append(check)
    _advance(stage)
    if U is None:
        return out
    V, b = (W.extract(_all(k), _all(d)), W.extract(_all(k), [d])) if bias else (W, None)
    U, c = (U.extract(_all(U.shape[0]), _all(k)), U.extract(_all(U.shape[0]), [k])) \
        if bias else (U, None)
    out.checks.append(exact_reproduction(Xq, Yq, U, V, g, b, c))
    _advance(stage)
    out.U, out.V, out.b, out.c = U, V, b, c
    return out


def _with_ones(Aq: DomainMatrix, Af: np.ndarray | None):
    """``[A; 1ᵀ]`` exactly and (when ``Af`` is given) in float: the row that carries a
    bias (``[V | b] [X; 1ᵀ] = V X + b 1ᵀ``)."""
    n = Aq.shape[1]
    ones = DomainMatrix([[QQ.one] * n], (1, n), QQ)
    Af = None if Af is None else np.vstack([Af, np.ones((1, n))])
    return Aq.vstack(ones), Af


# --- canonical form ------------------------------------------------------------------
def exact_canonical(U: np.ndarray, V: np.ndarray,
                    degree: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Rational canonical form of a network homogeneous of integer ``degree`` (ReLU: 1),
    given as Fraction object arrays.

    Scaling: each row of ``V`` is divided by its largest absolute entry (max-norm 1) and
    the column of ``U`` multiplied by its ``degree``-th power — a rational choice,
    unlike the unit Euclidean norm of :meth:`TwoLayerNetwork.canonical`. Order: units
    sorted by the exact tuple ``(V_i, U_{:,i})``. Two networks are equal up to permutation and positive scaling
    iff their canonical forms are equal entrywise.
    """
    U, V = max_norm_scaled(U, V, degree)
    order = sorted(range(V.shape[0]), key=lambda i: (tuple(V[i]), tuple(U[:, i])))
    return U[:, order], V[order]


def max_norm_scaled(U: np.ndarray, V: np.ndarray,
                    degree: float | None = 1) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``(U, V)`` (object arrays of rationals) rescaled so that every row of ``V``
    has largest absolute entry 1; ``U``'s columns carry ``scale^degree`` (the rescaling
    symmetry of an activation homogeneous of that degree; exact for integer degrees).
    ``degree=None`` (not homogeneous: no scaling symmetry) returns ``(U, V)`` unchanged.
    """
    if degree is None:
        return U, V
    scale = [max(abs(a) for a in row) for row in V]
    if any(s == 0 for s in scale):
        raise InvalidInputError("a hidden unit has V_i = 0; it has no direction")
    power = [_power(s, degree) for s in scale]
    V = np.array([[a / s for a in row] for row, s in zip(V, scale)], dtype=object)
    U = np.array([[a * s for a, s in zip(row, power)] for row in U], dtype=object)
    return U, V


def _power(s, degree: float):
    """``s^degree``: exact for integer degrees, else the rational value of the float."""
    if float(degree).is_integer():
        return s ** int(degree)
    return Fraction(float(s) ** degree)
