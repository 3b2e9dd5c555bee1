"""The paper's way in: rough unit directions from Gaussian moments (Hermite/Jennrich).

For Gaussian ``x`` and ReLU, ``E[z (x xᵀ − I)] = c₂ Σ_i A_i ‖v_i‖ v̂_i v̂_iᵀ`` with
``c₂ = E[f(g) He₂(g)] = 1/√(2π)`` (Bakshi, Jayaram & Woodruff, COLT 2019, §3): a tensor
of rank ``k`` whose slices ``M_a = E[(a·z)(x xᵀ − I)]`` share the eigenvectors ``v̂_i``.
Jennrich's simultaneous diagonalisation of two random slices recovers ``v̂_i`` up to sign.
The estimates carry sampling error of order ``√(d/n)`` — this is why the method is
sample-hungry — and are only used to choose samples that are confidently inactive, after
which the exact step (:func:`recover._facets.exact_facet`) removes the error entirely.

Complexity: O(n d² k) for the slices (two of them, each O(n d²)), O(d³) for the
eigenproblems, and O(n k²) per facet for the exact step.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._facets import (Facet, add_if_new, exact_facet, informative_columns,
                     trimmed_hyperplane)

#: Fraction of samples taken as "confidently inactive" for a direction.
INACTIVE_FRACTION = 0.25


def hermite_directions(X: np.ndarray, Z: np.ndarray, k: int,
                       rng: np.random.Generator) -> np.ndarray:
    """Rough unit directions ``v̂_i`` (rows, k×d, signs arbitrary) by Jennrich's method.

    Parameters
    ----------
    X : ndarray, shape (d, n)  — Gaussian inputs.
    Z : ndarray, shape (k, n)  — reduced labels.
    """
    d, n = X.shape
    a, b = rng.standard_normal(k), rng.standard_normal(k)
    Ma, Mb = _slice(X, a @ Z), _slice(X, b @ Z)
    # Restrict to the k-dimensional span of the rows of V*, where both slices live.
    vals, vecs = np.linalg.eigh(Ma @ Ma + Mb @ Mb)
    Q = vecs[:, np.argsort(vals)[::-1][:k]]
    A, B = Q.T @ Ma @ Q, Q.T @ Mb @ Q
    # A B⁻¹ = C Dₐ D_b⁻¹ C⁻¹ with C = Qᵀ V̂ᵀ: its eigenvectors are the directions.
    _, evecs = np.linalg.eig(A @ np.linalg.pinv(B))
    D = (Q @ np.real(evecs)).T
    return D / np.linalg.norm(D, axis=1, keepdims=True)


def _slice(X: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``(1/n) Σ_j weights_j (x_j x_jᵀ − I)`` — a Hermite second moment."""
    n = X.shape[1]
    return (X * weights) @ X.T / n - weights.mean() * np.eye(X.shape[0])


def facet_from_direction(v: np.ndarray, X: np.ndarray, Z: np.ndarray, znorm: np.ndarray,
                         informative: np.ndarray, min_count: int,
                         iterations: int = 8) -> Facet | None:
    """The facet of the unit whose rough direction is ``±v``.

    Samples with the most negative ``v·x_j`` are probably inactive for that unit; the
    normal fitted to them is refined by repeatedly keeping the samples nearest to its
    hyperplane (trimmed least squares, at most ``iterations`` rounds; it stops when the
    kept samples no longer change), then snapped by the exact step. Both signs of ``v``
    are tried (Jennrich's eigenvectors have none).
    """
    scores = v @ X / np.linalg.norm(X, axis=0)
    size = max(Z.shape[0] - 1, int(INACTIVE_FRACTION * informative.sum()))
    for sign in (1.0, -1.0):
        s = np.where(informative, sign * scores, np.inf)
        J = np.argsort(s)[:size]
        w = trimmed_hyperplane(v, Z, znorm, informative, size, iterations, start=J)
        facet = exact_facet(w, Z, znorm, informative, min_count)
        if facet is not None:
            return facet
    return None


def moment_facets(X: np.ndarray, Z: np.ndarray, k: int, rng: np.random.Generator,
                  min_count: int, progress: Callable[[int, int], None] | None = None,
                  accept: Callable[[Facet], bool] | None = None
                  ) -> tuple[list[Facet], dict]:
    """Facets from Hermite-moment directions, each finished by the exact step and kept
    if new and ``accept`` (as in :func:`recover._cone.cone_facets`) passes it."""
    znorm, informative = informative_columns(Z)
    directions = hermite_directions(X, Z, k, rng)
    facets: list[Facet] = []
    stats = {"directions": len(directions), "rejected": 0, "duplicates": 0}
    for v in directions:
        facet = facet_from_direction(v, X, Z, znorm, informative, min_count)
        if facet is None:
            stats["rejected"] += 1
        elif not add_if_new(facets, facet, accept):
            stats["duplicates"] += 1
        if progress:
            progress(len(facets), k)
    return facets, stats
