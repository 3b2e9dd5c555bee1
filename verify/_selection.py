"""Choosing linearly independent rows and columns: float-guided, confirmed exactly.

The exact certificate solves small square systems (k×k, k×(k−1), d×d) taken from the
data. Which samples to take is a *numerical* choice — QR with column pivoting on the
float64 copy picks well-conditioned ones — but independence is then confirmed over ℚ;
when the float choice is exactly dependent (it can be, e.g. for integer data with
repeated columns) the exact row-reduced echelon form supplies the pivots instead. A bad
float choice therefore costs time, never soundness.

Internal module of :mod:`verify`: use the names the package exports (``verify.__all__``).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
from sympy.polys.matrices import DomainMatrix


def pivot_order(A: np.ndarray) -> np.ndarray:
    """Column order of QR with column pivoting on the float matrix ``A`` (m×n).

    The first ``r`` columns of the order are the numerically best-conditioned choice of
    ``r`` columns (greedy). Columns beyond ``min(m, n)`` come in arbitrary order.
    """
    if A.size == 0:
        return np.arange(A.shape[1])
    _, piv = scipy.linalg.qr(A, mode="r", pivoting=True, check_finite=False)
    return np.asarray(piv, dtype=int)


def propose_columns(Af: np.ndarray, r: int, among=None, seed: int = 0) -> np.ndarray:
    """``r`` well-conditioned columns of the float matrix ``Af`` among ``among``, sorted.

    QR with column pivoting on at most ``8r + 32`` of the candidates (a seeded random
    subset when there are more — pivoting on thousands of columns costs far more and
    gains nothing here). Returns fewer than ``r`` indices only if there are fewer
    candidates. A proposal: independence is not guaranteed.
    """
    among = np.arange(Af.shape[1]) if among is None else np.asarray(among, dtype=int)
    limit = 8 * r + 32
    if len(among) > limit:
        among = np.sort(np.random.default_rng(seed).choice(among, limit, replace=False))
    return np.sort(among[pivot_order(Af[:, among])[:r]])


def independent_columns(Aq: DomainMatrix, Af: np.ndarray, r: int,
                        among=None) -> np.ndarray | None:
    """``r`` columns of ``Aq`` (restricted to the indices ``among``) independent over ℚ.

    Parameters
    ----------
    Aq : DomainMatrix over QQ, shape (m, n)
        The exact matrix.
    Af : ndarray, shape (m, n)
        Its float64 copy, used only to propose well-conditioned columns.
    r : int
        How many independent columns are wanted.
    among : array of int, optional
        Candidate column indices (default all).

    Returns
    -------
    Sorted column indices (``r`` of them), or ``None`` when the exact rank of the
    candidate columns is below ``r`` — a proven statement, not a numerical guess.
    """
    m, n = Aq.shape
    among = np.arange(n) if among is None else np.asarray(among, dtype=int)
    if r == 0:
        return np.zeros(0, dtype=int)
    if len(among) < r or m < r:
        return None
    pick = propose_columns(Af, r, among)
    if Aq.extract(list(range(m)), pick.tolist()).rank() == r:
        return pick
    _, pivots = Aq.extract(list(range(m)), among.tolist()).rref()
    if len(pivots) < r:
        return None
    return np.sort(among[list(pivots[:r])])


def independent_rows(Aq: DomainMatrix, Af: np.ndarray, r: int) -> np.ndarray | None:
    """``r`` rows of ``Aq`` independent over ℚ (see :func:`independent_columns`)."""
    return independent_columns(Aq.transpose(), Af.T, r)
