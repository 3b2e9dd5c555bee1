"""The benchmark suites. Each is a function of a :class:`Scale` and returns a record.

``quick`` and ``full`` differ only in the parameters of :data:`SCALES` (seeds, grids,
sizes, time caps). Every instance is ``planted_instance(d, k, m, n, seed=s)`` with
``s = 0, 1, …``: Gaussian ``X``, Gaussian ``U*``, ``V*``. Every method is scored by
:func:`verify.compare_networks` against the truth; an error ``≤ EXACT = 1e-10`` counts as
exact recovery. Times are wall-clock seconds (``time.perf_counter``) in this process;
they include a method's own checks (relunet's self-verification, the error measurements
of the gradient methods every ``check_every`` iterations).

Suites (record name → what is measured):

* ``exactness``: share of seeded instances the default recovers exactly, per shape.
* ``efficiency``: exact-success rate against ``n`` at ``efficiency_dims`` for every
  method, and ``n95``, the smallest ``n`` of the grid with rate ≥ 95 %.
* ``size``: time against the size ``(d, k, m)`` at fixed ``n``, with one data pass.
* ``speed``: every method at ``speed_dims`` on ``speed_seeds`` instances; the ratio of
  L-BFGS's median time to ours (a lower bound when an L-BFGS run stops before ``EXACT``).
* ``ratios``: relunet and single-start L-BFGS-B on the same instances at each shape of
  ``ratio_dims`` (the speed goals): the median ratio and relunet's time in data passes.
* ``scaling``: relunet's time against ``n`` at ``scaling_dims``, per step, with the
  least-squares slope of log time against log n, and time in passes over the data.
* ``k_scaling``: relunet's and L-BFGS-B's time against ``k`` at ``k_dims``, with the
  slope of log time against log k.
* ``memory``: peak memory of ``recover_network`` in a child process (:mod:`.memory`).
* ``noisy_accuracy``: accuracy under noise — runs only once ``mode="noisy"`` exists.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

import numpy as np

from recover import planted_instance

from .baselines import EXACT, METHODS, Budget, Outcome, run_methods, run_relunet
from .memory import measure_peak_memory


@dataclass(frozen=True)
class Scale:
    """All the parameters in which ``quick`` and ``full`` differ."""

    name: str
    # exactness
    exactness_cases: tuple = ()
    exactness_seeds: int = 5
    # efficiency: exact methods on every seed and n; gradient methods on the first
    # gradient_seeds seeds and the n of gradient_grid, each run capped at gradient_seconds
    efficiency_dims: tuple = (20, 10, 15)
    efficiency_grid: tuple = (100, 300, 1000)
    efficiency_seeds: int = 5
    gradient_grid: tuple = (300, 1000)
    gradient_seeds: int = 2
    gradient_seconds: float = 2.0
    # size: time against (d, k, m) at n = size_n
    sizes: tuple = ((10, 5, 8), (20, 10, 15))
    size_n: int = 10_000
    size_methods: tuple = ("relunet", "moments", "lbfgs")
    size_gradient_seconds: float = 5.0
    # speed: every method at speed_dims, gradient runs capped at speed_seconds
    speed_dims: tuple = (100, 50, 60, 10_000)
    speed_seeds: int = 1
    speed_seconds: float = 60.0
    # scaling and memory
    scaling_dims: tuple = (50, 20, 30)
    scaling_grid: tuple = (10_000, 30_000, 100_000)
    memory_n: int = 100_000
    # goal ratios: relunet and single-start L-BFGS-B at each (d, k, m, n) of ratio_dims
    ratio_dims: tuple = ((20, 10, 15, 2000), (20, 10, 15, 100_000))
    ratio_seeds: int = 1
    ratio_seconds: float = 30.0
    # the goals' L-BFGS target (relative error 1e-9, measured every ratio_check_every
    # iterations; the checks' time is not L-BFGS's)
    ratio_target: float = 1e-9
    ratio_check_every: int = 5
    # scaling in k: relunet and single-start L-BFGS-B at each (d, k, m) of k_dims, n = k_n
    k_dims: tuple = ((20, 10, 15), (50, 25, 30))
    k_n: int = 5000
    k_lbfgs_seconds: float = 10.0
    # noisy accuracy (once mode="noisy" exists)
    noisy_dims: tuple = (20, 10, 15, 5000)
    noisy_snr_db: tuple = (40.0, 20.0)
    noisy_seeds: int = 3


_FOUNDATION_CASES = (
    ((10, 5, 8, 1000), {}), ((20, 10, 15, 2000), {}), ((50, 20, 30, 5000), {}),
    ((100, 50, 60, 10_000), {}), ((30, 30, 30, 5000), {}),
    ((20, 10, 15, 2000), {"condition": 20.0}), ((20, 10, 15, 2000), {"correlation": 0.8}),
)

QUICK = Scale(
    name="quick",
    exactness_cases=_FOUNDATION_CASES[:3] + _FOUNDATION_CASES[5:], exactness_seeds=5,
    efficiency_grid=(50, 100, 200, 500, 1000, 5000), efficiency_seeds=10,
    gradient_grid=(200, 1000), gradient_seeds=3, gradient_seconds=2.0,
    sizes=((10, 5, 8), (20, 10, 15), (50, 20, 30)), size_n=10_000,
    size_gradient_seconds=3.0,
    speed_dims=(50, 20, 30, 10_000), speed_seconds=10.0,
    scaling_grid=(10_000, 30_000, 100_000), memory_n=100_000,
)

FULL = Scale(
    name="full",
    exactness_cases=_FOUNDATION_CASES, exactness_seeds=50,
    efficiency_grid=(50, 75, 100, 150, 200, 300, 500, 1000, 2000, 5000, 10_000, 20_000),
    efficiency_seeds=20,
    gradient_grid=(50, 75, 100, 150, 200, 300, 500, 1000, 2000, 5000, 10_000, 20_000),
    gradient_seeds=20, gradient_seconds=3.0,
    sizes=((10, 5, 8), (20, 10, 15), (50, 20, 30), (100, 50, 60)), size_n=10_000,
    size_gradient_seconds=20.0,
    speed_dims=(100, 50, 60, 10_000), speed_seeds=3, speed_seconds=120.0,
    scaling_grid=(10_000, 30_000, 100_000, 300_000, 1_000_000), memory_n=1_000_000,
    ratio_dims=((100, 50, 60, 10_000), (20, 10, 15, 2000), (20, 10, 15, 1_000_000)),
    ratio_seeds=3, ratio_seconds=600.0,
    k_dims=((100, 50, 60), (200, 100, 130), (300, 150, 200), (500, 250, 300)),
    k_n=20_000,
    k_lbfgs_seconds=600.0,
    noisy_seeds=10,
)

SCALES = {"quick": QUICK, "full": FULL}


def _say(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _run_row(outcome: Outcome, dims, seed: int, target: float = EXACT, **more) -> dict:
    """A run of a record; ``exact`` is ``error ≤ target`` (``EXACT`` unless a suite's
    goal names another target for a baseline)."""
    d, k, m, n = dims
    row = {"method": outcome.method, "d": d, "k": k, "m": m, "n": n, "seed": seed,
           "seconds": outcome.seconds, "error": outcome.error,
           "exact": bool(outcome.error <= target), "failed": outcome.failed,
           "extra": outcome.extra}
    row.update(more)
    _say(f"{outcome.method:17s} {dims} seed {seed}: {outcome.seconds:8.3f} s, "
         f"error {outcome.error:.1e}")
    return row


def _record(suite: str, scale: Scale, params: dict, runs: list, summary: dict,
            started: float) -> dict:
    return {"suite": suite, "scale": scale.name, "params": params, "runs": runs,
            "summary": summary, "wall_seconds": time.perf_counter() - started}


def data_pass_seconds(X: np.ndarray, Y: np.ndarray, repeat: int = 5) -> float:
    """Best of ``repeat`` timings of one pass over the data, ``Y @ X.T``."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        Y @ X.T
        best = min(best, time.perf_counter() - t0)
    return best


