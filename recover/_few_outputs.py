"""Recovery with fewer outputs than hidden units (``m < k``, down to ``m = 1``).

The facet pipeline of :mod:`recover._recovery` needs ``U`` of full column rank
(``m ≥ k``). Without it the labels are still *linear in the unit blocks once the
activation pattern is fixed* (:mod:`recover._patterns`), so exact recovery reduces to
finding a start that classifies the samples well enough:

1. ``span(V)`` from the second Hermite moment of the labels, fitted by least squares on
   whitened inputs (:func:`recover._moment_start.subspace`);
2. starts inside that span: Jennrich directions from the moments
   (:func:`recover._moment_start.moment_directions`), then uniformly random directions,
   each oriented and given output weights by least squares, then refined by
   Levenberg–Marquardt on the reduced inputs ``Z = Qᵀ L X`` (``k`` dimensions, cheap);
3. the pattern-fixed exact finish on the full inputs, which either returns a network
   verified to reproduce the labels to machine precision or refuses;
4. (ReLU) a finish that stalls is re-seeded and run again
   (:class:`_StallRepair`): its wasted unit — one sharing another's pattern, or the
   least useful — restarts along the second moment of the residual, as in the noisy
   repair below. Cost per re-seed: k least squares of n × (k−1), one O(n d²) moment
   (the quadratic fit factored once, O(n p²) with ``p = 1 + d + d(d+1)/2``), a finish.

It is a Las Vegas algorithm: every returned network passed the finish's acceptance test
(relative residual and largest entry of the residual ≤ ``Tolerances.residual_rtol`` on
all samples, self-consistent pattern, unique block solution for it); when every start
fails :class:`RecoveryFailed` lists the attempts. Labels that are not of the model (more
units, another activation, biases) are refused for the same reason: no network passes
the test.

With biases (``bias=True``, ``Y = U f(V X + b 1ᵀ) + c 1ᵀ``) the same steps run lifted:
the span from the same second moment, starts with biases refined with an output bias on
``[Z; 1ᵀ]``, and the finish on ``[X; 1ᵀ]`` with ``c`` as an always-active block. Only
exact labels: ``mode="noisy"`` is refused and ``"auto"`` raises the exact failure.

Under noise (``mode="noisy"``) the same starts are refined by Levenberg–Marquardt on all
of ``X`` (:func:`recover._refine.refine`) and the fit with the smallest loss is kept. A
local minimum that the starts can share has a weak true unit missed while a fitted
unit is wasted — on the same true unit as another, or fitting nothing (measured:
(20, 10, 1) at 20 dB, seed 4, every start). It is repaired by re-seeding the least
useful unit (whose removal, output weights refitted, costs the least loss) along the
top eigenvector of the second Hermite moment of the other units' residual — the missed
unit's ``u v vᵀ`` term dominates it — and refining again; a repair is kept only when it
lowers the loss.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import functools
import time
from dataclasses import replace

import numpy as np

from ._activations import Activation
from ._errors import InvalidInputError, RecoveryFailed
from ._misfit import noise_check, noiseless_evidence
from ._lift import lift_inputs
from ._moment_start import (moment_directions, oriented_start, oriented_start_with_bias,
                            random_directions, subspace, QuadraticFit)
from ._network import TwoLayerNetwork
from ._patterns import pattern_finish
from ._refine import refine
from ._span import label_span, left_singular
from ._tolerances import current
from ._uncertainty import standard_errors

#: Starts per attempt; the first MOMENT_STARTS of them take Jennrich directions, the
#: rest uniformly random directions in the estimated span.
STARTS_PER_ATTEMPT, MOMENT_STARTS = 8, 2
#: Levenberg–Marquardt iterations on the reduced inputs before the finish.
REDUCED_ITERATIONS = 20
#: Standard deviation of the hidden biases of a start with biases (directions have unit
#: norm in the whitened coordinates, so this is a bias relative to the weight's norm).
#: Measured, starts reaching the exact network at (20,10,1), n = 800, b ~ N(0, 1):
#: 4/80 with 0, 11/80 with 0.5, 3/80 with 1.
START_BIAS = 0.5
#: Noisy mode: starts refined on the reduced inputs, and how many of the best of them
#: are then refined on all inputs (the smallest loss wins).
NOISY_STARTS, NOISY_FULL = 24, 3
#: Exact mode (ReLU): re-seeds of a stalled finish per start (_StallRepair).
STALL_REPAIRS = 6
#: ... and the re-seeds stop after STALL_IDLE in a row that left the residual above 0.9
#: of the best so far.
STALL_IDLE = 2
#: Noisy mode: at most REPAIRS re-seeds of the least useful unit are tried on the best
#: fit (each costs one more refinement on all inputs).
REPAIRS = 2


def recover_exact(X: np.ndarray, Y: np.ndarray, k: int, act: Activation, seed: int,
                  max_attempts: int, say, bias: bool = False) -> tuple[TwoLayerNetwork, dict]:
    """An exact network of ``k`` units (``m < k ≤ d``) for ``X`` (d×n, rank d) and
    ``Y`` (m×n), with diagnostics; RecoveryFailed listing every attempt otherwise.

    With ``bias`` the network is ``Y = U f(V X + b 1ᵀ) + c 1ᵀ``: the span comes from the
    same second moment (a unit's degree-2 Hermite part is ``E[f(v·x + b) He₂]``, for ReLU
    ``φ(b) > 0`` at any bias), the starts carry biases and the reduced refinement an
    output bias, and the finish solves for ``[V | b]`` and ``c``
    (:func:`recover._patterns.pattern_finish` with ``bias``).

    Guarantee: the returned network reproduces ``Y`` to relative residual
    ``Tolerances.residual_rtol``, and its largest residual entry is at most that times
    ``max|Y|``; it is the unique block solution for its own activation pattern
    (:func:`recover._patterns.pattern_finish`)."""
    start = time.perf_counter()
    d, n = X.shape
    diagnostics = {"mode": "exact", "exact": False, "k": k, "n": n, "attempts": [],
                   "warnings": [], "misspecified": None, "cause": None, "noiseless": None,
                   "timings": {}, "method": "few_outputs", "bias": bias}
    _check_samples(k, d, n, act, diagnostics, bias)
    sub = subspace(X, Y, k)
    diagnostics["timings"]["span"] = time.perf_counter() - start
    repair = _StallRepair(X, Y, sub, act, bias)
    one_start = functools.partial(_one_start_with_bias if bias else _one_start, repair=repair)
    for attempt in range(max_attempts):
        rng = np.random.default_rng([seed, attempt])
        best = np.inf
        for s in range(STARTS_PER_ATTEMPT):
            finish = one_start(X, Y, sub, act, rng, moments=s < MOMENT_STARTS)
            diagnostics["stall_repairs"] = repair.tries
            if finish.network is not None and finish.largest > current().residual_rtol:
                # the acceptance's second measure, on top of the finish's relative
                # residual: the largest entry of the same residual
                diagnostics["refused_largest_entry"] = \
                    diagnostics.get("refused_largest_entry", 0) + 1
                finish = replace(finish, network=None)
            if finish.network is None:
                best = min(best, finish.residual)
                continue
            diagnostics["attempts"].append({"method": "few_outputs", "starts": s + 1,
                                            "failure": None})
            diagnostics["timings"]["total"] = time.perf_counter() - start
            diagnostics.update(exact=True, misspecified=False, residual=finish.residual,
                               finish_rounds=finish.rounds)
            say(f"few outputs: exact after {attempt + 1} attempt(s), start {s + 1}")
            return finish.network, diagnostics
        failure = (f"none of {STARTS_PER_ATTEMPT} starts reached an exact network "
                   f"(best relative residual {best:.1e})")
        if diagnostics.get("refused_largest_entry"):
            failure += (f"; {diagnostics['refused_largest_entry']} finish(es) so far met "
                        f"the relative residual but not the largest entry of the residual "
                        f"(max|E|/max|Y| > {current().residual_rtol:.0e}): a label off "
                        f"the network?")
        diagnostics["attempts"].append({"method": "few_outputs", "starts": STARTS_PER_ATTEMPT,
                                        "failure": failure})
        say(f"few outputs: attempt {attempt + 1} failed: {failure}")
    diagnostics["timings"]["total"] = time.perf_counter() - start
    raise RecoveryFailed(
        f"no exact network of k = {k} units with m = {Y.shape[0]} output(s) was found in "
        f"{max_attempts} attempt(s) of {STARTS_PER_ATTEMPT} starts: "
        + "; ".join(a["failure"] for a in diagnostics["attempts"])
        + f". The labels may not be those of k units of this activation "
          f"{'with' if bias else 'without'} biases, or the samples are too few (more "
          f"samples, more attempts or another seed)"
        + ("; with biases a unit active on every sample or on none cannot be recovered"
           if bias else ""),
        diagnostics)


def _check_samples(k: int, d: int, n: int, act: Activation, diagnostics: dict,
                   bias: bool = False) -> None:
    """The pattern-fixed solve has ``kd`` unknowns per output (``k(d+1) + 1`` with
    biases): fewer samples cannot determine the blocks."""
    unknowns = k * (d + bias) + bias
    if n < unknowns:
        raise RecoveryFailed(
            f"n = {n} samples are fewer than the {'k(d+1)+1' if bias else 'k·d'} = "
            f"{unknowns} unknowns of each output's pattern-fixed solve: the network is not "
            f"determined by these samples", diagnostics)


def _directions(sub, Y, act: Activation, rng, moments: bool) -> np.ndarray:
    """The directions of a start in the span (k×k): Jennrich's from the moments when
    ``moments`` and they exist, else uniformly random ones."""
    D = moment_directions(sub, Y, act, rng) if moments else None
    return random_directions(sub.Z.shape[0], rng) if D is None else D


def _one_start(X, Y, sub, act: Activation, rng, moments: bool, repair=None):
    """One start in the estimated span, refined there, then finished exactly — and, when
    the finish stalls, re-seeded and finished again by ``repair`` (:class:`_StallRepair`)."""
    U, Vz = oriented_start(sub.Z, Y, _directions(sub, Y, act, rng, moments), act)
    fit = refine(U, Vz, sub.Z, Y, act, max_iterations=REDUCED_ITERATIONS)
    finish = pattern_finish(X, Y, fit.U, sub.lift(fit.V), act)
    return finish if repair is None else repair(finish)


class _StallRepair:
    """Re-seeds a ReLU finish (with or without biases) that stalled at a wrong fixed
    point, up to ``STALL_REPAIRS`` times: the wasted units of the finish's last ``V``
    (:meth:`_units`) are restarted along the residual's second moment
    (:func:`_reseeded`) and the finish runs again from there.

    Why: at (50, 20, 1) the stalled finishes of the seeds that failed had matched most
    true units and wasted one or two on a unit already matched; the finish alone cannot
    move a unit across the space (its pattern reproduces itself). The quadratic fit of
    the re-seed is factored once per recovery, on first use."""

    def __init__(self, X, Y, sub, act: Activation, bias: bool = False):
        self.X, self.Y, self.sub, self.act, self.bias = X, Y, sub, act, bias
        # the finish's inputs: [X; 1ᵀ] with biases, where V is [V | b]
        self.inputs = lift_inputs(X) if bias else X
        self.tries = 0

    @functools.cached_property
    def quadratic(self) -> QuadraticFit:
        return QuadraticFit(self.sub.L @ self.X)

    def __call__(self, finish):
        X, Y, act, bias = self.inputs, self.Y, self.act, self.bias
        best, idle = finish.residual, 0
        for _ in range(STALL_REPAIRS):
            if finish.network is not None or finish.V is None or idle == STALL_IDLE:
                break
            self.tries += 1
            V = finish.V
            for unit in self._units(finish):
                U, V = _reseeded(V, unit, X, Y, self.sub.L, act, self.quadratic, bias)
            finish = pattern_finish(X, Y, U, V, act, bias=bias)
            # A re-seed that lands where the unit was leaves the same fixed point.
            idle = 0 if finish.residual < 0.9 * best else idle + 1
            best = min(best, finish.residual)
        return finish

    def _units(self, finish) -> list[int]:
        """The units to re-seed: with a rank-deficient design (no residual) every unit
        whose pattern repeats an earlier unit's — a start can hold two equal directions
        (a Jennrich complex pair) — or else the one active on the fewest samples; otherwise the
        least useful unit."""
        if np.isfinite(finish.residual):
            return [_least_useful(finish.V, self.inputs, self.Y, self.act, self.bias)[0]]
        S = finish.V @ self.inputs > 0
        _, first = np.unique(S, axis=0, return_index=True)
        repeats = sorted(set(range(len(S))) - set(first.tolist()))
        return repeats or [int(np.argmin(S.sum(axis=1)))]


def _one_start_with_bias(X, Y, sub, act: Activation, rng, moments: bool, repair=None):
    """:func:`_one_start` for ``Y = U f(V X + b 1ᵀ) + c 1ᵀ``: directions in the span with
    biases drawn from ``N(0, START_BIAS²)``, refined with an output bias on the lifted
    reduced inputs ``[Z; 1ᵀ]``, then finished exactly on ``[X; 1ᵀ]``."""
    D = _directions(sub, Y, act, rng, moments)
    b = START_BIAS * rng.standard_normal(sub.Z.shape[0])
    Uc, Vb = oriented_start_with_bias(sub.Z, Y, D, b, act)
    fit = refine(Uc, Vb, lift_inputs(sub.Z), Y, act, max_iterations=REDUCED_ITERATIONS,
                 output_bias=True)
    Vb = np.hstack([sub.lift(fit.V[:, :-1]), fit.V[:, -1:]])
    finish = pattern_finish(lift_inputs(X), Y, fit.U, Vb, act, bias=True)
    return finish if repair is None else repair(finish)


def recover_noisy(X: np.ndarray, Y: np.ndarray, k: int, act: Activation,
                  seed: int) -> tuple[TwoLayerNetwork, dict]:
    """Least-squares estimate of ``k`` units (``m < k``) under noise: ``NOISY_STARTS``
    starts refined on the reduced inputs, the ``NOISY_FULL`` best of them refined by
    Levenberg–Marquardt on all inputs, the smallest loss kept and its duplicated units
    repaired (:func:`_repaired`; ``diagnostics["repairs"]`` lists the tries); with the
    noisy-mode diagnostics (residual, SNR estimate, standard errors, noise check — the
    last unchecked, since ``m ≤ k`` leaves no trailing singular values of ``Y`` to
    measure the noise with)."""
    start = time.perf_counter()
    sub = subspace(X, Y, k)
    rng = np.random.default_rng([seed, 0])
    reduced = []
    for s in range(NOISY_STARTS):
        D = _directions(sub, Y, act, rng, moments=s < MOMENT_STARTS)
        U, Vz = oriented_start(sub.Z, Y, D, act)
        reduced.append(refine(U, Vz, sub.Z, Y, act, max_iterations=REDUCED_ITERATIONS))
    # Only the best reduced fits are refined on all inputs (O(n (kd)²) per iteration).
    best = None
    for fit in sorted(reduced, key=lambda f: f.loss)[:NOISY_FULL]:
        fit = refine(fit.U, sub.lift(fit.V), X, Y, act)
        if np.all(np.linalg.norm(fit.V, axis=1) > 0) and (best is None or fit.loss < best.loss):
            best = fit
    if best is None:
        raise RecoveryFailed(f"every noisy fit switched a unit off entirely: these labels "
                             f"do not show k = {k} units")
    best, repairs = _repaired(best, X, Y, sub.L, act)
    network = TwoLayerNetwork(best.U, best.V, activation=act).canonical()
    fitted = network(X)
    se = standard_errors(network, X, Y)
    resid = float(np.linalg.norm(fitted - Y))
    tiny = np.finfo(float).tiny
    diagnostics = {
        "mode": "noisy", "exact": False, "k": k, "n": X.shape[1], "method": "few_outputs",
        "attempts": [{"method": "few_outputs (noisy)", "starts": NOISY_STARTS,
                      "failure": None}],
        "warnings": [], "misspecified": None, "cause": None, "noiseless": None,
        "bias": False, "residual": resid / max(float(np.linalg.norm(Y)), tiny),
        "snr_estimate_db": float(20 * np.log10(float(np.linalg.norm(fitted)) / max(resid, tiny))),
        "iterations": best.iterations, "converged": best.converged,
        "pattern_changes": best.pattern_changes, "repairs": repairs,
        "noise_sigma_estimate": None if se is None else se.sigma,
        "standard_errors": None if se is None else {"U": se.U, "V": se.V},
        "noise_check": noise_check(Y, left_singular(Y)[1], fitted, k,
                                   Y.shape[0] * k + k * X.shape[0] - k),
        "timings": {"fit": time.perf_counter() - start}}
    diagnostics["timings"]["total"] = diagnostics["timings"]["fit"]
    return network, diagnostics


def _repaired(fit, X, Y, L, act: Activation):
    """``fit`` after up to ``REPAIRS`` re-seeds of its least useful unit (see the module
    docstring), each kept only if Levenberg–Marquardt from it ends at a lower loss; with
    one record per re-seed tried. ``L`` (d×d) whitens ``X``."""
    records, quadratic = [], QuadraticFit(L @ X)
    for _ in range(REPAIRS):
        unit, loss_without = _least_useful(fit.V, X, Y, act)
        repaired = refine(*_reseeded(fit.V, unit, X, Y, L, act, quadratic), X, Y, act)
        kept = repaired.loss < fit.loss and bool(np.all(np.linalg.norm(repaired.V, axis=1) > 0))
        records.append({"unit": unit, "loss_before": fit.loss, "loss_without": loss_without,
                        "loss_after": repaired.loss, "kept": kept})
        if not kept:
            break
        fit = repaired
    return fit, records


def _least_useful(V, X, Y, act: Activation, constant: bool = False) -> tuple[int, float]:
    """The unit of ``V`` (k×d) whose removal raises the least-squares loss of ``Y`` on the
    other units' outputs the least — one of two units on one true unit, or a unit that
    fits nothing — and that loss. With ``constant`` (biases) ``V`` is ``[V | b]``, ``X``
    is ``[X; 1ᵀ]`` and the output bias is fitted too."""
    H = _hidden(V, X, act, constant)
    losses = []
    for j in range(V.shape[0]):
        others = H[np.arange(len(H)) != j]
        coef = np.linalg.lstsq(others.T, Y.T, rcond=None)[0]
        losses.append(0.5 * float(np.sum((coef.T @ others - Y) ** 2)))
    unit = int(np.argmin(losses))
    return unit, losses[unit]


def _reseeded(V, unit, X, Y, L, act: Activation, quadratic: QuadraticFit,
              constant: bool = False):
    """``(U, V)`` (m×k, k×d) with row ``unit`` of ``V`` restarted along the top
    eigenvector of the second Hermite moment of the residual of the other units (least
    squares), on the side whose least-squares output weights fit better. ``quadratic``
    is the factored fit on the whitened inputs ``L X`` (d×n), shared by the re-seeds.
    With ``constant`` (biases) ``V`` is ``[V | b]``, ``X`` is ``[X; 1ᵀ]`` and the
    returned ``U`` is ``[U | c]``."""
    V, d = V.copy(), L.shape[0]
    others = np.arange(V.shape[0]) != unit
    H = _hidden(V[others], X, act, constant)
    R = Y - np.linalg.lstsq(H.T, Y.T, rcond=None)[0].T @ H
    G = sum(M @ M for M in quadratic.moments(R))
    w = np.linalg.eigh(G)[1][:, -1] @ L  # whitened direction as a row acting on X
    # With biases the re-seeded unit starts with b = 0: ReLU's degree-2 Hermite
    # coefficient φ(b) is positive at any bias, so the moment shows the direction only.
    w = np.append(w, np.zeros(V.shape[1] - d))
    fits = []
    for side in (w, -w):
        V[unit] = side / np.linalg.norm(side)
        H = _hidden(V, X, act, constant)
        coef = np.linalg.lstsq(H.T, Y.T, rcond=None)[0].T
        fits.append((float(np.linalg.norm(coef @ H - Y)), coef, V.copy()))
    _, U, V = min(fits, key=lambda f: f[0])
    return U, V


def _hidden(V, X, act: Activation, constant: bool) -> np.ndarray:
    """The hidden outputs ``f(V X)`` (k×n), with a row of ones below for the output bias
    when ``constant``."""
    H = act(V @ X)
    return np.vstack([H, np.ones((1, X.shape[1]))]) if constant else H


def recover_few_outputs(X: np.ndarray, Y: np.ndarray, k: int, act: Activation, mode: str,
                        seed: int, max_attempts: int, say,
                        bias: bool = False) -> tuple[TwoLayerNetwork, dict, list[str]]:
    """``recover_network`` for ``m < k ≤ d`` on unit-scale data: the network, its
    diagnostics, and the warnings the caller must emit.

    ``"exact"``: :func:`recover_exact` or RecoveryFailed. ``"noisy"``:
    :func:`recover_noisy`. ``"auto"``: exact first; if that fails and the labels are
    provably noiseless (:func:`recover._misfit.noiseless_evidence`) no noisy estimate is
    meaningful and the failure is raised; otherwise the noisy estimate is returned with
    a warning that it is not exact. With ``bias`` only exact labels are recovered:
    ``"noisy"`` is refused (InvalidInputError) and ``"auto"`` raises the exact failure."""
    if bias and mode == "noisy":
        raise InvalidInputError(
            f"mode='noisy' with bias=True and fewer outputs than hidden units (m = "
            f"{Y.shape[0]} < k = {k}) is not supported: only exact labels are recovered "
            f"with biases when m < k (mode='exact' or 'auto'); fit the bias-free model or "
            f"give m >= k outputs")
    if mode != "noisy":
        try:
            network, diagnostics = recover_exact(X, Y, k, act, seed, max_attempts, say, bias)
            return network, diagnostics, []
        except RecoveryFailed as exc:
            evidence = noiseless_evidence(Y, label_span(Y))
            if mode == "exact" or evidence is not None:
                if evidence is not None:
                    exc.diagnostics.update(noiseless=evidence, misspecified=True)
                    raise RecoveryFailed(f"{exc} (the labels are noiseless: {evidence}, so "
                                         f"this is not noise)", exc.diagnostics) from None
                raise
            if bias:
                raise RecoveryFailed(f"{exc}. With biases and m < k only exact labels are "
                                     f"recovered: no noisy estimate is made",
                                     exc.diagnostics) from None
            failure = str(exc)
            say(f"not exact ({failure}); estimating under noise")
    network, diagnostics = recover_noisy(X, Y, k, act, seed)
    messages = []
    if mode == "auto":
        diagnostics["exact_failure"] = failure
        messages.append(f"no exact network of k = {k} units was found, so this is a "
                        f"least-squares estimate (relative residual "
                        f"{diagnostics['residual']:.1e}), not a verified recovery; with m "
                        f"= {Y.shape[0]} < k outputs the noise level cannot be measured "
                        f"from the labels, so misspecification is not ruled out")
    return network, diagnostics, messages


__all__ = ["recover_exact", "recover_noisy", "recover_few_outputs"]
