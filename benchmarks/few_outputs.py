"""Exact recovery with fewer outputs than hidden units (m < k): samples needed, time,
and L-BFGS-B on the same instances.

Run ``python -m benchmarks.few_outputs [--quick] [--out DIR]``; one part alone with
``--shape d,k,m [--at PROBE,N]``, ``--activations`` or ``--noisy-only``.

* ``exact``: for each shape (d, k, m), planted instances ``planted_instance(d, k, m, n,
  seed=s)`` recovered by ``recover_network(X, Y, k=k, mode="exact", seed=s)``. A grid of
  ``n`` is scanned upwards with ``SCAN_SEEDS`` seeds (a point is left as soon as more
  seeds failed than 95 % allows); the first point at ≥ 95 % is confirmed with
  ``CONFIRM_SEEDS`` seeds (the scan's seeds included) — if it falls short the scan goes
  on. That point is n₉₅. On its first ``BASELINE_SEEDS`` instances, single-start
  L-BFGS-B (:func:`benchmarks.baselines.run_lbfgs`, capped at ``LBFGS_SECONDS``) and
  multi-start L-BFGS-B given 10 × our time on that very instance
  (:func:`benchmarks.baselines.run_lbfgs_multistart`).
* ``--bias SEEDS``: ``bias=True`` on instances with biases at the bias-free n₉₅ of each
  shape and twice it (:func:`bias_exact`), recorded in ``DIR/few_outputs_bias.json``.
* ``--at PROBE,N`` (one ``--shape``, for shapes too slow to scan, e.g. (50, 20, 1)): no
  scan; ``PROBE_SEEDS`` seeds at ``PROBE`` — all exact, and the run stays there — else
  ``N``; ``--seeds`` seeds there, none begun after ``--minutes``. n₉₅ ≤ that n is claimed
  only when every seed ran and ≥ 95 % are exact; otherwise the case carries a note. The
  baselines run on the first ``--baseline-seeds`` instances in a second process as soon
  as our row is in, the multi-start budget capped at ``MULTISTART_CAP`` seconds.
* ``--activations``: ``relu2`` and ``log(1+t)`` with one output: the smallest n of a
  grid where a few seeds are all exact, then more seeds there.
* ``noisy``: (20, 10, 1) at 20 dB, n = 20 000, 5 seeds: ``recover_network(..., k=10,
  mode="noisy")`` against the oracle, :func:`recover._refine.refine` started at the truth;
  the ratio of their errors.

Every method is scored by ``compare_networks(truth, estimate) ≤ EXACT``. Every miss of
ours must be loud (``RecoveryFailed``): a returned network that is not exact is counted
as "wrong returned" (must be 0). Records go to ``DIR/few_outputs.json`` after every cell
(rendered by :mod:`benchmarks.render` as "Fewer outputs than hidden units").
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from recover import (RecoveryFailed, TwoLayerNetwork, get_activation, planted_instance,
                     recover_network, refine)
from verify import compare_networks

from .baselines import EXACT, Budget, run_lbfgs, run_lbfgs_multistart
from .records import write_record

TARGET = 0.95
#: Cap of one single-start L-BFGS-B run (seconds).
LBFGS_SECONDS = 30.0
#: Cap of one multi-start L-BFGS-B run (seconds) at a fixed n (``--at``), whatever
#: 10 × our time on the instance is: our time there is minutes.
MULTISTART_CAP = 600.0
#: Seeds of the probe at the smaller n of ``--at``: all must be exact to run there.
PROBE_SEEDS = 10


@dataclass(frozen=True)
class Plan:
    """Everything in which the full and the quick runs differ."""

    name: str
    #: shape → grid of n, smallest first
    grids: dict
    scan_seeds: int
    confirm_seeds: int
    baseline_seeds: int
    #: shapes with fewer seeds (too slow to sweep): shape → (scan, confirm, baseline)
    reduced: dict
    noisy_seeds: int
    noisy_n: int
    command: str = ""
    #: shapes run at one n (``--at``): shape → probe n, n, seeds, caps
    fixed: dict | None = None
    #: other activations with one output (``--activations``)
    activations: tuple = ("relu2", "log(1+t)")
    activation_shapes: tuple = ((10, 5, 1), (20, 10, 1))
    activation_grid: tuple = (500, 1000, 2000)
    activation_probe: int = 5
    activation_seeds: int = 20


FULL = Plan("full", {(10, 5, 1): (75, 100, 150, 200, 300, 500),
                     (20, 10, 1): (300, 400, 600, 800, 1000, 1500),
                     (20, 10, 5): (300, 400, 500, 700), (50, 20, 1): (3000, 5000, 8000)},
            scan_seeds=20, confirm_seeds=50, baseline_seeds=10,
            reduced={(50, 20, 1): (5, 10, 3)}, noisy_seeds=5, noisy_n=20000)
QUICK = Plan("quick", {(6, 3, 1): (100, 200)}, scan_seeds=3, confirm_seeds=4,
             baseline_seeds=2, reduced={}, noisy_seeds=1, noisy_n=2000,
             activation_shapes=((6, 3, 1),), activation_grid=(100, 200),
             activation_probe=1, activation_seeds=2)


def run_ours(inst, seed: int, activation: str = "relu") -> dict:
    """One exact-mode recovery: seconds, error (inf when it failed loudly), outcome."""
    t0 = time.perf_counter()
    try:
        res = recover_network(inst.X, inst.Y, k=inst.network.k, activation=activation,
                              mode="exact", seed=seed)
    except RecoveryFailed:
        return {"seconds": time.perf_counter() - t0, "error": float("inf"),
                "outcome": "failed_loudly"}
    seconds = time.perf_counter() - t0
    error = compare_networks(inst.network, res.network)
    return {"seconds": seconds, "error": error,
            "outcome": "exact" if error <= EXACT else "wrong_returned"}


def tally(rows: list[dict]) -> dict:
    seconds = [r["seconds"] for r in rows]
    return {"seeds": len(rows), "exact": sum(r["outcome"] == "exact" for r in rows),
            "failed_loudly": sum(r["outcome"] == "failed_loudly" for r in rows),
            "wrong_returned": sum(r["outcome"] == "wrong_returned" for r in rows),
            "median_seconds": float(np.median(seconds)) if seconds else None}


def _seeds(plan: Plan, shape) -> tuple[int, int, int]:
    return plan.reduced.get(shape, (plan.scan_seeds, plan.confirm_seeds, plan.baseline_seeds))


def _point(shape, n: int, seeds: int, runs: list, start: int = 0,
           deadline: float | None = None, on_row=None) -> list[dict]:
    """Our rows at ``n`` for seeds ``start..seeds-1``, stopping once more failed than
    95 % of ``seeds`` allows, or (no new seed begun) past ``deadline`` (perf_counter
    seconds). ``on_row(row)`` is called after every new row."""
    allowed = int(np.floor((1 - TARGET) * seeds + 1e-9))
    rows = [r for r in runs if r["dims"] == list(shape) and r["n"] == n
            and r["method"] == "ours"]
    for s in range(start, seeds):
        if deadline is not None and time.perf_counter() > deadline:
            break
        row = {"method": "ours", "dims": list(shape), "n": n, "seed": s,
               **run_ours(planted_instance(*shape, n, seed=s), s)}
        runs.append(row)
        rows.append(row)
        if on_row is not None:
            on_row(row)
        if sum(r["outcome"] != "exact" for r in rows) > allowed:
            break
    return rows


def scan(shape, grid, plan: Plan, runs: list) -> dict:
    """n₉₅ of one shape (None when the grid never reaches it) and the curve."""
    scan_seeds, confirm_seeds, _ = _seeds(plan, shape)
    curve = []
    for n in grid:
        rows = _point(shape, n, scan_seeds, runs)
        if len(rows) == scan_seeds and tally(rows)["exact"] >= TARGET * scan_seeds:
            rows = _point(shape, n, confirm_seeds, runs, start=scan_seeds)
        t = tally(rows)
        curve.append({"n": n, **t})
        _say(f"ours {shape} n={n}", t)
        if t["seeds"] == confirm_seeds and t["exact"] >= TARGET * confirm_seeds:
            return {"dims": list(shape), "n95": n, "curve": curve, "ours": t}
    return {"dims": list(shape), "n95": None, "curve": curve, "ours": None}


def versus_rows(shape, n: int, seed: int, ours_seconds: float,
                cap: float | None = None) -> list[dict]:
    """Single- and multi-start L-BFGS-B rows on instance ``seed`` at ``n``; the
    multi-start run gets 10 × ``ours_seconds``, at most ``cap`` seconds when given."""
    inst = planted_instance(*shape, n, seed=seed)
    budget = Budget(seconds=LBFGS_SECONDS)
    multi = budget if cap is None else replace(
        budget, multistart_factor=min(budget.multistart_factor, cap / ours_seconds))
    rows = []
    for name, outcome in (("lbfgs", run_lbfgs(inst, seed, budget)),
                          ("lbfgs_multistart",
                           run_lbfgs_multistart(inst, seed, multi, ours_seconds))):
        rows.append({"method": name, "dims": list(shape), "n": n, "seed": seed,
                     "seconds": outcome.seconds, "error": outcome.error,
                     "outcome": "exact" if outcome.error <= EXACT else "not_exact",
                     "starts": outcome.extra.get("starts"),
                     "budget_seconds": outcome.extra.get("budget_seconds")})
    return rows


def versus_summary(shape, n: int, count: int, runs: list, quiet: bool = False) -> dict:
    """Tallies of ours and both L-BFGS-B variants on seeds ``0..count-1`` at ``n``; ours
    only on the instances the baselines finished (all of them unless cut short)."""
    def rows(method):
        return [r for r in runs if r["method"] == method and r["dims"] == list(shape)
                and r["n"] == n and r["seed"] < count]
    theirs = {r["seed"] for r in rows("lbfgs_multistart")}
    result = {"n": n, "ours": tally([r for r in rows("ours") if r["seed"] in theirs]),
              "lbfgs": tally(rows("lbfgs")),
              "lbfgs_multistart": tally(rows("lbfgs_multistart"))}
    for key in () if quiet else ("lbfgs", "lbfgs_multistart"):
        _say(f"{key} {shape} n={n}", result[key])
    return result


def baselines(shape, n: int, plan: Plan, runs: list) -> dict:
    """Single- and multi-start L-BFGS-B on our first instances at ``n``."""
    _, _, count = _seeds(plan, shape)
    for s in range(count):
        mine = next(r for r in runs if r["method"] == "ours" and r["dims"] == list(shape)
                    and r["n"] == n and r["seed"] == s)
        runs.extend(versus_rows(shape, n, s, mine["seconds"]))
    return versus_summary(shape, n, count, runs)


def at_n(shape, probe: int, n: int, seeds: int, baseline_seeds: int, runs: list,
         minutes: float, save=None) -> dict:
    """One shape at one n: ``PROBE_SEEDS`` seeds at ``probe`` — all exact, and that is
    the n — else ``n``; ``seeds`` seeds there, none begun after ``minutes``. The
    baselines run on the first ``baseline_seeds`` instances in a second process, each as
    soon as our row is in (our time sets the multi-start budget, capped at
    ``MULTISTART_CAP``), so ours and theirs share the machine; those begun on the probe's
    instances before it missed stay in ``runs`` but not in the summary. ``save(case)``
    is called after every row. n₉₅ ≤ n is claimed only when all ``seeds`` ran and ≥ 95 %
    are exact."""
    deadline = time.perf_counter() + 60.0 * minutes
    pending, chosen = [], [probe]
    with ProcessPoolExecutor(max_workers=1) as pool:
        def on_row(row):
            if row["seed"] < baseline_seeds and row["n"] == chosen[0]:
                pending.append(pool.submit(versus_rows, shape, row["n"], row["seed"],
                                           row["seconds"], MULTISTART_CAP))
            _harvest(pending, runs)
            if save is not None:
                save(_fixed_case(shape, chosen[0], probe, seeds, baseline_seeds, runs,
                                 minutes))
        probed = _point(shape, probe, PROBE_SEEDS, runs, deadline=deadline, on_row=on_row)
        if any(r["outcome"] != "exact" for r in probed):
            chosen[0] = n
            for future in pending:
                future.cancel()
        _point(shape, chosen[0], seeds, runs,
               start=len(probed) if chosen[0] == probe else 0, deadline=deadline,
               on_row=on_row)
        for future in pending:
            if not future.cancelled():
                runs.extend(future.result())
    pending.clear()
    case = _fixed_case(shape, chosen[0], probe, seeds, baseline_seeds, runs, minutes)
    for point in case["curve"]:
        _say(f"ours {shape} n={point['n']}", point)
    for key in ("lbfgs", "lbfgs_multistart"):
        _say(f"{key} {shape} n={chosen[0]}", case["versus"][key])
    return case


def _harvest(pending: list, runs: list) -> None:
    """Move the rows of finished baseline runs into ``runs``."""
    for future in [f for f in pending if f.done() and not f.cancelled()]:
        runs.extend(future.result())
        pending.remove(future)


def _fixed_case(shape, n: int, probe: int, seeds: int, baseline_seeds: int, runs: list,
                minutes: float) -> dict:
    """The case of :func:`at_n` from the rows in ``runs`` so far."""
    def ours_at(m):
        return [r for r in runs if r["method"] == "ours" and r["dims"] == list(shape)
                and r["n"] == m]
    curve = [] if n == probe else [{"n": probe, **tally(ours_at(probe))}]
    t = tally(ours_at(n))
    curve.append({"n": n, **t})
    done = t["seeds"] == seeds
    case = {"dims": list(shape), "n95": n if done and t["exact"] >= TARGET * seeds else None,
            "curve": curve, "ours": t if done else None,
            "versus": versus_summary(shape, n, baseline_seeds, runs, quiet=True)}
    if not done and t["seeds"] - t["exact"] <= int(np.floor((1 - TARGET) * seeds + 1e-9)):
        case["note"] = (f"only {t['seeds']} of {seeds} seeds at n = {n} finished within "
                        f"{minutes:g} min: n₉₅ not claimed")
    if case["versus"]["lbfgs_multistart"]["seeds"] < min(baseline_seeds, t["seeds"]):
        case["note"] = (case.get("note", "") + f"; baselines finished on "
                        f"{case['versus']['lbfgs_multistart']['seeds']} of "
                        f"{baseline_seeds} instances").lstrip("; ")
    return case


def noisy(plan: Plan, runs: list) -> dict:
    """Our noisy error against the oracle's (refinement from the truth)."""
    ratios = []
    act = get_activation("relu")
    for s in range(plan.noisy_seeds):
        inst = planted_instance(20, 10, 1, plan.noisy_n, seed=s, snr_db=20.0)
        t0 = time.perf_counter()
        res = recover_network(inst.X, inst.Y, k=10, mode="noisy", seed=s)
        seconds = time.perf_counter() - t0
        oracle = refine(inst.network.U, inst.network.V, inst.X, inst.Y, act)
        ours_error = compare_networks(inst.network, res.network)
        oracle_error = compare_networks(inst.network, TwoLayerNetwork(oracle.U, oracle.V))
        ratios.append(ours_error / oracle_error)
        runs.append({"method": "noisy", "dims": [20, 10, 1], "n": plan.noisy_n, "seed": s,
                     "seconds": seconds, "error": ours_error, "oracle_error": oracle_error,
                     "ratio": ratios[-1]})
        print(f"noisy seed {s}: ours {ours_error:.4g}, oracle {oracle_error:.4g}, ratio "
              f"{ratios[-1]:.3f}, {seconds:.1f} s", flush=True)
    return {"n": plan.noisy_n, "snr_db": 20.0, "seeds": plan.noisy_seeds,
            "median_ratio": float(np.median(ratios)), "max_ratio": float(np.max(ratios))}