# ------------------------------------------------------------------ exactness

def exactness(scale: Scale) -> dict:
    """Per shape: how many seeded instances relunet's default recovers to ``EXACT``,
    how many it refuses loudly (``RecoveryFailed``) and how many it gets wrong silently."""
    started, runs, summary = time.perf_counter(), [], []
    for dims, variant in scale.exactness_cases:
        rows = [_run_row(run_relunet(planted_instance(*dims, seed=s, **variant), s),
                         dims, s, variant=variant)
                for s in range(scale.exactness_seeds)]
        runs += rows
        returned = [r["error"] for r in rows if r["failed"] is None]
        summary.append({"dims": dims, "variant": variant, "seeds": len(rows),
                        "exact": sum(r["exact"] for r in rows),
                        "failed_loudly": sum(r["failed"] is not None for r in rows),
                        "wrong_silently": sum(e > EXACT for e in returned),
                        "max_error_of_returned": max(returned, default=0.0),
                        "median_seconds": float(np.median([r["seconds"] for r in rows]))})
    return _record("exactness", scale, {"cases": scale.exactness_cases,
                                        "seeds": scale.exactness_seeds},
                   runs, {"cases": summary}, started)


# ------------------------------------------------------------------ efficiency

def efficiency(scale: Scale) -> dict:
    """Exact-success rate against ``n`` for every method on the same instances.

    For each ``n`` and seed one instance is drawn; relunet and the moment method run on
    all ``efficiency_seeds`` seeds, the gradient methods on the first ``gradient_seeds``
    of them and only at the ``n`` of ``gradient_grid`` (each run capped at
    ``gradient_seconds``; the multi-start budget is 10 × relunet's time there).
    ``n95`` is the smallest grid ``n`` with success rate ≥ 95 % (``None``: not reached).
    """
    started, runs = time.perf_counter(), []
    budget = Budget(seconds=scale.gradient_seconds)
    for n in sorted(set(scale.efficiency_grid) | set(scale.gradient_grid)):
        dims = (*scale.efficiency_dims, n)
        for seed in range(scale.efficiency_seeds):
            methods = _efficiency_methods(scale, n, seed)
            if not methods:
                continue
            inst = planted_instance(*dims, seed=seed)
            runs += [_run_row(o, dims, seed) for o in run_methods(inst, seed, methods, budget)]
    return _record("efficiency", scale,
                   {"dims": scale.efficiency_dims, "grid": scale.efficiency_grid,
                    "seeds": scale.efficiency_seeds, "gradient_grid": scale.gradient_grid,
                    "gradient_seeds": scale.gradient_seeds,
                    "gradient_seconds": scale.gradient_seconds},
                   runs, success_curves(runs), started)


