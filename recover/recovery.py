"""``recover_network``: the exact pipeline span → facets → exact step → ``V`` → ``U``.

Bakshi, Jayaram & Woodruff (COLT 2019) show that a two-layer rectified network with
Gaussian inputs, ``m ≥ k``, ``U*`` of full column rank and ``V*`` of full row rank is
recovered *exactly* from noiseless labels. The pipeline:

1. span: ``Z = Pᵀ Y = A F`` (:mod:`recover.span`);
2. facets of the cone of ``Z`` (:mod:`recover.cone` by linear programming — the default —
   or :mod:`recover.moments`, the paper's Hermite-moment directions);
3. the exact step on each facet (:func:`recover.facets.exact_facet`);
4. ``V`` from the active samples, ``U`` by least squares (:mod:`recover.solve`).

It is a Las Vegas algorithm: the result is checked (facet counts, ranks, residual at
machine level, activation pattern consistent); a failed check triggers a retry with
another seed and method, and if every attempt fails :class:`RecoveryFailed` is raised
with the diagnostics. A wrong network is never returned silently: when the labels are
noiseless and the pipeline fails, the failure names the likely misspecification
(:mod:`recover.misfit`); when a noisy estimate explains the labels worse than the noise
they reveal, it comes with a :class:`RelunetWarning` and ``misspecified`` set.

Inputs and labels are rescaled by powers of two (exact in floating point) so that the
pipeline works at unit scale whatever the scale of the data; the scaling is undone on
the result (``X = 2^a X'``, ``Y = 2^b Y'`` give ``V = 2^-a V'``, ``U = 2^b U'`` for any
activation).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import misfit
from .activations import Activation, get_activation
from .cone import cone_facets
from .errors import InvalidInputError, RecoveryFailed, RelunetWarning
from .few_outputs import recover_few_outputs
from .facets import ON_FACET_RTOL, Facet, single_unit_facet
from .input_span import InputSpan, deficient_span, extend
from .lift import (affinely_dependent_inputs, check_lifted_rank, lift_inputs, lift_labels,
                   lifted_k_too_small, lifted_min_count, output_weights_with_bias,
                   single_lifted_facet, split_hidden, unseen_units)
from .moments import moment_facets
from .network import TwoLayerNetwork
from .noisy import robust_start
from .refine import refine
from .solve import hidden_unit, hidden_weights, output_weights
from .span import LabelSpan, label_span, left_singular, noisy_rank
from .uncertainty import standard_errors
from .validation import (check_choice, check_data, check_positive_int, check_seed,
                         power_of_two_scale)
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
#: Appended when k was read off labels of full row rank m and recovery failed.
K_NOT_READ_OFF = ("k cannot be read off the labels when the network may have more hidden "
                  "units than outputs (Y has full row rank m): pass k= (m < k <= d runs "
                  "the few-outputs recovery)")


#: Extra robust starts (fresh seeds) tried when a noisy fit fails the noise check: a
#: fit stuck in a wrong local minimum fails it too, and a new start usually escapes.
NOISY_RESTARTS = 2
#: Fresh starts and extra units are tried only for fits failing the noise check by less
#: than this F ratio: on the planted grid a wrong local minimum gave F <= 5 and a unit
#: missed under the noise edge less, while misspecified labels give F in the hundreds.
NOISY_RETRY_RATIO = 10.0
#: At most this many units beyond the noise-edge count are tried when ``k`` is read off
#: the labels and the fit fails the noise check (a unit just under the edge).
NOISY_EXTRA_UNITS = 2


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
        ``method``, ``attempts``, ``warnings``, ``misspecified`` (True, False, or None
        when it could not be checked), ``cause`` (the named likely cause of a misfit, or
        None), ``noiseless`` (the measured evidence that the labels carry no noise, or
        None), ``scale`` (the powers of two ``a``, ``b`` taken out of ``X`` and ``Y``).
        Exact mode: ``facet_counts`` (samples on each unit's facet), ``rank_gaps``.
        Noisy mode: ``standard_errors`` ({"U", "V"} arrays aligned with the canonical
        network, or None when too large to compute), ``snr_estimate_db``,
        ``noise_sigma_estimate``, ``noise_check`` (the consistency of the residual with
        the noise level of the labels, see :func:`recover.misfit.noise_check`),
        ``iterations``, ``converged``; ``exact_failure`` when "auto" tried the exact
        pipeline first.
    """

    network: TwoLayerNetwork
    diagnostics: dict = field(default_factory=dict)

    @property
    def standard_errors(self) -> dict | None:
        """``{"U": …, "V": …}`` standard errors (noisy mode), else None."""
        return self.diagnostics.get("standard_errors")

    @property
    def exact(self) -> bool:
        """True only for a verified exact recovery."""
        return self.diagnostics.get("exact") is True

    @property
    def mode(self) -> str:
        """``"exact"`` or ``"noisy"``: which estimator produced the network."""
        return self.diagnostics["mode"]

    @property
    def k(self) -> int:
        """Number of hidden units of the recovered network."""
        return self.diagnostics["k"]

    @property
    def residual(self) -> float:
        """Relative residual ``‖U f(VX) − Y‖_F / ‖Y‖_F``."""
        return self.diagnostics["residual"]

    @property
    def attempts(self) -> list:
        """Every attempt made, with its method and reason of failure (None: success)."""
        return self.diagnostics.get("attempts", [])

    @property
    def timings(self) -> dict:
        """Seconds spent per step."""
        return self.diagnostics.get("timings", {})

    @property
    def misspecified(self) -> bool | None:
        """True when the labels do not fit the model to their noise level."""
        return self.diagnostics.get("misspecified")

    @property
    def cause(self) -> str | None:
        """The likely cause of a misfit, with its evidence (None when none)."""
        return self.diagnostics.get("cause")

    @property
    def message(self) -> str:
        """One sentence: what was done, whether it is verified, and any warning."""
        d = self.diagnostics
        if self.exact:
            text = (f"exact recovery of k = {d['k']} units, verified: relative residual "
                    f"{d['residual']:.1e} ({d.get('method')}, {len(self.attempts)} "
                    f"attempt(s))")
            if d.get("warnings"):
                text += "; warning: " + "; ".join(d["warnings"])
            return text
        snr_db = d.get("snr_estimate_db", float("nan"))
        text = (f"noisy estimate of k = {d['k']} units, not exact: relative residual "
                f"{d['residual']:.2e}, estimated SNR {snr_db:.1f} dB")
        if d.get("warnings"):
            text += "; warning: " + "; ".join(d["warnings"])
        return text


