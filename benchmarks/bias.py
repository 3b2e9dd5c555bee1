"""Exact recovery with biases: how often, how fast, and from how few samples.

Run ``python -m benchmarks.bias SUITE [--seeds N] [--quick] [--out DIR]`` with SUITE

* ``exactness``: for each shape (d, k, m) and hidden-bias spread σ, planted instances
  ``planted_instance(d, k, m, n, seed=s, bias_std=σ, output_bias_std=1)`` (Gaussian
  ``X``, ``U*``, ``V*``; ``b`` ~ N(0, σ²), ``c`` ~ N(0, 1)) recovered by
  ``recover_network(X, Y, k=k, bias=True, mode="exact", seed=s)``: exact recoveries,
  loud failures (``RecoveryFailed``), wrong answers returned (must be 0), seconds. The
  sample size is the first of a few candidates at which ≥ 99 % of the seeds are exact
  (every candidate tried is kept in the record).
* ``n95``: for each shape and σ, the exact-success rate along a grid of ``n``, scanned
  upwards until the rate is ≥ 95 % at ``CONFIRM`` consecutive grid points; ``n95`` is
  the first of them. A grid point is left as soon as more seeds failed than 95 % allows
  (its rate is then over the seeds run: failures at small n are the slow runs). On
  the same instances, at ``n95`` and at the first grid ``n`` from ``LARGER`` × ``n95``
  on, single-start L-BFGS-B on the model with biases
  (:func:`benchmarks.baselines.run_lbfgs` with ``bias=True``), capped in time.

Both methods are scored alike: ``compare_networks(truth, estimate)`` (weights, hidden
and output biases, after matching units) ``≤ EXACT = 1e-10`` is exact. Each suite prints
its rows and writes ``DIR/bias_<suite>.json`` after every cell, in the harness's record
format (rendered by :mod:`benchmarks.render` as "Exact recovery with biases").
``--quick`` runs tiny shapes for the smoke test.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, replace

import numpy as np

from recover import InvalidInputError, RecoveryFailed, planted_instance, recover_network
from verify import compare_networks

from .baselines import EXACT, Budget, Outcome, run_lbfgs
from .records import write_record

#: Rate at which a grid point counts as reached, and how many consecutive grid points
#: must reach it before the scan stops.
TARGET, CONFIRM = 0.95, 2
#: L-BFGS's second sample size is the first grid n ≥ LARGER × n95.
LARGER = 5


@dataclass(frozen=True)
class Plan:
    """Everything in which the full and the quick runs differ."""

    name: str
    shapes: tuple
    sigmas: tuple
    #: shape → candidate n of the exactness suite, smallest first
    candidates: dict
    grid: tuple
    seeds: int
    n95_seeds: int
    lbfgs_seconds: float
    command: str = ""


FULL = Plan(name="full", shapes=((20, 10, 10), (20, 10, 15), (50, 20, 30)),
            sigmas=(0.3, 1.0),
            candidates={(20, 10, 10): (500, 1000, 2000), (20, 10, 15): (500, 1000, 2000),
                        (50, 20, 30): (1000, 2000, 5000)},
            grid=(50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000),
            seeds=50, n95_seeds=20, lbfgs_seconds=20.0)

QUICK = Plan(name="quick", shapes=((6, 3, 3),), sigmas=(1.0,),
             candidates={(6, 3, 3): (150, 300)}, grid=(100, 150, 300, 600),
             seeds=2, n95_seeds=2, lbfgs_seconds=1.0)


def instance(shape: tuple, n: int, sigma: float, seed: int):
    """The planted instance with biases: ``b`` ~ N(0, σ²), ``c`` ~ N(0, 1)."""
    return planted_instance(*shape, n, seed=seed, bias_std=sigma, output_bias_std=1.0)


def run_ours(inst, seed: int) -> Outcome:
    """``recover_network(bias=True, mode="exact")`` with ``k`` given, scored on the truth."""
    t0 = time.perf_counter()
    try:
        res = recover_network(inst.X, inst.Y, k=inst.network.k, bias=True, mode="exact",
                              seed=seed)
    except (RecoveryFailed, InvalidInputError) as exc:  # loud failures are results
        # (InvalidInputError: too few samples for the lifted problem at the smallest n)
        return Outcome("relunet", time.perf_counter() - t0, float("inf"),
                       failed=f"{type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - t0
    return Outcome("relunet", seconds, compare_networks(inst.network, res.network),
                   extra={"attempts": len(res.attempts)})


def row_of(outcome: Outcome, shape: tuple, n: int, sigma: float, seed: int) -> dict:
    return {"method": outcome.method, "dims": list(shape), "n": n, "bias_std": sigma,
            "seed": seed, "seconds": outcome.seconds, "error": outcome.error,
            "exact": bool(outcome.error <= EXACT), "failed": outcome.failed,
            "extra": outcome.extra}


def tally(rows: list[dict]) -> dict:
    """Counts and times of one method's rows at one cell."""
    returned = [r["error"] for r in rows if r["failed"] is None]
    seconds = [r["seconds"] for r in rows]
    return {"seeds": len(rows), "exact": sum(r["exact"] for r in rows),
            "rate": float(np.mean([r["exact"] for r in rows])),
            "failed_loudly": sum(r["failed"] is not None for r in rows),
            "wrong_returned": sum(e > EXACT for e in returned),
            "max_error_of_returned": max(returned, default=0.0),
            "median_seconds": float(np.median(seconds)), "max_seconds": max(seconds),
            "capped": sum(bool(r["extra"].get("capped")) for r in rows)}