def _efficiency_methods(scale: Scale, n: int, seed: int) -> tuple:
    exact = ("relunet", "moments") if n in scale.efficiency_grid else ()
    gradient = (("lbfgs", "lbfgs_multistart", "adam")
                if n in scale.gradient_grid and seed < scale.gradient_seeds else ())
    return exact + gradient


def success_curves(runs: list[dict]) -> dict:
    """Per method: the curve ``[{n, rate, seeds, median_seconds, capped}]``, ``n95`` —
    the smallest grid ``n`` from which the rate stays ≥ 95 % at every larger grid ``n``
    (``None``: not reached) — and ``n95_first``, the smallest with rate ≥ 95 %."""
    out = {}
    for method in METHODS:
        mine = [r for r in runs if r["method"] == method]
        curve = []
        for n in sorted({r["n"] for r in mine}):
            at = [r for r in mine if r["n"] == n]
            curve.append({"n": n, "rate": float(np.mean([r["exact"] for r in at])),
                          "seeds": len(at),
                          "median_seconds": float(np.median([r["seconds"] for r in at])),
                          "capped": sum(bool(r["extra"].get("capped")) for r in at)})
        if curve:
            out[method] = {"curve": curve, "n95": _n95(curve),
                           "n95_first": next((c["n"] for c in curve if c["rate"] >= 0.95),
                                             None)}
    return out


def _n95(curve: list[dict]):
    n95 = None
    for c in reversed(curve):
        if c["rate"] < 0.95:
            break
        n95 = c["n"]
    return n95


# ------------------------------------------------------------------ size and speed

def _instances(shapes, n: int):
    """For each ``(d, k, m)`` of ``shapes``: ``(dims, instance, seconds of one data
    pass)`` of the seed-0 planted instance at ``n``, made one at a time (the previous
    one can be freed: the largest are hundreds of MB)."""
    for d, k, m in shapes:
        dims = (d, k, m, n)
        inst = planted_instance(*dims, seed=0)
        yield dims, inst, data_pass_seconds(inst.X, inst.Y)


def size(scale: Scale) -> dict:
    """Time against ``(d, k, m)`` at ``n = size_n`` (seed 0), and one data pass there."""
    started, runs = time.perf_counter(), []
    budget = Budget(seconds=scale.size_gradient_seconds)
    for dims, inst, passes in _instances(scale.sizes, scale.size_n):
        runs += [_run_row(o, dims, 0, data_pass_seconds=passes)
                 for o in run_methods(inst, 0, scale.size_methods, budget)]
    return _record("size", scale, {"sizes": scale.sizes, "n": scale.size_n,
                                   "methods": scale.size_methods,
                                   "gradient_seconds": scale.size_gradient_seconds},
                   runs, {}, started)