def recover_network(X, Y, k: int | None = None, activation: str | Activation = "relu",
                    mode: str = "auto", seed: int = 0, method: str = "auto",
                    max_attempts: int = 3,
                    progress: Callable[[str], None] | None = None, *,
                    bias: bool = False) -> RecoveryResult:
    """Recover ``U`` (m×k) and ``V`` (k×d) from ``X`` (d×n) and ``Y = U f(V X)`` (m×n)
    — or, with ``bias=True``, also ``b`` (k,) and ``c`` (m,) from
    ``Y = U f(V X + b 1ᵀ) + c 1ᵀ``.

    Parameters
    ----------
    X : array_like, shape (d, n)
        Inputs, one sample per column (Gaussian for the guarantees), of rank d. Real
        numbers only (integer or float dtype); any finite scale.
    Y : array_like, shape (m, n)
        Labels; real numbers, any finite scale.
    k : int, optional
        Number of hidden units; by default the numerical rank of ``Y``. ``k <= d``. With
        fewer outputs than units (``m < k``, down to ``m = 1``) it must be given: the
        pattern-based pipeline of :mod:`recover.few_outputs` runs (no biases, Gaussian
        ``X`` for its start; exact results verified the same way).
    activation : str or Activation
        Rectified activation (default ReLU).
    mode : {"auto", "exact", "noisy"}
        ``"exact"``: labels must be exactly realizable; the answer is verified to machine
        precision or :class:`RecoveryFailed` is raised. ``"noisy"``: mean-zero noise is
        assumed; a robust start is refined to the least-squares (for Gaussian noise,
        maximum-likelihood) estimate, with standard errors. ``"auto"`` (default): exact
        when the labels have an exact rank gap and the exact pipeline verifies. If it
        does not verify and the labels are provably noiseless (an exact rank deficit of
        ``Y``, or several samples with exactly the same label vector), the noisy
        estimator has no noise to handle and would return a wrong network, so
        :class:`RecoveryFailed` is raised naming the likely misspecification (biases,
        ``m < k``, inputs in a half-space, ``X`` of rank < d, ``k`` too small) with its
        evidence. Otherwise the noisy estimate is returned; if its residual is
        inconsistent with the noise level the trailing singular values of ``Y`` reveal
        (after fresh starts and, when ``k`` was read off the labels, larger ``k``), it
        comes with a :class:`RelunetWarning`, ``diagnostics["misspecified"]`` True and
        the likely ``cause``. ``diagnostics["exact"]`` (``res.exact``) is True only for
        a verified exact fit.
    seed : int
        Seed (non-negative integer) of every random choice: same inputs and seed, same
        output.
    method : {"auto", "cone", "moments"}
        How facets are found. ``"auto"`` tries the linear-programming method first and
        the moment method on a retry.
    max_attempts : int
        Attempts (with fresh seeds, alternating methods) before giving up.
    progress : callable, optional
        Receives one-line progress messages.
    bias : bool
        Fit hidden biases ``b`` and output biases ``c`` too (keyword only). The problem is
        lifted to the bias-free one on ``[X; 1ᵀ]`` with a constant row appended to the
        labels (:mod:`recover.lift`), which works for every ``m ≥ k`` including
        ``m = k``; without ``k``, it is read off the rank of ``[Y; 1ᵀ]`` minus one. Each
        unit must be off on at least ``k`` samples and on at ``d + 1`` affinely
        independent ones; a unit active on no sample or on every sample is named in the
        :class:`RecoveryFailed`, never guessed.

    Returns
    -------
    RecoveryResult

    Raises
    ------
    InvalidInputError
        Malformed input (a dtype other than real numbers, NaN/Inf, wrong shapes), bad
        options, impossible ``k``, rank of ``Y`` below ``k``, or a network that float64
        cannot represent at the scale of the data.
    RecoveryFailed
        No network passed the checks: labels not exactly realizable in "exact" mode,
        noiseless labels outside the model in "auto" mode (the message names the likely
        cause), ``X`` of rank < d with ``k`` above that rank.

    Warns
    -----
    RelunetWarning
        When ``X`` has rank ``r < d``: the network is recovered on ``span(X)`` (rows of
        ``V`` in it; :mod:`recover.input_span`), the part the data determine, and the
        result says so (``diagnostics["identifiable"]`` False, ``["input_basis"]``).
        Also for noisy estimates that fail the noise check (see ``mode``).
    """
    X, Y = check_data(X, Y)
    act = get_activation(activation)
    _check_options(mode, method, max_attempts, seed, progress)
    k = _check_k(k, Y.shape[0], X.shape[0])
    Xs, a = power_of_two_scale(X)
    Ys, b = power_of_two_scale(Y)
    say = progress or (lambda message: None)
    if bias not in (True, False):
        raise InvalidInputError(f"bias must be True or False, got {bias!r}")
    inputs = deficient_span(Xs)
    try:
        if inputs is None:
            result = _recover(Xs, Ys, k, act, mode, method, seed, max_attempts, say, bias)
        else:
            result = _recover_on_span(Xs, Ys, inputs, k, act, mode, method, seed,
                                      max_attempts, say, bias)
    except RecoveryFailed as exc:
        if k is None and exc.diagnostics.get("k") == Y.shape[0] < X.shape[0]:
            raise RecoveryFailed(f"{exc}. {K_NOT_READ_OFF}", exc.diagnostics) from None
        raise
    result.diagnostics["scale"] = {"X": a, "Y": b}
    return _unscaled(result, X, a, b)


