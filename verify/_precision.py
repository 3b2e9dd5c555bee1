"""The high-precision certificate: the pattern-fixed solve at ``digits`` decimal digits.

Same steps as :mod:`verify._exact` (facets from ``k−1`` hypothesised-inactive samples,
``V_i`` from ``d`` active samples, ``U`` from ``k`` columns of ``f(V X)``), carried out in
mpmath at ``digits`` digits inside a local ``mp.workdps`` context (the global precision is
never touched). Nothing here is exact: the outcome is the measured relative residual
``‖U f(V X) − Y‖_F / ‖Y‖_F`` and the smallest relative sign margin
``min |V_i x_j| / (‖V_i‖ ‖x_j‖)`` of the pattern, and the certificate claims agreement
to the digits measured, no more.

Biases (``bias=True``): as in :mod:`verify._exact`, the solve runs on ``[X; 1ᵀ]`` and
``[Y; 1ᵀ]``, so every preactivation is ``V x + b`` (also inside Newton's method for a
bump and the scale search of a non-homogeneous ``f``), the facets live in a space of
dimension ``k + 1`` and ``[U | c]`` is solved from ``[f(V X + b 1ᵀ); 1ᵀ]``; the residual
is that of ``U f(V X + b 1ᵀ) + c 1ᵀ``.

Internal module of :mod:`verify`: use the names the package exports (``verify.__all__``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import numpy as np

from recover import RELU, Activation, fit_in_cone, solve_scale, weight_cone
from recover import current_tolerances

from ._checks import Check
from ._progress import Stage
from ._selection import pivot_order, propose_columns

# Digits held back from the working precision when deciding what a result agrees to:
# recover.Tolerances.guard_digits (read where used, so that certify(tol=…) sets it).


@dataclass
class PrecisionSolution:
    """``U`` (m×k), ``V`` (k×d) — and with biases ``b`` (k,), ``c`` (m,) — as object
    arrays of ``mpf``; ``checks`` in order."""

    U: np.ndarray | None = None
    V: np.ndarray | None = None
    checks: list[Check] = field(default_factory=list)
    residual: float = float("inf")
    b: np.ndarray | None = None
    c: np.ndarray | None = None


def mp_array(A) -> np.ndarray:
    """Float64 array → object array of ``mpf`` (exact: every float64 is an mpf)."""
    A = np.asarray(A, dtype=float)
    return np.array([mpmath.mpf(a) for a in A.ravel().tolist()], dtype=object).reshape(A.shape)


def mpf_to_fraction(x) -> Fraction:
    """The exact rational value of an ``mpf``."""
    man, exp = x.man_exp  # never re-wrap in mpf(): that would round to the global precision
    value = Fraction(int(man)) * Fraction(2) ** int(exp)
    return -value if x < 0 else value


def _as_float(A: np.ndarray) -> np.ndarray:
    return np.array([float(a) for a in A.ravel()], dtype=float).reshape(A.shape)


def _solve(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``A⁻¹ B`` for a square mpf object matrix ``A`` (at the current precision)."""
    inv = mpmath.inverse(mpmath.matrix(A.tolist()))
    inv = np.array(inv.tolist(), dtype=object)
    return inv @ B


def _facet_normal(M: np.ndarray) -> np.ndarray:
    """A null vector of the (k−1)×k mpf matrix ``M``; the free coordinate is the column
    that QR pivoting on its float copy leaves out."""
    k = M.shape[1]
    order = pivot_order(_as_float(M))
    free, rest = order[-1], np.sort(order[:-1])
    w = np.empty(k, dtype=object)
    w[free] = mpmath.mpf(1)
    w[rest] = _solve(M[:, rest], -M[:, [free]])[:, 0]
    return w


def _frobenius(A: np.ndarray):
    return mpmath.sqrt(mpmath.fsum(a * a for a in A.ravel()))


def precision_steps(k: int) -> int:
    """Number of progress steps of :func:`solve_precision` for ``k`` units: ``k`` facets,
    ``k`` hidden rows, then output weights and checks."""
    return 2 * k + 1


