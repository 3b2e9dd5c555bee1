"""The float-aware certificate: ``Y`` is a floating-point evaluation of a network.

A trained model (scikit-learn, PyTorch) computes ``Y = U f(V X + b 1ᵀ) + c 1ᵀ`` in float64
or float32 arithmetic, so ``Y`` is not the exact value ``net(X)``: it is off by the
rounding errors of that evaluation. :func:`certify_float` proves, entry by entry, that

    ``|Y_ij − net(X)_ij| ≤ B_ij``,

where ``net(X)`` is the exact real value (the weights, ``X`` and ``Y`` are read as the
binary rationals they are) and ``B`` bounds the rounding error of *any* standard
evaluation of the network in the chosen precision. It fails as soon as one entry is
farther from ``net(X)`` than that: labels of another network, or of this one with a
weight off by more than rounding can explain.

Error model (``u`` = unit roundoff, ``2^-53`` for float64, ``2^-24`` for float32;
``η`` = the smallest subnormal; ``γ_L = L u / (1 − L u)``):

* the weights, ``X`` and the biases are rounded to the precision first (a relative
  ``u`` per entry, counted only when some entry is not representable);
* ``P̂ = fl(V X + b)``: each entry a dot product of length ``L_h = d (+1 with b)``,
  summed in any order, with or without fused multiply-add, so
  ``|P̂ − P| ≤ e_P = γ_{L_h} (|V| |X| + |b|) + underflow terms``
  (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., chapter 3);
* ``Ĥ = f̂(P̂)``: ``f`` Lipschitz with constant ``Λ`` on ``[0, max(P, P̂)]``, and the
  float ``f̂`` within ``u (α f + β)`` of ``f`` (table below), so
  ``|Ĥ − H| ≤ δH = Λ e_P + u (α (H + Λ e_P) + β)`` wherever ``P + e_P > 0``, and 0
  elsewhere (both sides are 0 there);
* ``Ŷ = fl(U Ĥ + c)``: ``|Ŷ − Y| ≤ |U| δH + γ_{L_o} (|U| (H + δH) + |c|) + underflow``
  with ``L_o = k (+1 with c)``.
* optionally (``weight_rtol = δ > 0``) the evaluated network's weights may differ from
  the given ones by ``δ`` relative to their unit's scale — the measure of
  :func:`verify._compare.max_unit_error`: ``|δV_ij|, |δb_i| ≤ δ s_i`` with
  ``s_i = max(‖V_i‖_∞, |b_i|)``, ``|δU_ai| ≤ δ t_i`` with ``t_i = ‖U_{:,i}‖_∞``, and
  ``|δc_a| ≤ δ ‖c‖_∞``. A recovered network reproduces a trained model's weights only to
  a few ulp *of each unit's scale*, which changes its outputs by about as much as the
  rounding does. Then ``e_P += δ s_i (‖x_j‖_1 + 1)`` and
  ``e_Y += δ (Σ_i t_i |Ĥ_ij| + ‖c‖_∞)``. The certificate then proves that every entry of
  ``Y`` lies within the error any standard evaluation of any network within ``δ`` of this
  one can make — consistent with such a network having produced it — and still fails for
  weights off by clearly more (the bound is a worst case, so a network slightly beyond
  ``δ`` may pass too).

Activations, with the **libm assumption**: ``log``, ``log1p``, ``exp``, ``expm1``,
``tanh`` and ``pow`` return a result within ``libm_ulp`` units in the last place of the
exact value (one ulp is at most ``2u`` relative). The default ``libm_ulp = 1`` is an
assumption, not a property of every libm: glibc aims at "a few ulp" and lists its
measured maximum errors per function and platform in its manual ("Known Maximum Errors
in Math Functions"), and numpy's SIMD float32 loops document up to about 4 ulp; pass at
least the figure of the library that produced the labels. With ``w = libm_ulp``:

==================  ====================================  ============  =================
activation          evaluations covered                   ``α``         ``β``
==================  ====================================  ============  =================
``relu``            ``max(p, 0)`` (exact)                 0             0
``relu^q`` (q≥2)    ``pow``, or ``q − 1`` products        max(2w, q−1)  0
``log(1+t)``        ``log1p(t)``, ``log(fl(1 + t))``      2w            (1+2wu)/(1−u)
``1-exp(-t)``       ``-expm1(-t)``, ``1 − fl(exp(-t))``   max(1, 2w)    2w (1 + u)
``tanh(t)``         libm ``tanh(t)``                      2w            0
==================  ====================================  ============  =================

Not covered: fast matrix multiplication (Strassen-like), reduced-precision accumulation
(TF32, bfloat16), flush-to-zero of subnormals, and overflow — the certificate checks that
no partial sum can reach the overflow threshold and is "not proven" otherwise.

Rigour of the computation itself: ``net(X)`` is exact (integers times powers of two)
for ReLU and ``relu^q``; for the other activations each hidden value is enclosed by
interval arithmetic (mpmath's ``libmpi`` at about ``digits`` decimal digits, widened by
a relative ``2^-(prec-8)`` in case of a last-bit error in mpmath's elementary functions),
so the comparison ``|Y − net(X)| ≤ B`` is decided exactly, up to an enclosure width far
below any bound. ``B`` is computed in float64 from nonnegative quantities and then
inflated to an upper bound (see :func:`_inflation`).

Internal module of :mod:`verify`: use the names the package exports (``verify.__all__``).
"""