def speed(scale: Scale) -> dict:
    """Every method on ``speed_seeds`` instances at ``speed_dims``; gradient runs capped
    at ``speed_seconds``. ``ratio_lbfgs`` = median L-BFGS seconds / median relunet
    seconds; it is a lower bound (``ratio_is_lower_bound``) if some L-BFGS run stopped
    (cap or local minimum) without reaching ``EXACT``, because its time to exact recovery
    is then longer than measured, or infinite."""
    started, runs = time.perf_counter(), []
    dims, budget = scale.speed_dims, Budget(seconds=scale.speed_seconds)
    for seed in range(scale.speed_seeds):
        inst = planted_instance(*dims, seed=seed)
        passes = data_pass_seconds(inst.X, inst.Y, repeat=20)
        runs += [_run_row(o, dims, seed, data_pass_seconds=passes)
                 for o in run_methods(inst, seed, METHODS, budget)]
    return _record("speed", scale, {"dims": dims, "seeds": scale.speed_seeds,
                                    "cap_seconds": scale.speed_seconds},
                   runs, speed_summary(runs, scale.speed_seconds), started)


def speed_summary(runs: list[dict], cap_seconds: float) -> dict:
    """Medians over seeds of relunet's and L-BFGS's seconds, their ratio, data passes."""
    ours = [r for r in runs if r["method"] == "relunet"]
    lbfgs = [r for r in runs if r["method"] == "lbfgs"]
    ours_s = float(np.median([r["seconds"] for r in ours]))
    lbfgs_s = float(np.median([r["seconds"] for r in lbfgs]))
    passes = float(np.median([r["seconds"] / r["data_pass_seconds"] for r in ours]))
    return {"relunet_seconds": ours_s, "lbfgs_seconds": lbfgs_s,
            "relunet_max_error": max(r["error"] for r in ours),
            "lbfgs_exact": sum(r["exact"] for r in lbfgs), "seeds": len(ours),
            "lbfgs_max_error": max(r["error"] for r in lbfgs),
            "ratio_lbfgs": lbfgs_s / ours_s,
            "ratio_per_seed": [b["seconds"] / a["seconds"] for a, b in zip(ours, lbfgs)],
            "ratio_is_lower_bound": not all(r["exact"] for r in lbfgs),
            "data_pass_seconds": float(np.median([r["data_pass_seconds"] for r in ours])),
            "relunet_in_data_passes": passes, "cap_seconds": cap_seconds}


# ------------------------------------------------------------------ goal ratios

def ratios(scale: Scale) -> dict:
    """relunet and single-start L-BFGS-B on the same ``ratio_seeds`` instances at each
    shape of ``ratio_dims``, with one data pass ``Y @ X.T`` per instance: per shape,
    :func:`speed_summary` (the median ratio, per seed, and relunet's time in data
    passes). L-BFGS-B runs to the goals' target, relative error ``ratio_target`` (its
    "exact" in these runs), checked every ``ratio_check_every`` iterations and capped
    at ``ratio_seconds``; relunet's runs are exact at ``EXACT``."""
    started, runs, cells = time.perf_counter(), [], []
    budget = Budget(seconds=scale.ratio_seconds, target=scale.ratio_target,
                    check_every=scale.ratio_check_every)
    for dims in scale.ratio_dims:
        rows = []
        for seed in range(scale.ratio_seeds):
            inst = planted_instance(*dims, seed=seed)
            passes = data_pass_seconds(inst.X, inst.Y)
            rows += [_run_row(o, dims, seed, data_pass_seconds=passes,
                              target=budget.target if o.method == "lbfgs" else EXACT)
                     for o in run_methods(inst, seed, ("relunet", "lbfgs"), budget)]
            del inst
        runs += rows
        cells.append({"dims": dims, **speed_summary(rows, scale.ratio_seconds)})
    record = _record("ratios", scale, {"dims": scale.ratio_dims, "seeds": scale.ratio_seeds,
                                       "cap_seconds": scale.ratio_seconds,
                                       "lbfgs_target": scale.ratio_target,
                                       "check_every": scale.ratio_check_every},
                     runs, {"cells": cells}, started)
    return {**record, "title": "Speed against L-BFGS-B at the goal shapes"}


# ------------------------------------------------------------------ scaling in n

