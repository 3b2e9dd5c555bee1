"""The pattern-fixed exact finish: with every sample's activation pattern fixed, ReLU
labels are linear in the unit blocks, so a least-squares solve is exact.

For ReLU, ``y_j = Σ_{i active at j} U_{:,i} V_i x_j = Σ_i s_ij M_i x_j`` with the blocks
``M_i = U_{:,i} V_iᵀ`` (m×d) and the pattern ``s_ij = 1{V_i·x_j > 0}``. Given the pattern,
the labels are linear in ``(M_1, …, M_k)``: one least-squares problem with the design
``A = [s_1j x_jᵀ, …, s_kj x_jᵀ]_j`` (n × kd) and the m outputs as right-hand sides.
This holds for any number of outputs, ``m = 1`` included — it needs no rank of ``U``.

:func:`pattern_finish` starts from an approximate network, reads the pattern off it
(dropping the samples near a unit's hyperplane, where the approximate sign may be
wrong), solves for the blocks, factors each block as rank one (``M_i = σ a bᵀ``:
``V_i = ±b``, ``U_{:,i} = ±σ a``, the sign that keeps the unit's side of its hyperplane),
re-reads the pattern from the factored network and repeats. A few rounds from a start
that classifies the confident samples correctly reach the exact network.

Guarantee: a network is returned only when (1) its relative residual
``‖U relu(VX) − Y‖_F/‖Y‖_F`` on *all* samples is at most ``rtol`` (machine level), (2) the
pattern it induces is the one its blocks were solved with, and (3) that pattern's
design has full column rank ``kd``, so the blocks are the unique least-squares solution
for that pattern. It is then a network that reproduces the labels exactly. Whether it
is the only such network (identifiability) is not decided here; with Gaussian inputs
and enough samples distinct units give distinct patterns and it is (see
docs/algorithm.md, "Fewer outputs than hidden units").

Other activations (``relu2``, ``log(1+t)``, …) are not linear in the blocks, so
:func:`pattern_finish` refines with Levenberg–Marquardt (:func:`recover._refine.refine`,
itself Gauss–Newton on the pattern-fixed model) to machine precision and accepts on the
residual test (1) alone; (2) holds by construction (the pattern is the network's own)
and the uniqueness (3) is not checked for them.

Cost per round: O(n (kd)²) for the least squares (one factorisation, m right-hand
sides) and O(k m d²) for the factorisations.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._activations import Activation
from ._errors import RecoveryFailed
from ._network import TwoLayerNetwork
from ._refine import refine
from ._tolerances import current

#: The samples nearest each unit's hyperplane — a fraction ``min(AMBIGUOUS, 1/(2k))`` of
#: them per unit, so that about ``e^{-1/2}`` of all samples are kept — are the ones an
#: approximate direction misclassifies; they are left out of the first solves.
AMBIGUOUS = 0.05
#: Rounds of classify → solve → factor, of which the first BANDED leave the ambiguous
#: samples out. A start that has not at least halved its residual within STALL rounds
#: sits at a wrong fixed point (the pattern reproduces itself) and is given up.
ROUNDS, BANDED, STALL = 30, 2, 4


@dataclass
class Finish:
    """Outcome of :func:`pattern_finish`: the network (None when refused), the relative
    residual on all samples, the rounds run and, on refusal, why."""

    network: TwoLayerNetwork | None
    residual: float
    rounds: int
    failure: str | None = None
    history: list = field(default_factory=list)


def pattern_finish(X: np.ndarray, Y: np.ndarray, U0: np.ndarray, V0: np.ndarray,
                   act: Activation, rtol: float | None = None,
                   rounds: int = ROUNDS, ambiguous: float = AMBIGUOUS) -> Finish:
    """Exact network from an approximate ``(U0, V0)`` (m×k, k×d) for inputs ``X`` (d×n)
    and noiseless labels ``Y`` (m×n), or a refusal; never a network that fails the
    acceptance test of the module docstring. Never raises on a bad start."""
    rtol = current().residual_rtol if rtol is None else rtol  # the pipeline's own
    if act.name == "relu":
        return _relu_finish(X, Y, np.asarray(V0, float), rtol, rounds, ambiguous)
    return _refined_finish(X, Y, np.asarray(U0, float), np.asarray(V0, float), act, rtol)


def _relu_finish(X, Y, V, rtol, rounds, ambiguous) -> Finish:
    scale = float(np.linalg.norm(Y)) or 1.0
    share = min(ambiguous, 0.5 / V.shape[0])
    history, failure = [], "no round ran"
    for r in range(1, rounds + 1):
        P = V @ X
        S = P > 0
        # Early rounds leave ambiguous samples out; the later ones use every sample.
        banded = r <= BANDED and share > 0
        if banded:
            band = np.quantile(np.abs(P), share, axis=1)
            keep = np.all(np.abs(P) > band[:, None], axis=0)
        else:
            keep = np.ones(X.shape[1], dtype=bool)
        blocks = _solve_blocks(X[:, keep], Y[:, keep], S[:, keep])
        if blocks is None:
            failure = "the pattern's design is rank deficient (a unit active on too few samples)"
            history.append(np.inf)
            break
        U, V_new = _factor(blocks, V)
        if U is None:
            failure = "a block is zero: a unit vanished"
            history.append(np.inf)
            break
        net = TwoLayerNetwork(U, V_new)
        residual = float(np.linalg.norm(net(X) - Y)) / scale
        history.append(residual)
        same = np.array_equal(net.pattern(X), S)
        if residual <= rtol and same and not banded:
            return Finish(net.canonical(), residual, r, None, history)
        V = V_new
        failure = (f"relative residual {residual:.1e} > {rtol:.0e}" if residual > rtol else
                   "the solved network's pattern differs from the one it was solved with")
        if len(history) > STALL and residual > 0.5 * min(history[:-STALL]):
            break
    return Finish(None, history[-1] if history else np.inf, len(history), failure, history)


def _solve_blocks(X: np.ndarray, Y: np.ndarray, S: np.ndarray) -> np.ndarray | None:
    """Least-squares blocks ``M_i`` (k×m×d) for the pattern ``S`` (k×n), or None when the
    design ``[s_ij x_jᵀ]`` (n × kd) is rank deficient."""
    k, (d, n) = S.shape[0], X.shape
    if n < k * d:
        return None
    A = (S[:, None, :] * X[None, :, :]).reshape(k * d, n).T
    W, _, rank, sv = np.linalg.lstsq(A, Y.T, rcond=None)
    if rank < k * d or sv[-1] <= 1e-10 * sv[0]:
        return None
    return W.T.reshape(Y.shape[0], k, d).transpose(1, 0, 2)


def _factor(blocks: np.ndarray, V_ref: np.ndarray):
    """Nearest rank-one factors ``M_i ≈ U_{:,i} V_i`` with ``‖V_i‖ = 1`` and the sign of
    ``V_i`` that of ``V_ref[i]`` (a unit's side of its hyperplane is part of the
    pattern); (None, None) when a block is zero."""
    k, m, d = blocks.shape
    U, V = np.empty((m, k)), np.empty((k, d))
    for i, M in enumerate(blocks):
        a, s, bt = np.linalg.svd(M, full_matrices=False)
        if s[0] == 0:
            return None, None
        sign = 1.0 if bt[0] @ V_ref[i] >= 0 else -1.0
        V[i] = sign * bt[0]
        U[:, i] = sign * s[0] * a[:, 0]
    return U, V


def _refined_finish(X, Y, U0, V0, act: Activation, rtol) -> Finish:
    """Levenberg–Marquardt to machine precision, then the residual and pattern test."""
    fit = refine(U0, V0, X, Y, act, max_iterations=200, rtol=1e-15)
    scale = float(np.linalg.norm(Y)) or 1.0
    try:
        net = TwoLayerNetwork(fit.U, fit.V, activation=act)
        residual = float(np.linalg.norm(net(X) - Y)) / scale
    except (ValueError, FloatingPointError):
        return Finish(None, np.inf, fit.iterations, "the refinement diverged")
    if not np.isfinite(residual) or residual > rtol:
        return Finish(None, residual, fit.iterations,
                      f"relative residual {residual:.1e} > {rtol:.0e} after refinement")
    if np.any(np.linalg.norm(net.V, axis=1) == 0):
        return Finish(None, residual, fit.iterations, "a unit vanished")
    return Finish(net.canonical(), residual, fit.iterations, None, fit.history)


def check_finish(finish: Finish) -> TwoLayerNetwork:
    """The finished network, or RecoveryFailed saying why there is none."""
    if finish.network is None:
        raise RecoveryFailed(f"pattern-fixed finish refused: {finish.failure}")
    return finish.network