def solve_precision(X: np.ndarray, Y: np.ndarray, inactive: np.ndarray,
                    active: np.ndarray, digits: int, activation: Activation = RELU,
                    Y_mp: np.ndarray | None = None,
                    stage: Stage | None = None, bias: bool = False) -> PrecisionSolution:
    """Run the pattern-fixed solve at ``digits`` digits (see module docstring).

    ``inactive`` / ``active`` (k×n bool): samples the candidate confidently calls
    inactive / active per unit. Requires ``m ≥ k``; float choices of rows and columns
    follow QR pivoting on the float data. ``activation`` must not be constant on
    ``(0, ∞)`` (see :func:`hidden_row`); ``Y_mp`` (m×n ``mpf`` object array), when given, are the labels at high
    precision (``Y`` is then only their float copy, used for choices). ``bias=True``
    solves ``Y = U f(V X + b 1ᵀ) + c 1ᵀ`` (module docstring). ``stage``
    (optional, :class:`~verify._progress.Stage` of :func:`precision_steps` steps) advances
    as the steps finish; the caller ends it.
    """
    advance = stage.advance if stage is not None else lambda: None
    out = PrecisionSolution()
    k, d = inactive.shape[0], X.shape[0]
    r = k + bias  # dimension of the row space of [Y; 1] (of Y without biases)
    Xa, Ya = (_with_ones(X), _with_ones(Y)) if bias else (X, Y)
    with mpmath.mp.workdps(digits):
        Xm = mp_array(Xa)
        Ym = mp_array(Y) if Y_mp is None else np.vectorize(mpmath.mpf, otypes=[object])(Y_mp)
        Yam = np.vstack([Ym, mp_array(np.ones((1, Y.shape[1])))]) if bias else Ym
        F = _facet_values(Ya, Yam, inactive, active, r, digits, out.checks, advance)
        V = None if F is None else _hidden_rows(Xm, Xa, F, active, activation, out.checks,
                                                  advance)
        if V is None:
            return out
        P = V @ Xm
        g = activation.mp_positive_part
        H = np.array([[g(p) if p > 0 else mpmath.mpf(0) for p in row] for row in P],
                     dtype=object)
        Ha = np.vstack([H, mp_array(np.ones((1, H.shape[1])))]) if bias else H
        U = _output_weights(Ha, Ym, r, digits, out.checks)
        if U is None:
            return out
        out.checks.append(pattern_check(P, Xm, V, inactive, active, digits))
        out.residual = float(_frobenius(U @ Ha - Ym) / _frobenius(Ym))
        out.checks.append(residual_check(out.residual, digits, bias))
        out.U, out.V = (U[:, :k], V[:, :d]) if bias else (U, V)
        if bias:
            out.b, out.c = V[:, d], U[:, k]
        advance()
    return out


def _facet_values(Ya, Yam, inactive, active, r: int, digits: int, checks: list,
                  advance) -> np.ndarray | None:
    """``F = W Z`` (k×n, at the working precision): each unit's facet normal ``W_i`` in
    the row space ``Z`` of the labels, through ``r − 1`` of its inactive samples, oriented
    positive on its active ones; None, with a "not proven" check, when a unit's inactive
    samples do not determine its facet."""
    k = inactive.shape[0]
    R = propose_columns(Ya.T, r)
    Z = Yam[R]
    W = np.empty((k, r), dtype=object)
    for i in range(k):
        J = np.flatnonzero(inactive[i])
        if len(J) < r - 1:
            checks.append(Check("facets", "not proven",
                                f"unit {i}: only {len(J)} inactive samples"))
            return None
        sel = propose_columns(Ya[R], r - 1, among=J)
        try:
            W[i] = _facet_normal(Z[:, sel].T)
        except ZeroDivisionError:  # the chosen facet samples do not span a hyperplane
            checks.append(Check("facets", "not proven",
                                f"unit {i}: its inactive samples do not determine a "
                                f"facet normal at {digits} digits"))
            return None
        advance()
    F = W @ Z
    for i in range(k):
        if mpmath.fsum(F[i, active[i]]) < 0:
            F[i] = -F[i]
    return F


