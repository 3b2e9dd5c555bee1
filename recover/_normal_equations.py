"""Least squares through the normal equations, only while they keep enough digits.

Solving ``min ‖A W − B‖`` through the Cholesky factor of the Gram matrix ``AᵀA`` is
several times faster than an SVD-based solve (and the factor can be reused for many
right-hand sides), but it squares the condition number of ``A``. :func:`gram_factor`
therefore returns the factor only while its diagonal says the squared condition number
leaves digits to spare; callers fall back to the SVD (``numpy.linalg.lstsq``) otherwise.

Used by the exact finish's rounds (:mod:`recover._patterns`) and by the repeated
quadratic fits of the moment re-seeds (:class:`recover._moment_start.QuadraticFit`).

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import numpy as np
from numpy.linalg import LinAlgError
from scipy.linalg import cho_factor

#: The factor is used only while its smallest diagonal entry, squared, exceeds this
#: fraction of the largest squared (≈ 1/κ(A)² at most 1e12): beyond, the SVD solves.
GRAM_CONDITION = 1e-12


def gram_factor(G: np.ndarray):
    """``scipy.linalg.cho_factor`` of the Gram matrix ``G`` (p×p, symmetric), or None
    when ``G`` is not numerically positive definite or the factor's diagonal spans more
    than ``GRAM_CONDITION`` (squared). Cost: O(p³)."""
    try:
        factor = cho_factor(G)
    except LinAlgError:
        return None
    diagonal = np.abs(np.diag(factor[0]))
    if diagonal.min() ** 2 <= GRAM_CONDITION * diagonal.max() ** 2:
        return None
    return factor
