"""``certify``: prove (exact path) or measure (precision path) that a network fits data.

The candidate network is used for one thing only: the hypothesis of which samples are
inactive for which unit (its float ``V X``, with a relative safety band around zero).
The certified network is then solved from the data — over ℚ (:mod:`verify._exact`) or at
``digits`` digits (:mod:`verify._precision`); with fewer outputs than hidden units
(``m < k``) by the block system of :mod:`verify._blocks` on either path — and compared
with the candidate, so that
the certificate is about the network the caller handed in, not merely about some
network.

Required checks (``holds`` is their conjunction): the solve steps, ``reproduction``
(``U f(V X) = Y``, or ``U f(V X + b 1ᵀ) + c 1ᵀ = Y`` for the model with biases),
``candidate`` (the candidate equals the certified network up to
permutation and positive scaling, to ``candidate_rtol`` per unit — it is float) and,
when ``truth`` is given, ``truth`` (exact equality up to the symmetries on the exact
path; agreement to the working digits on the precision path). ``identifiability`` is
reported, not required.

The model with biases is certified when the candidate (or the truth) has a nonzero
hidden bias ``b`` or output bias ``c``: both are then unknowns solved from the data
(a bias-free candidate is a claim about ``U f(V X)`` alone, and is certified as such).

Internal module of :mod:`verify`: use the names the package exports (``verify.__all__``).
"""

from __future__ import annotations

import numbers
import time
from dataclasses import dataclass
from fractions import Fraction
from functools import partial

import mpmath
import numpy as np

from recover import InvalidInputError, Tolerances, TwoLayerNetwork, check_data
from recover import check_tolerances, current_tolerances, using_tolerances

from ._blocks import block_scope, block_steps, solve_blocks_exact, solve_blocks_precision
from ._certificate import Certificate, data_digest, versions
from ._checks import Check
from ._compare import max_unit_error
from ._exact import (RationalMonomial, exact_canonical, exact_steps, fraction_array, qq_matrix,
                    solve_exact)
from ._identifiability import identifiability_check
from ._precision import mpf_to_fraction, precision_steps, solve_precision
from ._progress import Stage, check_progress

# Preactivations with |V_i x_j + b_i| <= hypothesis_rtol (|V_i| |x_j| + |b_i|) are left
# out of the hypothesis (neither confidently active nor inactive); recover.Tolerances.