def run(plan: Plan, out: str | None, shapes=None, noisy_run: bool = True) -> dict:
    """The exact cells of ``shapes`` (default all) and, when ``noisy_run``, the noisy
    ratio; the record is written after every cell."""
    started, runs = time.perf_counter(), []
    summary = {"cases": [], "noisy": None}
    for shape, grid in plan.grids.items():
        if shapes is not None and shape not in shapes:
            continue
        case = scan(shape, grid, plan, runs)
        if case["n95"] is not None:
            case["versus"] = baselines(shape, case["n95"], plan, runs)
        summary["cases"].append(case)
        _save(out, plan, started, runs, summary)
    if noisy_run:
        summary["noisy"] = noisy(plan, runs)
    _save(out, plan, started, runs, summary)
    return summary


def activation_cell(activation: str, shape, grid, probe_seeds: int, seeds: int,
                    runs: list) -> dict:
    """Exact-success rate of ``activation`` at ``shape``: the smallest n of ``grid``
    where ``probe_seeds`` seeds are all exact, then ``seeds`` seeds there (the probe's
    included). Rows carry ``"activation"``."""
    tried = []
    for n in grid:
        rows = []
        for s in range(seeds):
            inst = planted_instance(*shape, n, seed=s, activation=activation)
            rows.append({"method": "ours", "activation": activation, "dims": list(shape),
                         "n": n, "seed": s, **run_ours(inst, s, activation)})
            runs.append(rows[-1])
            if len(rows) <= probe_seeds and rows[-1]["outcome"] != "exact":
                break
        t = tally(rows)
        _say(f"{activation} {shape} n={n}", t)
        tried.append({"n": n, **t})
        if t["seeds"] == seeds:
            return {"activation": activation, "dims": list(shape), "n": n, "ours": t,
                    "tried": tried}
    return {"activation": activation, "dims": list(shape), "n": None, "ours": None,
            "tried": tried}