from __future__ import annotations

import json
import math
import numbers
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import sympy
from mpmath.libmp import from_man_exp, mpf_shift, round_ceiling, to_float, to_man_exp
from mpmath.libmp.libmpi import mpi_add, mpi_div, mpi_exp, mpi_log, mpi_neg, mpi_sub

from recover import Activation, InvalidInputError, T, TwoLayerNetwork

_U64 = 2.0 ** -53
_ETA64 = 2.0 ** -1074


@dataclass(frozen=True)
class FloatFormat:
    """An IEEE-754 binary format: unit roundoff ``u``, smallest subnormal ``eta``,
    largest finite value ``max``."""

    name: str
    dtype: type
    u: float
    eta: float
    max: float


PRECISIONS = {
    "float64": FloatFormat("float64", np.float64, 2.0 ** -53, 2.0 ** -1074,
                           float(np.finfo(np.float64).max)),
    "float32": FloatFormat("float32", np.float32, 2.0 ** -24, 2.0 ** -149,
                           float(np.finfo(np.float32).max)),
}

PROVES = ("Y is a {p} evaluation of this network up to rounding: every entry satisfies "
          "|Y - U f(V X + b) - c| <= B, B the rounding-error bound of any standard {p} "
          "evaluation (any summation order, with or without FMA), under the stated libm "
          "assumption")
WITHIN = ("; B also covers the evaluation of any network whose every weight is within "
          "{delta:.1e} of this one's, relative to its unit's scale (weight_rtol; the "
          "measure of verify.max_unit_error)")
DOES_NOT_PROVE = ("that the network is the only one fitting the data (uniqueness up to "
                  "permutation and scaling is the identifiability check of "
                  "verify.certify), nor which summation order or library produced Y")


# --- the certificate ------------------------------------------------------------------
@dataclass
class FloatCertificate:
    """Outcome of :func:`certify_float`.

    ``holds`` is True exactly when every entry satisfies ``|Y − net(X)| ≤ bound`` (decided
    exactly) and nothing made the error model inapplicable (``not_proven`` is empty).
    ``max_ratio`` is ``max |Y − net(X)| / bound`` (≤ 1 when it holds), reached at
    ``worst_entry`` ``(i, j)`` where the error is ``worst_error`` and the bound
    ``worst_bound``; ``violations`` counts entries beyond their bound.
    """

    holds: bool
    precision: str
    activation: str
    max_ratio: float
    worst_entry: tuple[int, int]
    worst_error: float
    worst_bound: float
    violations: int
    libm_ulp: float
    values: str
    proves: str
    weight_rtol: float = 0.0
    does_not_prove: str = DOES_NOT_PROVE
    not_proven: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """Human-readable lines: outcome, the max ratio, what is and is not proven."""
        i, j = self.worst_entry
        lines = [f"float certificate ({self.precision}, activation {self.activation!r}): "
                 f"{'HOLDS' if self.holds else 'DOES NOT HOLD'}",
                 f"  max |Y - net(X)| / bound = {self.max_ratio:.3g} at entry ({i}, {j}) "
                 f"(error {self.worst_error:.3g}, bound {self.worst_bound:.3g}); "
                 f"{self.violations} entries beyond their bound",
                 f"  net(X): {self.values}"]
        lines += [f"  not proven: {reason}" for reason in self.not_proven]
        lines += [f"  assumes: {a}" for a in self.assumptions]
        lines.append(f"  {'proves' if self.holds else 'would prove'}: {self.proves}")
        lines.append(f"  does not prove: {self.does_not_prove}")
        return "\n".join(lines)

    def to_json(self) -> str:
        """The certificate as JSON (schema ``relunet.float-certificate/1``)."""
        return json.dumps({"schema": "relunet.float-certificate/1", **asdict(self)},
                          indent=1)