def certify(X, Y, network: TwoLayerNetwork, exact: bool = True, digits: int = 50,
            truth: TwoLayerNetwork | None = None, *, candidate_rtol: float | None = None,
            identifiability: bool = True, seed: int = 0, progress=None,
            tol: Tolerances | None = None) -> Certificate:
    """Certify that ``network`` reproduces ``Y = U f(V X + b 1ᵀ) + c 1ᵀ`` exactly (or to
    ``digits``); ``b = c = 0`` for a bias-free network.

    Parameters
    ----------
    X : array_like, shape (d, n)
        Inputs, one sample per column; float64 values are taken as exact rationals.
    Y : array_like, shape (m, n)
        Labels. For the precision path also an object array of ``mpmath.mpf`` (labels
        known to more than float64 precision, e.g. ``truth.mp_call(X, digits + 10)``):
        an activation with irrational values (``log(1+t)``) is only realisable to
        ``digits`` digits by labels given to that many digits.
    network : TwoLayerNetwork
        Candidate with ``k`` hidden units (float or exact). If it or ``truth`` has a
        nonzero ``b`` or ``c``, the model with biases is certified: ``b`` and ``c`` are
        solved from the data like ``U`` and ``V`` (``[X; 1ᵀ]`` carries ``b`` and
        ``[Y; 1ᵀ]`` carries ``c``), and ``reproduction`` checks
        ``U f(V X + b 1ᵀ) + c 1ᵀ = Y`` on every entry. Any rectified activation
        not constant on ``t > 0`` on the precision path (a bump by Newton's method:
        :func:`verify._precision.bump_row`); the exact path covers ReLU and ``c t^p``
        (``c`` rational, ``p`` a positive integer), whose values on rational data are
        rational.
    exact : bool
        True: prove everything in rational arithmetic. False: mpmath at ``digits``.
    digits : int >= 16
        Working precision of the precision path (validated on both paths; not bool).
    truth : TwoLayerNetwork, optional
        Planted network; adds the required check ``truth``.
    candidate_rtol : float, optional
        Largest per-unit relative error (max-norm, after matching and rescaling; units
        are the rows ``[V_i | b_i]`` with ``U_{:,i}``, and ``c`` counts as one more) allowed
        between the float candidate and the certified network; 0 demands exact equality
        (then a candidate off by one ulp is rejected). Default (from ``tol``)
        ``candidate_rtol_relu`` = 1e-14 (≈ 45 ulp) for ReLU, ``candidate_rtol_relu_bias``
        = 1e-13 for a candidate with biases, ``candidate_rtol_other`` = 1e-10 for other
        activations, whose float recovery inverts ``f`` and loses a few digits (e.g.
        near saturation of ``1 − e^{-t}``). Given explicitly, it takes precedence.
    identifiability : bool
        Also prove the Jacobian rank (reported, not required).
    seed : int
        Seed of the random row subset of the Jacobian.
    progress : callable, optional
        ``progress(stage, done, total)`` (:mod:`verify._progress`); None is silent.
        Stages, in order: exact path ``"to_rational"`` (rows of X and Y converted),
        ``"exact_solve"`` (steps: rank, one per unit for facets and for hidden weights,
        output weights, reproduction); precision path ``"precision_solve"`` (one per
        unit for facets and for hidden rows, then the output weights and checks); for
        ``m < k`` both stages count the block solve, one step per unit, pattern and
        reproduction (:func:`verify._blocks.block_steps`); then
        ``"identifiability"`` (one step) when it runs. A stage that stops early at a
        failing step still ends with ``done == total``.
    tol : recover.Tolerances, optional
        Tolerances (keyword only): the default ``candidate_rtol`` above,
        ``hypothesis_rtol`` (the band around zero of the candidate's pattern) and
        ``guard_digits`` (digits of the precision path not claimed). None: those in
        force (the defaults unless inside ``recover.using_tolerances``). Not a
        Tolerances: InvalidInputError.

    Returns
    -------
    Certificate
        ``holds`` is never True unless every required check passed. For ``m < k`` the
        output span does not separate the units and the block method of
        :mod:`verify._blocks` is used instead (activations with positive part ``c t``,
        ReLU; others are "not proven"); its ``blocks`` check reports the rank of the
        block system (uniqueness given the activation pattern).
    """
    tol = current_tolerances() if tol is None else check_tolerances(tol)
    with using_tolerances(tol):
        return _certify(X, Y, network, exact, digits, truth, candidate_rtol,
                        identifiability, seed, progress)


def _certify(X, Y, network, exact, digits, truth, candidate_rtol, identifiability, seed,
             progress) -> Certificate:
    """:func:`certify` with its tolerances in force."""
    req = _request(X, Y, network, exact, digits, truth, candidate_rtol, identifiability,
                   seed, progress)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    g = RationalMonomial.of(req.act)  # None unless f maps rationals to rationals as c t^q
    checks, certified, extra = _solve(req, g, timings)
    if certified is not None:
        full = extra.get("exact_network", certified)  # precision path: all digits
        checks += _agreement_checks(req, full)
        checks += _identifiability_checks(req, full, g, timings)
    if truth is None:
        checks.append(Check("truth", "skipped", "no truth given", required=False))
    timings["total"] = time.perf_counter() - start
    return Certificate(mode=req.mode, network=certified, checks=checks,
                       data=data_digest(req.X, req.Y), digits=req.path_digits,
                       claims=_claims(req.exact, req.digits, truth is not None, req.bias),
                       timings=timings, versions=versions(),
                       decimal_weights=extra.get("decimal"))


def recheck(certificate: Certificate, X, Y, truth: TwoLayerNetwork | None = None
            ) -> Certificate:
    """Re-derive ``certificate`` from the data and the network it stores.

    Runs :func:`certify` again with the stored network as the candidate (same mode and
    digits), and adds two required checks: the data digest matches the one stored
    (``stored data``), and the network certified now equals the stored one, exactly in
    exact mode (``stored network``). Returns the fresh certificate; trust its ``holds``,
    not the stored one's. :class:`InvalidInputError` if the certificate holds no network.
    """
    if certificate.network is None:
        raise InvalidInputError("this certificate holds no network to re-check")
    fresh = certify(X, Y, certificate.network, exact=certificate.mode == "exact",
                    digits=certificate.digits or 50, truth=truth)
    fresh.checks.append(_same_data_check(certificate, X, Y))
    fresh.checks.append(_same_network_check(certificate, fresh))
    return fresh


