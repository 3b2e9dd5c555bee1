"""The noise check (docs/noisy.md) on correctly specified planted data: does a fit that
reached the right network stay inside its threshold?

For every SNR, noise kind, shape and seed, planted ReLU data with ``k`` given are
recovered with ``mode="noisy"``; the oracle (the same refinement started at the truth,
:func:`benchmarks.noisy.oracle`) gives the error a right fit reaches. A fit counts as
*right* when its error after matching is at most ``RIGHT`` times the oracle's. Recorded
per run: the check's F (``diagnostics["noise_check"]["ratio"]``), its threshold, both
errors and whether the labels were called misspecified.

    OPENBLAS_NUM_THREADS=1 python -m benchmarks.noise_check --seeds 3 \
        --record benchmarks/records/docs
"""

from __future__ import annotations

import argparse
import time
import warnings

from recover import NOISE_KINDS, RelunetWarning, planted_instance, recover_network
from verify import compare_networks

from .noisy import oracle
from .records import write_record

SNRS = (0.0, 10.0, 20.0, 40.0)
SHAPES = [(10, 5, 8, 1000), (12, 5, 8, 2000), (20, 10, 15, 2000), (6, 3, 4, 500),
          (10, 4, 6, 500)]
#: A fit within this factor of the oracle's error reached the right network.
RIGHT = 1.25


def one_run(shape, snr: float, kind: str, seed: int) -> dict:
    inst = planted_instance(*shape, seed=seed, snr_db=snr, noise_kind=kind)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RelunetWarning)
        res = recover_network(inst.X, inst.Y, k=shape[1], mode="noisy", seed=seed)
    seconds = time.perf_counter() - start
    check = res.diagnostics.get("noise_check") or {}
    error = compare_networks(inst.network, res.network)
    reference = compare_networks(inst.network, oracle(inst))
    return {"shape": shape, "snr_db": snr, "kind": kind, "seed": seed, "error": error,
            "oracle": reference, "right": error <= RIGHT * reference,
            "checked": bool(check.get("checked")), "F": check.get("ratio"),
            "threshold": check.get("threshold"), "kurtosis": check.get("kurtosis"),
            "misspecified": res.misspecified, "seconds": seconds}


def _write(out: str, runs: list[dict], seeds: int, seconds: float) -> None:
    write_record(out, {
        "suite": "noise_check", "scale": "full",
        "params": {"snr_db": SNRS, "kinds": list(NOISE_KINDS), "shapes": SHAPES,
                   "seeds": seeds, "right": RIGHT,
                   "command": f"python -m benchmarks.noise_check --seeds {seeds}"},
        "runs": runs, "summary": {}, "wall_seconds": seconds})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.noise_check")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--record", default=None, metavar="DIR",
                        help="write DIR/noise_check.json")
    args = parser.parse_args(argv)
    start, runs = time.perf_counter(), []
    for seed in range(args.seeds):
        for shape in SHAPES:
            for snr in SNRS:
                for kind in NOISE_KINDS:
                    runs.append(one_run(shape, snr, kind, seed))
                    r = runs[-1]
                    print(f"{shape} {snr:4.0f} dB {kind:10s} seed {seed}: F {r['F']} "
                          f"threshold {r['threshold']} right {r['right']} "
                          f"{r['seconds']:.1f} s", flush=True)
        if args.record:  # after every seed: a stopped run keeps the seeds it finished
            _write(args.record, runs, seed + 1, time.perf_counter() - start)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
