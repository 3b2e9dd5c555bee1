"""Record of recover_network's results before n_jobs existed (see test_parallel.py).

Run as ``python -m tests.recover._sequential_record`` only for an intended change of the
sequential path's behaviour: it rewrites tests/recover/data/sequential_recorded.json.
"""

import hashlib
import json
import time
from pathlib import Path

import numpy as np

from recover import planted_instance, recover_network

RECORD = Path(__file__).parent / "data" / "sequential_recorded.json"
#: (d, k, m, n), seed, activation, bias — each branch of the exact path: residual-anchor
#: programs (relu), the redo loop of an f flat at 0 (relu2), the half-space test and the
#: weight cones (step), a unit's scale (log(1+t)), k = 1, the lifted problem (bias).
CASES = {
    "relu": ((12, 6, 8, 1500), 3, "relu", False),
    "relu2": ((10, 5, 8, 1000), 1, "relu2", False),
    "step": ((12, 6, 8, 1500), 42, "step", False),
    "log1p": ((10, 4, 6, 1000), 5, "log(1+t)", False),
    "k=1": ((5, 1, 3, 200), 0, "relu", False),
    "bias": ((10, 5, 8, 1000), 2, "relu", True),
}


def outcome(dims, seed, activation, bias, **options) -> dict:
    """What must not change: the network (its floats as hex), the facets found (through
    the diagnostics that count them), the search's statistics and the attempts."""
    extra = {"bias_std": 0.5} if bias else {}
    inst = planted_instance(*dims, seed=seed, activation=activation, **extra)
    res = recover_network(inst.X, inst.Y, k=dims[1], activation=activation, seed=seed,
                          mode="exact", bias=bias, **options)
    net, diag = res.network, res.diagnostics
    arrays = [net.U, net.V] + ([net.b, net.c] if net.has_bias else [])
    return {"exact": res.exact,
            "network_sha256": hashlib.sha256(b"".join(a.tobytes() for a in arrays)).hexdigest(),
            "U": [float(x).hex() for x in net.U.ravel()],
            "V": [float(x).hex() for x in net.V.ravel()],
            "attempts": [dict(a) for a in res.attempts],
            "facet_counts": list(diag["facet_counts"]),
            "cone_stats": diag.get("cone_stats"),
            "diagnostic_keys": sorted(diag)}


if __name__ == "__main__":
    t0 = time.perf_counter()
    RECORD.write_text(json.dumps({name: outcome(*case) for name, case in CASES.items()},
                                 indent=1, sort_keys=True) + "\n")
    print(f"wrote {RECORD} in {time.perf_counter() - t0:.1f} s")