def certify_float(network: TwoLayerNetwork, X, Y, *, precision: str = "float64",
                  digits: int = 50, libm_ulp: float = 1.0,
                  weight_rtol: float = 0.0) -> FloatCertificate:
    """Prove that ``Y`` is a ``precision`` evaluation of ``network`` on ``X`` up to rounding.

    Parameters
    ----------
    network : TwoLayerNetwork
        Float weights ``U`` (m×k), ``V`` (k×d), biases ``b`` (k,), ``c`` (m,), taken at
        their exact binary values. Activations: ``relu``, ``relu^q`` (integer q ≥ 2),
        ``log(1+t)``, ``1-exp(-t)``, ``tanh(t)`` (see the module doc for the error model).
    X : array of floats, shape (d, n)
        Inputs, one sample per column (float64 or float32 dtype).
    Y : array of floats, shape (m, n)
        Labels to check, e.g. a trained model's predictions (transposed to m×n).
    precision : "float64" or "float32"
        Arithmetic of the evaluation that produced ``Y``.
    digits : int >= 16
        Decimal digits of the interval enclosures of non-polynomial activations.
    libm_ulp : float in [0.5, 1e6]
        Assumed accuracy, in ulps, of the elementary functions (``log1p``, ``exp``, ...).
    weight_rtol : float in [0, 1e-6]
        Distance, per weight and relative to its unit's scale (the measure of
        :func:`verify._compare.max_unit_error`), of the network that produced ``Y`` from
        this one (0: this very network). Use about ``1e-14`` for a network *recovered*
        from a model's answers, whose weights match the model's to a few ulp.

    Returns
    -------
    FloatCertificate
        ``holds`` iff ``|Y_ij − net(X)_ij| ≤ B_ij`` for every entry. Cost: O(mkn + kdn)
        integer operations (exact activations) or interval evaluations of ``f``
        (others); about a second at (d, k, m, n) = (20, 10, 15, 2000).

    Raises
    ------
    InvalidInputError
        Not a float network, non-float or non-finite ``X``/``Y``, shapes that do not
        match, an unknown ``precision``, an activation outside the table, bad
        ``digits``/``libm_ulp``.
    """
    start = time.perf_counter()
    fmt, model = _validate_options(network, precision, digits, libm_ulp)
    delta = _validate_weight_rtol(weight_rtol)
    X, Y = _validate_data(network, X, Y)
    values = _NetworkValues.of(network, X, model, _bits(digits))
    bound, reasons = _rounding_bound(network, X, values, fmt, model, delta)
    reasons += _label_reasons(Y, fmt)
    error = DyadicMatrix.from_float(Y).sub(values.net_mid).abs()
    finite = np.where(np.isfinite(bound), bound, np.finfo(np.float64).max)  # then not proven
    inside = error.add(DyadicMatrix.from_float(values.net_rad)).le(
        DyadicMatrix.from_float(finite))
    distance = error.to_float() + values.net_rad  # for the report; `inside` decides, exactly
    ratio = distance / bound
    worst = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    violations = int(np.count_nonzero(~inside))
    return FloatCertificate(
        holds=violations == 0 and not reasons, precision=fmt.name,
        activation=network.activation.name, max_ratio=float(ratio[worst]),
        worst_entry=(int(worst[0]), int(worst[1])),
        worst_error=float(distance[worst]),
        worst_bound=float(bound[worst]), violations=violations, libm_ulp=float(libm_ulp),
        values=("exact (integers times powers of two)" if model.exact else
                f"interval enclosures at {_bits(digits)} bits"),
        proves=PROVES.format(p=fmt.name) + (WITHIN.format(delta=delta) if delta else ""),
        not_proven=reasons, weight_rtol=delta,
        assumptions=_assumptions(model, libm_ulp), seconds=time.perf_counter() - start)


