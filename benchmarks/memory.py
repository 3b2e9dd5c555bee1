"""Peak memory of ``recover_network``, measured in a fresh child process.

The parent draws the planted instance and saves ``X`` and ``Y`` to ``.npy`` files (so the
child's peak is not that of *drawing* the instance, which holds several ``m×n`` arrays at
once). The child (``python -m benchmarks.memory X.npy Y.npy k seed``) loads them, starts
:mod:`tracemalloc` (numpy reports its array allocations to it), runs
``recover_network(X, Y, k=k, seed=seed)`` and prints one JSON line:

* ``input_bytes`` — ``X.nbytes + Y.nbytes``;
* ``traced_peak_bytes`` — peak of the memory allocated *during* recovery and traced by
  tracemalloc (numpy arrays and Python objects; not the inputs, not memory allocated
  inside C/C++ libraries that do not report to tracemalloc, such as the HiGHS LP solver
  and LAPACK workspaces);
* ``rss_before_bytes`` — resident set size after imports and loading ``X``, ``Y``;
* ``peak_rss_bytes`` — the child's peak resident set size (``VmHWM`` of
  ``/proc/self/status``), which includes the interpreter, numpy/scipy and the inputs:
  everything, from the OS's view. Not ``ru_maxrss``: Linux carries that over ``exec``
  from the forked copy of the parent, so it reported the *parent's* peak whenever the
  parent (the benchmark harness, after the suites at n = 10⁶) was the larger.

Ratios to ``input_bytes``: ``traced_ratio = (input + traced peak) / input`` (what the
pipeline holds at its peak, inputs included) and ``rss_ratio = peak RSS / input``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def measure_peak_memory(dims, seed: int = 0) -> dict:
    """Draw ``planted_instance(*dims, seed)`` here, measure recovery in a child process."""
    from recover import planted_instance

    inst = planted_instance(*dims, seed=seed)
    k = inst.network.k
    with tempfile.TemporaryDirectory(prefix="relunet-mem-") as folder:
        paths = [os.path.join(folder, name) for name in ("X.npy", "Y.npy")]
        np.save(paths[0], inst.X)
        np.save(paths[1], inst.Y)
        del inst
        proc = subprocess.run([sys.executable, "-m", "benchmarks.memory", *paths, str(k),
                               str(seed)], capture_output=True, text=True,
                              cwd=_repo_root(), env=os.environ.copy())
    if proc.returncode != 0:
        return {"dims": list(dims), "failed": proc.stderr.strip()[-2000:]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["dims"] = list(dims)
    return result


def _repo_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _rss_bytes(field: str = "VmRSS") -> int:
    """A size of ``/proc/self/status`` in bytes: the resident set (``VmRSS``) or its
    peak since the process started its program (``VmHWM``); 0 where there is none."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    return 0


def _child(x_path: str, y_path: str, k: int, seed: int) -> dict:
    import tracemalloc

    from recover import recover_network

    X, Y = np.load(x_path), np.load(y_path)
    inputs = X.nbytes + Y.nbytes
    rss_before = _rss_bytes()
    tracemalloc.start()
    t0 = time.perf_counter()
    res = recover_network(X, Y, k=k, seed=seed)
    seconds = time.perf_counter() - t0
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    peak_rss = _rss_bytes("VmHWM")
    return {"input_bytes": inputs, "traced_peak_bytes": traced_peak,
            "rss_before_bytes": rss_before, "peak_rss_bytes": peak_rss,
            "traced_ratio": (inputs + traced_peak) / inputs,
            "rss_ratio": peak_rss / inputs, "seconds_under_tracemalloc": seconds,
            "timings": res.timings}


if __name__ == "__main__":
    x_path, y_path, k, seed = sys.argv[1:5]
    print(json.dumps(_child(x_path, y_path, int(k), int(seed))))