def _recover_on_span(X, Y, inputs: InputSpan, k, act, mode, method, seed, max_attempts,
                     say, bias) -> RecoveryResult:
    """``X`` of rank ``r < d``: recover on the coordinates ``Qᵀ X`` of ``span(X)`` and
    extend with rows in ``span(X)`` (:mod:`recover.input_span`); the result says what
    is not determined, with a warning."""
    if k is not None and k > inputs.rank:
        raise RecoveryFailed(f"the inputs do not determine the network: "
                             f"{inputs.describe()}; and k = {k} units exceed that rank, so "
                             f"not even their restriction to span(X) is identifiable",
                             {"cause": inputs.describe(), "misspecified": False})
    say(f"inputs: rank {inputs.rank} < d = {inputs.d}; recovering on span(X)")
    result = _recover(inputs.Q.T @ X, Y, k, act, mode, method, seed, max_attempts, say, bias)
    result.network = extend(result.network, inputs)
    result.diagnostics.update(input_basis=inputs.Q, input_rank=inputs.rank,
                              causes=["rank_deficient_inputs"], cause=inputs.describe(),
                              identifiable=False)
    if result.diagnostics.get("standard_errors") is not None:
        # Error bars of V_S Qᵀ need the full covariance in S, not its diagonal.
        result.diagnostics["standard_errors"] = None
    _warn(result.diagnostics, f"the samples determine the network only on span(X): "
                              f"{inputs.describe()}", depth=2)
    return result


def _check_k(k, m: int, d: int) -> int | None:
    if k is None:
        return None
    k = check_positive_int(k, "k")
    if k > d:
        raise InvalidInputError(
            f"k = {k} is impossible here: k = {k} hidden units in d = {d} input dimensions "
            f"(V* {k}x{d} cannot have full row rank), and more units than input dimensions "
            f"are not identifiable by relunet's methods: it needs k <= d"
            + (f" (and k <= m = {m} for the facet method; m < k <= d uses the "
               f"few-outputs method)" if m < d else ""))
    return k