def hypothesis_pattern(network: TwoLayerNetwork, X: np.ndarray):
    """Confidently inactive and active samples per unit (two k×n bool arrays).

    ``V X + b 1ᵀ`` in float64 with a band ``hypothesis_rtol · (|V| |X| + |b| 1ᵀ)`` around
    zero; samples inside the band are in neither set (for integer data exact zeros are
    common).
    """
    V = np.asarray(network.V, dtype=float)
    b = np.asarray(network.b, dtype=float)[:, None]
    pre = V @ X + b
    band = current_tolerances().hypothesis_rtol * (np.abs(V) @ np.abs(X) + np.abs(b))
    return pre < -band, pre > band


# --- the two paths -------------------------------------------------------------------

def _default_candidate_rtol(act, has_bias: bool) -> float:
    """How far (relative, per unit) a float candidate may be from the certified network.

    ReLU float recoveries land within a few units of 1e-15 of the exact network; with
    biases the lifted solve and the output bias add rounding (per-unit errors up to
    1.3e-14 measured on integer (20,10,10,2000) instances with biases, against ≤ 3e-15
    in Frobenius norm), so 1e-13. Other activations go through an iterative solve: 1e-10.
    The certified network itself is exact either way; this only bounds the claim that
    the float candidate is that network up to rounding.
    """
    tol = current_tolerances()
    if act.name != "relu":
        return tol.candidate_rtol_other
    return tol.candidate_rtol_relu_bias if has_bias else tol.candidate_rtol_relu

def _solve(req: "_Request", g: RationalMonomial | None, timings: dict):
    """Solve the network from the data on the path ``req`` asks for: ``(checks, network
    or None, extras)``; a single "not proven" scope check when the path cannot certify
    the activation. For ``m < k`` the output span cannot separate the units, and the
    block method of :mod:`verify._blocks` replaces the facet method."""
    few = req.network.k > req.network.m
    scope = _activation_scope(req.act, req.exact, g) or (block_scope(g) if few else None)
    if scope is not None:
        return [scope], None, {}
    inactive, active = hypothesis_pattern(req.network, req.X)
    if req.exact:
        return _exact_path(req, inactive, g, timings, active if few else None)
    return _precision_path(req, inactive, active, timings, g if few else None)


def _exact_path(req: "_Request", inactive, g: RationalMonomial, timings: dict,
                blocks_active=None):
    """``blocks_active`` (the confident pattern's active samples) selects the block
    method of :mod:`verify._blocks` (m < k); None, the facet method (m >= k)."""
    X, Y, act, progress, bias = req.X, req.Y, req.act, req.progress, req.bias
    solve, steps = solve_exact, exact_steps
    if blocks_active is not None:
        solve, steps = partial(solve_blocks_exact, active=blocks_active), block_steps
    t = time.perf_counter()
    with Stage(progress, "to_rational", X.shape[0] + Y.shape[0]) as stage:
        Xq, Yq = qq_matrix(X, stage), qq_matrix(Y, stage)
    timings["to_rational"] = time.perf_counter() - t
    t = time.perf_counter()
    with Stage(progress, "exact_solve", steps(inactive.shape[0])) as stage:
        sol = solve(Xq, Yq, X, Y, inactive, g, stage, bias)
    timings["exact_solve"] = time.perf_counter() - t
    if not sol.ok:
        return sol.checks, None, {}
    U, V = fraction_array(sol.U), fraction_array(sol.V)
    if not bias:
        U, V = exact_canonical(U, V, g.p)
        return sol.checks, TwoLayerNetwork(U, V, act), {}
    # the scaling symmetry acts on the rows [V_i | b_i]: canonical form of those
    d = V.shape[1]
    U, W = exact_canonical(U, np.hstack([V, fraction_array(sol.b)]), g.p)
    return sol.checks, TwoLayerNetwork(U, W[:, :d], b=W[:, d], c=fraction_array(sol.c)[:, 0],
                                       activation=act), {}


def _precision_path(req: "_Request", inactive, active, timings: dict,
                    blocks_g: RationalMonomial | None = None):
    """``blocks_g`` (the activation's positive part c t) selects the block method of
    :mod:`verify._blocks` (m < k); None, the facet method (m >= k)."""
    X, Y, digits, act, bias = req.X, req.Y, req.digits, req.act, req.bias
    t = time.perf_counter()
    k = inactive.shape[0]
    with Stage(req.progress, "precision_solve",
               precision_steps(k) if blocks_g is None else block_steps(k)) as stage:
        if blocks_g is None:
            sol = solve_precision(X, Y, inactive, active, digits, act, req.Y_mp, stage,
                                  bias=bias)
        else:
            sol = solve_blocks_precision(X, Y, inactive, active, digits, blocks_g, req.Y_mp,
                                         stage, bias=bias)
    timings["precision_solve"] = time.perf_counter() - t
    if sol.U is None:
        return sol.checks, None, {}
    parts = {"U": sol.U, "V": sol.V}
    if bias:
        parts.update(b=sol.b, c=sol.c)
    point = {name: np.vectorize(mpf_to_fraction, otypes=[object])(A)
             for name, A in parts.items()}
    with mpmath.mp.workdps(digits):
        decimal = {name: _decimal_strings(A, digits) for name, A in parts.items()}
    net = TwoLayerNetwork(**{name: A.astype(float) for name, A in point.items()},
                          activation=act)
    return sol.checks, net, {"decimal": decimal,
                             "exact_network": TwoLayerNetwork(**point, activation=act)}