def error_bound(network: TwoLayerNetwork, X, *, precision: str = "float64",
                digits: int = 50, libm_ulp: float = 1.0,
                weight_rtol: float = 0.0) -> np.ndarray:
    """The bound ``B`` (m×n, float64) of :func:`certify_float`: every standard
    ``precision`` evaluation ``Ŷ`` of ``network`` on ``X`` (d×n floats) satisfies
    ``|Ŷ − net(X)| ≤ B`` entrywise, under the assumptions of the module doc — provided no
    overflow can occur, which :func:`certify_float` checks and reports (here entries are
    ``inf`` only when ``B`` itself exceeds the float64 range). Same arguments and errors
    as :func:`certify_float`.
    """
    fmt, model = _validate_options(network, precision, digits, libm_ulp)
    delta = _validate_weight_rtol(weight_rtol)
    X = _validate_X(network, X)
    values = _NetworkValues.of(network, X, model, _bits(digits))
    return _rounding_bound(network, X, values, fmt, model, delta)[0]


def _validate_weight_rtol(weight_rtol) -> float:
    if isinstance(weight_rtol, bool) or not isinstance(weight_rtol, numbers.Real) \
            or not 0.0 <= float(weight_rtol) <= 1e-6:
        raise InvalidInputError(f"weight_rtol must be a number in [0, 1e-6], got "
                                f"{weight_rtol!r}")
    return float(weight_rtol)


def _bits(digits: int) -> int:
    """Working bits of the interval enclosures for ``digits`` decimal digits."""
    return int(digits * 3.33) + 16


@dataclass(frozen=True)
class _NetworkValues:
    """The exact values of the network on ``X``: preactivations ``P`` (exact), hidden
    values ``H`` (exact midpoints) within ``H_rad``, outputs ``net_mid`` (exact) within
    ``net_rad`` (float upper bounds; zero when ``f`` maps rationals to rationals)."""

    P: "DyadicMatrix"
    H: "DyadicMatrix"
    H_rad: np.ndarray
    net_mid: "DyadicMatrix"
    net_rad: np.ndarray

    @classmethod
    def of(cls, network: TwoLayerNetwork, X: np.ndarray, model: "ActivationModel",
           prec: int) -> "_NetworkValues":
        P = _preactivation(network, X)
        H, H_rad = _hidden(P, model, prec)
        net_mid = DyadicMatrix.from_float(network.U).matmul(H).add_column(
            DyadicMatrix.from_float(network.c[:, None]))
        # |U| times the radii of the hidden values: how far net(X) can be from net_mid
        net_rad = (np.abs(network.U) @ H_rad * _inflation(network.k + 2) + _ETA64
                   if H_rad.any() else np.zeros((network.m, X.shape[1])))
        return cls(P, H, H_rad, net_mid, net_rad)


# --- exact binary arithmetic ------------------------------------------------------------
@dataclass(frozen=True)
class DyadicMatrix:
    """The exact matrix ``M · 2^e``: ``M`` an object array of Python ints, ``e`` an int.
    Every float is such a number, and sums and products of them stay such numbers."""

    M: np.ndarray
    e: int

    @classmethod
    def from_float(cls, A) -> "DyadicMatrix":
        """The exact value of a float array (any float dtype, finite)."""
        A = np.asarray(A, dtype=np.float64)
        mant, ex = np.frexp(A)
        ints = (mant * 2.0 ** 53).astype(np.int64)  # exact: 53-bit mantissas
        ex = ex.astype(np.int64) - 53
        nonzero = ints != 0
        e = int(ex[nonzero].min()) if nonzero.any() else 0
        shifts = np.where(nonzero, ex - e, 0)
        M = np.array([int(m) << int(s) for m, s in zip(ints.ravel(), shifts.ravel())],
                     dtype=object).reshape(A.shape)
        return cls(M, e)

    def at(self, e: int) -> np.ndarray:
        """The integers of the same matrix at exponent ``e <= self.e``."""
        return self.M * (1 << (self.e - e)) if self.e > e else self.M

    def add(self, other: "DyadicMatrix") -> "DyadicMatrix":
        e = min(self.e, other.e)
        return DyadicMatrix(self.at(e) + other.at(e), e)

    def add_column(self, col: "DyadicMatrix") -> "DyadicMatrix":
        """``self + col 1ᵀ`` for a column ``col`` (rows × 1)."""
        return self.add(DyadicMatrix(col.M, col.e))

    def sub(self, other: "DyadicMatrix") -> "DyadicMatrix":
        e = min(self.e, other.e)
        return DyadicMatrix(self.at(e) - other.at(e), e)

    def matmul(self, other: "DyadicMatrix") -> "DyadicMatrix":
        return DyadicMatrix(self.M @ other.M, self.e + other.e)

    def abs(self) -> "DyadicMatrix":
        return DyadicMatrix(np.abs(self.M), self.e)

    def le(self, other: "DyadicMatrix") -> np.ndarray:
        """Entrywise ``self <= other``, exactly (bool array)."""
        e = min(self.e, other.e)
        return np.array((self.at(e) <= other.at(e)).tolist(), dtype=bool)

    def to_float(self) -> np.ndarray:
        """float64 values, within ``2u`` relative (plus underflow) of the exact ones."""
        return np.array([_int_to_float(int(m), self.e) for m in self.M.ravel()],
                        dtype=np.float64).reshape(self.M.shape)


