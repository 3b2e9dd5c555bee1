"""Anchors for the facet programs: a sample with the found units' part peeled off.

With ``Z = A F`` (k×n, :mod:`recover._span`), a program of the facet search
(:func:`recover._cone.dual_vertex`) anchored by ``r = A c`` minimises over the polyhedron
``{w : w·z_j ≥ 0 ∀j, w·r = 1}``. In the coordinates ``a = Aᵀw`` the true facets are the
rays ``e_i``, and the finitely many samples add *spurious* vertices: normals with mixed
signs, ``a_l < 0`` on some units, that no sample happens to contradict. A spurious
vertex needs ``a·c > 0``, and mixed signs reach it most cheaply when ``c`` has mixed
signs too. An anchor drawn at random from the span of the missing units
(:func:`recover._cone.residual_anchor`) has ``c`` of mixed signs; a sample ``z_j = A f_j``
has ``c = f_j ≥ 0``, but every found unit active on it is in ``c`` as well.

So the anchor is a sample with the found units removed:
``r_j = z_j − Σ_{i found} â_i F_ij``, projected onto the span of the missing units. The
rows ``F_ij = w_i·z_j`` of the found units are exact (up to the scale of ``w_i``, which
``â_i`` absorbs); their columns ``a_i`` of ``A`` are not known until every unit is, and
are estimated by least squares of ``Z`` on those rows. The missing units' part
``A_M F_M`` is correlated with the regressors mainly through its linear part in ``x``
(``f(t)`` has a component proportional to ``t``), so both sides are first projected off
the row space of ``[X; 1ᵀ]``; what remains correlates through the second Hermite
component, of order ``(v_i·v_l)²``. Then ``c ≈ f_{M,j} ≥ 0``.

At (d,k,m) = (200,100,130), n = 20000, seed 0, random directions of the span needed 165
programs, 77 of them ending on spurious vertices; peeled samples need 106, 6 of them
spurious (benchmarks/records/k_scaling.json; docs/algorithm.md, "Peeled samples as
anchors"). The anchors only choose which vertex a program proposes: every vertex still
goes through the exact step (:func:`recover._facets.exact_facet`), so nothing here can
make a wrong facet pass.

Cost: O(s(k+d)²) once, for the Gram matrices of ``s`` ≤ :data:`PEEL_SAMPLES` spread
samples; then O(k²|F|) per anchor (:class:`Peeling`).

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import numpy as np

from ._spread import spread_columns

#: Samples the regression of the found units' columns uses (spread over all samples):
#: its error falls as 1/√s, and 20000 puts it below the second-order correlation of
#: the units at the sizes measured.
PEEL_SAMPLES = 20000

#: The constant is in the row space of ``Z`` (biases) when ``w₀ᵀZ`` meets ``1ᵀ`` to this
#: relative error: exact labels meet it to rounding, ~1e-14.
CONSTANT_RTOL = 1e-8

#: The regression is projected off the row space of ``[X; 1ᵀ]`` only when it has this
#: many samples per input dimension; with fewer, ``d`` regressors would swallow most of
#: the signal, and only the mean is removed.
SAMPLES_PER_INPUT = 4


class Peeling:
    """Peeled samples (see the module docstring) of the reduced labels ``Z`` (k×n) whose
    inputs are ``X`` (d×n, the same columns; with biases the lifted ``[X; 1ᵀ]``).

    The least squares need only ``M = Z_⊥ Z_⊥ᵀ`` (k×k), the Gram matrix of ``Z`` projected
    off the regressors that are not peeled: with the found normals ``W`` (|F|×k) the
    found rows are ``W Z`` and the estimated columns ``Â = M Wᵀ (W M Wᵀ)⁻¹``. ``M`` is
    formed once, O(s(k+d)²); each anchor then costs O(k²|F|), no pass over the samples.

    With biases the constant ``1ᵀ`` is a row of the lifted ``F``, hence of the row space
    of ``Z``: its normal ``w₀`` (``w₀ᵀZ = 1ᵀ``) is exact by least squares, and it is peeled
    like a found unit. Left in, it would be part of every anchor with weight 1, and
    programs would end on the constant's direction, which holds no sample.
    """

    def __init__(self, Z: np.ndarray, X: np.ndarray):
        cols = spread_columns(Z.shape[1], PEEL_SAMPLES)
        Zs, Xs = (Z, X) if cols is None else (Z[:, cols], X[:, cols])
        self.constant = _constant_normal(Zs)
        varying = Xs[np.ptp(Xs, axis=1) > 0]
        self.M = _projected_gram(Zs, varying, with_constant=self.constant is None)

    def anchor(self, normals: np.ndarray, basis: np.ndarray, z: np.ndarray) -> np.ndarray:
        """The sample ``z`` (k,) less the estimated part of the found units (rows of
        ``normals``, |F|×k) and of the constant row, if any; projected onto the span of
        the orthonormal columns of ``basis`` (k×q)."""
        if self.constant is not None:
            normals = np.vstack([normals.reshape(-1, len(z)), self.constant])
        if len(normals):
            MW = self.M @ normals.T                                          # k×|F|
            A_found = np.linalg.lstsq(normals @ MW, MW.T, rcond=None)[0].T   # k×|F|
            z = z - A_found @ (normals @ z)
        return basis @ (basis.T @ z)


def _constant_normal(Z: np.ndarray) -> np.ndarray | None:
    """``w₀`` with ``w₀ᵀZ = 1ᵀ`` when the constant is in the row space of ``Z`` (k×s) to
    rounding (the lifted problem of biases), else None."""
    ones = np.ones(Z.shape[1])
    w0 = np.linalg.lstsq(Z.T, ones, rcond=None)[0]
    exact = np.linalg.norm(Z.T @ w0 - ones) <= CONSTANT_RTOL * np.sqrt(len(ones))
    return w0 if exact else None


def _projected_gram(Z: np.ndarray, X: np.ndarray, with_constant: bool) -> np.ndarray:
    """``Z_⊥ Z_⊥ᵀ`` (k×k), ``Z_⊥`` the rows of ``Z`` (k×s) less their projection on the
    row space of ``X`` (and of ``1ᵀ`` if ``with_constant``) — only the constant when
    there are fewer than :data:`SAMPLES_PER_INPUT` samples per row. Formed from Gram
    matrices: ``Z Zᵀ − B G⁺ Bᵀ`` with ``B = Z X̃ᵀ``, ``G = X̃ X̃ᵀ``."""
    s = Z.shape[1]
    rows = [X] if s >= SAMPLES_PER_INPUT * (X.shape[0] + 1) else []
    rows += [np.ones((1, s))] if with_constant else []
    if not rows:
        return Z @ Z.T
    Xt = np.vstack(rows)
    B = Z @ Xt.T
    return Z @ Z.T - B @ np.linalg.lstsq(Xt @ Xt.T, B.T, rcond=None)[0]