def cell_of_ours(shape: tuple, n: int, sigma: float, seeds: int,
                 allowed_failures: int | None = None) -> list[dict]:
    """Ours on seeds ``0 … seeds−1``; stops early once more than ``allowed_failures``
    seeds were not exact (``None``: never)."""
    rows = []
    for s in range(seeds):
        rows.append(row_of(run_ours(instance(shape, n, sigma, s), s), shape, n, sigma, s))
        if allowed_failures is not None and \
                sum(not r["exact"] for r in rows) > allowed_failures:
            break
    _say(f"ours {shape} σ={sigma} n={n}", tally(rows))
    return rows


# ------------------------------------------------------------------ exactness

def exactness(plan: Plan, out: str | None) -> dict:
    """Per shape and σ: the first candidate n with ≥ 99 % exact, and its counts."""
    started, runs, cases = time.perf_counter(), [], []
    for shape in plan.shapes:
        for sigma in plan.sigmas:
            tried = []
            for n in plan.candidates[shape]:
                rows = cell_of_ours(shape, n, sigma, plan.seeds)
                runs += rows
                tried.append(dict(tally(rows), n=n))
                if tried[-1]["rate"] >= 0.99:
                    break
            cases.append({"dims": list(shape), "bias_std": sigma, "n": tried[-1]["n"],
                          "reached": tried[-1]["rate"] >= 0.99, "tried": tried,
                          **tried[-1]})
            _save(out, "bias_exactness", plan, started, runs, {"cases": cases})
    return _record("bias_exactness", plan, started, runs, {"cases": cases})


# ------------------------------------------------------------------ n95

def n95(plan: Plan, out: str | None) -> dict:
    """Per shape and σ: the rate along the grid up to n95, then L-BFGS at n95 and larger."""
    started, runs, cases = time.perf_counter(), [], []
    budget = Budget(seconds=plan.lbfgs_seconds)
    for shape in plan.shapes:
        for sigma in plan.sigmas:
            curve, found = scan(plan, shape, sigma, runs)
            case = {"dims": list(shape), "bias_std": sigma, "seeds": plan.n95_seeds,
                    "curve": curve, "n95": found,
                    "n95_is_upper_bound": found == curve[0]["n"], "lbfgs": []}
            cases.append(case)
            for n in lbfgs_sizes(plan.grid, found):
                case["lbfgs"].append(compare_at(plan, shape, sigma, n, budget, runs))
                _save(out, "bias_n95", plan, started, runs, {"cases": cases})
            _save(out, "bias_n95", plan, started, runs, {"cases": cases})
    return _record("bias_n95", plan, started, runs, {"cases": cases})


def scan(plan: Plan, shape: tuple, sigma: float, runs: list) -> tuple[list, int | None]:
    """Ours along the grid until ``CONFIRM`` consecutive points reach ``TARGET``;
    returns the curve and n95 (``None`` if the grid ends first)."""
    curve, streak = [], 0
    allowed = int(np.floor((1 - TARGET) * plan.n95_seeds + 1e-9))
    for n in plan.grid:
        rows = cell_of_ours(shape, n, sigma, plan.n95_seeds, allowed)
        runs += rows
        curve.append(dict(tally(rows), n=n, stopped_early=len(rows) < plan.n95_seeds))
        streak = streak + 1 if curve[-1]["rate"] >= TARGET else 0
        if streak == CONFIRM:
            return curve, curve[-CONFIRM]["n"]
    return curve, (curve[-1]["n"] if streak else None)


