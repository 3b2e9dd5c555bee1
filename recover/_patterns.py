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

With biases the inputs are lifted to ``x̃ = [x; 1]``: the blocks are
``M_i = U_{:,i} [V_i  b_i]`` (m×(d+1)), ``c`` is one more block that is active on every
sample, and (3) asks for rank ``k(d+1) + 1``. Samples on a hyperplane (within ``rtol``)
are left out of the full solves and of the pattern comparison (2): ``f(0) = 0`` on
either side, so their side is rounding, and an always-active unit could otherwise pass
for one whose hyperplane runs through the outermost sample. The residual test (1)
covers them.

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
from scipy.linalg import cho_solve

from ._activations import Activation, get_activation
from ._errors import RecoveryFailed
from ._network import TwoLayerNetwork
from ._normal_equations import gram_factor
from ._refine import refine
from ._solve import largest_residual
from ._tolerances import current

#: The samples nearest each unit's hyperplane — a fraction ``min(AMBIGUOUS, 1/(2k))`` of
#: them per unit, so that about ``e^{-1/2}`` of all samples are kept — are the ones an
#: approximate direction misclassifies; they are left out of the first solves.
AMBIGUOUS = 0.05
#: Levenberg–Marquardt runs of the refined finish, each from the last (see _refined_finish).
REFINE_RESTARTS = 3
#: Rounds of classify → solve → factor, of which the first BANDED leave the ambiguous
#: samples out. A start that has not at least halved its residual within STALL rounds
#: sits at a wrong fixed point (the pattern reproduces itself) and is given up.
ROUNDS, BANDED, STALL = 30, 2, 4

RELU = get_activation("relu")


@dataclass
class Finish:
    """Outcome of :func:`pattern_finish`: the network (None when refused), the relative
    residual on all samples, the rounds run and, on refusal, why — and, for a refused
    ReLU finish, the hidden weights ``V`` (k×d, ``[V | b]`` with biases) of its last
    round, where a repair can pick it up (:mod:`recover._few_outputs`). ``largest`` is
    the returned network's ``max|E|/max|Y|`` (:func:`recover._solve.largest_residual`),
    from the same residual ``E`` as ``residual``; ∞ when there is no network."""

    network: TwoLayerNetwork | None
    residual: float
    rounds: int
    failure: str | None = None
    history: list = field(default_factory=list)
    V: np.ndarray | None = None
    largest: float = np.inf


def pattern_finish(X: np.ndarray, Y: np.ndarray, U0: np.ndarray, V0: np.ndarray,
                   act: Activation, rtol: float | None = None,
                   rounds: int = ROUNDS, ambiguous: float = AMBIGUOUS,
                   bias: bool = False) -> Finish:
    """Exact network from an approximate ``(U0, V0)`` (m×k, k×d) for inputs ``X`` (d×n)
    and noiseless labels ``Y`` (m×n), or a refusal; never a network that fails the
    acceptance test of the module docstring. Never raises on a bad start.

    With ``bias`` the model is ``Y = U f(V X + b 1ᵀ) + c 1ᵀ`` and the arguments are
    lifted: ``X`` is ``[X; 1ᵀ]`` ((d+1)×n), ``V0`` is ``[V | b]`` (k×(d+1)) and ``U0`` is
    ``[U | c]`` (m×(k+1)). For ReLU the blocks are then ``M_i = U_{:,i} [V_i  b_i]``
    (m×(d+1)) and ``c`` is one more, always active, block of one column; the design has
    ``k(d+1)+1`` columns and must have that rank (a unit active on every sample, or on
    none, makes it deficient: its bias is then ``c``'s, or it leaves no trace)."""
    rtol = current().residual_rtol if rtol is None else rtol  # the pipeline's own
    if act.name == "relu":
        return _relu_finish(X, Y, np.asarray(V0, float), rtol, rounds, ambiguous, bias)
    return _refined_finish(X, Y, np.asarray(U0, float), np.asarray(V0, float), act, rtol,
                           bias)