def scaling(scale: Scale) -> dict:
    """relunet's time against ``n`` at ``scaling_dims`` (seed 0), with the per-step
    timings of ``diagnostics["timings"]``, one data pass ``Y @ X.T`` at each ``n``, and
    the least-squares slope of ``log(seconds)`` against ``log(n)``."""
    started, runs = time.perf_counter(), []
    for n in scale.scaling_grid:
        dims = (*scale.scaling_dims, n)
        inst = planted_instance(*dims, seed=0)
        passes = data_pass_seconds(inst.X, inst.Y)
        outcome = run_relunet(inst, 0)
        runs.append(_run_row(outcome, dims, 0, data_pass_seconds=passes,
                             data_passes=outcome.seconds / passes))
        del inst
    ns = np.array([r["n"] for r in runs], dtype=float)
    seconds = np.array([r["seconds"] for r in runs])
    summary = {"slope": loglog_slope(ns, seconds),
               "step_slopes": _step_slopes(runs, ns),
               "max_data_passes": max(r["data_passes"] for r in runs)}
    return _record("scaling", scale, {"dims": scale.scaling_dims,
                                      "grid": scale.scaling_grid, "seed": 0},
                   runs, summary, started)


def k_scaling(scale: Scale) -> dict:
    """relunet's time against ``k`` at the shapes ``k_dims`` (seed 0, ``n = k_n``), with
    per-step timings, one data pass, and single-start L-BFGS-B on the same instance
    capped at ``k_lbfgs_seconds``; the least-squares slope of ``log(seconds)`` against
    ``log(k)`` for relunet."""
    started, runs = time.perf_counter(), []
    budget = Budget(seconds=scale.k_lbfgs_seconds)
    for dims, inst, passes in _instances(scale.k_dims, scale.k_n):
        _say(f"k scaling: (d, k, m, n) = {dims}")
        for outcome in run_methods(inst, 0, ("relunet", "lbfgs"), budget):
            runs.append(_run_row(outcome, dims, 0, data_pass_seconds=passes,
                                 data_passes=outcome.seconds / passes))
    ours = [r for r in runs if r["method"] == "relunet"]
    summary = {"slope": loglog_slope([r["k"] for r in ours], [r["seconds"] for r in ours]),
               "all_exact": all(r["exact"] for r in ours),
               "ratio_lbfgs": [b["seconds"] / a["seconds"] for a, b in
                               zip(ours, [r for r in runs if r["method"] == "lbfgs"])]}
    record = _record("k_scaling", scale, {"dims": scale.k_dims, "n": scale.k_n, "seed": 0,
                                          "lbfgs_seconds": scale.k_lbfgs_seconds},
                     runs, summary, started)
    return {**record, "title": "Time against k"}


def loglog_slope(x, y) -> float:
    """Least-squares slope of ``log y`` against ``log x``."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def _step_slopes(runs: list[dict], ns: np.ndarray) -> dict:
    steps = set.intersection(*(set(r["extra"].get("timings", {})) for r in runs))
    return {step: loglog_slope(ns, [r["extra"]["timings"][step] for r in runs])
            for step in sorted(steps)}


# ------------------------------------------------------------------ memory

def memory(scale: Scale) -> dict:
    """Peak memory of ``recover_network`` at ``n = memory_n``, ``scaling_dims``, seed 0,
    measured in a child process (see :func:`benchmarks.memory.measure_peak_memory`)."""
    started = time.perf_counter()
    dims = (*scale.scaling_dims, scale.memory_n)
    result = measure_peak_memory(dims, seed=0)
    _say(f"memory {dims}: {result}")
    return _record("memory", scale, {"dims": dims, "seed": 0}, [result], result, started)


# ------------------------------------------------------------------ noisy accuracy

def noisy_accuracy(scale: Scale) -> dict:
    """Noisy accuracy against the oracle at ``noisy_dims`` for every ``noisy_snr_db``
    (see :mod:`benchmarks.noisy`, which also has the rate, noise-kind and
    overwhelming-noise suites)."""
    from . import noisy

    started = time.perf_counter()
    d, k, m, n = scale.noisy_dims
    params = {"dims": (d, k, m), "n": n, "snr_db": scale.noisy_snr_db,
              "seeds": scale.noisy_seeds}
    cells = noisy.accuracy(scale.noisy_seeds, None, ns=(n,), snrs=scale.noisy_snr_db,
                           lbfgs_seeds=1, dims=(d, k, m))
    return _record("noisy_accuracy", scale, params, cells, {"available": True}, started)


#: Suite name → function, in the order they run and are rendered.
SUITES = {"exactness": exactness, "efficiency": efficiency, "size": size, "speed": speed,
          "ratios": ratios, "scaling": scaling, "k_scaling": k_scaling, "memory": memory,
          "noisy_accuracy": noisy_accuracy}