def _decimal_strings(A: np.ndarray, digits: int) -> list:
    """``mpf`` entries as decimal strings of ``digits`` significant digits (a vector
    gives a list, a matrix a list of rows)."""
    if A.ndim == 1:
        return [mpmath.nstr(a, digits) for a in A]
    return [[mpmath.nstr(a, digits) for a in row] for row in A]


def _activation_scope(act, exact: bool, g: RationalMonomial | None) -> Check | None:
    """A "not proven" check when this path cannot certify ``act`` (``g``: its monomial,
    if any), else None."""
    if exact and g is None:
        return Check("scope", "not proven",
                     f"exact certificate not available for activation {act.name!r} (the "
                     f"exact path covers positive parts c*t^p, c rational, p a positive "
                     f"integer: f maps rationals to rationals); use exact=False with digits")
    if act.constant:
        return Check("scope", "not proven",
                     f"activation {act.name!r} is constant on t > 0: its weights are not "
                     f"point-identifiable, so no network can be certified from the data")
    return None


def _agreement_checks(req: "_Request", full: TwoLayerNetwork) -> list[Check]:
    """``candidate`` (to ``candidate_rtol``) and, with a truth, ``truth`` (exactly, or to
    the working digits less the guard digits) against the certified network ``full``."""
    out = [_agreement_check("candidate", req.network, full, req.candidate_rtol)]
    if req.truth is not None:
        limit = 0.0 if req.exact else 10.0 ** (current_tolerances().guard_digits - req.digits)
        out.append(_agreement_check("truth", req.truth, full, limit))
    return out


def _identifiability_checks(req: "_Request", full: TwoLayerNetwork,
                            g: RationalMonomial | None, timings: dict) -> list[Check]:
    """The Jacobian rank proof when asked for (reported, not required); skipped when
    the activation's positive part is not ``c t^q``."""
    if not req.identifiability:
        return []
    if g is None:
        return [Check("identifiability", "skipped",
                      f"the Jacobian rank proof needs a positive part c*t^q with integer q "
                      f"(ReLU, relu2, ...), not {req.act.name!r}", required=False)]
    t = time.perf_counter()
    U, V, b = (np.vectorize(Fraction, otypes=[object])(A) for A in (full.U, full.V, full.b))
    with Stage(req.progress, "identifiability", 1):
        check = identifiability_check(U, V, req.X, seed=req.seed, g=g,
                                      b=b if req.bias else None)
    timings["identifiability"] = time.perf_counter() - t
    return [check]


def _same_data_check(stored: Certificate, X, Y) -> Check:
    same = data_digest(np.asarray(X, float), np.asarray(Y, float)) == stored.data
    return Check("stored data", "passed" if same else "failed",
                 "the data digest matches the stored one" if same else
                 "the data digest differs: this certificate was issued for other data")


def _same_network_check(stored: Certificate, fresh: Certificate) -> Check:
    if fresh.network is None:
        return Check("stored network", "failed", "no network could be certified now")
    err = max_unit_error(stored.full_network(), fresh.full_network())
    limit = 0.0 if stored.mode == "exact" else 10.0 ** (5 - (stored.digits or 50))
    ok = err <= limit
    return Check("stored network", "passed" if ok else "failed",
                 f"the stored network {'equals' if ok else 'differs from'} the one "
                 f"certified now (max unit error {err:.3g})", numbers={"max_unit_error": err})


def _agreement_check(name: str, reference: TwoLayerNetwork, certified: TwoLayerNetwork,
                     rtol: float) -> Check:
    err = max_unit_error(reference, certified)
    ok = err <= rtol
    what = "candidate" if name == "candidate" else "truth"
    exactly = "exactly " if rtol == 0 else ""
    return Check(name, "passed" if ok else "failed",
                 f"the {what} {'equals' if ok else 'does not equal'} the certified network "
                 f"{exactly}up to permutation and positive scaling (max per-unit relative "
                 f"error {err:.3g}, allowed {rtol:.3g})",
                 numbers={"max_unit_error": err, "allowed": rtol})