def _hidden_rows(Xm, Xa, F, active, activation: Activation, checks: list,
                 advance) -> np.ndarray | None:
    """``V`` (k × columns of ``Xa``): each unit's row from its facet values on its active
    samples (:func:`hidden_row`); None, with a "not proven" check, when a unit has fewer
    active samples than unknowns."""
    V = np.empty((F.shape[0], Xa.shape[0]), dtype=object)
    for i in range(F.shape[0]):
        A = np.flatnonzero(active[i])
        if len(A) < Xa.shape[0]:
            checks.append(Check("pattern", "not proven",
                                f"unit {i}: only {len(A)} active samples < "
                                f"{Xa.shape[0]} unknowns of its row"))
            return None
        V[i] = hidden_row(Xm, Xa, F[i], A, activation)
        advance()
    return V


def _output_weights(Ha, Ym, r: int, digits: int, checks: list) -> np.ndarray | None:
    """``U`` from ``r`` well-chosen samples of the hidden activations ``Ha``; None, with
    a "not proven" check, when they are singular."""
    cols = propose_columns(_as_float(Ha), r)
    try:
        return _solve(Ha[:, cols].T, Ym[:, cols].T).T
    except ZeroDivisionError:  # mpmath's LU on a singular matrix
        checks.append(Check("output weights", "not proven",
                            f"the solved hidden activations are singular at {digits} "
                            f"digits (units parallel or repeated?): U is not "
                            f"determined by the data"))
        return None


def _with_ones(A: np.ndarray) -> np.ndarray:
    """``[A; 1ᵀ]``: the row of ones that carries a bias (``[V | b] [X; 1ᵀ] = V X + b 1ᵀ``)."""
    return np.vstack([A, np.ones((1, A.shape[1]))])


def hidden_row(Xm: np.ndarray, X: np.ndarray, F_i: np.ndarray, A: np.ndarray,
               activation: Activation) -> np.ndarray:
    """``V_i`` (d,) at the current precision from ``f(V_i x_j) = F_ij / c`` on the
    active samples ``A``.

    ``V_i`` solves ``V_i x_j = g^{-1}(F_ij / c)`` on ``d`` well-conditioned active
    samples. Homogeneous ``g``: ``c = 1`` (the scale is a symmetry). Otherwise ``c`` is
    the root of ``e(c) = V_i(c)·x_0 − g^{-1}(F_i0 / c)`` at one more active sample
    (``mpmath.findroot`` from the float estimate of :func:`recover._solve.solve_scale`;
    if it finds no root, the float estimate is kept); the reproduction check over all
    samples then confirms the choice.
    """
    if not activation.injective:
        return bump_row(Xm, X, F_i, A, activation)
    d = X.shape[0]
    values = np.array([float(F_i[j]) for j in A])
    moderate = A[values <= np.quantile(values, 0.9)]  # away from saturation of g
    pool = moderate if len(moderate) > d else A
    sel = propose_columns(X, d, among=pool)
    inv = mpmath.inverse(mpmath.matrix(Xm[:, sel].T.tolist()))
    inv = np.array(inv.tolist(), dtype=object)
    invert = activation.mp_inverse

    def row(c):
        return inv @ np.array([invert(F_i[j] / c) for j in sel], dtype=object)

    if activation.homogeneous:
        return row(mpmath.mpf(1))
    rest = np.setdiff1d(pool, sel)
    c0 = mpmath.mpf(solve_scale(X[:, A], values, activation))
    j0 = rest[np.argmin(np.abs(values[np.searchsorted(A, rest)] - np.median(values)))]

    def consistency(s):  # c = c0 (1 + s): secant steps stay relative and tiny
        c = c0 * (1 + s)
        return row(c) @ Xm[:, j0] - invert(F_i[j0] / c)

    try:
        s = mpmath.findroot(consistency, (mpmath.mpf(0), mpmath.mpf(10) ** -12),
                            solver="secant")
    except (ValueError, ZeroDivisionError):
        # no consistent scale (a wrong hypothesis): keep the float estimate; the pattern
        # and reproduction checks then fail instead of certify raising
        s = mpmath.mpf(0)
    return row(c0 * (1 + s))


