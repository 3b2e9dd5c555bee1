"""Step 4 of the exact pipeline: from facets back to ``V`` and ``U``.

With the facet normals ``W`` (k×k), the hidden activations are ``F = W Z`` up to a
positive scale per unit (DESIGN §2.4). On the samples where unit ``i`` is active,
``f(V_i x_j) = F_ij``; for an invertible positive part this is the linear system
``V_i x_j = f^{-1}(F_ij)`` — for a homogeneous ``f`` the unknown scale of ``F_i`` only
rescales ``V_i``, which is a symmetry. Then ``Y = U f(V X)`` is linear in ``U``.

Both solves are least squares on exact (noiseless) equations, so their residuals measure
how exactly the data are explained; callers check them.
Complexity: O(n d²) per unit and O(n k²) for ``U``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from .activations import Activation
from .errors import RecoveryFailed


@dataclass
class HiddenUnitFit:
    """``V_i`` fitted to one unit's activations, with the measured quality of the fit."""

    v: np.ndarray
    active: int
    residual: float
    sign_violation: float


def hidden_unit(F_i: np.ndarray, on_facet: np.ndarray, X: np.ndarray,
                activation: Activation) -> HiddenUnitFit:
    """Solve ``f(V_i X) = F_i`` for ``V_i`` (d,) on the active samples.

    Parameters
    ----------
    F_i : ndarray, shape (n,)  — the unit's activations (≥ 0), up to a positive scale.
    on_facet : ndarray of bool, shape (n,)  — samples where the unit is inactive.
    X : ndarray, shape (d, n)

    Raises
    ------
    RecoveryFailed
        If the activation has no inverse, or the active samples do not determine ``V_i``
        (fewer than ``d`` of them, or not of full rank).
    """
    if activation.inverse is None:
        raise RecoveryFailed(
            f"activation {activation.name!r} is not invertible on (0, ∞): V is not "
            f"determined by the activations")
    active = ~on_facet & (F_i > 0)
    d = X.shape[0]
    if active.sum() < d:
        raise RecoveryFailed(
            f"a unit is active on only {int(active.sum())} samples; {d} are needed to "
            f"determine its weights")
    Xa = X[:, active]
    target = activation.inverse(F_i[active])
    v, _, rank, _ = scipy.linalg.lstsq(Xa.T, target, lapack_driver="gelsy",
                                       check_finite=False)
    if rank < d:
        raise RecoveryFailed(
            f"the {int(active.sum())} active samples of a unit span only {rank} of {d} "
            f"input dimensions")
    pre = v @ X
    scale = max(float(np.abs(target).max()), np.finfo(float).tiny)
    residual = float(np.linalg.norm(pre[active] - target) / np.linalg.norm(target))
    inactive = ~active
    violation = float(max(pre[inactive].max(initial=0.0), 0.0) / scale)
    return HiddenUnitFit(v=v, active=int(active.sum()), residual=residual,
                         sign_violation=violation)


def output_weights(Y: np.ndarray, H: np.ndarray) -> tuple[np.ndarray, float]:
    """Least-squares ``U`` (m×k) with ``Y ≈ U H``; returns ``U`` and the relative residual.

    Raises :class:`RecoveryFailed` if ``H`` (k×n) is rank deficient.
    """
    U_t, _, rank, _ = np.linalg.lstsq(H.T, Y.T, rcond=None)
    if rank < H.shape[0]:
        raise RecoveryFailed(
            f"hidden activations have rank {rank} < k = {H.shape[0]}: U is not determined")
    U = U_t.T
    residual = float(np.linalg.norm(U @ H - Y) / max(np.linalg.norm(Y), np.finfo(float).tiny))
    return U, residual
