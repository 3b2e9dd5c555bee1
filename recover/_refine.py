"""Refinement of the squared loss: Levenberg–Marquardt on the pattern-fixed model.

Minimises ``L(U, V) = ½ ‖U f(VX) − Y‖_F²``. At each iterate the activation pattern
``S = [VX > 0]`` is re-read, and on it the model is smooth, so a Gauss–Newton step with
Marquardt's damping is taken; as the iterate settles the pattern stops changing and the
method converges quadratically to a stationary point of ``L`` (for noiseless labels, the
exact network). For Gaussian noise ``L`` is the negative log-likelihood, so the limit is
the maximum-likelihood estimate reachable from the start.

The normal matrix ``JᵀJ`` (size ``p = mk + kd``) is formed from its blocks without
forming ``J``: with ``H = f(VX)`` (k×n) and ``XS`` the stack of ``X ⊙ f'(V_i X)`` (kd×n),

* ``U``–``U``: ``I_m ⊗ H Hᵀ``;
* ``V``–``V``: ``(UᵀU ⊗ 1_{d×d}) ⊙ (XS XSᵀ)``;
* ``U``–``V``: entries ``U_{a,l} (H XSᵀ)_{i,(l,·)}``.

Biases: hidden biases are the last column of ``V`` when ``X`` carries a row of ones
(:mod:`recover._lift`); output biases are one more column of ``U`` multiplying a constant
hidden row (``output_bias=True``: ``U`` is m×(k+1), ``H`` gains a row of ones, and the
blocks above are taken with ``H`` so extended and ``U``'s first ``k`` columns where they
multiply ``f'``).

Cost per iteration O(n (kd)²) — one product ``XS XSᵀ`` — so this suits moderate ``kd``
(a few thousand). The same matrix gives the Fisher information for error bars
(:mod:`recover._uncertainty`).

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._activations import Activation
from ._tolerances import current

#: Largest number of parameters ``mk + kd`` for which the normal matrix is formed.
MAX_PARAMETERS = 4000


@dataclass
class Refinement:
    """Result of :func:`refine`: the weights, the loss history and why it stopped.

    ``converged`` is True only when a step improved the loss by less than ``rtol``;
    ``message`` says why the iteration stopped.
    """

    U: np.ndarray
    V: np.ndarray
    loss: float
    iterations: int
    converged: bool
    pattern_changes: int
    history: list
    message: str = ""


def loss_and_parts(U, V, X, Y, act: Activation, output_bias: bool = False):
    """Residual ``R = U H − Y``, hidden ``H = f(VX)`` (with a row of ones appended when
    ``output_bias``: ``U``'s last column is then ``c``) and slope ``f'(VX)``."""
    P = V @ X
    F = act(P)
    H = np.vstack([F, np.ones((1, F.shape[1]))]) if output_bias else F
    R = U @ H - Y
    return R, H, derivative(act, P)


def derivative(act: Activation, P: np.ndarray) -> np.ndarray:
    """``f'(P)`` entrywise (0 where ``P ≤ 0``). ReLU: the pattern itself."""
    out = np.zeros_like(P)
    pos = P > 0
    out[pos] = act.derivative(P[pos])
    return out


def normal_equations(U, X, R, H, D):
    """``JᵀJ`` (p×p) and ``Jᵀr`` (p,) for parameters ``θ = (vec_row U, vec_row V)``.

    ``H`` has ``q`` rows (``q = k``, or ``k + 1`` with the constant row of an output
    bias, ``U`` then m×q); ``D`` (k×n) is the slope of the ``k`` hidden units.
    """
    m, q = U.shape
    k = D.shape[0]
    d, n = X.shape
    Uk = U[:, :k]
    XS = (D[:, None, :] * X[None, :, :]).reshape(k * d, n)
    HH = H @ H.T
    JtJ = np.zeros((m * q + k * d,) * 2)
    JtJ[: m * q, : m * q] = np.kron(np.eye(m), HH)
    JtJ[m * q:, m * q:] = np.kron(Uk.T @ Uk, np.ones((d, d))) * (XS @ XS.T)
    C = (H @ XS.T).reshape(q, k, d)                      # C[i, l, :] = Σ_j h_ij s_lj x_j
    UV = np.einsum("al,ilc->ailc", Uk, C).reshape(m * q, k * d)
    JtJ[: m * q, m * q:] = UV
    JtJ[m * q:, : m * q] = UV.T
    gU = R @ H.T
    gV = ((Uk.T @ R) * D) @ X.T
    return JtJ, np.concatenate([gU.ravel(), gV.ravel()])


def refine(U0, V0, X, Y, act: Activation, max_iterations: int | None = None,
           rtol: float | None = None, output_bias: bool = False) -> Refinement:
    """Levenberg–Marquardt from ``(U0, V0)``; see the module docstring.

    With ``output_bias``, ``U0`` is ``[U | c]`` (m×(k+1)). Stops when a step improves the
    loss by less than ``rtol`` relative, or after ``max_iterations`` accepted steps
    (defaults ``Tolerances.lm_rtol``, ``Tolerances.lm_max_iterations``; the damping
    schedule is ``Tolerances.lm_*`` too).
    """
    tol = current()
    max_iterations = tol.lm_max_iterations if max_iterations is None else max_iterations
    rtol = tol.lm_rtol if rtol is None else rtol
    m, k = U0.shape
    d = X.shape[0]
    U, V = np.array(U0, dtype=float), np.array(V0, dtype=float)
    R, H, D = loss_and_parts(U, V, X, Y, act, output_bias)
    loss = 0.5 * float(np.sum(R * R))
    lam, history, changes, it = tol.lm_initial_damping, [loss], 0, 0
    for it in range(1, max_iterations + 1):
        JtJ, g = normal_equations(U, X, R, H, D)
        damping = np.diag(JtJ).copy()
        damping[damping <= 0] = max(float(damping.max()), 1.0) * tol.lm_damping_floor
        while True:
            step = _solve(JtJ + lam * np.diag(damping), -g)
            U1 = U + step[: m * k].reshape(m, k)
            V1 = V + step[m * k:].reshape(V.shape[0], d)
            R1, H1, D1 = loss_and_parts(U1, V1, X, Y, act, output_bias)
            loss1 = 0.5 * float(np.sum(R1 * R1))
            if loss1 <= loss:
                break
            lam *= tol.lm_damping_up
            if lam > tol.lm_max_damping:  # no damping makes a descent step: stuck
                return Refinement(U, V, loss, it, False, changes, history,
                                  "stopped: no step decreased the loss even at damping "
                                  f"{lam:.0e} (not a converged stationary point)")
        changes += int(np.sum((D1 > 0) != (D > 0)))
        improvement = (loss - loss1) / max(loss, np.finfo(float).tiny)
        U, V, R, H, D, loss = U1, V1, R1, H1, D1, loss1
        history.append(loss)
        lam = max(lam / tol.lm_damping_down, tol.lm_min_damping)
        if improvement < rtol:
            return Refinement(U, V, loss, it, True, changes, history,
                              f"converged: relative improvement {improvement:.1e} < {rtol:.0e}")
    return Refinement(U, V, loss, it, False, changes, history,
                      f"stopped after {max_iterations} iterations without converging")


def _solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(A, b)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(A, b, rcond=None)[0]
