"""Internal module of :mod:`recover`: :func:`recover.recover_network` on ``dask.array``
inputs — data larger than memory, or held by a ``dask.distributed`` cluster.

The exact pipeline solves on evenly spread subsets of the samples
(:mod:`recover._spread`) and needs all of them only to confirm. So, with ``X`` (d×n) and
``Y`` (m×n) as dask arrays chunked along the samples:

1. **scan** (one pass over the data): per chunk, the count of non-finite entries, the
   triangular factor ``R`` of ``Yᵀ`` (tall-skinny QR: the ``R`` of each chunk, then the
   singular values of their stack, which are those of ``Y``) and the chunk's columns of
   the spread subset, gathered into memory;
2. the in-memory pipeline, in exact mode, on the subset (``Y`` must have the same rank
   on the subset as on all samples);
3. **check** (one pass; :func:`recover._subset.check_block`, the check of large numpy
   inputs too): per chunk, ``‖U f(VX + b) + c − Y‖²``, ``‖Y‖²``, the largest
   entry of each, and the samples on which each unit is active.

The result is exact only when the residual over *all* samples is at machine level:
the relative residual ``‖E‖_F/‖Y‖_F`` and the largest entry ``max|E|/max|Y|`` (as
the in-memory path checks), both at most ``Tolerances.residual_rtol``, so that a
label wrong on one sample out of millions is not averaged away. Otherwise
:class:`RecoveryFailed`. Each pass is one ``dask.compute`` of per-chunk summaries, run by
whatever scheduler is in force (threads, or a ``distributed.Client``); the passes, their
seconds and the chunk count are in ``diagnostics["dask"]``.

Only the exact mode runs here: the noisy estimator refines on all samples in memory.
Dask is an optional extra (``pip install 'relunet[dask]'``): it is imported when a
function here is called, never when :mod:`recover` is imported.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Callable

import numpy as np

from ._errors import InvalidInputError, RecoveryFailed
from ._io import load_array
from ._result import RecoveryResult
from ._span import _tall_r, left_singular, numerical_rank
from ._spread import spread_columns
from ._subset import check_block, confirmed, summed
from ._tolerances import checked, current, using
from ._validation import check_positive_int, check_real_dtype

__all__ = ["is_dask_array", "npy_as_dask", "recover_chunked"]

#: Samples the in-memory pipeline runs on (evenly spread; all of them when ``n`` is at
#: most twice this): far above what any of its steps solves on (at most 1000 per unit,
#: the facet programs), and 56 MB at (d, m) = (20, 15).
SUBSET_SAMPLES = 200_000
#: Default chunk of :func:`npy_as_dask`: 2^18 samples, 42 MB of X at d = 20.
SAMPLES_PER_CHUNK = 2 ** 18
_INSTALL = "pip install 'relunet[dask]'"


def is_dask_array(a) -> bool:
    """True for a ``dask.array.Array`` (without importing dask: an array of it exists
    only once dask is imported)."""
    module = sys.modules.get("dask.array")
    return module is not None and isinstance(a, module.Array)


def _dask():
    try:
        import dask
        import dask.array
    except ImportError:
        raise InvalidInputError(f"dask arrays need the optional dependency dask: "
                                f"{_INSTALL}") from None
    return dask


# --------------------------------------------------------------------- reading .npy files

class _NpyColumns:
    """A ``.npy`` file (d×n) as an array-like for ``dask.array.from_array``: slicing it
    reads those entries from the file, as float64. Plain reads rather than a memory map:
    pages of a map would stay in the process's resident memory after use, and a map
    pickles as all of its data where this holds only the path, so a cluster's workers
    read their own chunks from a file system they share with the client."""

    def __init__(self, path: str, shape: tuple, stored: np.dtype, offset: int,
                 fortran: bool):
        self.path, self.shape, self.stored = path, shape, stored
        self.offset, self.fortran, self.ndim = offset, fortran, 2
        self.dtype = np.dtype(float)  # what slicing returns

    def __getitem__(self, index) -> np.ndarray:
        (r0, r1), (c0, c1) = (_span_of(s, size) for s, size in zip(index, self.shape))
        d, n, size = self.shape[0], self.shape[1], self.stored.itemsize
        with open(self.path, "rb") as fh:
            if self.fortran:  # columns c0..c1 are one run of the file
                fh.seek(self.offset + c0 * d * size)
                run = self._read(fh, (c1 - c0) * d)
                block = run.reshape((d, c1 - c0), order="F")[r0:r1]
            else:  # one run per row
                block = np.empty((r1 - r0, c1 - c0), self.stored)
                for i in range(r0, r1):
                    fh.seek(self.offset + (i * n + c0) * size)
                    block[i - r0] = self._read(fh, c1 - c0)
        return block.astype(float, copy=False)

    def _read(self, fh, count: int) -> np.ndarray:
        run = np.fromfile(fh, dtype=self.stored, count=count)
        if len(run) != count:
            raise InvalidInputError(f"{self.path}: shorter than its header says (changed "
                                    f"while being read?)")
        return run


def _span_of(index, size: int) -> tuple[int, int]:
    if not isinstance(index, slice) or index.indices(size)[2] != 1:
        raise IndexError(f"only contiguous slices are read, not {index!r}")
    start, stop, _ = index.indices(size)
    return start, max(start, stop)


def npy_as_dask(path, name: str | None = None, samples_per_chunk: int = SAMPLES_PER_CHUNK):
    """The matrix (d×n) of a ``.npy`` file as a float64 ``dask.array`` chunked along the
    samples (columns), ``samples_per_chunk`` of them per chunk, read lazily from the file
    (never written). The header is checked here (:func:`recover.load_array` with
    ``mmap=True``); non-finite entries are found by the recovery's scan.

    Raises InvalidInputError when dask is not installed or the file is not a 2-D real
    ``.npy``.
    """
    dask = _dask()
    samples_per_chunk = check_positive_int(samples_per_chunk, "samples_per_chunk")
    mapped = load_array(path, name, mmap=True)
    if mapped.ndim != 2:
        raise InvalidInputError(f"{name or path}: must hold a 2-D matrix, got shape "
                                f"{mapped.shape}")
    fortran = bool(mapped.flags.f_contiguous and not mapped.flags.c_contiguous)
    source = _NpyColumns(os.path.abspath(path), mapped.shape, mapped.dtype,
                         mapped.offset, fortran)
    del mapped
    stat = os.stat(source.path)
    token = dask.base.tokenize(source.path, stat.st_mtime_ns, stat.st_size,
                               samples_per_chunk)
    return dask.array.from_array(source, chunks=(-1, samples_per_chunk), asarray=False,
                                 meta=np.empty((0, 0)), name=f"npy-{token}")


# ------------------------------------------------------------------- the chunked recovery

def recover_chunked(recover: Callable[..., RecoveryResult], X, Y, k, mode: str,
                    progress: Callable[[str], None] | None, options: dict) -> RecoveryResult:
    """``recover(X_s, Y_s, k=k, mode="exact", progress=progress, **options)`` — the
    in-memory :func:`recover.recover_network` — on the spread subset of dask arrays ``X``
    (d×n) and ``Y`` (m×n) (either may be a numpy array), confirmed on all samples in two
    passes (module docstring). ``mode`` "noisy" is refused; "auto" runs the exact mode.
    """
    dask = _dask()
    if mode == "noisy":
        raise InvalidInputError("mode='noisy' is not supported for dask arrays: the noisy "
                                "estimator refines on all samples in memory; dask inputs "
                                "run the exact mode (mode='exact' or 'auto'), or pass "
                                "numpy arrays")
    X, Y = _aligned(X, Y)
    tol = current() if options.get("tol") is None else checked(options["tol"])
    with using(tol):  # the caller's tolerances for the checks over all samples too
        return _recover_chunked(dask, recover, X, Y, k, mode, progress, options)


def _recover_chunked(dask, recover, X, Y, k, mode, progress, options) -> RecoveryResult:
    say = progress or (lambda message: None)
    n, start = X.shape[1], time.perf_counter()
    cols = spread_columns(n, SUBSET_SAMPLES)
    cols = np.arange(n) if cols is None else cols
    info = {"passes": 0, "pass_seconds": {}, "chunks": len(X.chunks[1]),
            "subset": len(cols)}
    scan = _pass(info, "scan", _scan_tasks(dask, X, Y, cols))
    X_s, Y_s, singular = _gathered(scan, X.shape[0], Y.shape[0])
    info["singular_values"] = singular
    say(f"dask scan: {n} samples in {info['chunks']} chunks, "
        f"{info['pass_seconds']['scan']:.1f} s; recovering on {len(cols)} spread samples")
    _same_rank(singular, Y_s, info)
    try:
        sub = recover(X_s, Y_s, k=k, mode="exact", progress=progress, **options)
    except RecoveryFailed as exc:
        note = ("" if mode == "exact" else "; dask inputs run the exact mode only (the "
                "noisy estimator needs all samples in memory)")
        raise RecoveryFailed(f"{exc} (on {len(cols)} spread samples of n = {n}){note}",
                             {**exc.diagnostics, "dask": info}) from None
    check = _pass(info, "check", _check_tasks(dask, X, Y, sub.network))
    say(f"dask check: {info['pass_seconds']['check']:.1f} s")
    return confirmed(sub, summed(check), info, n, time.perf_counter() - start, "dask")


def _aligned(X, Y):
    """``X`` and ``Y`` as float64 dask arrays with one chunk of rows and the same chunks
    of samples (a numpy operand is wrapped in the other's chunks), after the checks that
    need no data: 2-D, non-empty, real dtype, as many samples."""
    import dask.array as da

    X, Y = (a if is_dask_array(a) else np.asarray(a) for a in (X, Y))
    for a, name in ((X, "X"), (Y, "Y")):
        check_real_dtype(a, name)
        if a.ndim != 2:
            raise InvalidInputError(f"{name} must be a 2-D matrix, got shape {a.shape}")
        if a.size == 0:
            raise InvalidInputError(f"{name} is empty (shape {a.shape})")
    if X.shape[1] != Y.shape[1]:
        raise InvalidInputError(
            f"X and Y must have the same number of columns (samples): "
            f"X is {X.shape[0]}x{X.shape[1]}, Y is {Y.shape[0]}x{Y.shape[1]}")
    chunks = (X if is_dask_array(X) else Y).chunks[1]
    X, Y = (a.rechunk({0: -1, 1: chunks}) if is_dask_array(a)
            else da.from_array(a, chunks=(-1, chunks)) for a in (X, Y))
    return X.astype(float), Y.astype(float)


def _blocks(X, Y):
    """``(x, y, first column)`` per chunk of samples: aligned delayed blocks."""
    starts = np.concatenate([[0], np.cumsum(X.chunks[1])[:-1]])
    return zip(X.to_delayed().ravel(), Y.to_delayed().ravel(), starts.tolist())


def _pass(info: dict, name: str, tasks: list) -> tuple:
    """One pass over the data: compute every chunk's summary (one ``dask.compute``)."""
    import dask

    t0 = time.perf_counter()
    out = dask.compute(*tasks)
    info["passes"] += 1
    info["pass_seconds"][name] = time.perf_counter() - t0
    return out


def _scan_tasks(dask, X, Y, cols: np.ndarray) -> list:
    """One task per chunk: :func:`_scan_block` with the chunk's columns of ``cols``."""
    tasks = []
    for (x, y, first), width in zip(_blocks(X, Y), X.chunks[1]):
        mine = cols[(cols >= first) & (cols < first + width)] - first
        tasks.append(dask.delayed(_scan_block, pure=True)(x, y, mine))
    return tasks


def _scan_block(x: np.ndarray, y: np.ndarray, mine: np.ndarray) -> dict:
    """One chunk's part of the scan: non-finite counts, the ``R`` of ``yᵀ``, the chunk's
    columns ``mine`` of the subset."""
    finite = bool(np.isfinite(x).all() and np.isfinite(y).all())
    counts = {name: (int(np.isnan(a).sum()), int(np.isinf(a).sum()))
              for name, a in (("X", x), ("Y", y))} if not finite else None
    R = _tall_r(y.T) if finite else None
    return {"nonfinite": counts, "R": R, "x": x[:, mine], "y": y[:, mine]}


def _gathered(scan: tuple, d: int, m: int):
    """The subset ``(X_s, Y_s)`` and the singular values of all of ``Y``, after refusing
    non-finite entries (counted over all chunks)."""
    bad = [part["nonfinite"] for part in scan if part["nonfinite"] is not None]
    for name in ("X", "Y"):
        nan, inf = (sum(c[name][i] for c in bad) for i in (0, 1))
        if nan or inf:
            raise InvalidInputError(f"{name} contains non-finite values ({nan} NaN, "
                                    f"{inf} Inf)")
    R = np.vstack([part["R"] for part in scan])
    X_s = np.concatenate([part["x"] for part in scan], axis=1).reshape(d, -1)
    Y_s = np.concatenate([part["y"] for part in scan], axis=1).reshape(m, -1)
    return X_s, Y_s, np.linalg.svd(R, compute_uv=False)


def _same_rank(singular: np.ndarray, Y_s: np.ndarray, info: dict) -> None:
    """The subset must show every direction of the labels: the numerical rank of ``Y``
    on it equals that on all samples (else a label off the model, or a unit active only
    outside the subset, would go unseen by the pipeline)."""
    full, sub = numerical_rank(singular), numerical_rank(left_singular(Y_s)[1])
    info.update(rank_all=full, rank_subset=sub)
    if full != sub:
        raise RecoveryFailed(
            f"Y has rank {full} on all samples but rank {sub} on the {Y_s.shape[1]} "
            f"spread samples the pipeline solves on (σ_{sub + 1}/σ_1 = "
            f"{singular[sub] / singular[0] if sub < len(singular) else 0.0:.2e} over all "
            f"samples): some labels are not those of the network the rest show",
            {"dask": info})


def _check_tasks(dask, X, Y, network) -> list:
    # The network travels whole: its activation pickles by name (Activation.__reduce__).
    return [dask.delayed(check_block, pure=True)(x, y, network) for x, y, _ in _blocks(X, Y)]
