"""Internal module of :mod:`recover`: a silent HiGHS instance for the linear programs.

Used by the facet search (:mod:`recover._cone`), the half-space test of the inputs
(:mod:`recover._misfit`) and the exact decision procedure of :mod:`hardness`, which
imports it as ``recover.silent_highs``.
"""

from __future__ import annotations

import os
import sys

import highspy
import numpy as np

_banner_shown = False


def silent_highs() -> highspy.Highs:
    """A HiGHS instance that prints nothing, without presolve (small programs; a basis,
    and a dual ray, stay usable). The C++ constructor prints a licence banner on stdout
    the first time in a process, before any option can be set; that would corrupt the
    output of the CLI (``--json``), so the first construction runs with file descriptor 1
    on /dev/null."""
    global _banner_shown
    if _banner_shown:
        highs = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 1)
                highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_shown = True
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("presolve", "off")
    return highs


def add_dense_rows(highs: highspy.Highs, A: np.ndarray, lower: float, upper: float) -> None:
    """Add the rows ``lower ≤ A w ≤ upper`` of the dense ``A`` (count×k) to ``highs``, in
    the row-wise sparse form ``addRows`` takes (every entry stored)."""
    count, k = A.shape
    highs.addRows(count, np.full(count, lower), np.full(count, upper), count * k,
                  np.arange(0, count * k, k, dtype=np.int32),
                  np.tile(np.arange(k, dtype=np.int32), count),
                  np.ascontiguousarray(A, dtype=float).ravel())