def _claims(exact: bool, digits: int, with_truth: bool, bias: bool = False) -> list[str]:
    model = "U f(V X + b 1') + c 1'" if bias else "U f(V X)"
    if exact:
        out = [f"{model} = Y holds exactly in rational arithmetic for the certified "
               "rational network (if 'holds')",
               "the candidate equals the certified network up to permutation, positive "
               "scaling and float64 rounding (candidate check)"]
        if with_truth:
            out.append("the certified network equals the truth exactly up to permutation "
                       "and positive scaling")
        return out
    guard = current_tolerances().guard_digits
    out = [f"{model} agrees with Y to {digits - guard} digits at {digits} working "
           f"digits (if 'holds'); nothing is claimed to be exact"]
    if with_truth:
        out.append(f"the solution agrees with the truth to {digits - guard} digits "
                   "up to permutation and positive scaling")
    return out


# --- validation at the door ----------------------------------------------------------
@dataclass(frozen=True)
class _Request:
    """One :func:`certify` call, validated: the data, the candidate and the options (a
    new option of :func:`certify` is one more field here)."""

    X: np.ndarray                 # d×n float64
    Y: np.ndarray                 # m×n float64
    Y_mp: np.ndarray | None       # m×n mpf labels beyond float64 (precision path), or None
    network: TwoLayerNetwork
    truth: TwoLayerNetwork | None
    exact: bool
    digits: int
    candidate_rtol: float
    identifiability: bool
    seed: int
    progress: object

    @property
    def act(self):
        return self.network.activation

    @property
    def bias(self) -> bool:
        """Certify the model with biases: the candidate or the truth has one."""
        return self.network.has_bias or (self.truth is not None and self.truth.has_bias)

    @property
    def mode(self) -> str:
        return "exact" if self.exact else "precision"

    @property
    def path_digits(self) -> int | None:
        """The digits a certificate records: None on the exact path."""
        return None if self.exact else self.digits


def _request(X, Y, network, exact, digits, truth, candidate_rtol, identifiability, seed,
             progress) -> _Request:
    X, Y, Y_mp = _data(X, Y)
    _check_networks(X, Y, network, truth)
    if isinstance(digits, bool) or not isinstance(digits, numbers.Integral) or digits < 16:
        raise InvalidInputError(
            f"digits must be an integer >= 16 (float64 already gives ~16), got {digits!r}")
    if not isinstance(exact, (bool, np.bool_)):
        raise InvalidInputError(f"exact must be True or False, got {exact!r}")
    if exact and Y_mp is not None:
        raise InvalidInputError("high-precision (mpf) labels need exact=False")
    check_progress(progress)
    if candidate_rtol is None:
        candidate_rtol = _default_candidate_rtol(network.activation, network.has_bias)
    return _Request(X, Y, Y_mp, network, truth, bool(exact), int(digits), candidate_rtol,
                    identifiability, seed, progress)


def _data(X, Y):
    """``X`` and ``Y`` as checked float64 arrays, and the ``mpf`` labels when ``Y`` is an
    object array of ``mpmath.mpf`` (else None)."""
    Y_mp = None
    if isinstance(Y, np.ndarray) and Y.dtype == object and Y.size and \
            all(isinstance(a, mpmath.mpf) for a in Y.flat):
        Y_mp, Y = Y, np.array([float(a) for a in Y.flat]).reshape(Y.shape)
    X, Y = check_data(X, Y)
    return X, Y, Y_mp


def _check_networks(X, Y, network, truth) -> None:
    if not isinstance(network, TwoLayerNetwork):
        raise InvalidInputError(
            f"network must be a TwoLayerNetwork, not {type(network).__name__}")
    for name, net in (("network", network), ("truth", truth)):
        if net is None:
            continue
        if not isinstance(net, TwoLayerNetwork):
            raise InvalidInputError(f"{name} must be a TwoLayerNetwork or None")
        if (net.d, net.m) != (X.shape[0], Y.shape[0]):
            raise InvalidInputError(
                f"{name} has d = {net.d} inputs and m = {net.m} outputs, but X is "
                f"{X.shape[0]}x{X.shape[1]} and Y is {Y.shape[0]}x{Y.shape[1]} "
                f"(X is d x n, Y is m x n)")
    if truth is not None and truth.activation != network.activation:
        raise InvalidInputError(
            f"network has activation {network.activation.name!r} but truth has "
            f"{truth.activation.name!r}")
    if truth is not None and truth.k != network.k:
        raise InvalidInputError(f"network has k = {network.k} units but truth has {truth.k}")