def bump_row(Xm: np.ndarray, X: np.ndarray, F_i: np.ndarray, A: np.ndarray,
             activation: Activation) -> np.ndarray:
    """``V_i`` (d,) at the current precision for a non-injective, non-constant ``g``.

    ``g`` has no inverse, so ``(V_i, log c)`` solves the ``d + 1`` equations
    ``c g(V_i x_j) = F_ij`` on well-conditioned active samples by Newton's method
    (``mpmath.findroot``, ``mdnewton``; ``g'`` by ``mpmath.diff``), started from the float
    fit inside the unit's pattern cone (:func:`recover._weight_cones.fit_in_cone`). If
    Newton does not converge, the float start is returned and the reproduction check
    fails — no digits are claimed that were not reached.
    """
    d, n = X.shape
    mask = np.zeros(n, dtype=bool)
    mask[A] = True
    v0, c0, _ = fit_in_cone(X, np.array([float(a) for a in F_i]), weight_cone(X, mask),
                            activation)
    # Samples near the peak of g (g' ≈ 0) make the Newton system ill-conditioned: take
    # the d + 1 well-conditioned ones among the half of A with the steepest g.
    slope = np.abs(activation.derivative(v0 @ X[:, A]))
    sel = propose_columns(X, d + 1, among=A[slope >= np.median(slope)])
    g = activation.mp_positive_part
    rows = [Xm[:, j] for j in sel]

    def pre(z):
        return [mpmath.fdot(z[:d], x) for x in rows]

    def equations(*z):
        c = mpmath.exp(z[d])
        return [c * g(p) - F_i[j] for p, j in zip(pre(z), sel)]

    def jacobian(*z):
        c = mpmath.exp(z[d])
        out = []
        for p, x in zip(pre(z), rows):
            slope = c * mpmath.diff(g, p)
            out.append([slope * x[t] for t in range(d)] + [c * g(p)])
        return mpmath.matrix(out)

    start = [mpmath.mpf(float(a)) for a in v0] + [mpmath.log(mpmath.mpf(c0))]
    with mpmath.mp.workdps(mpmath.mp.dps + current_tolerances().guard_digits * 4):  # conditioning
        try:
            z = mpmath.findroot(equations, start, solver="mdnewton", J=jacobian)
        except (ValueError, ZeroDivisionError):  # not converged: keep the float start
            z = start
    return np.array([+z[t] for t in range(d)], dtype=object)


def agreed_digits(rel_error: float) -> int:
    """Decimal digits to which a relative error of ``rel_error`` agrees."""
    return 10**6 if rel_error == 0 else max(0, int(np.floor(-np.log10(rel_error))))


def residual_check(residual: float, digits: int, bias: bool = False) -> Check:
    target = digits - current_tolerances().guard_digits
    got = agreed_digits(residual)
    ok = residual <= 10.0 ** (-target)
    model = "U f(V X + b 1') + c 1'" if bias else "U f(V X)"
    return Check("reproduction", "passed" if ok else "failed",
                 f"||{model} - Y|| / ||Y|| = {residual:.3g} at {digits} working digits: "
                 f"{model} agrees with Y to {min(got, digits)} digits"
                 + ("" if ok else f", short of the {target} digits required — no more is claimed"),
                 numbers={"relative_residual": residual, "agreed_digits": min(got, digits),
                          "required_digits": target})


def pattern_check(P, Xm, V, inactive, active, digits) -> Check:
    """Signs of ``V X`` against the hypothesis, and the smallest relative margin."""
    guard = current_tolerances().guard_digits
    zero = mpmath.mpf(10) ** (guard - digits)
    xn = [_frobenius(Xm[:, j]) for j in range(Xm.shape[1])]
    margins, zeros, wrong = [], 0, 0
    for i in range(P.shape[0]):
        vn = _frobenius(V[i])
        for j, p in enumerate(P[i]):
            rel = abs(p) / (vn * xn[j]) if xn[j] else mpmath.mpf(0)
            if rel <= zero:
                zeros += 1
                wrong += bool(active[i, j])
                continue
            margins.append(rel)
            wrong += bool(p > 0 and inactive[i, j]) or bool(p < 0 and active[i, j])
    margin = float(min(margins)) if margins else 0.0
    ok = wrong == 0
    return Check("pattern", "passed" if ok else "failed",
                 f"signs of V X match the candidate's pattern ({wrong} disagreements); "
                 f"min relative sign margin {margin:.3g}; {zeros} preactivations are zero "
                 f"to {digits - guard} digits",
                 numbers={"disagreements": wrong, "min_sign_margin": margin,
                          "zero_preactivations": zeros})
