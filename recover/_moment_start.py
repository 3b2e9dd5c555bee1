"""A start for ``m < k`` from Gaussian moments: span of ``V`` from the second Hermite
moment, unit directions inside it by Jennrich's method (fourth moment for ``m = 1``),
output weights by least squares.

For ``x ~ N(0, I_d)``, unit-norm rows ``v_i`` and ``y = Σ_i u_i f(v_i·x)`` (one output, or
a random combination ``αᵀy`` of several), the Hermite moments are

* ``M₂ = E[y (x xᵀ − I)] = c₂ Σ_i u_i v_i v_iᵀ``,
* ``T₄ = E[y He₄(x)] = c₄ Σ_i u_i v_i^{⊗4}``, whose slice along ``g`` is
  ``T₄(g, g, ·, ·) = c₄ Σ_i u_i (v_i·g)² v_i v_iᵀ``,

with ``c_p = E[f(z) He_p(z)]`` (:meth:`recover._activations.Activation.hermite`; ReLU:
``c₂ = 1/√(2π)``, ``c₃ = 0`` — the third moment carries nothing — ``c₄ = −1/√(2π)``).

1. ``span(V)``: the top-``k`` eigenvectors ``Q`` (d×k) of ``Σ_o M₂⁽ᵒ⁾²`` (one ``M₂`` per
   output), ``M₂`` fitted by least squares on the quadratic features
   (:func:`quadratic_parts`), which is far less noisy than the moment average.
2. Directions: in the coordinates ``z = Qᵀx`` both ``B = Qᵀ M₂ Q = W D₂ Wᵀ`` and the slice
   ``S = W D₄ Wᵀ`` are diagonalised by ``W = [Qᵀv_i]``, so the eigenvectors of ``S B⁻¹``
   are the directions (eigenvalues ``c₄(v_i·g)²/c₂``). With ``m ≥ 2`` outputs, two random
   output combinations give two second moments with the same ``W`` and no fourth moment
   is needed (:func:`moment_directions`). Measured: these directions are rough at the
   sample sizes that matter, and uniformly random directions inside the span
   (:func:`random_directions`) are as good a start; :mod:`recover._few_outputs` uses both.
3. Signs and output weights (:func:`oriented_start`): least squares of ``Y`` on the
   ``2k`` features ``f(±w_i·x)``; each unit keeps the sign with the larger weight, then
   ``U`` is refitted.

Non-Gaussian scale is handled by whitening with the sample covariance first. The start
is only approximate and :mod:`recover._patterns` makes it exact or refuses it.

Cost: O(n d⁴) for the quadratic fit (O(n d²) per output for the moment average), O(n k²)
per slice, O(n k²) for the output least squares.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.linalg import cho_solve

from ._activations import Activation
from ._normal_equations import gram_factor

#: Largest number of quadratic features ``1 + d + d(d+1)/2`` fitted by least squares
#: (d = 62); beyond it the span comes from moment averages.
MAX_QUADRATIC = 2016


@functools.lru_cache(maxsize=32)
def hermite_pair(act: Activation) -> tuple[float, float]:
    """``(c₂, c₄)``: ``E[f(z) He_p(z)]`` for ``p = 2, 4`` and ``z ~ N(0, 1)``."""
    return float(act.hermite(2)), float(act.hermite(4))


def whitening(X: np.ndarray) -> np.ndarray:
    """``L = C^{-1/2}`` for the sample second moment ``C = X Xᵀ/n`` (d×d)."""
    vals, vecs = np.linalg.eigh(X @ X.T / X.shape[1])
    return (vecs / np.sqrt(vals)) @ vecs.T


@dataclass
class Subspace:
    """The estimated ``span(V)`` in whitened coordinates.

    ``L`` (d×d) whitens the inputs, ``Q`` (d×k) is an orthonormal basis of the span,
    ``Z = Qᵀ L X`` (k×n) the reduced inputs, ``moments`` the ``M₂`` of each output
    restricted to the span (k×k each)."""

    L: np.ndarray
    Q: np.ndarray
    Z: np.ndarray
    moments: list

    def lift(self, Vz: np.ndarray) -> np.ndarray:
        """Rows ``Vz`` (k×k) acting on ``Z`` as rows (k×d) acting on the inputs."""
        return Vz @ self.Q.T @ self.L


def subspace(X: np.ndarray, Y: np.ndarray, k: int) -> Subspace:
    """Whiten ``X`` (d×n, rank d) and estimate the ``k``-dimensional span of ``V`` from the
    second moments of ``Y`` (m×n)."""
    L = whitening(X)
    Xw = L @ X
    moments = second_moments(Xw, Y)
    Q = _span(moments, k)
    return Subspace(L, Q, Q.T @ Xw, [Q.T @ M @ Q for M in moments])


def moment_directions(sub: Subspace, Y: np.ndarray, act: Activation,
                      rng: np.random.Generator) -> np.ndarray | None:
    """Unit directions (rows, k×k, in the coordinates ``Z``, signs arbitrary) by
    Jennrich's method: two random output combinations of ``M₂`` when ``m ≥ 2``, else a
    random slice of the fourth moment against ``M₂``. None when the pencil is singular."""
    m = Y.shape[0]
    c2, _ = hermite_pair(act)
    if m >= 2 and c2 != 0:
        a, b = rng.standard_normal((2, m))
        pair = (_combine(sub.moments, a), _combine(sub.moments, b))
    else:
        a = rng.standard_normal(m)
        g = rng.standard_normal(sub.Z.shape[0])
        pair = (_fourth_slice(sub.Z, a @ Y, g), _combine(sub.moments, a))
    W = _jennrich(*pair)
    return None if W is None else W.T


def random_directions(k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` uniformly random unit directions (rows, k×k) in the coordinates ``Z``."""
    D = rng.standard_normal((k, k))
    return D / np.linalg.norm(D, axis=1, keepdims=True)