def _recover(X, Y, k, act: Activation, mode: str, method: str, seed: int,
             max_attempts: int, say, bias: bool = False) -> RecoveryResult:
    """:func:`recover_network` on unit-scale data. With ``bias``, ``X`` and ``Y`` are
    lifted (:mod:`recover.lift`) and every step below sees ``k + 1`` label dimensions,
    ``d + 1`` input dimensions and ``k`` facets to find."""
    if k is not None and k > Y.shape[0]:  # m < k: no facets; recover.few_outputs
        network, diagnostics, messages = recover_few_outputs(X, Y, k, act, mode, seed,
                                                             max_attempts, say, bias)
        for message in messages:
            _warn(diagnostics, message, depth=2)
        return RecoveryResult(network=network, diagnostics=diagnostics)
    start = time.perf_counter()
    diagnostics = {"n": X.shape[1], "attempts": [], "warnings": [], "exact": False,
                   "misspecified": None, "cause": None, "timings": {}, "bias": bias}
    if bias:
        if method == "moments":
            raise InvalidInputError("method='moments' assumes bias-free labels of Gaussian "
                                    "inputs; with bias=True use method='cone' or 'auto'")
        if not Y.any():
            raise InvalidInputError("Y is zero: the labels carry no information")
        method, Y_fit = "cone", lift_labels(Y)
        lifted = label_span(Y_fit)
        _refuse(check_lifted_rank(lifted, k), diagnostics)
    else:
        Y_fit = Y
    k_fit = None if k is None else k + bias
    if mode == "noisy":
        span = _noisy_span(Y_fit, k_fit)
    else:
        span = lifted.first(k_fit or lifted.k) if bias else label_span(Y_fit, k_fit)
    # recover_network reduced X of rank r < d to the coordinates of span(X) (same
    # tolerance): only X = 0 can be rank deficient here, and the SVD is not redone.
    bad_inputs = None if X.any() else misfit.rank_deficient_inputs(X)
    if bad_inputs is not None:
        _record_causes(diagnostics, [bad_inputs])
        raise RecoveryFailed(f"the inputs do not determine the network: "
                             f"{bad_inputs.describe()}", diagnostics)
    if bias:
        X = lift_inputs(X)
        _refuse(affinely_dependent_inputs(X), diagnostics)
    noiseless = misfit.noiseless_evidence(Y, label_span(Y) if bias else span)
    diagnostics.update(k=span.k - bias, rank_tail=span.tail_ratio, rank_gap=span.rank_gap,
                       noiseless=noiseless)
    diagnostics["timings"]["span"] = time.perf_counter() - start
    say(f"span: k = {span.k - bias}, σ_(k+1)/σ_1 = {span.tail_ratio:.1e}")
    if mode != "noisy":
        small = (lifted_k_too_small(span, noiseless, k) if bias else
                 misfit.k_too_small(span, noiseless, k))
        if small is not None:
            _record_causes(diagnostics, [small])
            raise RecoveryFailed(f"the labels are not those of k = {k} units: "
                                 f"{small.describe()}", diagnostics)
        best = {"normals": None}
        try:
            result = _recover_exact(X, Y, span, act, method, seed, max_attempts,
                                    diagnostics, say, start, best, bias)
            if not bias:
                _warn_if_halfspace(X, diagnostics, exact=True)
            return result
        except RecoveryFailed as exc:
            final = mode == "exact" or act.inverse is None
            if bias:
                unseen = unseen_units(span.Z, X, span.k - 1)
                if unseen is not None:
                    diagnostics.update(cause=unseen, misspecified=False)
                    raise RecoveryFailed(f"{exc}. {unseen}", diagnostics) from None
                causes = []
            else:
                causes = (misfit.diagnose(X, Y, span, act, k, best["normals"])
                          if final or noiseless else [])
            if final or (noiseless and causes):
                # Nothing to estimate under noise (or no noisy estimator for this f):
                # say why instead.
                raise _explained(exc, causes, diagnostics) from None
            diagnostics["exact_failure"] = str(exc)
            if noiseless:
                return _refined_noiseless(X, Y, span, act, method, seed, exc, diagnostics,
                                          say, start, bias)
            say(f"not exact ({exc}); estimating under noise")
        span = _noisy_span(Y_fit, k_fit)
        diagnostics.update(k=span.k - bias, rank_tail=span.tail_ratio,
                           rank_gap=span.rank_gap)
    return _recover_noisy(X, Y, span, act, method, seed, k, diagnostics, say, start,
                          bias=bias)


def _refuse(problem: str | None, diagnostics: dict) -> None:
    """RecoveryFailed naming ``problem`` (a reason the data do not determine the
    network, e.g. from :mod:`recover.lift`), when there is one."""
    if problem is not None:
        diagnostics.update(cause=problem, misspecified=False)
        raise RecoveryFailed(problem, diagnostics)


def _record_causes(diagnostics: dict, causes: list) -> str:
    text = misfit.describe(causes)
    diagnostics.update(causes=[c.name for c in causes], cause=text if causes else None,
                       misspecified=bool(causes) or None)
    return text


def _explained(exc: RecoveryFailed, causes: list, diagnostics: dict,
               fit_residual: float | None = None) -> RecoveryFailed:
    """The exact pipeline's failure, with the measured reason it failed."""
    text = _record_causes(diagnostics, causes)
    noiseless = diagnostics.get("noiseless")
    if noiseless is None:
        why = ("the labels show no sign of being noiseless (Y has full rank and no "
               "repeated label vectors), so noise is a likely reason")
        why += f"; {text}" if causes else ""
    elif causes:
        why = f"the labels are noiseless ({noiseless}), so this is not noise — {text}"
    else:
        refit = ("" if fit_residual is None else
                 f"; a least-squares fit from a robust start leaves relative residual "
                 f"{fit_residual:.1e}")
        why = (f"the labels are noiseless ({noiseless}) and no misspecification was "
               f"detected{refit}: too few samples on some facet? (more samples, another "
               f"seed or more attempts)")
    return RecoveryFailed(f"{exc}. {why}", diagnostics)


def _refined_noiseless(X, Y, span: LabelSpan, act: Activation, method: str, seed: int,
                       exc: RecoveryFailed, diagnostics: dict, say,
                       start, bias: bool = False) -> RecoveryResult:
    """Noiseless labels, no misspecification found, and the exact pipeline failed (too
    few samples on a facet, a dominated unit): the least-squares refinement from a
    robust start may still reproduce the labels. Only a fit at machine level is
    returned — with a warning, since the exact checks did not verify it — otherwise
    RecoveryFailed."""
    say(f"not exact ({exc}); refining from a robust start")
    try:
        result = _recover_noisy(X, Y, span, act, method, seed, span.k - bias, diagnostics,
                                say, start, warn=False, bias=bias)
    except RecoveryFailed:
        raise _explained(exc, [], diagnostics) from None
    if result.diagnostics["residual"] > RESIDUAL_RTOL:
        raise _explained(exc, [], diagnostics, result.diagnostics["residual"])
    diagnostics.update(cause=f"the exact pipeline did not verify: {exc}",
                       misspecified=False)
    _warn(diagnostics, f"noiseless labels reproduced to relative residual "
                       f"{diagnostics['residual']:.1e} by least-squares refinement, but the "
                       f"exact pipeline did not verify the network ({exc}): not checked "
                       f"to be the unique answer", depth=3)
    return result