def lbfgs_sizes(grid: tuple, found: int | None) -> list[int]:
    """n95 and the first grid n from ``LARGER`` × n95 on (the last grid n at most)."""
    if found is None:
        return []
    larger = next((n for n in grid if n >= LARGER * found), grid[-1])
    return [found] if larger == found else [found, larger]


def compare_at(plan: Plan, shape: tuple, sigma: float, n: int, budget: Budget,
               runs: list) -> dict:
    """Ours and single-start L-BFGS (with biases) on the same seeded instances (ours
    is taken from the scan where it already ran there: seeded, hence the same)."""
    ours, lbfgs = [], []
    for s in range(plan.n95_seeds):
        inst = instance(shape, n, sigma, s)
        mine = _earlier(runs, shape, n, sigma, s)
        if mine is None:
            mine = row_of(run_ours(inst, s), shape, n, sigma, s)
            runs.append(mine)
        ours.append(mine)
        lbfgs.append(row_of(run_lbfgs(inst, s, budget, bias=True), shape, n, sigma, s))
    runs += lbfgs
    _say(f"lbfgs {shape} σ={sigma} n={n}", tally(lbfgs))
    return {"n": n, "ours": tally(ours), "lbfgs": tally(lbfgs),
            "cap_seconds": budget.seconds}


def _earlier(runs: list, shape: tuple, n: int, sigma: float, seed: int) -> dict | None:
    """Our row on this instance if the scan recorded one."""
    return next((r for r in runs if r["method"] == "relunet" and r["dims"] == list(shape)
                 and r["n"] == n and r["bias_std"] == sigma and r["seed"] == seed), None)


# ------------------------------------------------------------------ records

def _params(plan: Plan) -> dict:
    return {"shapes": plan.shapes, "bias_std": plan.sigmas, "output_bias_std": 1.0,
            "candidates": {str(k): v for k, v in plan.candidates.items()},
            "grid": plan.grid, "seeds": plan.seeds, "n95_seeds": plan.n95_seeds,
            "lbfgs_seconds": plan.lbfgs_seconds, "exact": EXACT, "target": TARGET,
            "confirm": CONFIRM, "larger": LARGER, "command": plan.command}


#: Headings of the records' sections in the rendered doc.
TITLES = {"bias_exactness": "Exact recovery with biases",
          "bias_n95": "Exact recovery with biases: samples needed (n₉₅) and L-BFGS-B"}


def _record(suite: str, plan: Plan, started: float, runs: list, summary: dict) -> dict:
    return {"suite": suite, "title": TITLES[suite], "scale": plan.name,
            "params": _params(plan), "runs": runs, "summary": summary,
            "wall_seconds": time.perf_counter() - started}


def _save(out: str | None, suite: str, plan: Plan, started: float, runs: list,
          summary: dict) -> None:
    """Write the record so far (nothing is lost if a long run is stopped)."""
    if out:
        write_record(out, _record(suite, plan, started, runs, summary))


def _say(label: str, t: dict) -> None:
    print(f"{label}: exact {t['exact']}/{t['seeds']}, failed loudly {t['failed_loudly']}, "
          f"wrong {t['wrong_returned']}, capped {t['capped']}, median "
          f"{t['median_seconds']:.3g} s, max {t['max_seconds']:.3g} s", flush=True)


def _positive(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"a positive number of seeds, not {text!r}")
    return value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bias",
                                      description=__doc__.split("\n")[0])
    parser.add_argument("suite", choices=["exactness", "n95"])
    parser.add_argument("--seeds", type=_positive, default=None,
                        help="seeds per cell (default 50 for exactness, 20 for n95)")
    parser.add_argument("--quick", action="store_true", help="tiny shapes (smoke test)")
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args(argv)
    plan = replace(QUICK if args.quick else FULL,
                   command="python -m benchmarks.bias " + " ".join(
                       sys.argv[1:] if argv is None else argv))
    if args.seeds is not None:
        plan = replace(plan, seeds=args.seeds, n95_seeds=args.seeds)
    (exactness if args.suite == "exactness" else n95)(plan, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