def run_activations(plan: Plan, out: str | None) -> dict:
    """:func:`activation_cell` for every activation and shape of the plan, recorded
    like :func:`run` (the record is written after every cell)."""
    started, runs = time.perf_counter(), []
    summary = {"cases": [], "noisy": None, "activations": []}
    for shape in plan.activation_shapes:
        for activation in plan.activations:
            summary["activations"].append(activation_cell(
                activation, shape, plan.activation_grid, plan.activation_probe,
                plan.activation_seeds, runs))
            _save(out, plan, started, runs, summary)
    return summary


#: ``bias=True``: shape → the n where the bias-free pipeline reaches 95 % (measured n₉₅;
#: benchmarks/records/few_outputs.json); each is run at that n and at twice it.
BIAS_POINTS = {(10, 5, 1): 100, (20, 10, 1): 400, (20, 10, 5): 400}
#: Planted biases ``b ~ N(0, β²)``, ``c ~ N(0, γ²)`` of the ``bias=True`` cells.
BIAS_STD, OUTPUT_BIAS_STD = 1.0, 1.0


def bias_exact(seeds: int, points=None, out: str | None = None, twice: bool = True
               ) -> list[dict]:
    """``recover_network(..., k=k, bias=True, mode="exact")`` on planted instances with
    biases at each shape's bias-free n₉₅ and (``twice``) twice it, ``seeds`` seeds each:
    exact (error ≤ EXACT, biases included), failed loudly, wrong returned, median seconds.
    With ``out``, every run and the per-cell tallies go to ``out/few_outputs_bias.json``
    (``few_outputs_bias_at.json`` for one point given by ``--bias-n``) after every cell
    (rendered into docs/algorithm.md, "With biases")."""
    started, rows, runs = time.perf_counter(), [], []
    points = BIAS_POINTS if points is None else points
    for shape, n95 in points.items():
        for n in (n95, 2 * n95) if twice else (n95,):
            cell = []
            for seed in range(seeds):
                inst = planted_instance(*shape, n, seed=seed, bias_std=BIAS_STD,
                                        output_bias_std=OUTPUT_BIAS_STD)
                cell.append(_run_with_bias(inst, seed))
                runs.append({"dims": list(shape), "n": n, "seed": seed, **cell[-1]})
            t = tally(cell)
            _say(f"bias=True {shape} n={n}", t)
            rows.append({"dims": list(shape), "n": n, **t})
            if out:
                _save_bias(out, seeds, points, started, runs, rows, twice)
    return rows