def _noisy_span(Y, k: int | None) -> LabelSpan:
    """The label span under noise: without ``k``, a full-rank ``Y`` gives ``k`` as the
    number of singular values above the noise edge (:func:`recover.span.noisy_rank`)."""
    span = label_span(Y, k)
    if k is None and span.tail_ratio == 0.0:
        k_noise = noisy_rank(span.singular_values, Y.shape[1])
        if k_noise is None:
            raise InvalidInputError(
                "k cannot be read off the labels: Y has full rank and no singular value "
                "stands clear of a noise floor — noisy labels with k = m, or noiseless "
                "labels of more hidden units than outputs (m < k), or m >= n; pass k")
        span = label_span(Y, k_noise)
    return span


def _recover_exact(X, Y, span: LabelSpan, act: Activation, method: str, seed: int,
                   max_attempts: int, diagnostics: dict, say, start,
                   best: dict, bias: bool = False) -> RecoveryResult:
    """The exact pipeline with Las Vegas retries; raises RecoveryFailed if no attempt
    passes the checks. ``best["normals"]`` receives the facet normals of the attempt
    that found the most facets (for the diagnosis of a failure)."""
    diagnostics["mode"] = "exact"
    _check_realizable(span, X.shape[0], diagnostics)
    timings = diagnostics["timings"]
    for attempt in range(max_attempts):
        chosen = _method_for(method, attempt)
        rng = np.random.default_rng([seed, attempt])
        try:
            network = _attempt(X, Y, span, act, chosen, rng, diagnostics, say, best, bias)
        except RecoveryFailed as exc:
            diagnostics["attempts"].append({"method": chosen, "failure": str(exc)})
            say(f"attempt {attempt + 1} ({chosen}) failed: {exc}")
            continue
        diagnostics["attempts"].append({"method": chosen, "failure": None})
        diagnostics.update(method=chosen, exact=True, misspecified=False)
        timings["total"] = time.perf_counter() - start
        return RecoveryResult(network=network, diagnostics=diagnostics)
    timings["total"] = time.perf_counter() - start
    last = diagnostics["attempts"][-1]["failure"]
    raise RecoveryFailed(f"no attempt passed the checks ({max_attempts} tried); last: {last}",
                         diagnostics)


