"""Internal module of :mod:`recover`: recover on an evenly spread subset of the samples,
then confirm on all of them.

The exact pipeline proposes facets and solves weights on subsets of the samples
(:mod:`recover._spread`), but each of its steps still passes over all ``n`` of them (the
label span, each facet's exact step, each unit's solve, the residual): at n = 10⁶ about
forty passes, each as long as one product ``Y Xᵀ``. Nothing in it needs them all: the
facets and weights of a network are exact on any subset on which every unit shows its
facet and its active samples. What needs all samples is the *acceptance*: the network
must reproduce every label. So, for numpy inputs with more than :func:`subset_size`
``× SUBSET_FACTOR`` samples, in the exact and auto modes, :func:`recover.recover_network`

1. runs the exact pipeline on :func:`subset_size` evenly spread samples (in memory, a
   copy of those columns only);
2. checks the network on **every** sample in one pass over column chunks
   (:func:`check_chunks`): the relative residual ``‖E‖_F/‖Y‖_F`` and the largest entry
   ``max|E|/max|Y|`` must both be at most ``Tolerances.residual_rtol`` (the rule of the
   full pipeline too), so that a label wrong on one sample in a million is not averaged
   away.

If either fails (too few samples of some unit in the subset, labels outside the model,
noise), or the subset's recovery warns (its inputs of rank below ``d``, or in a
half-space: not necessarily true of all samples), the full pipeline runs as before, on
all samples, and ``diagnostics["subset"]`` says what the subset attempt found. So the
subset only ever saves time: every network returned has been checked on all samples.
The same check confirms the subset recovery of ``dask.array`` inputs
(:mod:`recover._dask`), one pass of per-chunk summaries.

Cost: one pass to check plus the pipeline on the subset (a fixed number of samples, so
O(1) in ``n``); memory: the subset and one chunk's temporaries, on top of ``X`` and ``Y``.
"""

from __future__ import annotations

import sys
import time
import warnings
from dataclasses import replace
from typing import Callable

import numpy as np

from ._errors import RecoveryFailed, RelunetWarning
from ._network import TwoLayerNetwork
from ._result import RecoveryResult, _message
from ._spread import spread_columns
from ._tolerances import current

#: Fewest samples of the subset: well above what the exact pipeline needs at the shapes
#: it is measured on (n₉₅ = 75 at (d, k, m) = (20, 10, 15)), and above the facet
#: programs' own subset (``PROGRAM_COLUMNS_PER_UNIT`` = 1000 per unit) up to k = 50.
SUBSET_MIN = 50_000
#: Samples of the subset per possible hidden unit (``k``, or ``min(d, m)`` when ``k`` is
#: read off the labels): twice the facet programs' subset.
SUBSET_PER_UNIT = 2000
#: The subset is tried when ``n`` is at least this many times its size: below, the
#: pipeline on all samples costs little more than the subset's and the check together.
SUBSET_FACTOR = 4
#: Samples per chunk of the check of numpy inputs: the chunk's preactivations and
#: residuals (k×8192 and m×8192) stay in cache (at (d, k, m) = (20, 10, 15) the check
#: takes 3.9 passes ``Y Xᵀ`` with 8192 samples, 4.1 with 32768, 4.7 with 2048).
CHECK_CHUNK = 2 ** 13


def subset_size(d: int, m: int, k: int | None, bias: bool) -> int:
    """Samples of the subset for inputs of dimension ``d`` and ``m`` outputs."""
    units = (k if k is not None else min(d, m)) + bool(bias)
    return max(SUBSET_MIN, SUBSET_PER_UNIT * units)


def worth_a_subset(n: int, d: int, m: int, k: int | None, bias: bool, mode: str) -> bool:
    """Whether :func:`recover.recover_network` tries the subset first."""
    return mode != "noisy" and n >= SUBSET_FACTOR * subset_size(d, m, k, bias)


def recover_on_subset(recover: Callable[..., RecoveryResult], X: np.ndarray,
                      Y: np.ndarray, k: int | None, progress: Callable[[str], None] | None,
                      options: dict) -> tuple[RecoveryResult | None, dict]:
    """``recover(X_s, Y_s, k=k, mode="exact", progress=progress, **options)`` — the
    in-memory :func:`recover.recover_network` — on the spread subset of ``X`` (d×n) and
    ``Y`` (m×n), then :func:`check_chunks` on all samples.

    Returns ``(result, info)``: the confirmed result (None if the subset attempt failed
    or its network does not reproduce every sample) and what the attempt found (size,
    passes, residuals or the reason it failed), for ``diagnostics["subset"]``.
    """
    say = progress or (lambda message: None)
    n, start = X.shape[1], time.perf_counter()
    size = subset_size(X.shape[0], Y.shape[0], k, options.get("bias", False))
    cols = spread_columns(n, size)
    info: dict = {"subset": len(cols), "passes": 0, "pass_seconds": {}}
    say(f"subset: recovering on {len(cols)} of n = {n} spread samples, then checking all")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            sub = recover(X[:, cols], Y[:, cols], k=k, mode="exact", progress=progress,
                          **options)
        except RecoveryFailed as exc:
            sub, info["failed"] = None, str(exc)
    if sub is not None and sub.warnings:
        # A warning about the subset's inputs (rank below d, all in a half-space) need
        # not hold for all samples: the full pipeline decides, and warns, on all of them.
        sub, info["failed"] = None, f"the recovery on the subset warned: {sub.warnings[0]}"
    _reemit(caught, keep_relunet=sub is not None)
    if sub is None:
        say("subset: no exact network confirmed on the subset; recovering on all samples")
        return None, info
    t0 = time.perf_counter()
    check = check_chunks(X, Y, sub.network)
    info["passes"] += 1
    info["pass_seconds"]["check"] = time.perf_counter() - t0
    try:
        result = confirmed(sub, check, info, n, time.perf_counter() - start, "subset")
    except RecoveryFailed as exc:
        info["failed"] = str(exc)
        say("subset: its network does not reproduce all samples; recovering on all")
        return None, info
    say(f"subset: checked on all {n} samples, relative residual "
        f"{check['residual']:.1e}")
    return result, info