def _int_to_float(m: int, e: int) -> float:
    """``m · 2^e`` as a float: the top 60 bits (truncation, relative error < 2^-59),
    then one rounding (``u``); ``inf`` beyond the float64 range."""
    shift = max(m.bit_length() - 60, 0) if m >= 0 else max((-m).bit_length() - 60, 0)
    top = (m >> shift) if m >= 0 else -((-m) >> shift)
    try:
        return math.ldexp(float(top), e + shift)
    except OverflowError:
        return math.copysign(math.inf, m)


# --- exact values of the network -------------------------------------------------------
def _preactivation(network: TwoLayerNetwork, X: np.ndarray) -> DyadicMatrix:
    """``V X + b 1ᵀ`` exactly."""
    VX = DyadicMatrix.from_float(network.V).matmul(DyadicMatrix.from_float(X))
    return VX.add_column(DyadicMatrix.from_float(network.b[:, None]))


def _hidden(P: DyadicMatrix, model: "ActivationModel", prec: int):
    """``H = f(P)``: a :class:`DyadicMatrix` (midpoints) and the float radii (upper
    bounds) of the enclosures; radii are 0 when ``f`` maps rationals to rationals."""
    positive = np.array((P.M > 0).tolist(), dtype=bool)
    if model.exact:
        q = model.power
        M = np.where(positive, P.M, 0) ** q if q > 1 else np.where(positive, P.M, 0)
        return DyadicMatrix(M.astype(object), P.e * q), np.zeros(P.M.shape)
    mids = np.zeros(P.M.shape, dtype=object)
    rads = np.zeros(P.M.shape)
    exps = np.zeros(P.M.shape, dtype=np.int64)
    for idx in zip(*np.nonzero(positive)):
        man = int(P.M[idx])
        bits = _entry_prec(man, P.e, prec)
        lo, hi = model.enclose(from_man_exp(man, P.e), bits)
        mids[idx], exps[idx], rads[idx] = _mid_rad(lo, hi, bits)
    e = int(exps[positive].min()) if positive.any() else 0
    M = np.array([int(m) << int(x - e) if p else 0 for m, x, p in
                  zip(mids.ravel(), exps.ravel(), positive.ravel())],
                 dtype=object).reshape(P.M.shape)
    return DyadicMatrix(M, e), rads


def _entry_prec(man: int, e: int, prec: int) -> int:
    """Working bits for ``f(t)``, ``t = man 2^e``: ``prec`` plus the bits lost to
    cancellation in ``1 + t`` or ``1 − e^{-t}`` when ``t`` is small."""
    magnitude = man.bit_length() + e  # t in [2^(magnitude-1), 2^magnitude)
    return prec + max(0, -magnitude)


def _mid_rad(lo, hi, prec: int):
    """The exact midpoint ``mid · 2^exp`` of ``[lo, hi]`` as ``(mid, exp)`` and an upper
    float bound of its radius, widened by a relative ``2^-(prec-8)`` (a guard against a
    last-bit error in mpmath's elementary functions)."""
    lo_man, lo_exp = to_man_exp(lo)
    hi_man, hi_exp = to_man_exp(hi)
    e = min(lo_exp, hi_exp)
    lo_i, hi_i = lo_man << (lo_exp - e), hi_man << (hi_exp - e)
    rad = to_float(from_man_exp(hi_i - lo_i, e - 1), rnd=round_ceiling)
    top = max(abs(lo_i), abs(hi_i))
    rad += to_float(from_man_exp(top, e - prec + 8), rnd=round_ceiling)
    return lo_i + hi_i, e - 1, rad * (1 + 4 * _U64) + _ETA64