def _recover_noisy(X, Y, span: LabelSpan, act: Activation, method: str, seed: int,
                   k_given: int | None, diagnostics: dict, say, start,
                   warn: bool = True, bias: bool = False) -> RecoveryResult:
    """Robust start, Levenberg–Marquardt refinement, the noise check (with fresh starts
    and, for a ``k`` read off the labels, larger ``k`` while it fails), standard
    errors, SNR check. With ``bias``, ``X`` and ``span`` are lifted (``Y`` is not)."""
    timings = diagnostics["timings"]
    diagnostics.update(mode="noisy", exact=False)
    chosen = "moments" if method == "moments" else "cone"
    t0 = time.perf_counter()
    network, fit, check, span = _consistent_fit(X, Y, span, act, chosen, seed, k_given,
                                                diagnostics, say, bias)
    timings["fit"] = time.perf_counter() - t0
    diagnostics.update(method=chosen, k=span.k - bias, rank_tail=span.tail_ratio,
                       rank_gap=span.rank_gap, noise_check=check)
    X = X[:-1] if bias else X  # the inputs themselves from here on
    t0 = time.perf_counter()
    se = standard_errors(network, X, Y, bias)
    timings["standard_errors"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - start
    diagnostics.update(_noisy_summary(network, X, Y, fit, se))
    if warn:
        _flag_misfit(X, Y, span, act, k_given, network, check, diagnostics, bias)
        _warn_if_meaningless(diagnostics)
    return RecoveryResult(network=network, diagnostics=diagnostics)


def _consistent_fit(X, Y, span, act, method, seed, k_given, diagnostics, say,
                    bias: bool = False):
    """The first noisy fit whose residual is consistent with the noise of the labels,
    else the one closest to it: fresh starts first (a wrong local minimum fails the
    check too), then, when ``k`` was read off the noise edge, one more unit at a time
    (a unit weaker than the noise edge leaves its signal in the residual). With
    ``bias`` (lifted ``X`` and ``span``) ``k`` is not grown: the noise edge of the
    lifted labels already counts the constant."""
    best = None
    k_max = min(Y.shape[0] - 1, X.shape[0], span.k + NOISY_EXTRA_UNITS)
    # The noise check compares the residual with Y's own trailing singular values; the
    # output bias is one more signal direction of Y.
    sv = left_singular(Y)[1] if bias else span.singular_values
    X_in = X[:-1] if bias else X
    while True:
        for restart in range(1 + NOISY_RESTARTS):
            try:
                network, fit = _noisy_fit(X, Y, span, act, method, [seed, restart],
                                          diagnostics, bias)
            except RecoveryFailed:
                if best is None:
                    raise
                return best  # a larger k finds no start: keep the best fit so far
            check = misfit.noise_check(Y, sv, network(X_in), span.k,
                                       _n_parameters(network, bias))
            say(f"noisy: k = {span.k - bias}, start {restart + 1}: residual/noise ratio "
                f"{check['ratio'] if check['ratio'] is not None else float('nan'):.3g}")
            if not check["checked"] or check["consistent"]:
                return network, fit, check, span
            if best is None or check["ratio"] < best[2]["ratio"]:
                best = (network, fit, check, span)
            if check["ratio"] > NOISY_RETRY_RATIO:
                return best  # far beyond noise: no start or extra unit will explain it
        if k_given is not None or bias or span.k >= k_max:
            return best
        span = label_span(Y, span.k + 1)


def _n_parameters(network: TwoLayerNetwork, bias: bool = False) -> int:
    """Free parameters: ``mk + kd`` (``m(k+1) + k(d+1)`` with fitted biases), less one
    scale per unit for a homogeneous ``f``."""
    gauge = network.k if network.activation.homogeneous else 0
    return network.m * (network.k + bias) + network.k * (network.d + bias) - gauge


def _noisy_fit(X, Y, span: LabelSpan, act: Activation, method: str, seed: list,
               diagnostics: dict, bias: bool = False):
    if span.k > X.shape[0]:
        raise RecoveryFailed(f"k = {span.k - bias} units exceed the input dimension d = "
                             f"{X.shape[0] - bias}: V cannot have full row rank",
                             diagnostics)
    U0, V0, stats = _robust_start_with_retries(X, Y, span, act, seed, method, diagnostics,
                                               bias)
    if not (np.all(np.isfinite(U0)) and np.all(np.isfinite(V0))):
        raise RecoveryFailed(
            f"no finite noisy start for activation {act.name!r} (the activations fall "
            f"outside the range of f for the scale the start assumes)", diagnostics)
    diagnostics["start_stats"] = stats
    fit = refine(U0, V0, X, Y, act, output_bias=bias)
    if bias:
        k = V0.shape[0]
        V, b = split_hidden(fit.V)
        network = TwoLayerNetwork(fit.U[:, :k], V, b, fit.U[:, k], activation=act)
    else:
        network = TwoLayerNetwork(fit.U, fit.V, act)
    dead = [i for i in range(network.k) if not np.any(network.V[i]) and network.b[i] == 0]
    if dead and network.activation.homogeneous:
        # a unit switched off entirely has no direction (canonical() refuses it): the
        # labels do not show k units, a negative result rather than bad input
        raise RecoveryFailed(f"the least-squares fit switched off unit(s) {dead} entirely "
                             f"(V_i = 0, b_i = 0): these labels do not show k = "
                             f"{network.k} units" + ("; try a smaller k" if network.k > 1
                                                     else ""), diagnostics)
    return network.canonical(), fit


def _robust_start_with_retries(X, Y, span, act, seed, method, diagnostics, bias=False,
                               attempts=3):
    failure = ""
    for attempt in range(attempts):
        try:
            return robust_start(X, Y, span, act, np.random.default_rng([*seed, attempt]),
                                method, bias)
        except RecoveryFailed as exc:
            failure = str(exc)
            diagnostics["attempts"].append({"method": f"noisy start ({method})",
                                            "failure": failure})
    raise RecoveryFailed(f"no robust start in {attempts} attempts: {failure}", diagnostics)


def _flag_misfit(X, Y, span, act, k_given, network, check: dict, diagnostics: dict,
                 bias: bool = False) -> None:
    """Warn, naming the likely cause, when the fit fails the noise check; note units
    that the samples do not determine (active on none or all of them). The causes are
    those of the bias-free model; with fitted biases none of them is tested."""
    if check["checked"] and not check["consistent"]:
        causes = [] if bias else misfit.diagnose(X, Y, span, act, k_given, network=network)
        text = (misfit.describe(causes) if causes else
                "one of: hidden or output biases (try bias=True), fewer outputs than "
                "hidden units (m < k), k too small, inputs in a half-space, or another model")
        diagnostics.update(causes=[c.name for c in causes], cause=text, misspecified=True)
        _warn(diagnostics, (
            f"the labels are misspecified for this model: the fit leaves a residual "
            f"{check['ratio']:.3g} times the noise variance the labels reveal (threshold "
            f"{check['threshold']:.3g}; noise σ ≈ {check['sigma_tail']:.3g} per entry "
            f"from the trailing singular values of Y), so the network is not a "
            f"trustworthy estimate; {text}"))
        return
    diagnostics["misspecified"] = False if check["checked"] else None
    degenerate = misfit.degenerate_units(network, X)
    if degenerate is not None:
        diagnostics.update(causes=[degenerate.name], cause=degenerate.describe())
        _warn(diagnostics, f"the samples do not determine every unit: "
                           f"{degenerate.describe()}")
    elif not bias:
        _warn_if_halfspace(X, diagnostics, exact=False, depth=5)


def _warn_if_halfspace(X, diagnostics: dict, exact: bool, depth: int = 3) -> None:
    """Inputs in one half-space leave units unidentifiable: a unit inactive on every
    sample leaves no trace (so more units may exist than were recovered), and one
    active on every sample is linear on the data (its facet is missing)."""
    cause = misfit.halfspace_inputs(X)
    if cause is None:
        return
    diagnostics.update(causes=[cause.name], cause=cause.describe())
    what = ("the network reproduces the labels exactly on these samples, but"
            if exact else "the estimate may not be unique:")
    _warn(diagnostics, f"{what} {cause.evidence}: a hidden unit inactive on every sample "
                       f"leaves no trace and one active on every sample is linear on the "
                       f"data, so units beyond those recovered are not ruled out",
          depth=depth)


def _warn(diagnostics: dict, message: str, depth: int = 4) -> None:
    """Record and emit a RelunetWarning; ``depth`` is the number of relunet frames
    between the caller of :func:`recover_network` and :func:`_warn`'s caller, so that
    the warning points at the caller's line."""
    diagnostics["warnings"].append(message)
    warnings.warn(message, RelunetWarning, stacklevel=depth + 2)


def _noisy_summary(network: TwoLayerNetwork, X, Y, fit, se) -> dict:
    clean = network(X)
    resid = float(np.linalg.norm(clean - Y))
    snr = float(np.linalg.norm(clean)) / max(resid, np.finfo(float).tiny)
    return {"residual": resid / max(float(np.linalg.norm(Y)), np.finfo(float).tiny),
            "snr_estimate_db": float(20 * np.log10(snr)), "iterations": fit.iterations,
            "converged": fit.converged, "pattern_changes": fit.pattern_changes,
            "noise_sigma_estimate": None if se is None else se.sigma,
            "standard_errors": None if se is None else
            {"U": se.U, "V": se.V, **({"b": se.b, "c": se.c} if se.b is not None else {})}}


def _warn_if_meaningless(diagnostics: dict) -> None:
    snr_db = diagnostics["snr_estimate_db"]
    se = diagnostics["standard_errors"]
    median_se_v = float(np.median(se["V"])) if se is not None else 0.0
    if snr_db < MEANINGFUL_SNR_DB or median_se_v > MEANINGFUL_SE:
        _warn(diagnostics, f"the labels are dominated by noise (estimated SNR "
                           f"{snr_db:.1f} dB, median standard error of the unit directions "
                           f"{median_se_v:.2f}): the recovered weights are not meaningful")


def _unscaled(result: RecoveryResult, X, a: int, b: int) -> RecoveryResult:
    """Undo ``X = 2^a X'``, ``Y = 2^b Y'`` on a result of the unit-scale problem.

    ``V = 2^-a V'`` and ``U = 2^b U'`` hold for any activation; in canonical form (unit
    rows of ``V``, homogeneous ``f`` of degree p) this is ``V = V'``, ``U = 2^(b-ap) U'``.
    Raises InvalidInputError when float64 cannot hold the result at the data's scale.
    """
    net, diag = result.network, result.diagnostics
    act = net.activation
    if act.homogeneous:
        u_exp, v_exp = b - a * act.degree, 0
    else:
        u_exp, v_exp = b, -a
    U, V = _times_power_of_two(net.U, u_exp, "U"), _times_power_of_two(net.V, v_exp, "V")
    # f(V' X/2^a + b') = f(2^(v_exp) V' X + 2^(v_exp + a) b'): b moves with V's rows;
    # the output bias with the labels.
    biases = ({"b": _times_power_of_two(net.b, v_exp + a, "b"),
               "c": _times_power_of_two(net.c, b, "c")} if net.has_bias else {})
    network = TwoLayerNetwork(U, V, activation=act, **biases)
    with np.errstate(over="ignore", invalid="ignore"):
        hidden = network.hidden(X)
        output = network.U @ hidden
    if not (np.all(np.isfinite(hidden)) and np.all(np.isfinite(output))):
        where = "f(VX)" if not np.all(np.isfinite(hidden)) else "U f(VX)"
        raise InvalidInputError(
            f"the recovered network cannot be evaluated on these inputs in float64: "
            f"{where} overflows (X is scaled by 2^{a}, Y by 2^{b}); rescale the data")
    se = diag.get("standard_errors")
    if se is not None:
        scaled = {"U": se["U"] * 2.0 ** u_exp, "V": se["V"] * 2.0 ** v_exp}
        if "b" in se:
            scaled.update(b=se["b"] * 2.0 ** (v_exp + a), c=se["c"] * 2.0 ** b)
        diag["standard_errors"] = scaled
    for key in ("noise_sigma_estimate",):
        if diag.get(key) is not None:
            diag[key] = diag[key] * 2.0 ** b
    check = diag.get("noise_check")
    if check:
        for key in ("sigma_fit", "sigma_tail"):
            if check.get(key) is not None:
                check[key] = check[key] * 2.0 ** b
    result.network = network
    return result


#: A matrix whose largest entry is below this (the smallest normal float64, 2^-1022)
#: has lost precision normwise; smaller entries beside a normal one lose at most
#: 2^-1074 each, far below the rounding of the largest.
_SMALLEST_FULL_PRECISION = np.finfo(float).tiny


def _times_power_of_two(A: np.ndarray, e: float, name: str) -> np.ndarray:
    if e == 0:
        return A
    with np.errstate(over="ignore", under="ignore"):
        out = np.ldexp(A, int(e)) if float(e).is_integer() else A * np.exp2(e)
    peak = float(np.max(np.abs(out)))
    if not np.isfinite(peak) or (A.any() and peak < _SMALLEST_FULL_PRECISION):
        near = e + np.frexp(np.max(np.abs(A)))[1]
        raise InvalidInputError(
            f"the recovered network exists but float64 cannot represent its {name} at the "
            f"scale of the data: its entries would be near 2^{near:.0f}; rescale X or Y")
    return out


def _check_options(mode: str, method: str, max_attempts: int, seed, progress) -> None:
    check_choice(mode, "mode", MODES)
    check_choice(method, "method", ("auto",) + METHODS)
    check_positive_int(max_attempts, "max_attempts")
    check_seed(seed)
    if progress is not None and not callable(progress):
        raise InvalidInputError(f"progress must be callable or None, got {progress!r}")


def _method_for(method: str, attempt: int) -> str:
    if method != "auto":
        return method
    return "cone" if attempt % 2 == 0 else "moments"


def _check_realizable(span: LabelSpan, d: int, diagnostics: dict) -> None:
    if span.tail_ratio > REALIZABLE_RTOL:
        raise RecoveryFailed(
            f"the labels are not exactly realizable by k = {span.k} units: "
            f"σ_(k+1)/σ_1 = {span.tail_ratio:.2e} > {REALIZABLE_RTOL:.0e}; "
            f"exact recovery needs noiseless labels of rank k", diagnostics)
    if span.k > d:
        raise RecoveryFailed(
            f"the labels have rank {span.k} > d = {d}: not exactly realizable by a "
            f"network with V of full row rank", diagnostics)


def _attempt(X, Y, span: LabelSpan, act: Activation, method: str,
             rng: np.random.Generator, diagnostics: dict, say,
             best: dict, bias: bool = False) -> TwoLayerNetwork:
    """One run of steps 2–4 and the self-checks; raises RecoveryFailed on any miss.
    ``best["normals"]`` keeps the most facet normals any attempt found. With ``bias``,
    ``X`` and ``span`` are lifted: ``k`` facets are sought in ``k + 1`` dimensions."""
    k = span.k - bias
    timings = diagnostics["timings"]
    min_count = lifted_min_count(k) if bias else (k - 1) + max(3, k // 5)
    if act.constant and k > 1:
        # A step's facet holds at most 2^(k−1) − 1 distinct points (the patterns with
        # that unit off); the half-space test, not the count, weeds out spurious ones.
        min_count = min(min_count, 2 ** (k - 1) - 1)
    t0 = time.perf_counter()
    report = lambda found, total: say(f"{method}: {found}/{total} facets")  # noqa: E731
    accept = None if act.injective else _halfspace_test(X, span.Z)
    if k == 1:
        facet = (single_lifted_facet if bias else single_unit_facet)(span.Z, min_count)
        facets, stats = ([facet] if facet and (accept is None or accept(facet)) else []), {}
    elif method == "cone":
        # ReLU-like f: a facet below the share rule is kept if it is one unit's (a unit
        # rarely off beside units mostly off: inputs in one orthant).
        keep = _unit_test(X, span.Z, act) if act.injective and act.homogeneous else None
        facets, stats = cone_facets(span.Z, k, rng, min_count, progress=report,
                                    accept=accept, keep_sparse=keep)
    else:
        facets, stats = moment_facets(X, span.Z, k, rng, min_count, progress=report,
                                      accept=accept)
    timings[f"facets_{method}"] = time.perf_counter() - t0
    diagnostics[f"{method}_stats"] = stats
    if facets and (best["normals"] is None or len(facets) > len(best["normals"])):
        best["normals"] = np.array([f.w for f in facets])
    if len(facets) < k:
        verdict = ("no sample lies exactly on any hyperplane through k-1 others, so the "
                   "labels are not exactly realizable by k units" if not facets else
                   "too few samples, or labels not exactly realizable by k units")
        raise RecoveryFailed(
            f"{method}: found {len(facets)} of {k} facets (each needs >= {min_count} "
            f"samples exactly on it): {verdict}")
    t0 = time.perf_counter()
    network, fit = _weights_from_facets(X, Y, span, facets, act, bias)
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


def _unit_test(X: np.ndarray, Z: np.ndarray, act: Activation) -> Callable[[Facet], bool]:
    """The facet test for an injective homogeneous ``f``: the facet's activations
    ``w·z_j`` must be those of one unit, ``f(v·x_j)`` on the samples off the facet
    (residual and sign violation at machine level, :func:`recover.solve.hidden_unit`).
    A spurious supporting hyperplane (through ``k − 1`` points and their copies, or a
    few more near a face of lower dimension) passes the sample counts but not this."""
    band = ON_FACET_RTOL * np.linalg.norm(Z, axis=0)

    def is_unit(facet: Facet) -> bool:
        try:
            fit = hidden_unit(np.maximum(facet.w @ Z, 0.0), facet.support, X, act, band)
        except RecoveryFailed:
            return False
        return fit.residual <= RESIDUAL_RTOL and fit.sign_violation <= RESIDUAL_RTOL
    return is_unit


def _weights_from_facets(X, Y, span: LabelSpan, facets: list[Facet], act: Activation,
                         bias: bool = False):
    """``V`` from the facets' active samples, ``U`` by least squares, and the measured
    fit. With ``bias``, ``X`` is lifted, so the solve gives ``[V | b]``, and ``c`` is
    fitted beside ``U``."""
    W = np.array([f.w for f in facets])
    band = ON_FACET_RTOL * np.linalg.norm(span.Z, axis=0)
    V, fits, extra = hidden_weights(span.Z, W, [f.support for f in facets], X, act, band)
    if bias:
        U, c, residual = output_weights_with_bias(Y, act(V @ X))
        V, b = split_hidden(V)
    else:
        (U, residual), b, c = output_weights(Y, act(V @ X)), None, None
    fit = {**extra, "facet_counts": [f.count for f in facets],
           "rank_gaps": [f.rank_gap for f in facets],
           "hidden_residual": max(fit.residual for fit in fits),
           "sign_violation": max(fit.sign_violation for fit in fits),
           "residual": residual}
    return TwoLayerNetwork(U, V, b, c, activation=act), fit


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