def _reemit(caught: list, keep_relunet: bool) -> None:
    """Warnings caught around the subset's recovery, emitted again where they arose —
    its own (RelunetWarning) only when its result is kept — with the module name and
    warning registry of the module they arose in (:func:`_origin`), so that filters by
    module and the "once per location" of the default action apply as to the first
    emission."""
    for w in caught:
        if keep_relunet or not issubclass(w.category, RelunetWarning):
            module, registry = _origin(w.filename)
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno,
                                   module=module, registry=registry)


def _origin(filename: str) -> tuple[str | None, dict | None]:
    """The name and ``__warningregistry__`` of the loaded module defined in
    ``filename`` (what :func:`warnings.warn` takes from the caller's frame); ``(None,
    None)`` when no loaded module is: then ``warn_explicit`` derives the name from the
    file name and keeps no registry."""
    for name, module in list(sys.modules.items()):
        if getattr(module, "__file__", None) == filename:
            return name, vars(module).setdefault("__warningregistry__", {})
    return None, None


def check_chunks(X: np.ndarray, Y: np.ndarray, network: TwoLayerNetwork,
                 chunk: int = CHECK_CHUNK) -> dict:
    """:func:`check_block` on column chunks of ``X`` (d×n) and ``Y`` (m×n), summed
    (:func:`summed`): one pass, and no temporary larger than a chunk."""
    n = X.shape[1]
    return summed([check_block(X[:, i:i + chunk], Y[:, i:i + chunk], network)
                   for i in range(0, n, chunk)])


def check_block(x: np.ndarray, y: np.ndarray, network: TwoLayerNetwork) -> np.ndarray:
    """One chunk's part of the check: ``[‖E‖², ‖Y‖², max|E|, max|Y|, active counts…]``
    with ``E = network(x) − y`` (non-finite outputs give an infinite residual). The
    preactivations are computed once, for ``E`` and the counts; the sums of squares and
    the peaks make no temporary of the chunk's size."""
    with np.errstate(over="ignore", invalid="ignore"):
        P = network.preactivation(x)
        active = np.count_nonzero(P > 0, axis=1)
        E = network.outputs_of(P)
        E -= y
    if not np.all(np.isfinite(E)):
        return np.concatenate([[np.inf, 0.0, np.inf, 0.0], active])
    return np.concatenate([[np.einsum("ij,ij->", E, E), np.einsum("ij,ij->", y, y),
                            max(E.max(), -E.min()), max(y.max(), -y.min())], active])


def summed(parts) -> dict:
    """The check over all chunks from each chunk's :func:`check_block`."""
    stacked = np.array(parts)
    norm_y = np.sqrt(stacked[:, 1].sum())
    peak_y = stacked[:, 3].max()
    tiny = np.finfo(float).tiny
    return {"residual": float(np.sqrt(stacked[:, 0].sum()) / max(norm_y, tiny)),
            "max_residual": float(stacked[:, 2].max() / max(peak_y, tiny)),
            "active_counts": stacked[:, 4:].sum(axis=0).astype(int).tolist()}


def confirmed(sub: RecoveryResult, check: dict, info: dict, n: int, seconds: float,
              key: str) -> RecoveryResult:
    """The subset's result with the measurements over all ``n`` samples (and ``info``
    as ``diagnostics[key]``), if they confirm it; else :class:`RecoveryFailed`."""
    info.update(residual=check["residual"], max_residual=check["max_residual"],
                active_counts=check["active_counts"])
    rtol = current().residual_rtol
    extras = {**dict(sub.diagnostics), "n": n, key: info}
    if not (check["residual"] <= rtol and check["max_residual"] <= rtol):
        raise RecoveryFailed(
            f"the network recovered on {info['subset']} spread samples does not reproduce "
            f"all n = {n}: relative residual {check['residual']:.2e}, largest entry "
            f"{check['max_residual']:.2e} of max|Y| (at machine level both are "
            f"<= {rtol:.0e}): some labels are not those of the network the others show",
            {**extras, "residual": check["residual"]})
    timings = {**sub.timings, **{f"pass_{name}": s for name, s in
                                 info["pass_seconds"].items()}, "total": seconds}
    attrs = {"exact": True, "k": sub.k, "residual": check["residual"],
             "attempts": sub.attempts, "warnings": sub.warnings}
    message = (_message(attrs, extras) + f"; checked on all {n} samples in "
               f"{info['passes']} passes over the data")
    return replace(sub, residual=check["residual"], timings=timings, message=message,
                   diagnostics=extras)
