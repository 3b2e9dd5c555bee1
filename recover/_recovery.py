"""``recover_network``: the exact pipeline span → facets → exact step → ``V`` → ``U``.

Bakshi, Jayaram & Woodruff (COLT 2019) show that a two-layer rectified network with
Gaussian inputs, ``m ≥ k``, ``U*`` of full column rank and ``V*`` of full row rank is
recovered *exactly* from noiseless labels. The pipeline:

1. span: ``Z = Pᵀ Y = A F`` (:mod:`recover._span`);
2. facets of the cone of ``Z`` (:mod:`recover._cone` by linear programming — the default —
   or :mod:`recover._moments`, the paper's Hermite-moment directions);
3. the exact step on each facet (:func:`recover._facets.exact_facet`);
4. ``V`` from the active samples, ``U`` by least squares (:mod:`recover._solve`).

It is a Las Vegas algorithm: the result is checked (facet counts, ranks, residual at
machine level, activation pattern consistent); a failed check triggers a retry with
another seed and method, and if every attempt fails :class:`RecoveryFailed` is raised
with the diagnostics. A wrong network is never returned silently: when the labels are
noiseless and the pipeline fails, the failure names the likely misspecification
(:mod:`recover._misfit`); when a noisy estimate explains the labels worse than the noise
they reveal, it comes with a :class:`RelunetWarning` and ``misspecified`` set.

Inputs and labels are rescaled by powers of two (exact in floating point) so that the
pipeline works at unit scale whatever the scale of the data; the scaling is undone on
the result (``X = 2^a X'``, ``Y = 2^b Y'`` give ``V = 2^-a V'``, ``U = 2^b U'`` for any
activation).

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from . import _misfit as misfit
from ._activations import Activation, get_activation
from ._cone import cone_facets
from ._dask import is_dask_array, recover_chunked
from ._subset import recover_on_subset, worth_a_subset
from ._errors import InvalidInputError, RecoveryFailed, RelunetWarning
from ._facets import Facet, single_unit_facet
from ._few_outputs import recover_few_outputs
from ._input_span import InputSpan, deficient_span, extend
from ._lift import (affinely_dependent_inputs, check_lifted_rank, lift_inputs, lift_labels,
                   lifted_k_too_small, lifted_min_count, output_weights_with_bias,
                   single_lifted_facet, split_hidden, unseen_units)
from ._moments import moment_facets
from ._network import TwoLayerNetwork
from ._noisy import robust_start
from ._parallel import SEQUENTIAL, Workers, check_n_jobs, workers
from ._refine import refine
from ._result import RecoveryResult
from ._solve import hidden_unit, hidden_weights, output_weights
from ._span import LabelSpan, label_span, left_singular, noisy_rank
from ._tolerances import Tolerances, checked, current, using
from ._uncertainty import standard_errors
from ._validation import (check_choice, check_data, check_positive_int, check_seed,
                         power_of_two_scale)
from ._weight_cones import realisable

__all__ = ["RecoveryResult", "recover_network"]

METHODS = ("cone", "moments")
MODES = ("auto", "exact", "noisy")
#: Appended when k was read off labels of full row rank m and recovery failed.
K_NOT_READ_OFF = ("k cannot be read off the labels when the network may have more hidden "
                  "units than outputs (Y has full row rank m): pass k= (m < k <= d runs "
                  "the few-outputs recovery)")


@dataclass(frozen=True)
class _Run:
    """What every step of one recovery reads, so that a step takes ``(run, …)`` instead
    of ten positional arguments. Frozen: a step that needs another view of the problem
    (the lifted inputs, ``span(X)`` coordinates, a fixed ``k``) derives one with
    :func:`dataclasses.replace`.

    ``X`` (d×n, or the lifted ``[X; 1ᵀ]`` once ``lifted``) and ``Y`` (m×n) are the
    unit-scale data; ``k`` is the number of units asked for (None: read off the labels);
    ``say`` receives progress messages; ``start`` is the clock of the run; ``workers``
    the threads of ``n_jobs`` (:mod:`recover._parallel`). ``record`` is
    the one mutable part, shared by every view: the measurements as they are made, which
    become the :class:`RecoveryResult` (:meth:`RecoveryResult.from_record`) or travel
    with a :class:`RecoveryFailed`.
    """

    X: np.ndarray
    Y: np.ndarray
    act: Activation
    mode: str
    method: str
    seed: int
    max_attempts: int
    k: int | None
    bias: bool
    tol: Tolerances
    say: Callable[[str], None]
    start: float
    record: dict
    lifted: bool = False
    workers: Workers = SEQUENTIAL

    @property
    def inputs(self) -> np.ndarray:
        """``X`` without the constant row of the lifted problem."""
        return self.X[:-1] if self.lifted else self.X


# Over 60 lines only by its docstring, the reference of every parameter; the body is 24.
def recover_network(X, Y, k: int | None = None, activation: str | Activation = "relu",
                    mode: str = "auto", seed: int = 0, method: str = "auto",
                    max_attempts: int = 3,
                    progress: Callable[[str], None] | None = None, *,
                    bias: bool = False, tol: Tolerances | None = None,
                    n_jobs: int = 1) -> RecoveryResult:
    """Recover ``U`` (m×k) and ``V`` (k×d) from ``X`` (d×n) and ``Y = U f(V X)`` (m×n)
    — or, with ``bias=True``, also ``b`` (k,) and ``c`` (m,) from
    ``Y = U f(V X + b 1ᵀ) + c 1ᵀ``.

    Parameters
    ----------
    X : array_like, shape (d, n)
        Inputs, one sample per column (Gaussian for the guarantees), of rank d. Real
        numbers only (integer or float dtype); any finite scale. A ``dask.array`` (for
        ``X``, ``Y`` or both; data larger than memory, or on a cluster): the exact mode
        runs on an evenly spread subset gathered into memory and is checked on every
        sample in two passes over the chunks (:mod:`recover._dask`; ``mode="noisy"`` is
        refused, ``"auto"`` runs the exact mode); ``diagnostics["dask"]`` counts the
        passes. Numpy inputs with many samples (``n ≥ 4·max(50000, 2000·k)``), in the
        exact and auto modes, are first recovered on an evenly spread subset and the
        network checked on every sample in one chunked pass; anything the check does not
        confirm runs on all samples as usual (:mod:`recover._subset`;
        ``diagnostics["subset"]``).
    Y : array_like, shape (m, n)
        Labels; real numbers, any finite scale; or a ``dask.array``.
    k : int, optional
        Number of hidden units; by default the numerical rank of ``Y``. ``k <= d``. With
        fewer outputs than units (``m < k``, down to ``m = 1``) it must be given: the
        pattern-based pipeline of :mod:`recover._few_outputs` runs (Gaussian ``X`` for
        its start; exact results verified the same way; with ``bias=True`` exact labels
        only).
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
        comes with a :class:`RelunetWarning`, ``res.misspecified`` True and the likely
        ``res.cause``. ``res.exact`` is True only for a verified exact fit.
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
        labels (:mod:`recover._lift`), which works for every ``m ≥ k`` including
        ``m = k``; without ``k``, it is read off the rank of ``[Y; 1ᵀ]`` minus one. With
        ``m < k`` (``k`` given) the few-outputs pipeline solves for ``[V | b]`` and ``c``
        given the pattern; ``mode="noisy"`` is then refused. Each
        unit must be off on at least ``k`` samples and on at ``d + 1`` affinely
        independent ones; a unit active on no sample or on every sample is named in the
        :class:`RecoveryFailed`, never guessed.
    tol : Tolerances, optional
        Tolerances and iteration budgets of every step (keyword only;
        :class:`recover.Tolerances`, defaults and reasons in docs/tolerances.md). None:
        those in force (the defaults, unless inside ``with recover.using_tolerances(…)``).
    n_jobs : int
        Threads for the independent pieces of the exact pipeline (keyword only): the
        facet programs with their exact steps, and the hidden-unit solves. 1 (default):
        one at a time, the sequential path. -1: ``os.cpu_count()`` threads. Any other
        value runs the programs in batches of a fixed size (``PROGRAM_BATCH`` in
        :mod:`recover._cone`, anchors drawn in a fixed order from the seed) and keeps
        their facets in that order, so the result depends on the seed but not on the
        number of threads: ``n_jobs=2`` and ``n_jobs=4`` return the same network,
        which may differ from that of ``n_jobs=1`` (another sequence of programs; both
        are verified the same way). The noisy mode, the moment method, the searches
        inside found facets and on subsamples, and ``m < k`` run on one thread.

    Returns
    -------
    RecoveryResult
        ``network``, ``mode``, ``exact``, ``k``, ``residual``, ``message`` … as
        attributes; the extras of each mode in ``diagnostics``.

    Raises
    ------
    InvalidInputError
        Malformed input (a dtype other than real numbers, NaN/Inf, wrong shapes), bad
        options (``tol`` not a Tolerances included), impossible ``k``, rank of ``Y``
        below ``k``, or a network that float64 cannot represent at the scale of the data.
    RecoveryFailed
        No network passed the checks: labels not exactly realizable in "exact" mode,
        noiseless labels outside the model in "auto" mode (the message names the likely
        cause), ``X`` of rank < d with ``k`` above that rank.

    Warns
    -----
    RelunetWarning
        When ``X`` has rank ``r < d``: the network is recovered on ``span(X)`` (rows of
        ``V`` in it; :mod:`recover._input_span`), the part the data determine, and the
        result says so (``diagnostics["identifiable"]`` False, ``["input_basis"]``).
        Also for noisy estimates that fail the noise check (see ``mode``).
    """
    if is_dask_array(X) or is_dask_array(Y):  # recover._dask: passes over chunks
        get_activation(activation)  # the options are refused before a pass over the data
        _check_options(mode, method, max_attempts, seed, progress, bias, n_jobs)
        return recover_chunked(recover_network, X, Y, k, mode, progress,
                               {"activation": activation, "seed": seed, "method": method,
                                "max_attempts": max_attempts, "bias": bias, "tol": tol,
                                "n_jobs": n_jobs})
    X, Y = check_data(X, Y)
    act = get_activation(activation)
    _check_options(mode, method, max_attempts, seed, progress, bias, n_jobs)
    k = _check_k(k, Y.shape[0], X.shape[0])
    tol = current() if tol is None else checked(tol)
    subset = None
    if worth_a_subset(X.shape[1], X.shape[0], Y.shape[0], k, bias, mode):
        with using(tol):  # recover._subset: the same pipeline on spread samples, checked
            result, subset = recover_on_subset(
                recover_network, X, Y, k, progress,
                {"activation": act, "seed": seed, "method": method,
                 "max_attempts": max_attempts, "bias": bias, "tol": tol, "n_jobs": n_jobs})
        if result is not None:
            return result
    Xs, a = power_of_two_scale(X)
    Ys, b = power_of_two_scale(Y)
    record = {"n": X.shape[1], "attempts": [], "warnings": [], "exact": False,
              "misspecified": None, "cause": None, "timings": {}, "bias": bias,
              **({} if subset is None else {"subset": subset})}
    with using(tol), workers(n_jobs) as threads:
        run = _Run(X=Xs, Y=Ys, act=act, mode=mode, method=method, seed=seed,
                   max_attempts=max_attempts, k=k, bias=bias, tol=tol,
                   say=progress or (lambda message: None), start=time.perf_counter(),
                   record=record, workers=threads)
        inputs = deficient_span(Xs)
        try:
            network = _recover(run) if inputs is None else _recover_on_span(run, inputs)
        except RecoveryFailed as exc:
            if k is None and exc.diagnostics.get("k") == Y.shape[0] < X.shape[0]:
                raise RecoveryFailed(f"{exc}. {K_NOT_READ_OFF}", exc.diagnostics) from None
            raise
        record["scale"] = {"X": a, "Y": b}
        network = _unscaled(network, record, X, a, b)
    return RecoveryResult.from_record(network, record)


def _recover_on_span(run: _Run, inputs: InputSpan) -> TwoLayerNetwork:
    """``X`` of rank ``r < d``: recover on the coordinates ``Qᵀ X`` of ``span(X)`` and
    extend with rows in ``span(X)`` (:mod:`recover._input_span`); the result says what
    is not determined, with a warning."""
    if run.k is not None and run.k > inputs.rank:
        raise RecoveryFailed(f"the inputs do not determine the network: "
                             f"{inputs.describe()}; and k = {run.k} units exceed that "
                             f"rank, so not even their restriction to span(X) is "
                             f"identifiable",
                             {"cause": inputs.describe(), "misspecified": False})
    run.say(f"inputs: rank {inputs.rank} < d = {inputs.d}; recovering on span(X)")
    network = extend(_recover(replace(run, X=inputs.Q.T @ run.X)), inputs)
    record = run.record
    record.update(input_basis=inputs.Q, input_rank=inputs.rank,
                  causes=["rank_deficient_inputs"], cause=inputs.describe(),
                  identifiable=False)
    if record.get("standard_errors") is not None:
        # Error bars of V_S Qᵀ need the full covariance in S, not its diagonal.
        record["standard_errors"] = None
    _warn(record, f"the samples determine the network only on span(X): "
                  f"{inputs.describe()}")
    return network


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


def _recover(run: _Run) -> TwoLayerNetwork:
    """:func:`recover_network` on unit-scale data: the label span, then the exact
    pipeline (unless ``mode="noisy"``) and, when it does not verify and nothing says
    why, the noisy estimator. With ``bias``, ``X`` and ``Y`` are lifted
    (:mod:`recover._lift`) and every step below sees ``k + 1`` label dimensions, ``d + 1``
    input dimensions and ``k`` facets to find."""
    record = run.record
    if run.k is not None and run.k > run.Y.shape[0]:  # m < k: no facets; recover._few_outputs
        return _recover_few_outputs(run)
    Y_fit, lifted = _lifted_labels(run)
    run = replace(run, method="cone") if run.bias else run
    k_fit = None if run.k is None else run.k + run.bias
    if run.mode == "noisy":
        span = _noisy_span(Y_fit, k_fit)
    else:
        span = lifted.first(k_fit or lifted.k) if run.bias else label_span(Y_fit, k_fit)
    # recover_network reduced X of rank r < d to the coordinates of span(X) (same
    # tolerance): only X = 0 can be rank deficient here, and the SVD is not redone.
    bad_inputs = None if run.X.any() else misfit.rank_deficient_inputs(run.X)
    if bad_inputs is not None:
        _record_causes(record, [bad_inputs])
        raise RecoveryFailed(f"the inputs do not determine the network: "
                             f"{bad_inputs.describe()}", record)
    if run.bias:
        run = replace(run, X=lift_inputs(run.X), lifted=True)
        _refuse(affinely_dependent_inputs(run.X), record)
    noiseless = misfit.noiseless_evidence(run.Y, label_span(run.Y) if run.bias else span)
    record.update(noiseless=noiseless)
    _record_span(record, span, run.bias)
    record["timings"]["span"] = time.perf_counter() - run.start
    run.say(f"span: k = {span.k - run.bias}, σ_(k+1)/σ_1 = {span.tail_ratio:.1e}")
    if run.mode != "noisy":
        network = _exact_or_explained(run, span)
        if network is not None:
            return network
        span = _noisy_span(Y_fit, k_fit)
        _record_span(record, span, run.bias)
    return _recover_noisy(run, span)


def _lifted_labels(run: _Run) -> tuple[np.ndarray, LabelSpan | None]:
    """The labels the pipeline fits — ``[Y; s 1ᵀ]`` with ``bias`` (and their span),
    ``Y`` itself otherwise — after the checks of the lifted problem."""
    if not run.bias:
        return run.Y, None
    if run.method == "moments":
        raise InvalidInputError("method='moments' assumes bias-free labels of Gaussian "
                                "inputs; with bias=True use method='cone' or 'auto'")
    if not run.Y.any():
        raise InvalidInputError("Y is zero: the labels carry no information")
    Y_fit = lift_labels(run.Y)
    lifted = label_span(Y_fit)
    _refuse(check_lifted_rank(lifted, run.k), run.record)
    return Y_fit, lifted


def _record_span(record: dict, span: LabelSpan, bias: bool) -> None:
    record.update(k=span.k - bias, rank_tail=span.tail_ratio, rank_gap=span.rank_gap)


def _exact_or_explained(run: _Run, span: LabelSpan) -> TwoLayerNetwork | None:
    """The exact pipeline: its verified network; or RecoveryFailed saying why it failed
    when the labels leave nothing to estimate under noise; or a machine-level
    least-squares fit of noiseless labels; or None (go on under noise)."""
    record = run.record
    small = (lifted_k_too_small(span, record["noiseless"], run.k) if run.bias else
             misfit.k_too_small(span, record["noiseless"], run.k))
    if small is not None:
        _record_causes(record, [small])
        raise RecoveryFailed(f"the labels are not those of k = {run.k} units: "
                             f"{small.describe()}", record)
    best = {"normals": None}
    try:
        network = _recover_exact(run, span, best)
    except RecoveryFailed as exc:
        return _after_exact_failure(run, span, exc, best)
    if not run.bias:
        _warn_if_halfspace(run.X, record, exact=True)
    return network


def _after_exact_failure(run: _Run, span: LabelSpan, exc: RecoveryFailed,
                         best: dict) -> TwoLayerNetwork | None:
    """Called while handling ``exc``: raise it with the measured reason when the noisy
    estimator has nothing to do (mode "exact", no inverse of ``f``, noiseless labels
    with a named cause), try the refinement for noiseless labels, else None."""
    record = run.record
    final = run.mode == "exact" or run.act.inverse is None
    noiseless = record["noiseless"]
    if run.bias:
        unseen = unseen_units(span.Z, run.X, span.k - 1)
        if unseen is not None:
            record.update(cause=unseen, misspecified=False)
            raise RecoveryFailed(f"{exc}. {unseen}", record) from None
        causes = []
    else:
        causes = (misfit.diagnose(run.X, run.Y, span, run.act, run.k, best["normals"])
                  if final or noiseless else [])
    if final or (noiseless and causes):
        # Nothing to estimate under noise (or no noisy estimator for this f): say why.
        raise _explained(exc, causes, record) from None
    record["exact_failure"] = str(exc)
    if noiseless:
        return _refined_noiseless(run, span, exc)
    run.say(f"not exact ({exc}); estimating under noise")
    return None


def _refuse(problem: str | None, diagnostics: dict) -> None:
    """RecoveryFailed naming ``problem`` (a reason the data do not determine the
    network, e.g. from :mod:`recover._lift`), when there is one."""
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

def _refined_noiseless(run: _Run, span: LabelSpan, exc: RecoveryFailed) -> TwoLayerNetwork:
    """Noiseless labels, no misspecification found, and the exact pipeline failed (too
    few samples on a facet, a dominated unit): the least-squares refinement from a
    robust start may still reproduce the labels. Only a fit at machine level is
    returned — with a warning, since the exact checks did not verify it — otherwise
    RecoveryFailed."""
    record = run.record
    run.say(f"not exact ({exc}); refining from a robust start")
    try:
        network = _recover_noisy(replace(run, k=span.k - run.bias), span, warn=False)
    except RecoveryFailed:
        raise _explained(exc, [], record) from None
    if record["residual"] > run.tol.residual_rtol:
        raise _explained(exc, [], record, record["residual"])
    record.update(cause=f"the exact pipeline did not verify: {exc}", misspecified=False)
    _warn(record, f"noiseless labels reproduced to relative residual "
                  f"{record['residual']:.1e} by least-squares refinement, but the exact "
                  f"pipeline did not verify the network ({exc}): not checked to be the "
                  f"unique answer")
    return network


def _noisy_span(Y, k: int | None) -> LabelSpan:
    """The label span under noise: without ``k``, a full-rank ``Y`` gives ``k`` as the
    number of singular values above the noise edge (:func:`recover._span.noisy_rank`)."""
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



def _recover_exact(run: _Run, span: LabelSpan, best: dict) -> TwoLayerNetwork:
    """The exact pipeline with Las Vegas retries; raises RecoveryFailed if no attempt
    passes the checks. ``best["normals"]`` receives the facet normals of the attempt
    that found the most facets (for the diagnosis of a failure)."""
    record = run.record
    record["mode"] = "exact"
    _check_realizable(span, run.X.shape[0], record)
    for attempt in range(run.max_attempts):
        chosen = _method_for(run.method, attempt)
        rng = np.random.default_rng([run.seed, attempt])
        try:
            network = _attempt(run, span, chosen, rng, best)
        except RecoveryFailed as exc:
            record["attempts"].append({"method": chosen, "failure": str(exc)})
            run.say(f"attempt {attempt + 1} ({chosen}) failed: {exc}")
            continue
        record["attempts"].append({"method": chosen, "failure": None})
        record.update(method=chosen, exact=True, misspecified=False)
        record["timings"]["total"] = time.perf_counter() - run.start
        return network
    record["timings"]["total"] = time.perf_counter() - run.start
    last = record["attempts"][-1]["failure"]
    raise RecoveryFailed(f"no attempt passed the checks ({run.max_attempts} tried); "
                         f"last: {last}", record)


def _recover_noisy(run: _Run, span: LabelSpan, warn: bool = True) -> TwoLayerNetwork:
    """Robust start, Levenberg–Marquardt refinement, the noise check (with fresh starts
    and, for a ``k`` read off the labels, larger ``k`` while it fails), standard
    errors, SNR check. With ``bias``, ``X`` and ``span`` are lifted (``Y`` is not)."""
    record = run.record
    timings = record["timings"]
    record.update(mode="noisy", exact=False)
    run = replace(run, method="moments" if run.method == "moments" else "cone")
    t0 = time.perf_counter()
    network, fit, check, span = _consistent_fit(run, span)
    timings["fit"] = time.perf_counter() - t0
    record.update(method=run.method, noise_check=check)
    _record_span(record, span, run.bias)
    X = run.inputs  # the inputs themselves from here on
    t0 = time.perf_counter()
    se = standard_errors(network, X, run.Y, run.bias)
    timings["standard_errors"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - run.start
    record.update(_noisy_summary(network, X, run.Y, fit, se))
    if warn:
        _flag_misfit(run, span, network, check)
        _warn_if_meaningless(record, run.tol)
    return network


def _consistent_fit(run: _Run, span: LabelSpan):
    """The first noisy fit whose residual is consistent with the noise of the labels,
    else the one closest to it: fresh starts first (a wrong local minimum fails the
    check too), then, when ``k`` was read off the noise edge, one more unit at a time
    (a unit weaker than the noise edge leaves its signal in the residual). With
    ``bias`` (lifted ``X`` and ``span``) ``k`` is not grown: the noise edge of the
    lifted labels already counts the constant. Returns ``(network, fit, check, span)``."""
    tol, best = run.tol, None
    k_max = min(run.Y.shape[0] - 1, run.X.shape[0], span.k + tol.noisy_extra_units)
    # The noise check compares the residual with Y's own trailing singular values; the
    # output bias is one more signal direction of Y.
    sv = left_singular(run.Y)[1] if run.bias else span.singular_values
    while True:
        for restart in range(1 + tol.noisy_restarts):
            try:
                network, fit = _noisy_fit(run, span, [run.seed, restart])
            except RecoveryFailed:
                if best is None:
                    raise
                return best  # a larger k finds no start: keep the best fit so far
            check = misfit.noise_check(run.Y, sv, network(run.inputs), span.k,
                                       _n_parameters(network, run.bias))
            ratio = check["ratio"] if check["ratio"] is not None else float("nan")
            run.say(f"noisy: k = {span.k - run.bias}, start {restart + 1}: "
                    f"residual/noise ratio {ratio:.3g}")
            if not check["checked"] or check["consistent"]:
                return network, fit, check, span
            if best is None or check["ratio"] < best[2]["ratio"]:
                best = (network, fit, check, span)
            if check["ratio"] > tol.noisy_retry_ratio:
                return best  # far beyond noise: no start or extra unit will explain it
        if run.k is not None or run.bias or span.k >= k_max:
            return best
        span = label_span(run.Y, span.k + 1)


def _n_parameters(network: TwoLayerNetwork, bias: bool = False) -> int:
    """Free parameters: ``mk + kd`` (``m(k+1) + k(d+1)`` with fitted biases), less one
    scale per unit for a homogeneous ``f``."""
    gauge = network.k if network.activation.homogeneous else 0
    return network.m * (network.k + bias) + network.k * (network.d + bias) - gauge



def _noisy_fit(run: _Run, span: LabelSpan, seed: list):
    """One robust start refined by Levenberg–Marquardt: ``(canonical network, fit)``."""
    X, act, record = run.X, run.act, run.record
    if span.k > X.shape[0]:
        raise RecoveryFailed(f"k = {span.k - run.bias} units exceed the input dimension "
                             f"d = {X.shape[0] - run.bias}: V cannot have full row rank",
                             record)
    U0, V0, stats = _robust_start_with_retries(run, span, seed)
    if not (np.all(np.isfinite(U0)) and np.all(np.isfinite(V0))):
        raise RecoveryFailed(
            f"no finite noisy start for activation {act.name!r} (the activations fall "
            f"outside the range of f for the scale the start assumes)", record)
    record["start_stats"] = stats
    fit = refine(U0, V0, X, run.Y, act, output_bias=run.bias)
    if run.bias:
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
                                                     else ""), record)
    return network.canonical(), fit


def _robust_start_with_retries(run: _Run, span: LabelSpan, seed: list):
    failure, attempts = "", run.tol.noisy_start_attempts
    for attempt in range(attempts):
        try:
            return robust_start(run.X, run.Y, span, run.act,
                                np.random.default_rng([*seed, attempt]), run.method,
                                run.bias)
        except RecoveryFailed as exc:
            failure = str(exc)
            run.record["attempts"].append({"method": f"noisy start ({run.method})",
                                           "failure": failure})
    raise RecoveryFailed(f"no robust start in {attempts} attempts: {failure}", run.record)


def _flag_misfit(run: _Run, span: LabelSpan, network: TwoLayerNetwork,
                 check: dict) -> None:
    """Warn, naming the likely cause, when the fit fails the noise check; note units
    that the samples do not determine (active on none or all of them). The causes are
    those of the bias-free model; with fitted biases none of them is tested."""
    X, record = run.inputs, run.record
    if check["checked"] and not check["consistent"]:
        causes = ([] if run.bias else
                  misfit.diagnose(X, run.Y, span, run.act, run.k, network=network))
        text = (misfit.describe(causes) if causes else
                "one of: hidden or output biases (try bias=True), fewer outputs than "
                "hidden units (m < k), k too small, inputs in a half-space, or another model")
        record.update(causes=[c.name for c in causes], cause=text, misspecified=True)
        _warn(record, (
            f"the labels are misspecified for this model: the fit leaves a residual "
            f"{check['ratio']:.3g} times the noise variance the labels reveal (threshold "
            f"{check['threshold']:.3g}; noise σ ≈ {check['sigma_tail']:.3g} per entry "
            f"from the trailing singular values of Y), so the network is not a "
            f"trustworthy estimate; {text}"))
        return
    follows = None if run.bias else misfit.residual_follows_inputs(X, run.Y - network(X))
    if follows is not None:  # the noise check passed, but the "noise" is signal
        record.update(causes=[follows.name], cause=follows.describe(), misspecified=True)
        _warn(record, f"the fit is not trustworthy although its residual matches the noise "
                      f"level of Y's trailing singular values: {follows.describe()}")
        return
    record["misspecified"] = False if check["checked"] else None
    degenerate = misfit.degenerate_units(network, X)
    if degenerate is not None:
        record.update(causes=[degenerate.name], cause=degenerate.describe())
        _warn(record, f"the samples do not determine every unit: "
                      f"{degenerate.describe()}")
    elif not run.bias:
        _warn_if_halfspace(X, record, exact=False)


def _warn_if_halfspace(X, record: dict, exact: bool) -> None:
    """Inputs in one half-space leave units unidentifiable: a unit inactive on every
    sample leaves no trace (so more units may exist than were recovered), and one
    active on every sample is linear on the data (its facet is missing)."""
    cause = misfit.halfspace_inputs(X)
    if cause is None:
        return
    record.update(causes=[cause.name], cause=cause.describe())
    what = ("the network reproduces the labels exactly on these samples, but"
            if exact else "the estimate may not be unique:")
    _warn(record, f"{what} {cause.evidence}: a hidden unit inactive on every sample "
                  f"leaves no trace and one active on every sample is linear on the "
                  f"data, so units beyond those recovered are not ruled out")


#: Frames in files under this directory are relunet's own: a warning points past them.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _warn(record: dict, message: str) -> None:
    """Record and emit a RelunetWarning pointing at the first frame outside the
    package (the caller of :func:`recover_network`, or of the estimator that called
    it), however deep in the pipeline it is raised."""
    record["warnings"].append(message)
    frame, level = sys._getframe(1), 2  # level 2: the caller of _warn
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, RelunetWarning, stacklevel=level)


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



def _warn_if_meaningless(record: dict, tol: Tolerances) -> None:
    snr_db = record["snr_estimate_db"]
    se = record["standard_errors"]
    median_se_v = float(np.median(se["V"])) if se is not None else 0.0
    if snr_db < tol.meaningful_snr_db or median_se_v > tol.meaningful_se:
        _warn(record, f"the labels are dominated by noise (estimated SNR {snr_db:.1f} dB, "
                      f"median standard error of the unit directions {median_se_v:.2f}): "
                      f"the recovered weights are not meaningful")


def _unscaled(net: TwoLayerNetwork, record: dict, X, a: int, b: int) -> TwoLayerNetwork:
    """Undo ``X = 2^a X'``, ``Y = 2^b Y'`` on the network of the unit-scale problem and
    on the scale-dependent measurements in ``record``.

    ``V = 2^-a V'`` and ``U = 2^b U'`` hold for any activation; in canonical form (unit
    rows of ``V``, homogeneous ``f`` of degree p) this is ``V = V'``, ``U = 2^(b-ap) U'``.
    Raises InvalidInputError when float64 cannot hold the result at the data's scale.
    """
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
    if _surely_finite(network, X.shape[0], a):
        _unscale_record(record, u_exp, v_exp, a, b)
        return network
    with np.errstate(over="ignore", invalid="ignore"):
        hidden = network.hidden(X)
        output = network.U @ hidden
    if not (np.all(np.isfinite(hidden)) and np.all(np.isfinite(output))):
        where = "f(VX)" if not np.all(np.isfinite(hidden)) else "U f(VX)"
        raise InvalidInputError(
            f"the recovered network cannot be evaluated on these inputs in float64: "
            f"{where} overflows (X is scaled by 2^{a}, Y by 2^{b}); rescale the data")
    _unscale_record(record, u_exp, v_exp, a, b)
    return network


#: Below this, a bound on |U f(VX)| leaves room for the rounding of its evaluation.
_FINITE_BOUND = 1e300


def _surely_finite(network: TwoLayerNetwork, d: int, a: int) -> bool:
    """True when a bound proves that ``U f(VX + b) + c`` is finite on every ``X`` (d×n)
    with ``max|X| < 2^a``, without evaluating it (a pass over the data): for a
    homogeneous ``f = g(1) t^p`` on ``t > 0``, ``|v_i·x + b_i| ≤ ‖v_i‖ √d 2^a + |b_i|``.
    False (evaluate) otherwise."""
    act = network.activation
    if not act.homogeneous:
        return False
    with np.errstate(over="ignore", invalid="ignore"):
        reach = np.linalg.norm(network.V, axis=1) * np.sqrt(d) * 2.0 ** a
        if network.has_bias:
            reach = reach + np.abs(network.b)
        hidden = abs(float(act.positive_part(np.array([1.0]))[0])) * reach ** act.degree
        output = np.abs(network.U) @ hidden
        if network.has_bias:
            output = output + np.abs(network.c)
        bounds = np.concatenate([hidden, output])
    return bool(np.all(np.isfinite(bounds)) and bounds.max(initial=0.0) < _FINITE_BOUND)


def _unscale_record(record: dict, u_exp, v_exp, a: int, b: int) -> None:
    """Standard errors and noise levels to the scale of the data."""
    se = record.get("standard_errors")
    if se is not None:
        scaled = {"U": se["U"] * 2.0 ** u_exp, "V": se["V"] * 2.0 ** v_exp}
        if "b" in se:
            scaled.update(b=se["b"] * 2.0 ** (v_exp + a), c=se["c"] * 2.0 ** b)
        record["standard_errors"] = scaled
    if record.get("noise_sigma_estimate") is not None:
        record["noise_sigma_estimate"] *= 2.0 ** b
    check = record.get("noise_check")
    if check:
        for key in ("sigma_fit", "sigma_tail"):
            if check.get(key) is not None:
                check[key] = check[key] * 2.0 ** b


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



def _check_options(mode: str, method: str, max_attempts: int, seed, progress,
                   bias, n_jobs) -> None:
    check_choice(mode, "mode", MODES)
    check_choice(method, "method", ("auto",) + METHODS)
    check_positive_int(max_attempts, "max_attempts")
    check_seed(seed)
    if progress is not None and not callable(progress):
        raise InvalidInputError(f"progress must be callable or None, got {progress!r}")
    if bias not in (True, False):
        raise InvalidInputError(f"bias must be True or False, got {bias!r}")
    check_n_jobs(n_jobs)


def _method_for(method: str, attempt: int) -> str:
    if method != "auto":
        return method
    return "cone" if attempt % 2 == 0 else "moments"



def _check_realizable(span: LabelSpan, d: int, record: dict) -> None:
    rtol = current().realizable_rtol
    if span.tail_ratio > rtol:
        raise RecoveryFailed(
            f"the labels are not exactly realizable by k = {span.k} units: "
            f"σ_(k+1)/σ_1 = {span.tail_ratio:.2e} > {rtol:.0e}; "
            f"exact recovery needs noiseless labels of rank k", record)
    if span.k > d:
        raise RecoveryFailed(
            f"the labels have rank {span.k} > d = {d}: not exactly realizable by a "
            f"network with V of full row rank", record)


def _attempt(run: _Run, span: LabelSpan, method: str, rng: np.random.Generator,
             best: dict) -> TwoLayerNetwork:
    """One run of steps 2–4 and the self-checks; raises RecoveryFailed on any miss.
    ``best["normals"]`` keeps the most facet normals any attempt found. With ``bias``,
    ``X`` and ``span`` are lifted: ``k`` facets are sought in ``k + 1`` dimensions."""
    k, record = span.k - run.bias, run.record
    min_count = _min_count(k, run.act, run.bias)
    t0 = time.perf_counter()
    facets, stats = _find_facets(run, span, method, rng, k, min_count)
    record["timings"][f"facets_{method}"] = time.perf_counter() - t0
    record[f"{method}_stats"] = stats
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
    network, fit = _weights_from_facets(run.X, run.Y, span, facets, run.act, run.bias,
                                        run.workers)
    record["timings"]["solve"] = time.perf_counter() - t0
    record.update(fit)
    _self_check(fit, run.tol)
    return network.canonical()


def _min_count(k: int, act: Activation, bias: bool) -> int:
    """Samples a facet must hold: ``k − 1`` in general position and a margin of
    ``max(3, k/5)`` against spurious hyperplanes through ``k − 1`` samples and a few
    near them (:func:`recover._lift.lifted_min_count` with biases)."""
    min_count = lifted_min_count(k) if bias else (k - 1) + max(3, k // 5)
    if act.constant and k > 1:
        # A step's facet holds at most 2^(k−1) − 1 distinct points (the patterns with
        # that unit off); the half-space test, not the count, weeds out spurious ones.
        min_count = min(min_count, 2 ** (k - 1) - 1)
    return min_count


def _find_facets(run: _Run, span: LabelSpan, method: str, rng: np.random.Generator,
                 k: int, min_count: int) -> tuple[list[Facet], dict]:
    """Step 2: ``k`` facets of the cone of the reduced labels, by ``method``."""
    X, act = run.X, run.act
    report = lambda found, total: run.say(f"{method}: {found}/{total} facets")  # noqa: E731
    accept = None if act.injective else _halfspace_test(X, span.Z)
    if k == 1:
        facet = (single_lifted_facet if run.bias else single_unit_facet)(span.Z, min_count)
        return ([facet] if facet and (accept is None or accept(facet)) else []), {}
    if method == "cone":
        # ReLU-like f: a facet below the share rule is kept if it is one unit's (a unit
        # rarely off beside units mostly off: inputs in one orthant).
        keep = _unit_test(X, span.Z, act) if act.injective and act.homogeneous else None
        # HiGHS's seconds and simplex iterations on the programs: the floor of this step
        run.record["highs"] = {}
        return cone_facets(span.Z, k, rng, min_count, progress=report, accept=accept,
                           keep_sparse=keep, workers=run.workers, inputs=X,
                           highs=run.record["highs"])
    return moment_facets(X, span.Z, k, rng, min_count, progress=report, accept=accept)


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
    (residual and sign violation at machine level, :func:`recover._solve.hidden_unit`).
    A spurious supporting hyperplane (through ``k − 1`` points and their copies, or a
    few more near a face of lower dimension) passes the sample counts but not this."""
    tol = current()
    band = tol.on_facet_rtol * np.linalg.norm(Z, axis=0)

    def is_unit(facet: Facet) -> bool:
        try:
            fit = hidden_unit(np.maximum(facet.w @ Z, 0.0), facet.support, X, act, band)
        except RecoveryFailed:
            return False
        return fit.residual <= tol.residual_rtol and fit.sign_violation <= tol.residual_rtol
    return is_unit


