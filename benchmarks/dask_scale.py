"""Exact recovery from ``.npy`` files through Dask, on a ``distributed.LocalCluster``.

``python -m benchmarks.dask_scale --n 1000000 --n 3000000 --data DIR --out benchmarks/records``

For each ``n``: the planted network of ``planted_instance(20, 10, 15, …, seed)`` labels
Gaussian inputs drawn chunk by chunk (one seeded generator per chunk) and written to
``DIR/X.npy`` (d×n) and ``DIR/Y.npy`` (m×n) with plain writes, never the whole array in
memory. A fresh child process then starts a ``LocalCluster`` (2 worker processes of one
thread, a memory limit each), reads the files with :func:`recover.npy_as_dask` and runs
``recover_network``; it reports the wall time, the passes over the data and their
seconds (``diagnostics["dask"]``), the error against the planted network
(:func:`verify.compare_networks`) and the peak resident memory of the client process
(which also runs the scheduler) and of each worker (``ru_maxrss``). The data folder is
deleted after each ``n``. One record, ``OUT/dask.json``, holds every ``n`` run
(rendered by :mod:`benchmarks.render` as "Data larger than memory (Dask)").

The files are read back right after being written, so the passes read from the OS page
cache when it holds them; the record keeps the bytes on disk and the machine's memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time

import numpy as np
from numpy.lib import format as npy_format

from .records import write_record

DIMS = (20, 10, 15)
#: Samples drawn and written at a time by :func:`write_planted`.
WRITE_CHUNK = 2 ** 20


def write_planted(folder: str, n: int, seed: int = 0, dims=DIMS) -> dict:
    """Write ``X.npy`` and ``Y.npy`` of the planted network at ``n`` samples to
    ``folder`` in chunks of :data:`WRITE_CHUNK` samples; returns the paths, the truth
    (as arrays) and the bytes written."""
    from recover import planted_instance

    d, k, m = dims
    network = planted_instance(d, k, m, 1000, seed=seed).network
    os.makedirs(folder, exist_ok=True)
    paths = {name: os.path.join(folder, f"{name}.npy") for name in ("X", "Y")}
    with open(paths["X"], "wb") as fx, open(paths["Y"], "wb") as fy:
        offsets = {name: _header(fh, rows, n) for name, fh, rows in
                   (("X", fx, d), ("Y", fy, m))}
        for i, start in enumerate(range(0, n, WRITE_CHUNK)):
            width = min(WRITE_CHUNK, n - start)
            X = np.random.default_rng([seed, i]).standard_normal((d, width))
            _write_columns(fx, offsets["X"], X, n, start)
            _write_columns(fy, offsets["Y"], network(X), n, start)
    return {"paths": paths, "network": {"U": network.U, "V": network.V},
            "bytes": sum(os.path.getsize(p) for p in paths.values())}


def _header(fh, rows: int, n: int) -> int:
    npy_format.write_array_header_2_0(fh, {"descr": "<f8", "fortran_order": False,
                                           "shape": (rows, n)})
    offset = fh.tell()
    fh.truncate(offset + rows * n * 8)
    return offset


def _write_columns(fh, offset: int, block: np.ndarray, n: int, start: int) -> None:
    """Columns ``start…`` of a C-order (rows×n) float64 ``.npy``: one write per row."""
    for i, row in enumerate(np.ascontiguousarray(block, dtype="<f8")):
        fh.seek(offset + (i * n + start) * 8)
        fh.write(row.tobytes())


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _child(folder: str, seed: int, chunk: int, worker_memory: str) -> dict:
    """Recover from ``folder`` on a LocalCluster; runs in a fresh process."""
    from distributed import Client, LocalCluster

    from recover import TwoLayerNetwork, npy_as_dask, recover_network
    from verify import compare_networks

    with open(os.path.join(folder, "truth.json")) as fh:
        truth = {key: np.array(value) for key, value in json.load(fh).items()}
    with LocalCluster(n_workers=2, threads_per_worker=1, memory_limit=worker_memory,
                      processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        X = npy_as_dask(os.path.join(folder, "X.npy"), "X", chunk)
        Y = npy_as_dask(os.path.join(folder, "Y.npy"), "Y", chunk)
        t0 = time.perf_counter()
        result = recover_network(X, Y, k=DIMS[1], seed=seed)
        seconds = time.perf_counter() - t0
        workers = client.run(_peak_rss)
    error = compare_networks(TwoLayerNetwork(truth["U"], truth["V"]), result.network)
    info = dict(result.diagnostics["dask"])
    info.pop("singular_values")
    return {"seconds": seconds, "exact": result.exact, "residual": result.residual,
            "error": error, "client_peak_rss_bytes": _peak_rss(),
            "worker_peak_rss_bytes": sorted(workers.values()), "timings": result.timings,
            **info}


def run_one(n: int, folder: str, seed: int, chunk: int, worker_memory: str) -> dict:
    t0 = time.perf_counter()
    written = write_planted(folder, n, seed)
    with open(os.path.join(folder, "truth.json"), "w") as fh:
        json.dump({key: value.tolist() for key, value in written["network"].items()}, fh)
    write_seconds = time.perf_counter() - t0
    try:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.dask_scale", "--child",
                               folder, str(seed), str(chunk), worker_memory],
                              capture_output=True, text=True, cwd=_repo_root())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    run = {"n": n, "bytes_on_disk": written["bytes"], "write_seconds": write_seconds,
           "chunk": chunk, "worker_memory": worker_memory,
           "load_average": list(os.getloadavg())}
    if proc.returncode != 0:
        return {**run, "failed": proc.stderr.strip()[-2000:]}
    return {**run, **json.loads(proc.stdout.strip().splitlines()[-1])}


def _repo_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dask_scale",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, action="append", required=True,
                        help="samples (repeatable, run in order)")
    parser.add_argument("--data", required=True, help="folder for X.npy, Y.npy (deleted)")
    parser.add_argument("--out", default="benchmarks/results")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chunk", type=int, default=2 ** 18, help="samples per chunk")
    parser.add_argument("--worker-memory", default="1.5GiB",
                        help="memory limit of each of the 2 workers")
    args = parser.parse_args(argv)
    started, runs = time.perf_counter(), []
    for n in args.n:
        runs.append(run_one(n, args.data, args.seed, args.chunk, args.worker_memory))
        print(json.dumps(runs[-1]), flush=True)
        write_record(args.out, {
            "suite": "dask", "scale": "full", "title": "Data larger than memory (Dask)",
            "params": {"dims": list(DIMS), "seed": args.seed, "workers": 2,
                       "threads_per_worker": 1, "memory_bytes": _machine_memory(),
                       "command": "python -m benchmarks.dask_scale " + " ".join(
                           sys.argv[1:] if argv is None else argv)},
            "runs": runs, "summary": {}, "wall_seconds": time.perf_counter() - started})
    return 0


def _machine_memory() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        folder, seed, chunk, memory = sys.argv[2:6]
        print(json.dumps(_child(folder, int(seed), int(chunk), memory)))
    else:
        sys.exit(main())