def _save_bias(out: str, seeds: int, points: dict, started: float, runs: list,
               cells: list, twice: bool = True) -> None:
    if twice:
        suite, scale = "few_outputs_bias", "full" if points == BIAS_POINTS else "quick"
        flags = " --quick" if points != BIAS_POINTS else ""
    else:  # one shape at one n (a shape too slow for the two-point cells)
        ((shape, n),) = points.items()
        suite, scale = "few_outputs_bias_at", "full"
        flags = f" --shape {','.join(map(str, shape))} --bias-n {n}"
    write_record(out, {
        "suite": suite, "title": "Exact recovery with biases, m < k",
        "scale": scale, "runs": runs,
        "summary": {"cells": cells}, "wall_seconds": time.perf_counter() - started,
        "params": {"seeds": seeds, "points": [[list(s), n] for s, n in points.items()],
                   "bias_std": BIAS_STD, "output_bias_std": OUTPUT_BIAS_STD,
                   "exact": EXACT,
                   "command": f"python -m benchmarks.few_outputs --bias {seeds}{flags}"
                              f" --out {out}"}})


def _run_with_bias(inst, seed: int) -> dict:
    t0 = time.perf_counter()
    try:
        res = recover_network(inst.X, inst.Y, k=inst.network.k, mode="exact", seed=seed,
                              bias=True)
    except RecoveryFailed:
        return {"seconds": time.perf_counter() - t0, "error": float("inf"),
                "outcome": "failed_loudly"}
    error = compare_networks(inst.network, res.network)
    return {"seconds": time.perf_counter() - t0, "error": error,
            "outcome": "exact" if error <= EXACT else "wrong_returned"}