def _combine(moments: list, weights: np.ndarray) -> np.ndarray:
    return sum(w * M for w, M in zip(weights, moments))


def _second_moment(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``(1/n) Σ_j y_j (x_j x_jᵀ − I)`` (d×d)."""
    n = X.shape[1]
    return (X * y) @ X.T / n - np.mean(y) * np.eye(X.shape[0])


def quadratic_parts(X: np.ndarray, Y: np.ndarray) -> list[np.ndarray] | None:
    """Per output, the least-squares ``A`` (d×d, symmetric) of ``y ≈ a + bᵀx + xᵀAx``:
    the degree-2 Hermite part of ``y``, ``A = M₂/2``; None when there are too few
    samples (``n < 2p``) or too many features (``p > MAX_QUADRATIC``) for the fit.

    Fitting the constant, linear and quadratic parts jointly removes them from the noise
    of the estimate: the moment average ``(1/n) Σ y (x xᵀ − I)`` carries the whole
    variance of ``y`` as noise, this fit only what is left beyond degree 2 (for ReLU a
    few per cent of it), which is what makes the span usable at small ``n``."""
    if not _quadratic_fits(*X.shape):
        return None
    F = _quadratic_features(X)
    return _symmetric_parts(np.linalg.lstsq(F.T, Y.T, rcond=None)[0], X.shape[0])


def _quadratic_fits(d: int, n: int) -> bool:
    """Whether ``n`` samples suffice for, and ``d`` allows, the quadratic fit."""
    p = 1 + d + d * (d + 1) // 2
    return n >= 2 * p and p <= MAX_QUADRATIC


def _quadratic_features(X: np.ndarray) -> np.ndarray:
    """``[1, x_a, x_a x_b (a ≤ b)]`` of every sample (p×n, ``p = 1 + d + d(d+1)/2``)."""
    rows, cols = np.triu_indices(X.shape[0])
    return np.vstack([np.ones((1, X.shape[1])), X, X[rows] * X[cols]])


def _symmetric_parts(coef: np.ndarray, d: int) -> list[np.ndarray]:
    """The symmetric ``A`` (d×d) of each column of quadratic-feature coefficients (p×m)."""
    rows, cols = np.triu_indices(d)
    out = []
    for c in coef[1 + d:].T:
        A = np.zeros((d, d))
        A[rows, cols] = c
        out.append((A + A.T) / 2)  # the diagonal counts twice: x_a² has coefficient A_aa
    return out


class QuadraticFit:
    """:func:`second_moments` of many label sets on the same inputs ``X`` (d×n): the
    normal equations of the quadratic fit are factored once (O(n p²), ``p = 1 + d +
    d(d+1)/2``), after which each fit costs O(n d² + p²) — the right-hand side
    ``Fᵀy`` is ``[Σ y, X y, (X diag(y) Xᵀ)_{a≤b}]`` and needs no feature matrix.

    Falls back to :func:`second_moments` (least squares or the moment average) when the
    fit is not possible or the Gram matrix is too ill-conditioned for its digits."""

    def __init__(self, X: np.ndarray):
        self.X = X
        self._factor = None
        if _quadratic_fits(*X.shape):
            F = _quadratic_features(X)
            self._factor = gram_factor(F @ F.T)

    def moments(self, Y: np.ndarray) -> list[np.ndarray]:
        """``M₂`` of each row of ``Y`` (m×n) on the inputs ``X`` (d×d each)."""
        if self._factor is None:
            return second_moments(self.X, Y)
        d = self.X.shape[0]
        rows, cols = np.triu_indices(d)
        rhs = np.array([np.concatenate([[y.sum()], self.X @ y,
                                        ((self.X * y) @ self.X.T)[rows, cols]]) for y in Y])
        return [2 * A for A in _symmetric_parts(cho_solve(self._factor, rhs.T), d)]


def second_moments(X: np.ndarray, Y: np.ndarray) -> list[np.ndarray]:
    """``M₂`` of each output (d×d): ``2A`` from :func:`quadratic_parts` when it can be
    fitted, else the moment average :func:`_second_moment` of the labels less their
    least-squares affine part (which has no degree-2 component)."""
    parts = quadratic_parts(X, Y)
    if parts is not None:
        return [2 * A for A in parts]
    F = np.vstack([np.ones((1, X.shape[1])), X])
    R = Y - np.linalg.lstsq(F.T, Y.T, rcond=None)[0].T @ F
    return [_second_moment(X, r) for r in R]


def _span(moments: list[np.ndarray], k: int) -> np.ndarray:
    """Top-``k`` eigenvectors (d×k) of ``Σ_o M₂⁽ᵒ⁾²``: the span of ``V``'s rows."""
    G = sum(M @ M for M in moments)
    vals, vecs = np.linalg.eigh(G)
    return vecs[:, np.argsort(vals)[::-1][:k]]


def _fourth_slice(Z: np.ndarray, y: np.ndarray, g: np.ndarray) -> np.ndarray:
    """``(1/n) Σ_j y_j He₄(z_j)(g, g, ·, ·)`` (k×k) for samples ``Z`` (k×n): the pairings
    of the fourth Hermite tensor contracted twice with ``g``."""
    k, n = Z.shape
    t = g @ Z                                   # g·z_j
    gg = float(g @ g)
    w = y * (t * t - gg)
    S = (Z * w) @ Z.T / n                       # E[y((g·z)² − |g|²) z zᵀ]
    a = (Z * (y * t)) @ np.ones(n) / n          # E[y (g·z) z]
    S -= 2 * (np.outer(g, a) + np.outer(a, g))
    S += (np.mean(y * (gg - t * t))) * np.eye(k) + 2 * np.mean(y) * np.outer(g, g)
    return S


def _jennrich(A: np.ndarray, B: np.ndarray) -> np.ndarray | None:
    """Eigenvectors (unit columns) of ``A B⁻¹``; None if ``B`` is singular. Complex
    pairs (noise merging two eigenvalues) keep their real parts: a rough start."""
    try:
        _, vecs = np.linalg.eig(A @ np.linalg.inv(B))
    except np.linalg.LinAlgError:
        return None
    vecs = np.real(vecs)
    return vecs / np.linalg.norm(vecs, axis=0)


def oriented_start(X: np.ndarray, Y: np.ndarray, D: np.ndarray, act: Activation):
    """Orient each direction (rows of ``D``) by least squares on ``f(±D X)`` and fit
    ``U`` (m×k) for the oriented rows; returns ``(U, V)``."""
    k = D.shape[0]
    P = D @ X
    F = np.vstack([act(P), act(-P)])
    coef = np.linalg.lstsq(F.T, Y.T, rcond=None)[0].T          # m × 2k
    sign = np.where(np.linalg.norm(coef[:, :k], axis=0) >= np.linalg.norm(coef[:, k:], axis=0),
                    1.0, -1.0)
    V = D * sign[:, None]
    U = np.linalg.lstsq(act(V @ X).T, Y.T, rcond=None)[0].T
    return U, V


def oriented_start_with_bias(Z: np.ndarray, Y: np.ndarray, D: np.ndarray, b: np.ndarray,
                             act: Activation):
    """:func:`oriented_start` for the model with biases: hidden units ``f(D z + b)``
    (``D`` k×k rows, ``b`` (k,)) on the inputs ``Z`` (k×n), the orientation of each unit
    ``(±D_i, ±b_i)`` by least squares of ``Y`` on ``f(±(D Z + b))`` and a constant, then
    ``[U | c]`` (m×(k+1)) refitted; returns ``([U | c], [V | b])``."""
    k, n = D.shape[0], Z.shape[1]
    P = D @ Z + b[:, None]
    ones = np.ones((1, n))
    F = np.vstack([act(P), act(-P), ones])
    coef = np.linalg.lstsq(F.T, Y.T, rcond=None)[0].T          # m × (2k + 1)
    sign = np.where(np.linalg.norm(coef[:, :k], axis=0) >= np.linalg.norm(coef[:, k:2 * k],
                                                                          axis=0), 1.0, -1.0)
    Vb = np.hstack([D, b[:, None]]) * sign[:, None]
    H = np.vstack([act(sign[:, None] * P), ones])
    Uc = np.linalg.lstsq(H.T, Y.T, rcond=None)[0].T
    return Uc, Vb