# --- the rounding bound ----------------------------------------------------------------
def _rounding_bound(network: TwoLayerNetwork, X: np.ndarray, values: _NetworkValues,
                    fmt: FloatFormat, model: "ActivationModel", delta: float = 0.0):
    """The bound ``B`` (m×n float64, an upper bound of the error of any ``fmt`` evaluation)
    and the reasons it does not apply (overflow), as a list of strings.

    ``values`` holds the exact preactivations and hidden values; the formulas are those
    of the module doc.
    """
    with np.errstate(over="ignore"):  # an infinite bound is reported as not proven
        return _bound_and_reasons(network, X, values, fmt, model, delta)


def _bound_and_reasons(network, X, values, fmt, model, delta=0.0):
    P, H, H_rad = values.P, values.H, values.H_rad
    U, V, b, c = (np.abs(np.asarray(a, dtype=np.float64))
                  for a in (network.U, network.V, network.b, network.c))
    u, eta = fmt.u, fmt.eta
    L_h = V.shape[1] + int(b.any()) + int(not (_fits(network.V, fmt) and _fits(network.b, fmt))) \
        + int(not _fits(X, fmt))
    L_o = U.shape[1] + int(c.any()) + int(not (_fits(network.U, fmt) and _fits(network.c, fmt)))
    A_P = V @ np.abs(X) + b[:, None]
    e_P = _gamma(L_h, u) * A_P \
        + 2 * eta * (L_h + V.sum(1)[:, None] + np.abs(X).sum(0) + 1)
    if delta:  # weights within δ of their unit's scale (module doc)
        scale_h = np.maximum(V.max(axis=1, initial=0.0), b)
        e_P = e_P + delta * scale_h[:, None] * (np.abs(X).sum(0)[None, :] + 1)
    e_P = e_P * _inflation(L_h + 8)  # an upper bound already: the sign test below needs one
    P_f = P.to_float()
    P_hi = P_f + 4 * _U64 * np.abs(P_f) + 2 * _ETA64  # >= P
    may_be_active = P_hi + e_P >= 0
    top = np.maximum(P_hi, 0) + e_P  # >= max(P, P̂, 0)
    lip = model.lipschitz(top)
    H_up = np.abs(H.to_float()) * (1 + 4 * _U64) + H_rad + _ETA64  # >= H
    w = model.libm_ulp
    dH = np.where(may_be_active, lip * e_P + u * (model.alpha * (H_up + lip * e_P)
                                                 + model.beta) + 2 * w * eta, 0.0)
    H_hat = H_up + dH  # >= |Ĥ|
    A_Y = U @ H_hat + c[:, None]
    e_Y = U @ dH + _gamma(L_o, u) * A_Y + (
        delta * ((U.max(axis=0, initial=0.0)[:, None] * H_hat).sum(0)[None, :]
                 + c.max(initial=0.0)) if delta else 0.0) \
        + 2 * eta * (L_o + U.sum(1)[:, None] + H_hat.sum(0) + 1)
    depth = V.shape[1] + U.shape[1] + model.power + 40
    tiny = 4 * depth * _ETA64 * (1 + float(np.max(lip, initial=0))) * (1 + U.sum(1))[:, None]
    bound = e_Y * _inflation(depth) + tiny
    return bound, _overflow_reasons(fmt, [("V X + b", A_P, L_h), ("f(V X + b)", H_hat, 1),
                                          ("U f(V X + b) + c", A_Y, L_o)], bound)


def _gamma(L: int, u: float) -> float:
    """``γ_L = L u / (1 − L u)``, rounded up (×(1 + 2^-50) covers the three roundings)."""
    if L * u >= 0.5:
        raise InvalidInputError(f"dot products of length {L} are too long for the error "
                                f"bound in this precision (L u = {L * u:.3g} >= 1/2)")
    return L * u / (1 - L * u) * (1 + 2.0 ** -50)


def _inflation(depth: int) -> float:
    """Factor turning a float64 computation of nonnegative quantities into an upper bound.

    Every quantity in :func:`_rounding_bound` is built from nonnegative floats by ``+``,
    ``×`` and ``max`` with rounding to nearest, so each operation returns at least
    ``(1 − u)`` times its exact result (``u = 2^-53``; underflow is covered by the
    separate absolute term). Along the longest chain of ``depth`` operations (the two
    matrix products of lengths ``d`` and ``k`` included) the computed value is at least
    ``(1 − u)^depth ≥ 1 − depth·u`` times the exact one, so the exact value is at most the
    computed one times ``1 / (1 − depth·u) ≤ 1 + 2·depth·u``; ``4·depth·u`` also covers
    the rounding of the final product.
    """
    return 1 + 4 * depth * _U64