def _network(U: np.ndarray, V: np.ndarray, c: np.ndarray | None, act: Activation,
             bias: bool) -> TwoLayerNetwork:
    """The network of ``U`` and ``V`` (``[V | b]`` and output bias ``c`` with ``bias``)."""
    if not bias:
        return TwoLayerNetwork(U, V, activation=act)
    return TwoLayerNetwork(U, V[:, :-1], b=V[:, -1], c=c, activation=act)


def _relu_finish(X, Y, V, rtol, rounds, ambiguous, bias=False) -> Finish:
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
            # A sample on a hyperplane gives f(0) = 0 on either side, so its side is
            # rounding (lattice data put samples exactly there); the uniqueness of the
            # blocks must not rest on it — an always-active unit with a bias would pass
            # for a unit whose kink sits on the outermost sample. The residual test below
            # still covers every sample.
            keep = ~np.any(_ties(V, X, rtol), axis=0)
        round_ = _round(X, Y, S, keep, V, scale, rtol, bias, fast=True)
        if round_.accepted and not banded:
            # The rounds solve through the Gram matrix (fast, but it squares the
            # condition number); the network returned, and the rank test (3), come
            # from the SVD-based least squares of the same pattern.
            round_ = _round(X, Y, S, keep, V, scale, rtol, bias, fast=False)
        history.append(round_.residual)
        if round_.accepted and not banded:
            return Finish(round_.network.canonical(), round_.residual, r, None, history,
                          largest=round_.largest)
        failure = round_.failure
        if round_.V is None:
            break
        V = round_.V
        if len(history) > STALL and round_.residual > 0.5 * min(history[:-STALL]):
            break
    return Finish(None, history[-1] if history else np.inf, len(history), failure, history,
                  V)


@dataclass
class _Round:
    """One classify → solve → factor round: the factored network and its ``[V | b]``
    (None when the solve or the factoring failed), its relative residual on all samples,
    whether it passes the acceptance test, and why not; ``largest``, its
    ``max|E|/max|Y|``."""

    network: TwoLayerNetwork | None
    V: np.ndarray | None
    residual: float
    accepted: bool
    failure: str | None
    largest: float = np.inf


def _round(X, Y, S, keep, V, scale, rtol, bias, fast) -> _Round:
    """Solve the blocks of pattern ``S`` on the samples ``keep``, factor them and test
    the network on all samples (the acceptance test of the module docstring)."""
    solved = _solve_blocks(X[:, keep], Y[:, keep], S[:, keep], constant=bias, fast=fast)
    if solved is None:
        return _Round(None, None, np.inf, False,
                      "the pattern's design is rank deficient (a unit active on too few "
                      "samples" + (", or on all of them" if bias else "") + ")")
    blocks, c = solved
    U, V_new = _factor(blocks, V)
    if U is None:
        return _Round(None, None, np.inf, False, "a block is zero: a unit vanished")
    net = _network(U, V_new, c, RELU, bias)
    inputs = X[:-1] if bias else X
    E = net(inputs) - Y
    residual = float(np.linalg.norm(E)) / scale
    firm = ~np.any(_ties(V_new, X, rtol), axis=0)
    same = np.array_equal(net.pattern(inputs)[:, firm], S[:, firm])
    # A sample solved with that lands on a solved hyperplane: the next round solves
    # without it, so that the uniqueness does not rest on it.
    settled = bool(np.all(firm[keep]))
    failure = (f"relative residual {residual:.1e} > {rtol:.0e}" if residual > rtol else
               "the solved network's pattern differs from the one it was solved with"
               if not same else "a sample lies on a solved unit's hyperplane"
               if not settled else None)
    return _Round(net, V_new, residual, failure is None, failure, largest_residual(E, Y))


def _ties(V: np.ndarray, X: np.ndarray, rtol: float) -> np.ndarray:
    """Samples on a unit's hyperplane to within ``rtol``: ``|V_i x_j| ≤ rtol ‖V_i‖ ‖x_j‖``
    (k×n; with biases ``V`` is ``[V | b]`` and ``X`` is ``[X; 1ᵀ]``)."""
    scale = np.linalg.norm(V, axis=1)[:, None] * np.linalg.norm(X, axis=0)[None, :]
    return np.abs(V @ X) <= rtol * scale


