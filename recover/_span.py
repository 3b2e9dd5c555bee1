"""Step 1 of the exact pipeline: the column span of the labels.

For noiseless labels ``Y = U* f(V* X)`` with ``U*`` of full column rank,
``colspan(Y) = colspan(U*)``. With ``P`` an orthonormal basis of it (m×k)
the reduced labels ``Z = Pᵀ Y = A F`` (k×n) factor through the invertible ``A = Pᵀ U*``
and the non-negative hidden activations ``F = f(V* X)``.

Complexity: one thin SVD of ``Y``, O(m² n).

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from ._errors import InvalidInputError
from ._tolerances import current


@dataclass
class LabelSpan:
    """Orthonormal basis ``P`` (m×k) of ``colspan(Y)`` and ``Z = Pᵀ Y`` (k×n)."""

    P: np.ndarray
    Z: np.ndarray
    singular_values: np.ndarray

    @property
    def k(self) -> int:
        return self.P.shape[1]

    @property
    def tail_ratio(self) -> float:
        """``σ_{k+1} / σ₁``: 0 for exactly rank-k labels, ~1e-16 after float rounding."""
        s = self.singular_values
        return float(s[self.k] / s[0]) if len(s) > self.k else 0.0

    def first(self, k: int) -> "LabelSpan":
        """The span of the first ``k`` left singular vectors (``k`` at most the columns of
        ``P``): what :func:`label_span` returns for that ``k``, without a second SVD."""
        return LabelSpan(P=self.P[:, :k], Z=self.Z[:k], singular_values=self.singular_values)

    @property
    def rank_gap(self) -> float:
        """``σ_k / σ₁``: how far the k-th direction is from being noise."""
        s = self.singular_values
        return float(s[self.k - 1] / s[0])


def numerical_rank(singular_values: np.ndarray, rtol: float | None = None) -> int:
    """Number of singular values above ``rtol · σ₁`` (default ``Tolerances.rank_rtol``)."""
    rtol = current().rank_rtol if rtol is None else rtol
    s = np.asarray(singular_values)
    if s.size == 0 or s[0] == 0:
        return 0
    return int(np.sum(s > rtol * s[0]))


def matrix_rank(singular_values: np.ndarray, shape: tuple[int, int]) -> int:
    """Numerical rank with numpy's ``matrix_rank`` tolerance ``max(shape)·ε·σ₁``: the rank
    a matrix of that shape has up to its own rounding (used for the inputs ``X``)."""
    s = np.asarray(singular_values)
    tol = max(shape) * np.finfo(float).eps * (s[0] if s.size else 0.0)
    return int(np.sum(s > tol))


def left_singular(Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Left singular vectors (m×r) and singular values of ``Y`` (m×n), without the right
    singular vectors.

    For wide ``Y`` (``n > 2m``, the usual case) through ``Yᵀ = QR`` with only ``R`` (m×m)
    formed: ``R = U_R S Wᵀ`` gives ``Y = W S (Q U_R)ᵀ``, so the left vectors are ``W``.
    Householder QR is backward stable, so the singular values are as accurate as those
    of a full SVD; it costs O(n m²) with one n×m working copy, where ``np.linalg.svd``
    also builds the m×n right factor (as large as ``Y``) and is several times slower.
    ``R`` is computed block by block (:func:`_tall_r`).
    """
    m, n = Y.shape
    if n <= 2 * m:
        left, s, _ = np.linalg.svd(Y, full_matrices=False)
        return left, s
    _, s, wt = np.linalg.svd(_tall_r(Y.T))
    return wt.T, s


#: Bytes of one block of :func:`_tall_r` (it should stay in cache).
_BLOCK_BYTES = 1 << 20


def _tall_r(A: np.ndarray) -> np.ndarray:
    """The triangular factor ``R`` (m×m) of a tall ``A = QR`` (N×m), by blocks of rows
    (tall-skinny QR): the ``R`` of each block, then the ``R`` of their stack. Each
    Householder step of one QR of all of ``A`` streams the whole N×m panel through
    memory; a block that fits in cache is read once. Backward stable like one QR, and
    about three times faster at N = 10⁶, m = 15."""
    N, m = A.shape
    rows = max(4 * m, _BLOCK_BYTES // (8 * m))
    if N <= 2 * rows:
        return scipy.linalg.qr(A, mode="r", check_finite=False)[0][:m]
    parts = [scipy.linalg.qr(A[i:i + rows], mode="r", check_finite=False)[0][:m]
             for i in range(0, N, rows)]
    return _tall_r(np.vstack(parts))


def label_span(Y: np.ndarray, k: int | None = None, rtol: float | None = None) -> LabelSpan:
    """Orthonormal basis of the column span of ``Y`` (m×n) and the reduced labels.

    Parameters
    ----------
    Y : ndarray, shape (m, n)
    k : int, optional
        Number of hidden units. If omitted it is the numerical rank of ``Y``.
    rtol : float, optional
        Relative threshold on singular values for the rank (default
        ``Tolerances.rank_rtol``).

    Raises
    ------
    InvalidInputError
        If ``Y`` is zero, or the rank of ``Y`` is below the requested ``k`` (then
        ``U*`` cannot have full column rank, or units are invisible in the labels).
    """
    left, s = left_singular(Y)
    rank = numerical_rank(s, rtol)
    if rank == 0:
        raise InvalidInputError("Y is zero: the labels carry no information")
    if k is None:
        k = rank
    elif rank < k:
        raise InvalidInputError(
            f"rank of Y is {rank} (σ_{rank + 1}/σ_1 = {s[rank] / s[0]:.2e}) but k = {k} "
            f"hidden units were requested: with U* of full column rank the labels must "
            f"have rank k (lower rank: k is too large, a unit is active on no sample or "
            f"on every sample, or U* has linearly dependent columns)")
    P = left[:, :k]
    return LabelSpan(P=P, Z=P.T @ Y, singular_values=s)



def noisy_rank(singular_values: np.ndarray, n: int) -> int | None:
    """Rank of the signal in noisy labels ``Y`` (m×n, ``m < n``).

    The singular values of an m×n matrix of i.i.d. noise of variance σ² lie between
    ``σ(√n − √m)`` and ``σ(√n + √m)`` (Marchenko–Pastur). Taking the smallest singular
    value of ``Y`` as the lower edge — which assumes at least one pure-noise direction,
    i.e. ``k < m`` — the signal directions are those above the upper edge (times
    ``Tolerances.noise_edge_margin``). Returns ``None`` if none is, or if ``m ≥ n``.
    """
    s = np.asarray(singular_values, dtype=float)
    m = len(s)
    if m >= n or s[-1] <= 0:
        return None
    edge = s[-1] * (np.sqrt(n) + np.sqrt(m)) / (np.sqrt(n) - np.sqrt(m))
    k = int(np.sum(s > current().noise_edge_margin * edge))
    return k if 0 < k < m else None