def _fits(A, fmt: FloatFormat) -> bool:
    """True when every entry of ``A`` is a number of the format ``fmt``."""
    A = np.asarray(A, dtype=np.float64)
    with np.errstate(over="ignore"):
        return bool(np.array_equal(A.astype(fmt.dtype).astype(np.float64), A))


def _overflow_reasons(fmt: FloatFormat, stages, bound) -> list[str]:
    """Why the model does not apply: a partial sum (at most ``(1 + γ)`` times the sum of
    absolute values) could reach the overflow threshold of ``fmt``."""
    reasons = []
    for name, magnitude, L in stages:
        peak = float(np.max(magnitude, initial=0)) * (1 + _gamma(L, fmt.u)) * 1.01
        if not peak < fmt.max:
            reasons.append(f"{name} may overflow in {fmt.name} (magnitudes up to "
                           f"{peak:.3g}): overflow is outside the error model")
    if not np.all(np.isfinite(bound)):
        reasons.append("the rounding bound exceeds the float64 range")
    return reasons


def _label_reasons(Y: np.ndarray, fmt: FloatFormat) -> list[str]:
    """A ``fmt`` evaluation returns ``fmt`` numbers: labels that are not cannot be one."""
    if _fits(Y, fmt):
        return []
    bad = int(np.count_nonzero(Y.astype(fmt.dtype).astype(np.float64) != Y))
    return [f"{bad} labels are not {fmt.name} numbers, so Y is not a {fmt.name} evaluation"]


# --- activations -------------------------------------------------------------------------
@dataclass(frozen=True)
class ActivationModel:
    """How a float evaluation of ``f`` may err, and how to enclose ``f`` exactly.

    ``|f̂(t) − f(t)| ≤ u (alpha f(t) + beta)`` for ``t > 0`` (``alpha``/``beta`` already
    include ``libm_ulp``); ``lipschitz(T)`` bounds ``|f'|`` on ``[0, T]``; ``power`` is q
    for ``t^q`` (exact values) else 1; ``enclose(t, prec)`` is an interval ``(lo, hi)``
    of raw mpf values holding ``f(t)`` for a raw mpf ``t > 0``.
    """

    name: str
    alpha: float
    beta: float
    libm_ulp: float
    power: int = 1
    exact: bool = False
    enclose: object = None
    note: str = ""

    def lipschitz(self, top: np.ndarray) -> np.ndarray:
        """Upper bound of ``|f'|`` on ``[0, top]`` (``q top^(q-1)`` for ``t^q``, else 1)."""
        if self.power == 1:
            return np.ones_like(top)
        out = np.full_like(top, float(self.power))
        for _ in range(self.power - 1):  # products, not pow: no libm in the bound
            out = out * top
        return out


_ONE = (from_man_exp(1, 0), from_man_exp(1, 0))
_TWO = (from_man_exp(1, 1), from_man_exp(1, 1))


def _enclose_log1p(t, prec):
    return mpi_log(mpi_add(_ONE, (t, t), prec), prec)


def _enclose_one_minus_exp(t, prec):
    return mpi_sub(_ONE, mpi_exp(mpi_neg((t, t)), prec), prec)


def _enclose_tanh(t, prec):  # 1 − 2 / (e^{2t} + 1)
    twice = mpf_shift(t, 1)
    e2 = mpi_exp((twice, twice), prec)
    return mpi_sub(_ONE, mpi_div(_TWO, mpi_add(e2, _ONE, prec), prec), prec)


