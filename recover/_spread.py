"""Internal module of :mod:`recover`: evenly spread subsets of the samples.

Noiseless equations are exact on any subset of full rank, so several steps solve on a
spread subset first and confirm on all samples (the facet programs, the exact step's
gathering, the output weights, the rank of ``X``). Evenly spread rather than random:
deterministic, and without clustering in sample order. Each subset is used only when
``n`` is more than twice its size; otherwise all samples are.
"""

from __future__ import annotations

import numpy as np


def spread_columns(n: int, cap: int) -> np.ndarray | None:
    """``cap`` evenly spread indices of ``range(n)``, or None when ``n ≤ 2·cap`` (then
    the caller uses all samples)."""
    return None if n <= 2 * cap else np.linspace(0, n - 1, cap).astype(int)


def spread_indices(mask: np.ndarray, cap: int) -> np.ndarray:
    """Indices of at most ``cap`` of the true entries of ``mask``, evenly spread."""
    idx = np.flatnonzero(mask)
    if len(idx) > cap:
        idx = idx[np.linspace(0, len(idx) - 1, cap).astype(int)]
    return idx