def _solve_blocks(X: np.ndarray, Y: np.ndarray, S: np.ndarray, constant: bool = False,
                  fast: bool = False) -> tuple[np.ndarray, np.ndarray | None] | None:
    """Least-squares blocks ``M_i`` (k×m×d) for the pattern ``S`` (k×n) — and, with
    ``constant``, the always-active column ``c`` (m,), else None — or None when the
    design ``[s_ij x_jᵀ (, 1)]`` (n × (kd + constant)) is rank deficient.

    ``fast`` solves the normal equations (about 3× faster at n × kd = 5000 × 1000) and
    falls back to the SVD when their Cholesky factor says the design is near deficient;
    only the SVD's answer decides that the design has full rank."""
    k, (d, n) = S.shape[0], X.shape
    columns = k * d + constant
    if n < columns:
        return None
    A = (S[:, None, :] * X[None, :, :]).reshape(k * d, n).T
    if constant:
        A = np.hstack([A, np.ones((n, 1))])
    W = _gram_solve(A, Y.T) if fast else None
    if W is None:
        W, _, rank, sv = np.linalg.lstsq(A, Y.T, rcond=None)
        if rank < columns or sv[-1] <= 1e-10 * sv[0]:
            return None
    c = W[-1] if constant else None
    blocks = W[: k * d].T.reshape(Y.shape[0], k, d).transpose(1, 0, 2)
    return blocks, c


def _gram_solve(A: np.ndarray, B: np.ndarray) -> np.ndarray | None:
    """``argmin ‖A W − B‖`` through the Cholesky factor of ``AᵀA`` and one step of
    iterative refinement, or None when the normal equations would lose the digits
    (:func:`recover._normal_equations.gram_factor`)."""
    factor = gram_factor(A.T @ A)
    if factor is None:
        return None
    W = cho_solve(factor, A.T @ B)
    return W + cho_solve(factor, A.T @ (B - A @ W))


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


def _refined_finish(X, Y, U0, V0, act: Activation, rtol, bias=False) -> Finish:
    """Levenberg–Marquardt to machine precision, then the residual and pattern test."""
    scale = float(np.linalg.norm(Y)) or 1.0
    k, residual = V0.shape[0], np.inf
    # A restart resets the damping: Levenberg–Marquardt can stop on "no relative
    # improvement" with a large damping while still far from machine precision (relu2,
    # (4,3,2), seed 94: 8e-11 after the first run, 2.5e-16 six iterations after a restart),
    # and a residual just under the tolerance leaves the weights ~1e-9 off.
    for _ in range(REFINE_RESTARTS):
        fit = refine(U0, V0, X, Y, act, max_iterations=200, rtol=1e-15, output_bias=bias)
        try:
            net = _network(fit.U[:, :k], fit.V, fit.U[:, k] if bias else None, act, bias)
            E = net(X[:-1] if bias else X) - Y
            previous, residual = residual, float(np.linalg.norm(E)) / scale
        except (ValueError, FloatingPointError):
            return Finish(None, np.inf, fit.iterations, "the refinement diverged")
        if not np.isfinite(residual) or residual > 1e3 * rtol or residual > previous / 10:
            break
        U0, V0 = fit.U, fit.V
    if not np.isfinite(residual) or residual > rtol:
        return Finish(None, residual, fit.iterations,
                      f"relative residual {residual:.1e} > {rtol:.0e} after refinement")
    if np.any(np.linalg.norm(net.V, axis=1) == 0):
        return Finish(None, residual, fit.iterations, "a unit vanished")
    return Finish(net.canonical(), residual, fit.iterations, None, fit.history,
                  largest=largest_residual(E, Y))


def check_finish(finish: Finish) -> TwoLayerNetwork:
    """The finished network, or RecoveryFailed saying why there is none."""
    if finish.network is None:
        raise RecoveryFailed(f"pattern-fixed finish refused: {finish.failure}")
    return finish.network