def activation_model(activation: Activation, libm_ulp: float, u: float) -> ActivationModel:
    """The :class:`ActivationModel` of ``activation``; :class:`InvalidInputError` when the
    error model does not cover it."""
    g, w = activation.expr, libm_ulp
    if g == T:
        return ActivationModel("relu", 0.0, 0.0, w, exact=True, note="max(p, 0), which is exact")
    if g.is_Pow and g.base == T and g.exp.is_Integer and g.exp >= 2:
        q = int(g.exp)
        return ActivationModel(activation.name, max(2 * w, (q - 1) * (1 + 2.0 ** -40)), 0.0,
                               w, power=q, exact=True,
                               note=f"t^{q} by pow (libm) or by {q - 1} products")
    one = (1 + 2.0 ** -40)  # covers the float rounding of the coefficients below
    if g == sympy.log(1 + T):
        return ActivationModel(activation.name, 2 * w, (1 + 2 * w * u) / (1 - u) * one, w,
                               enclose=_enclose_log1p, note="log1p(t) or log(1 + t)")
    if g == 1 - sympy.exp(-T):
        return ActivationModel(activation.name, max(1.0, 2 * w), 2 * w * (1 + u) * one, w,
                               enclose=_enclose_one_minus_exp,
                               note="-expm1(-t) or 1 - exp(-t)")
    if g == sympy.tanh(T):
        return ActivationModel(activation.name, 2 * w, 0.0, w, enclose=_enclose_tanh,
                               note="libm tanh")
    raise InvalidInputError(
        f"the float certificate has no error model for activation {activation.name!r}; "
        f"it covers relu, relu^q (integer q >= 2), log(1+t), 1-exp(-t), tanh(t)")


def _assumptions(model: ActivationModel, libm_ulp: float) -> list[str]:
    out = ["dot products in any order, with or without FMA; no Strassen-like products, "
           "no TF32/bfloat16 accumulation; gradual underflow (no flush-to-zero)",
           f"activation evaluated as {model.note}"]
    if not (model.exact and model.power == 1):
        out.append(f"libm log/log1p/exp/expm1/tanh/pow are within {libm_ulp:g} ulp of "
                   f"the exact value")
    return out


# --- validation ----------------------------------------------------------------------------
def _validate_options(network, precision, digits, libm_ulp):
    if not isinstance(network, TwoLayerNetwork):
        raise InvalidInputError(f"network must be a TwoLayerNetwork, not "
                                f"{type(network).__name__}")
    if network.exact:
        raise InvalidInputError("the float certificate needs a network with float weights "
                                "(an exact network is certified by verify.certify)")
    if not isinstance(precision, str) or precision not in PRECISIONS:
        raise InvalidInputError(f"unknown precision {precision!r}; one of "
                                f"{', '.join(PRECISIONS)}")
    if isinstance(digits, bool) or not isinstance(digits, numbers.Integral) \
            or not 16 <= digits <= 10_000:
        raise InvalidInputError(f"digits must be an integer in [16, 10000], got {digits!r}")
    if isinstance(libm_ulp, bool) or not isinstance(libm_ulp, numbers.Real) \
            or not 0.5 <= libm_ulp <= 1e6:
        raise InvalidInputError(f"libm_ulp must be a number in [0.5, 1e6] (0.5: correctly "
                                f"rounded), got {libm_ulp!r}")
    fmt = PRECISIONS[precision]
    return fmt, activation_model(network.activation, float(libm_ulp), fmt.u)


def _validate_X(network, X):
    X = _float_matrix(X, "X")
    if X.shape[0] != network.d:
        raise InvalidInputError(f"X has {X.shape[0]} rows but the network expects d = "
                                f"{network.d} inputs (X is d x n, one sample per column)")
    return X


def _validate_data(network, X, Y):
    X, Y = _validate_X(network, X), _float_matrix(Y, "Y")
    if Y.shape != (network.m, X.shape[1]):
        raise InvalidInputError(f"Y is {Y.shape[0]}x{Y.shape[1]} but the network on X gives "
                                f"{network.m}x{X.shape[1]} (Y is m x n)")
    return X, Y


def _float_matrix(A, name: str) -> np.ndarray:
    """``A`` as a finite 2-D float64 array; refuses anything that is not float data."""
    raw = A if isinstance(A, np.ndarray) else np.asarray(A)
    if raw.dtype.kind != "f":
        raise InvalidInputError(f"{name} must hold floats (the values a float evaluation "
                                f"sees), got dtype {raw.dtype}; convert with astype(float)")
    if raw.ndim != 2 or raw.size == 0:
        raise InvalidInputError(f"{name} must be a non-empty 2-D matrix, got shape "
                                f"{raw.shape}")
    if not np.all(np.isfinite(raw)):
        raise InvalidInputError(f"{name} contains non-finite values "
                                f"({int(np.isnan(raw).sum())} NaN, "
                                f"{int(np.isinf(raw).sum())} Inf)")
    return raw.astype(np.float64)
