"""Certificates for ``m < k``: with the activation pattern fixed, the labels are linear in
the blocks ``M_i = U_{:,i} [V_i  b_i]``.

When there are fewer outputs than hidden units the output span does not separate the
units (the facet method of :mod:`verify._exact` needs ``m ≥ k``). For ReLU — and any
``f`` whose positive part is ``g(t) = c t`` — a fixed pattern ``a_ij ∈ {0, 1}`` (unit
``i`` active at sample ``j``) makes the model linear in the blocks (and in ``c``)::

    y_j = Σ_{i : a_ij = 1} c_f M_i x̃_j + c,        x̃_j = [x_j; 1]  (x̃_j = x_j without biases)

``M_i`` is ``m × D`` with ``D = d + 1`` (``D = d`` without biases). Row ``r`` of every
block and ``c_r`` solve one linear system with the *same* design matrix ``A``
(``n' × K``, ``K = k·D (+1 for c)``): row ``j`` of ``A`` is
``[a_1j x̃_jᵀ, …, a_kj x̃_jᵀ (, 1)]``. So there are ``m`` right-hand sides (the rows of
``Y``) and one factorisation.

Steps, each a :class:`~verify._checks.Check`:

``blocks``        ``K`` rows of ``A`` (chosen by QR pivoting on its float copy) form an
                  invertible ``K × K`` matrix, which proves ``rank A = K`` (full column
                  rank): the blocks are *unique given the pattern*. They are solved from
                  those rows (exact: one LU over ℚ, ``m`` right-hand sides; precision:
                  float64 LU with iterative refinement of the residual at ``digits``).
``rank one``      each ``M_i`` is ``u wᵀ`` (exactly, or to the working digits) and not zero;
                  ``u`` is a column and ``w`` a row of ``M_i`` through its largest entry,
                  and the sign of ``w`` is the one that makes the unit's active samples
                  positive. For ``m = 1`` every block has rank one.
``pattern``       the solved ``[V | b]`` induces exactly the pattern used: ``V_i x̃_j > 0``
                  where ``a_ij = 1`` and ``≤ 0`` where ``a_ij = 0``, on every sample used.
``reproduction``  ``U f(V X + b 1ᵀ) + c 1ᵀ = Y`` on every entry — the proof of
                  realizability (the same check as for ``m ≥ k``).

Samples near a kink (some unit neither confidently active nor inactive in the
candidate's :func:`~verify._certify.hypothesis_pattern`) give no equation — ``f`` is not
linear there — but they are covered by ``reproduction``, with the solved network's own
pattern.

What is proven, when all pass: ``Y`` is realised by the certified network, and any
network with the same pattern on the samples used equals it up to permutation and
positive scaling (the blocks are unique and a rank-one block fixes ``u`` and ``w`` up to
a scalar, whose sign the pattern fixes). Networks with *another* pattern are not
excluded: this is uniqueness given the pattern, not global uniqueness.

Cost: the design has ``n'`` rows and ``K = k(d+1)+1`` unknowns per output (``k·d·m``
unknowns in all without biases); the exact path converts only the ``K`` chosen rows to ℚ
and solves one ``K × K`` system for ``m`` right-hand sides (one exact LU: about ``K³``
rational operations, with python-flint a fraction of a second at ``K = 211``), then
exact products of size ``k·d·n`` and ``m·k·n`` for the last two steps. The precision
path does one float64 LU and a few refinement sweeps of ``K²·m`` operations at
``digits`` digits (a ``K³`` mpmath LU at 50 digits would take minutes at ``K = 211``).

Internal module of :mod:`verify`: use the names the package exports (``verify.__all__``).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import scipy.linalg
from sympy import QQ
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices.exceptions import DMNonInvertibleMatrixError

from recover import current_tolerances

from ._checks import Check
from ._exact import ExactSolution, RationalMonomial, exact_reproduction, fraction_array, \
    qq_matrix, to_fraction, to_qq
from ._precision import PrecisionSolution, mp_array, pattern_check, \
    residual_check
from ._selection import propose_columns

#: Most refinement sweeps of the precision solve (each gains about
#: ``16 − log10(cond A)`` digits; 50 digits take 4 or 5 for well-posed instances).
MAX_SWEEPS = 30


def block_steps(k: int) -> int:
    """Progress steps of the block solvers for ``k`` units: the block solve, ``k``
    factorisations, pattern, reproduction."""
    return k + 3


def block_scope(g: RationalMonomial | None) -> Check | None:
    """A "not proven" check when the block method does not apply to the activation with
    positive part ``g`` (None: not a monomial), else None."""
    if g is not None and g.p == 1:
        return None
    what = "this activation" if g is None else f"t^{g.p}"
    return Check("scope", "not proven",
                 f"m < k: the block method certifies activations with positive part c*t "
                 f"(ReLU); for {what} the labels are linear in symmetric tensors of the "
                 f"hidden rows, which is not implemented — no network is certified")


def block_samples(inactive: np.ndarray, active: np.ndarray):
    """Samples where every unit is confidently classified, and the pattern there:
    ``(keep, a)`` with ``keep`` sample indices and ``a`` (k × len(keep)) bool."""
    keep = np.flatnonzero(np.all(inactive | active, axis=0))
    return keep, active[:, keep]


def design_matrix(Xa: np.ndarray, a: np.ndarray, keep: np.ndarray, bias: bool) -> np.ndarray:
    """The design ``A`` (``n' × K``) in float64 — exact, since its entries are entries of
    ``X``, zeros and ones. ``Xa`` is ``X`` (or ``[X; 1ᵀ]`` with biases)."""
    k, D = a.shape[0], Xa.shape[0]
    Xk = Xa[:, keep].T                                              # n' × D
    A = (a.T[:, :, None] * Xk[:, None, :]).reshape(len(keep), k * D)
    return np.hstack([A, np.ones((len(keep), 1))]) if bias else A


def _blocks_check(status: str, detail: str, K: int, rank, used: int, m: int) -> Check:
    return Check("blocks", status, detail,
                 numbers={"rank": rank, "unknowns": K, "unknowns_total": K * m,
                          "samples_used": used, "right_hand_sides": m})


def _choose_rows(A: np.ndarray, m: int):
    """``K`` well-conditioned rows of the design, or a "not proven" check."""
    n_used, K = A.shape
    if n_used < K:
        return None, _blocks_check(
            "not proven", f"only {n_used} samples are clear of every kink, fewer than the "
            f"{K} unknowns per output: the blocks are not determined", K, None, n_used, m)
    rows = propose_columns(A.T, K)
    if len(rows) == K and np.linalg.matrix_rank(A[rows]) == K:
        return rows, None
    rank = int(np.linalg.matrix_rank(A))
    return None, _blocks_check(
        "not proven", f"the block system has numerical rank {rank} < {K} unknowns per "
        f"output (float64): uniqueness given the pattern is not proven (typical causes: a "
        f"unit never or always active, two parallel units, a bias that trades with c)",
        K, rank, n_used, m)


# --- exact ---------------------------------------------------------------------------
def _block_system(X: np.ndarray, m: int, inactive: np.ndarray, active: np.ndarray,
                  bias: bool):
    """The inputs ``Xa`` (``[X; 1ᵀ]`` with biases), the samples used (``keep``), their
    pattern ``a``, the float64 design ``A`` of the block system on them and the rows
    chosen to solve it (None, with the failing check, when no full-rank
    choice exists) — shared by the exact and the precision path."""
    Xa = np.vstack([X, np.ones((1, X.shape[1]))]) if bias else X
    keep, a = block_samples(inactive, active)
    A = design_matrix(Xa, a, keep, bias)
    rows, check = _choose_rows(A, m)
    return Xa, keep, a, A, rows, check


def solve_blocks_exact(Xq: DomainMatrix, Yq: DomainMatrix, Xf: np.ndarray, Yf: np.ndarray,
                       inactive: np.ndarray, g: RationalMonomial, stage=None,
                       bias: bool = False, *, active: np.ndarray) -> ExactSolution:
    """The block certificate over ℚ (module docstring); stops at the first step that does
    not pass. ``inactive``/``active`` (k×n bool): the candidate's confident pattern;
    ``g``: positive part ``c t``. Returns ``U`` (m×k), ``V`` (k×d) and with ``bias`` also
    ``b`` (k×1), ``c`` (m×1) as ``DomainMatrix`` over ``QQ``."""
    k, (d, n), m = inactive.shape[0], Xf.shape, Yf.shape[0]
    out = ExactSolution()
    Xa, keep, a, A, rows, check = _block_system(Xf, m, inactive, active, bias)
    if rows is None:
        return _stop(out, check)
    K = A.shape[1]
    try:
        theta = qq_matrix(A[rows]).lu_solve(qq_matrix(Yf[:, keep[rows]].T))  # K × m
    except DMNonInvertibleMatrixError:
        return _stop(out, _blocks_check(
            "not proven", f"the {K} rows chosen in float64 are singular over Q: full column "
            f"rank is not proven", K, None, len(keep), m))
    out.checks.append(_blocks_check(
        "passed", f"the block system (unknowns "
        f"{'M_i = U_i [V_i b_i] and c' if bias else 'M_i = U_i V_i'}"
        f", {K} per output, {K * m} in all) has full column rank {K}: {K} of its {len(keep)} "
        f"rows form an invertible matrix over Q, so the blocks are unique given the pattern",
        K, K, len(keep), m))
    _advance(stage)
    theta = fraction_array(theta)
    factors = _factor_all(theta, k, Xa.shape[0], a, Xa[:, keep], g.c, exact=True,
                          stage=stage)
    if isinstance(factors, Check):
        return _stop(out, factors)
    U, W = factors
    out.checks.append(Check("rank one", "passed",
                            f"each of the {k} blocks is exactly a nonzero rank-one matrix"
                            f" u w^T" + (" (m = 1: trivially)" if m == 1 else ""),
                            numbers={"units": k}))
    Wq = qq_matrix(W)
    out.checks.append(_exact_pattern(Wq, Xa, keep, a))
    _advance(stage)
    if not out.checks[-1].passed:
        return out
    Uq = qq_matrix(U)
    V, b = (Wq.extract(list(range(k)), list(range(d))),
            Wq.extract(list(range(k)), [d])) if bias else (Wq, None)
    c = DomainMatrix([[to_qq(t)] for t in theta[-1]], (m, 1), QQ) if bias else None
    out.checks.append(exact_reproduction(Xq, Yq, Uq, V, g, b, c))
    _advance(stage)
    out.U, out.V, out.b, out.c = Uq, V, b, c
    return out


def _exact_pattern(Wq: DomainMatrix, Xa: np.ndarray, keep: np.ndarray, a: np.ndarray) -> Check:
    """``W x̃_j > 0`` exactly where the pattern says active and ``≤ 0`` elsewhere."""
    P = (Wq * qq_matrix(Xa[:, keep])).to_list()
    wrong = [(i, int(keep[j])) for i, row in enumerate(P) for j, p in enumerate(row)
             if (p > 0) != bool(a[i, j])]
    if wrong:
        i, j = wrong[0]
        return Check("pattern", "failed",
                     f"the solved network does not induce the pattern it was solved for at "
                     f"{len(wrong)} (unit, sample) pairs (first: unit {i}, sample {j})",
                     numbers={"mismatches": len(wrong)})
    return Check("pattern", "passed",
                 f"the solved network induces exactly the pattern used (V_i x_j > 0 where "
                 f"active, <= 0 where inactive) on all {len(keep)} samples used, exactly",
                 numbers={"mismatches": 0, "samples_used": len(keep)})


# --- precision -----------------------------------------------------------------------
def solve_blocks_precision(X: np.ndarray, Y: np.ndarray, inactive: np.ndarray,
                           active: np.ndarray, digits: int, g: RationalMonomial,
                           Y_mp: np.ndarray | None = None, stage=None,
                           bias: bool = False) -> PrecisionSolution:
    """The block certificate at ``digits`` digits (module docstring): nothing is exact;
    ``rank one`` holds to ``digits − guard_digits`` digits (a tolerance) and
    ``reproduction`` reports the digits reached. ``Y_mp``: labels at high precision (``Y`` is their float copy)."""
    k, (d, n), m = inactive.shape[0], X.shape, Y.shape[0]
    out = PrecisionSolution()
    Xa, keep, a, A, rows, check = _block_system(X, m, inactive, active, bias)
    if rows is None:
        return _stop(out, check)
    K = A.shape[1]
    with mpmath.mp.workdps(digits):
        Ym = mp_array(Y) if Y_mp is None else np.vectorize(mpmath.mpf, otypes=[object])(Y_mp)
        theta, sweeps = refined_solve(A[rows], Ym[:, keep[rows]].T, digits)
        out.checks.append(_blocks_check(
            "passed", f"the block system ({K} unknowns per output, {K * m} in all) has "
            f"numerical rank {K}: unique given the pattern, solved at {digits} digits "
            f"({sweeps} refinement sweeps)", K, K, len(keep), m))
        _advance(stage)
        factors = _factor_all(theta, k, Xa.shape[0], a, Xa[:, keep], g.c, exact=False,
                              stage=stage, tol=mpmath.mpf(10) ** (current_tolerances().guard_digits - digits))
        if isinstance(factors, Check):
            return _stop(out, factors)
        U, W = factors
        out.checks.append(Check("rank one", "passed",
                                f"each of the {k} blocks is rank one to "
                                f"{digits - current_tolerances().guard_digits} digits", numbers={"units": k}))
        Xm = mp_array(Xa)
        P = dyadic_product(W, Xa)
        out.checks.append(pattern_check(P, Xm, W, inactive, active, digits))
        _advance(stage)
        c = theta[-1] if bias else np.zeros(m, dtype=object)
        slope = _scalar(g.c, exact=False)
        H = np.array([[slope * p if p > 0 else mpmath.mpf(0) for p in row] for row in P],
                     dtype=object)
        fitted = dyadic_product(U, H) + np.asarray(c, dtype=object)[:, None]
        out.residual = float(_frobenius(fitted - Ym) / _frobenius(Ym))
        out.checks.append(residual_check(out.residual, digits, bias))
        _advance(stage)
    out.U, out.V = U, W[:, :d]
    if bias:
        out.b, out.c = W[:, d], theta[-1]
    return out


def refined_solve(S: np.ndarray, B: np.ndarray, digits: int):
    """``S⁻¹ B`` at ``digits`` digits for a float64 ``K×K`` matrix ``S`` (exact values) and
    an ``mpf`` object matrix ``B`` (K×m), inside the caller's ``workdps(digits)``.

    Mixed-precision iterative refinement: one float64 LU of ``S``; the iterate is kept in
    fixed point (integers over ``2^P``, ``P`` bits below the largest entry of the first
    float solution, ``P`` ≈ (digits + guard) · log2 10) and ``S`` as integers over
    ``2^s``, so ``S x`` is an exact integer product (25x faster than ``mpf`` products);
    the residual ``B − S x`` is then rounded to the working precision and the float LU
    solves for the correction. Sweeps stop when the residual is below ``10^-digits`` of
    ``B`` or stops shrinking. Returns ``(x, sweeps)``.
    """
    lu = scipy.linalg.lu_factor(S, check_finite=False)
    S_int, s = _integer_matrix(S)
    size = _max_abs(B)
    target = size * mpmath.mpf(10) ** (-digits)
    x0 = scipy.linalg.lu_solve(lu, np.array(B.tolist(), dtype=float), check_finite=False)
    top = max(float(np.abs(x0).max()), 2.0 ** -1000)
    P = int(np.ceil((digits + current_tolerances().guard_digits) * np.log2(10))) - int(np.floor(np.log2(top)))
    x_int = np.zeros(B.shape, dtype=object)
    r, best, sweeps = B, size, 0
    while sweeps < MAX_SWEEPS and best > target:
        scale = _max_abs(r)
        step = scipy.linalg.lu_solve(lu, np.array((r / scale).tolist(), dtype=float),
                                     check_finite=False)
        x_int = x_int + np.array([[int(mpmath.nint(mpmath.ldexp(mpmath.mpf(a) * scale, P)))
                                   for a in row] for row in step.tolist()], dtype=object)
        r = B - _ldexp_all(S_int @ x_int, -(s + P))
        sweeps += 1
        now = _max_abs(r)
        if now >= best:  # no progress: the working precision (or conditioning) is reached
            break
        best = now
    return _ldexp_all(x_int, -P), sweeps


def _integer_matrix(S: np.ndarray):
    """``(S_int, s)`` with ``S = S_int / 2^s`` exactly (``S_int`` Python ints)."""
    ratios = [[a.as_integer_ratio() for a in row] for row in S.tolist()]
    s = max(q.bit_length() - 1 for row in ratios for _, q in row)
    return np.array([[p << (s - (q.bit_length() - 1)) for p, q in row] for row in ratios],
                    dtype=object), s


def _ldexp_all(A: np.ndarray, e: int) -> np.ndarray:
    """``A · 2^e`` entrywise as ``mpf`` at the working precision (``A``: Python ints)."""
    return np.array([[mpmath.ldexp(mpmath.mpf(a), e) for a in row] for row in A.tolist()],
                    dtype=object)


def dyadic_product(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``A @ B`` for matrices of ``mpf`` or float64 entries (both exact binary fractions),
    computed exactly in integers and rounded once to the working precision.

    Row ``i`` of ``A`` is written as integers times ``2^{e_i}`` (its smallest exponent),
    column ``j`` of ``B`` as integers times ``2^{f_j}``, so ``(A B)_ij`` is an integer dot
    product times ``2^{e_i + f_j}``: products of Python ints, tens of times faster than
    ``mpf`` arithmetic, and no rounding inside the sum.
    """
    A_int, e = _dyadic_rows(A)
    B_int, f = _dyadic_rows(np.asarray(B).T)
    prod = A_int @ B_int.T
    return np.array([[mpmath.ldexp(mpmath.mpf(v), ei + fj) for v, fj in zip(row, f)]
                     for row, ei in zip(prod.tolist(), e)], dtype=object)


def _dyadic_rows(A: np.ndarray):
    """``(A_int, e)`` with ``A[i] = A_int[i] · 2^{e[i]}`` exactly (Python ints)."""
    rows, exps = [], []
    for row in np.asarray(A).tolist():
        parts = [_man_exp(a) for a in row]
        low = min((x for man, x in parts if man), default=0)
        rows.append([man << (x - low) if man else 0 for man, x in parts])
        exps.append(low)
    return np.array(rows, dtype=object).reshape(np.shape(A)), exps


def _man_exp(a) -> tuple[int, int]:
    """``(man, exp)`` with ``a = man · 2^exp`` exactly, for an ``mpf`` or a float."""
    if isinstance(a, mpmath.mpf):
        sign, man, exp, _ = a._mpf_
        return (-int(man) if sign else int(man)), int(exp)
    p, q = float(a).as_integer_ratio()
    return p, -(q.bit_length() - 1)


def _max_abs(A: np.ndarray):
    return max((abs(a) for a in A.ravel()), default=mpmath.mpf(0))


def _frobenius(A: np.ndarray):
    return mpmath.sqrt(mpmath.fsum(a * a for a in A.ravel()))


# --- shared: factor each block -------------------------------------------------------
def _factor_all(theta: np.ndarray, k: int, D: int, a: np.ndarray, Xk: np.ndarray, scale,
                exact: bool, stage=None, tol=0):
    """``(U, W)`` (m×k, k×D object arrays) with ``scale · U_i W_i = M_i`` for every block
    of ``theta`` (K×m), oriented so that ``W_i x̃_j > 0`` at the unit's first active sample
    used; or the failing "rank one" check. ``Xk``: the inputs used (D × n')."""
    m = theta.shape[1]
    U = np.empty((m, k), dtype=object)
    W = np.empty((k, D), dtype=object)
    scale = _scalar(scale, exact)
    for i in range(k):
        M = theta[i * D:(i + 1) * D, :].T                          # m × D
        pivot = _pivot(M)
        if pivot is None:
            return Check("rank one", "not proven",
                         f"unit {i}: its block is zero, so it contributes nothing on the "
                         f"samples used and has no direction", numbers={"unit": i})
        r0, c0 = pivot
        u, w = M[:, c0] / (scale * M[r0, c0]), M[r0, :]
        off = _max_abs(M - scale * np.outer(u, w)) / _max_abs(M)
        if off > tol:
            return Check("rank one", "failed",
                         f"unit {i}: its block has rank > 1 (relative distance "
                         f"{float(off):.3g} from u w^T): no network with this pattern "
                         f"reproduces Y", numbers={"unit": i, "relative_off": float(off)})
        first = np.flatnonzero(a[i])
        if len(first) and w @ _numbers(Xk[:, first[0]], exact) < 0:
            u, w = -u, -w
        U[:, i], W[i] = u, w
        _advance(stage)
    return U, W


def _scalar(c, exact: bool):
    """The slope ``c`` of ``g(t) = c t`` as a Fraction (exact) or an ``mpf``."""
    value = to_fraction(c)
    return value if exact else mpmath.mpf(value.numerator) / value.denominator


def _numbers(x: np.ndarray, exact: bool) -> np.ndarray:
    """Float64 entries as exact Fractions (exact) or ``mpf`` (both exact values)."""
    return np.array([Fraction(t) for t in x], dtype=object) if exact else mp_array(x)


def _pivot(M: np.ndarray):
    """``(row, col)`` of the largest entry of ``M`` in absolute value, None if all zero."""
    flat = max(range(M.size), key=lambda t: abs(M.flat[t]))
    return None if M.flat[flat] == 0 else divmod(flat, M.shape[1])


def _stop(out, check: Check):
    out.checks.append(check)
    return out


def _advance(stage) -> None:
    if stage is not None:
        stage.advance()