def run_at(plan: Plan, out: str | None, shape, probe: int, n: int, seeds: int,
           baseline_seeds: int, minutes: float) -> dict:
    """:func:`at_n` for one shape, recorded like :func:`run`."""
    started, runs = time.perf_counter(), []
    plan = replace(plan, fixed={str(tuple(shape)): {
        "probe_n": probe, "probe_seeds": PROBE_SEEDS, "n": n, "seeds": seeds,
        "baseline_seeds": baseline_seeds, "minutes": minutes,
        "multistart_cap": MULTISTART_CAP}})

    def save(case):
        _save(out, plan, started, runs, {"cases": [case], "noisy": None})
    case = at_n(shape, probe, n, seeds, baseline_seeds, runs, minutes, save)
    save(case)
    return {"cases": [case], "noisy": None}


def _save(out, plan: Plan, started: float, runs: list, summary: dict) -> None:
    if out:
        write_record(out, {
            "suite": "few_outputs", "title": "Fewer outputs than hidden units (m < k)",
            "scale": plan.name, "runs": runs, "summary": summary,
            "wall_seconds": time.perf_counter() - started,
            "params": {"grids": {str(k): v for k, v in plan.grids.items()},
                       "scan_seeds": plan.scan_seeds, "confirm_seeds": plan.confirm_seeds,
                       "baseline_seeds": plan.baseline_seeds,
                       "reduced": {str(k): v for k, v in plan.reduced.items()},
                       "lbfgs_seconds": LBFGS_SECONDS, "exact": EXACT, "target": TARGET,
                       "fixed": plan.fixed,
                       "activations": {"names": list(plan.activations),
                                       "shapes": [list(x) for x in plan.activation_shapes],
                                       "grid": list(plan.activation_grid),
                                       "probe_seeds": plan.activation_probe,
                                       "seeds": plan.activation_seeds},
                       "command": plan.command}})


