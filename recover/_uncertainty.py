"""Error bars: standard errors of every weight from the Fisher information.

For labels ``Y = U* f(V* X) + E`` with i.i.d. noise of variance ``σ²``, the least-squares
estimate is asymptotically normal with covariance ``σ² (JᵀJ)^{-1}``, ``J`` the Jacobian
of ``(U, V) ↦ U f(VX)`` (for Gaussian noise ``JᵀJ/σ²`` is the Fisher information; for
other mean-zero noise of finite variance the same sandwich-free formula holds for the
least-squares estimate). ``σ²`` is estimated by ``RSS / (mn − p_eff)``.

The symmetries make ``JᵀJ`` singular: for a homogeneous ``f`` each unit can be rescaled
without changing the function. Standard errors are therefore reported in the gauge of
the canonical form (unit-norm rows of ``V``): the covariance is that of the estimate
restricted to the tangent space ``{δV_i ⊥ V_i}``, ``N (Nᵀ JᵀJ N)^{-1} Nᵀ σ²``. The
permutation symmetry is discrete and does not enter.

Complexity: O(n (kd)²) to form ``JᵀJ`` (see :mod:`recover._refine`) and O(p³) to invert
it, ``p = mk + kd``; skipped above :data:`recover._refine.MAX_PARAMETERS`.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._network import TwoLayerNetwork
from ._refine import MAX_PARAMETERS, loss_and_parts, normal_equations


@dataclass
class StandardErrors:
    """Standard errors of the canonical weights (same shapes as ``U`` and ``V``)."""

    U: np.ndarray
    V: np.ndarray
    sigma: float
    dof: int
    b: np.ndarray | None = None
    c: np.ndarray | None = None


def standard_errors(network: TwoLayerNetwork, X: np.ndarray, Y: np.ndarray,
                    bias: bool = False) -> StandardErrors | None:
    """Standard errors of ``network`` (taken in canonical form) fitted to ``X``, ``Y``.

    With ``bias`` (``b`` and ``c`` were fitted) the parameters are ``[U | c]`` and
    ``[V | b]`` (the gauge: unit rows of ``[V | b]``) and the result carries ``b`` and
    ``c`` too. Returns ``None`` when the problem has more than ``MAX_PARAMETERS``
    parameters or no residual degrees of freedom.
    """
    net = network.canonical()
    act = net.activation
    U, V = net.U, net.V
    if bias:
        U, V = np.hstack([U, net.c[:, None]]), np.hstack([V, net.b[:, None]])
        X = np.vstack([X, np.ones((1, X.shape[1]))])
    (m, q), (k, d) = U.shape, V.shape
    p = m * q + k * d
    gauge = k if act.homogeneous else 0
    dof = Y.size - (p - gauge)
    if p > MAX_PARAMETERS or dof <= 0:
        return None
    R, H, D = loss_and_parts(U, V, X, Y, act, output_bias=bias)
    JtJ, _ = normal_equations(U, X, R, H, D)
    sigma2 = float(np.sum(R * R)) / dof
    N = _tangent_basis(V, m * q) if gauge else np.eye(p)
    reduced = N.T @ JtJ @ N
    cov_diag = np.einsum("ij,jk,ik->i", N, np.linalg.pinv(reduced, hermitian=True), N)
    se = np.sqrt(np.maximum(cov_diag, 0.0) * sigma2)
    se_U, se_V = se[: m * q].reshape(m, q), se[m * q:].reshape(k, d)
    parts = {"b": se_V[:, -1].copy(), "c": se_U[:, -1].copy()} if bias else {}
    return StandardErrors(U=se_U[:, :k].copy(), V=se_V[:, : d - bias].copy(),
                          sigma=float(np.sqrt(sigma2)), dof=int(dof), **parts)


def _tangent_basis(V: np.ndarray, n_u: int) -> np.ndarray:
    """Columns spanning ``{(δU, δV) : δV_i ⊥ V_i for every unit}`` (orthonormal)."""
    k, d = V.shape
    blocks = []
    for v in V:
        # Orthonormal basis of v's complement: the last d-1 left singular vectors.
        q, _, _ = np.linalg.svd(v[:, None], full_matrices=True)
        blocks.append(q[:, 1:])
    N = np.zeros((n_u + k * d, n_u + k * (d - 1)))
    N[:n_u, :n_u] = np.eye(n_u)
    for i, block in enumerate(blocks):
        N[n_u + i * d: n_u + (i + 1) * d,
          n_u + i * (d - 1): n_u + (i + 1) * (d - 1)] = block
    return N
