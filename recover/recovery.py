"""``recover_network``: the exact pipeline span → facets → exact step → ``V`` → ``U``.

Bakshi, Jayaram & Woodruff (COLT 2019) show that a two-layer rectified network with
Gaussian inputs, ``m ≥ k``, ``U*`` of full column rank and ``V*`` of full row rank is
recovered *exactly* from noiseless labels. The pipeline (DESIGN §2):

1. span: ``Z = Pᵀ Y = A F`` (:mod:`recover.span`);
2. facets of the cone of ``Z`` (:mod:`recover.cone` by linear programming — the default —
   or :mod:`recover.moments`, the paper's Hermite-moment directions);
3. the exact step on each facet (:func:`recover.facets.exact_facet`);
4. ``V`` from the active samples, ``U`` by least squares (:mod:`recover.solve`).

It is a Las Vegas algorithm: the result is checked (facet counts, ranks, residual at
machine level, activation pattern consistent); a failed check triggers a retry with
another seed and method, and if every attempt fails :class:`RecoveryFailed` is raised
with the diagnostics. A wrong network is never returned silently.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .activations import Activation, get_activation
from .cone import cone_facets
from .errors import InvalidInputError, RecoveryFailed, RelunetWarning
from .facets import ON_FACET_RTOL, Facet, single_unit_facet
from .moments import moment_facets
from .network import TwoLayerNetwork
from .noisy import robust_start
from .refine import refine
from .solve import hidden_weights, output_weights
from .span import LabelSpan, label_span, noisy_rank
from .uncertainty import standard_errors
from .validation import check_data, check_positive_int
from .weight_cones import realisable

#: ``σ_{k+1}/σ₁`` of ``Y`` above this means the labels are not exactly of rank k.
REALIZABLE_RTOL = 1e-9
#: Relative residual ``‖U f(VX) − Y‖/‖Y‖`` accepted as machine level.
RESIDUAL_RTOL = 1e-10
METHODS = ("cone", "moments")
#: Below this estimated SNR (dB), or above this median standard error of the unit-norm
#: rows of V, noisy recovery warns that its answer is not meaningful.
MEANINGFUL_SNR_DB = 0.0
MEANINGFUL_SE = 0.2
MODES = ("auto", "exact", "noisy")


@dataclass
class RecoveryResult:
    """Outcome of :func:`recover_network`.

    Attributes
    ----------
    network : TwoLayerNetwork
        The recovered network in canonical form.
    diagnostics : dict
        Always: ``mode`` ("exact" or "noisy"), ``exact`` (bool), ``k``, ``rank_tail``
        (σ_{k+1}/σ₁ of Y), ``residual`` (relative), ``timings`` (seconds per step),
        ``method``. Exact mode: ``facet_counts`` (samples on each unit's facet),
        ``rank_gaps``, ``attempts`` with the reason of each failure. Noisy mode:
        ``standard_errors`` ({"U", "V"} arrays aligned with the canonical network, or
        None when too large to compute), ``snr_estimate_db``, ``noise_sigma_estimate``,
        ``iterations``, ``converged``, ``warnings``; ``exact_failure`` when "auto" tried
        the exact pipeline first.
    """

    network: TwoLayerNetwork
    diagnostics: dict = field(default_factory=dict)

    @property
    def standard_errors(self) -> dict | None:
        """``{"U": …, "V": …}`` standard errors (noisy mode), else None."""
        return self.diagnostics.get("standard_errors")


def recover_network(X, Y, k: int | None = None, activation: str | Activation = "relu",
                    mode: str = "auto", seed: int = 0, method: str = "auto",
                    max_attempts: int = 3,
                    progress: Callable[[str], None] | None = None) -> RecoveryResult:
    """Recover ``U`` (m×k) and ``V`` (k×d) from ``X`` (d×n) and ``Y = U f(V X)`` (m×n).

    Parameters
    ----------
    X : array_like, shape (d, n)
        Inputs, one sample per column (Gaussian for the guarantees).
    Y : array_like, shape (m, n)
        Labels.
    k : int, optional
        Number of hidden units; by default the numerical rank of ``Y``.
    activation : str or Activation
        Rectified activation (default ReLU).
    mode : {"auto", "exact", "noisy"}
        ``"exact"``: labels must be exactly realizable; the answer is verified to machine
        precision or :class:`RecoveryFailed` is raised. ``"noisy"``: mean-zero noise is
        assumed; a robust start is refined to the least-squares (for Gaussian noise,
        maximum-likelihood) estimate, with standard errors. ``"auto"`` (default): exact
        when the labels have an exact rank gap and the exact pipeline verifies, noisy
        otherwise; ``diagnostics["mode"]`` says which, and ``diagnostics["exact"]`` is
        True only for a verified exact fit.
    seed : int
        Seed of every random choice: same inputs and seed, same output.
    method : {"auto", "cone", "moments"}
        How facets are found. ``"auto"`` tries the linear-programming method first and
        the moment method on a retry.
    max_attempts : int
        Attempts (with fresh seeds, alternating methods) before giving up.
    progress : callable, optional
        Receives one-line progress messages.

    Returns
    -------
    RecoveryResult

    Raises
    ------
    InvalidInputError
        Malformed input, impossible ``k``, rank of ``Y`` below ``k``.
    RecoveryFailed
        No attempt passed the checks (for instance: labels not exactly realizable).
    """
    X, Y = check_data(X, Y)
    act = get_activation(activation)
    _check_options(mode, method, max_attempts)
    d, m = X.shape[0], Y.shape[0]
    if k is not None:
        k = check_positive_int(k, "k")
        if k > min(m, d):
            raise InvalidInputError(
                f"k = {k} is impossible here: exact recovery needs k <= min(m, d) = "
                f"min({m}, {d}) (U* of full column rank, V* of full row rank)")
    say = progress or (lambda message: None)
    start = time.perf_counter()
    span = label_span(Y, k) if mode != "noisy" else _noisy_span(Y, k)
    diagnostics = {"k": span.k, "n": X.shape[1], "rank_tail": span.tail_ratio,
                   "rank_gap": span.rank_gap, "attempts": [],
                   "timings": {"span": time.perf_counter() - start}}
    say(f"span: k = {span.k}, σ_(k+1)/σ_1 = {span.tail_ratio:.1e}")
    if mode != "noisy":
        try:
            return _recover_exact(X, Y, span, act, method, seed, max_attempts, diagnostics,
                                  say, start)
        except RecoveryFailed as exc:
            if mode == "exact" or act.inverse is None:
                raise  # a non-invertible f has no noisy estimate to fall back on
            diagnostics["exact_failure"] = str(exc)
            say(f"not exact ({exc}); estimating under noise")
        span = _noisy_span(Y, k)
        diagnostics.update(k=span.k, rank_tail=span.tail_ratio, rank_gap=span.rank_gap)
    return _recover_noisy(X, Y, span, act, method, seed, diagnostics, say, start)


def _noisy_span(Y, k: int | None) -> LabelSpan:
    """The label span under noise: without ``k``, a full-rank ``Y`` gives ``k`` as the
    number of singular values above the noise edge (:func:`recover.span.noisy_rank`)."""
    span = label_span(Y, k)
    if k is None and span.tail_ratio == 0.0:
        k_noise = noisy_rank(span.singular_values, Y.shape[1])
        if k_noise is None:
            raise InvalidInputError(
                "k cannot be read off the labels: Y has full rank and no singular value "
                "stands clear of the noise (or m >= n, or k = m); pass k")
        span = label_span(Y, k_noise)
    return span


def _recover_exact(X, Y, span: LabelSpan, act: Activation, method: str, seed: int,
                   max_attempts: int, diagnostics: dict, say, start) -> RecoveryResult:
    """The exact pipeline with Las Vegas retries; raises RecoveryFailed if no attempt
    passes the checks."""
    diagnostics["mode"] = "exact"
    _check_realizable(span, X.shape[0], diagnostics)
    timings = diagnostics["timings"]
    for attempt in range(max_attempts):
        chosen = _method_for(method, attempt)
        rng = np.random.default_rng([seed, attempt])
        try:
            network = _attempt(X, Y, span, act, chosen, rng, diagnostics, say)
        except RecoveryFailed as exc:
            diagnostics["attempts"].append({"method": chosen, "failure": str(exc)})
            say(f"attempt {attempt + 1} ({chosen}) failed: {exc}")
            continue
        diagnostics["attempts"].append({"method": chosen, "failure": None})
        diagnostics.update(method=chosen, exact=True)
        timings["total"] = time.perf_counter() - start
        return RecoveryResult(network=network, diagnostics=diagnostics)
    timings["total"] = time.perf_counter() - start
    last = diagnostics["attempts"][-1]["failure"]
    raise RecoveryFailed(f"no attempt passed the checks ({max_attempts} tried); last: {last}",
                         diagnostics)


def _recover_noisy(X, Y, span: LabelSpan, act: Activation, method: str, seed: int,
                   diagnostics: dict, say, start) -> RecoveryResult:
    """Robust start, Levenberg–Marquardt refinement, standard errors, SNR check."""
    timings = diagnostics["timings"]
    diagnostics.update(mode="noisy", exact=False)
    if span.k > X.shape[0]:
        raise RecoveryFailed(f"k = {span.k} units exceed the input dimension d = "
                             f"{X.shape[0]}: V cannot have full row rank", diagnostics)
    chosen = "moments" if method == "moments" else "cone"
    t0 = time.perf_counter()
    U0, V0, stats = _robust_start_with_retries(X, Y, span, act, seed, chosen, diagnostics)
    if not (np.all(np.isfinite(U0)) and np.all(np.isfinite(V0))):
        raise RecoveryFailed(
            f"no finite noisy start for activation {act.name!r} (the activations fall "
            f"outside the range of f for the scale the start assumes)", diagnostics)
    timings["start"] = time.perf_counter() - t0
    diagnostics.update(method=chosen, start_stats=stats)
    say(f"noisy: start found in {stats['rounds']} round(s); refining")
    t0 = time.perf_counter()
    fit = refine(U0, V0, X, Y, act)
    timings["refine"] = time.perf_counter() - t0
    network = TwoLayerNetwork(fit.U, fit.V, act).canonical()
    t0 = time.perf_counter()
    se = standard_errors(network, X, Y)
    timings["standard_errors"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - start
    diagnostics.update(_noisy_summary(network, X, Y, fit, se))
    _warn_if_meaningless(diagnostics)
    return RecoveryResult(network=network, diagnostics=diagnostics)


def _robust_start_with_retries(X, Y, span, act, seed, method, diagnostics, attempts=3):
    failure = ""
    for attempt in range(attempts):
        try:
            return robust_start(X, Y, span, act, np.random.default_rng([seed, attempt]),
                                method)
        except RecoveryFailed as exc:
            failure = str(exc)
            diagnostics["attempts"].append({"method": f"noisy start ({method})",
                                            "failure": failure})
    raise RecoveryFailed(f"no robust start in {attempts} attempts: {failure}", diagnostics)


def _noisy_summary(network: TwoLayerNetwork, X, Y, fit, se) -> dict:
    clean = network(X)
    resid = float(np.linalg.norm(clean - Y))
    snr = float(np.linalg.norm(clean)) / max(resid, np.finfo(float).tiny)
    return {"residual": resid / max(float(np.linalg.norm(Y)), np.finfo(float).tiny),
            "snr_estimate_db": float(20 * np.log10(snr)), "iterations": fit.iterations,
            "converged": fit.converged, "pattern_changes": fit.pattern_changes,
            "noise_sigma_estimate": None if se is None else se.sigma,
            "standard_errors": None if se is None else {"U": se.U, "V": se.V},
            "warnings": []}


def _warn_if_meaningless(diagnostics: dict) -> None:
    snr_db = diagnostics["snr_estimate_db"]
    se = diagnostics["standard_errors"]
    median_se_v = float(np.median(se["V"])) if se is not None else 0.0
    if snr_db < MEANINGFUL_SNR_DB or median_se_v > MEANINGFUL_SE:
        message = (f"the labels are dominated by noise (estimated SNR {snr_db:.1f} dB, "
                   f"median standard error of the unit directions {median_se_v:.2f}): "
                   f"the recovered weights are not meaningful")
        diagnostics["warnings"].append(message)
        warnings.warn(message, RelunetWarning, stacklevel=3)


def _check_options(mode: str, method: str, max_attempts: int) -> None:
    if mode not in MODES:
        raise InvalidInputError(f"mode must be one of {MODES}, got {mode!r}")
    if method != "auto" and method not in METHODS:
        raise InvalidInputError(f"method must be 'auto' or one of {METHODS}, got {method!r}")
    check_positive_int(max_attempts, "max_attempts")


def _method_for(method: str, attempt: int) -> str:
    if method != "auto":
        return method
    return "cone" if attempt % 2 == 0 else "moments"


def _check_realizable(span: LabelSpan, d: int, diagnostics: dict) -> None:
    if span.tail_ratio > REALIZABLE_RTOL:
        raise RecoveryFailed(
            f"the labels are not exactly realizable by k = {span.k} units: "
            f"σ_(k+1)/σ_1 = {span.tail_ratio:.2e} > {REALIZABLE_RTOL:.0e} (noise?); "
            f"exact recovery needs noiseless labels", diagnostics)
    if span.k > d:
        raise RecoveryFailed(
            f"the labels have rank {span.k} > d = {d}: not exactly realizable by a "
            f"network with V of full row rank (noise?)", diagnostics)


def _attempt(X, Y, span: LabelSpan, act: Activation, method: str,
             rng: np.random.Generator, diagnostics: dict, say) -> TwoLayerNetwork:
    """One run of steps 2–4 and the self-checks; raises RecoveryFailed on any miss."""
    k = span.k
    timings = diagnostics["timings"]
    min_count = (k - 1) + max(3, k // 5)
    if act.constant and k > 1:
        # A step's facet holds at most 2^(k−1) − 1 distinct points (the patterns with
        # that unit off); the half-space test, not the count, weeds out spurious ones.
        min_count = min(min_count, 2 ** (k - 1) - 1)
    t0 = time.perf_counter()
    report = lambda found, total: say(f"{method}: {found}/{total} facets")  # noqa: E731
    accept = None if act.injective else _halfspace_test(X, span.Z)
    if k == 1:
        facet = single_unit_facet(span.Z, min_count)
        facets, stats = ([facet] if facet and (accept is None or accept(facet)) else []), {}
    elif method == "cone":
        facets, stats = cone_facets(span.Z, k, rng, min_count, progress=report,
                                    accept=accept)
    else:
        facets, stats = moment_facets(X, span.Z, k, rng, min_count, progress=report,
                                      accept=accept)
    timings[f"facets_{method}"] = time.perf_counter() - t0
    diagnostics[f"{method}_stats"] = stats
    if len(facets) < k:
        verdict = ("no sample lies exactly on any hyperplane through k-1 others, so the "
                   "labels are not exactly realizable (noise?)" if not facets else
                   "too few samples, or labels not exactly realizable")
        raise RecoveryFailed(
            f"{method}: found {len(facets)} of {k} facets (each needs >= {min_count} "
            f"samples exactly on it): {verdict}")
    t0 = time.perf_counter()
    network, fit = _weights_from_facets(X, Y, span, facets, act)
    timings["solve"] = time.perf_counter() - t0
    diagnostics.update(fit)
    _self_check(fit)
    return network.canonical()


def _halfspace_test(X: np.ndarray, Z: np.ndarray) -> Callable[[Facet], bool]:
    """The facet test for a non-injective ``f``: its activation pattern (active where
    ``w·z_j > 0`` off the facet) must be that of a half-space of the inputs.

    An injective ``f`` needs no such test — the hidden-unit fit checks every facet — but
    a step's labels take at most ``2^k`` distinct values, and a spurious supporting
    hyperplane through many repeated points (``s_i ≤ s_l`` holding on every sample) is
    a facet by every count; only its pattern betrays it.
    """
    return lambda facet: realisable(X, ~facet.support & (facet.w @ Z > 0))


def _weights_from_facets(X, Y, span: LabelSpan, facets: list[Facet], act: Activation):
    W = np.array([f.w for f in facets])
    band = ON_FACET_RTOL * np.linalg.norm(span.Z, axis=0)
    V, fits, extra = hidden_weights(span.Z, W, [f.support for f in facets], X, act, band)
    U, residual = output_weights(Y, act(V @ X))
    fit = {**extra, "facet_counts": [f.count for f in facets],
           "rank_gaps": [f.rank_gap for f in facets],
           "hidden_residual": max(fit.residual for fit in fits),
           "sign_violation": max(fit.sign_violation for fit in fits),
           "residual": residual}
    return TwoLayerNetwork(U, V, act), fit


def _self_check(fit: dict) -> None:
    """The Las Vegas checks on the measured fit (see :func:`_weights_from_facets`)."""
    if fit["residual"] > RESIDUAL_RTOL:
        raise RecoveryFailed(
            f"residual ‖U f(VX) − Y‖/‖Y‖ = {fit['residual']:.2e} is not at machine level")
    if fit["hidden_residual"] > RESIDUAL_RTOL or fit["sign_violation"] > RESIDUAL_RTOL:
        raise RecoveryFailed(
            f"hidden activations not reproduced (residual {fit['hidden_residual']:.1e}, "
            f"sign violation {fit['sign_violation']:.1e})")
    # The facet samples must be inactive (up to boundary ties, and for an f flat at 0
    # such as t^3 up to activations inside the facet's band): that is the sign
    # violation measured by recover.solve.hidden_unit, checked above.