def _say(label: str, t: dict) -> None:
    median = "—" if t["median_seconds"] is None else f"{t['median_seconds']:.3g}"
    print(f"{label}: exact {t['exact']}/{t['seeds']}, failed loudly "
          f"{t.get('failed_loudly', 0)}, wrong {t.get('wrong_returned', 0)}, median "
          f"{median} s", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.few_outputs",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny shapes (smoke test)")
    parser.add_argument("--shape", action="append", default=None,
                        help="only this shape d,k,m (repeatable); skips the noisy run")
    parser.add_argument("--noisy-only", action="store_true", help="only the noisy ratio")
    parser.add_argument("--activations", action="store_true",
                        help="only other activations with one output (relu2, log(1+t))")
    parser.add_argument("--at", default=None, metavar="PROBE,N",
                        help=f"with one --shape: no scan; {PROBE_SEEDS} seeds at PROBE, "
                             "all exact → run there, else at N")
    parser.add_argument("--seeds", type=int, default=50, help="seeds of --at (default 50)")
    parser.add_argument("--baseline-seeds", type=int, default=5,
                        help="L-BFGS-B instances of --at (default 5)")
    parser.add_argument("--minutes", type=float, default=60.0,
                        help="no new seed of --at is begun after this (default 60)")
    parser.add_argument("--out", default="benchmarks/results")
    parser.add_argument("--bias", type=int, metavar="SEEDS", default=None,
                        help="only the bias=True cells, SEEDS seeds each (recorded in "
                             "OUT/few_outputs_bias.json)")
    parser.add_argument("--bias-n", type=int, metavar="N", default=None,
                        help="with --bias and one --shape: only that shape at N "
                             "(recorded in OUT/few_outputs_bias_at.json)")
    args = parser.parse_args(argv)
    if args.bias is not None and args.bias_n is not None:
        if not args.shape or len(args.shape) != 1:
            parser.error("--bias-n needs exactly one --shape")
        shape = tuple(int(v) for v in args.shape[0].split(","))
        bias_exact(args.bias, {shape: args.bias_n}, args.out, twice=False)
        return 0
    if args.bias is not None:
        bias_exact(args.bias, {(6, 3, 1): 200} if args.quick else None, args.out)
        return 0
    plan = replace(QUICK if args.quick else FULL,
                   command="python -m benchmarks.few_outputs " + " ".join(
                       sys.argv[1:] if argv is None else argv))
    shapes = [tuple(int(v) for v in s.split(",")) for s in args.shape] if args.shape else None
    if args.noisy_only:
        shapes = []
    if args.activations:
        run_activations(plan, args.out)
        return 0
    if args.at:
        if shapes is None or len(shapes) != 1:
            parser.error("--at needs exactly one --shape")
        probe, n = (int(v) for v in args.at.split(","))
        run_at(plan, args.out, shapes[0], probe, n, args.seeds, args.baseline_seeds,
               args.minutes)
        return 0
    run(plan, args.out, shapes, noisy_run=not args.shape)
    return 0


if __name__ == "__main__":
    sys.exit(main())