def _weights_from_facets(X, Y, span: LabelSpan, facets: list[Facet], act: Activation,
                         bias: bool = False, threads: Workers = SEQUENTIAL):
    """``V`` from the facets' active samples (one unit per task of ``threads``), ``U``
    by least squares, and the measured fit. With ``bias``, ``X`` is lifted, so the solve
    gives ``[V | b]``, and ``c`` is fitted beside ``U``."""
    W = np.array([f.w for f in facets])
    band = current().on_facet_rtol * np.linalg.norm(span.Z, axis=0)
    V, fits, extra = hidden_weights(span.Z, W, [f.support for f in facets], X, act, band,
                                    threads)
    H = act(V @ X)
    if bias:
        U, c, residual = output_weights_with_bias(Y, H)
        V, b = split_hidden(V)
    else:
        (U, residual), b, c = output_weights(Y, H), None, None
    fit = {**extra, "facet_counts": [f.count for f in facets],
           "rank_gaps": [f.rank_gap for f in facets],
           "hidden_residual": max(fit.residual for fit in fits),
           "sign_violation": max(fit.sign_violation for fit in fits),
           "residual": residual.relative, "max_residual": residual.largest}
    return TwoLayerNetwork(U, V, b, c, activation=act), fit


def _self_check(fit: dict, tol: Tolerances) -> None:
    """The Las Vegas checks on the measured fit (see :func:`_weights_from_facets`)."""
    if max(fit["residual"], fit["max_residual"]) > tol.residual_rtol:
        raise RecoveryFailed(
            f"residual ‖U f(VX) − Y‖/‖Y‖ = {fit['residual']:.2e}, largest entry "
            f"{fit['max_residual']:.2e} of max|Y|: not at machine level (both must be "
            f"<= {tol.residual_rtol:.0e})")
    # The sign violation (recover._solve.hidden_unit): facet samples must be inactive, up
    # to boundary ties and, for an f flat at 0 such as t^3, the facet's band.
    if max(fit["hidden_residual"], fit["sign_violation"]) > tol.residual_rtol:
        raise RecoveryFailed(
            f"hidden activations not reproduced (residual {fit['hidden_residual']:.1e}, "
            f"sign violation {fit['sign_violation']:.1e})")


def _recover_few_outputs(run: _Run) -> TwoLayerNetwork:
    """``m < k``: the pattern-based pipeline of :mod:`recover._few_outputs` (its
    measurements go into the run's record, its warnings are emitted as ours)."""
    network, diagnostics, messages = recover_few_outputs(
        run.X, run.Y, run.k, run.act, run.mode, run.seed, run.max_attempts, run.say, run.bias)
    warned = run.record["warnings"]
    run.record.update(diagnostics)
    run.record["warnings"] = warned
    for message in messages:
        _warn(run.record, message)
    return network
