"""Inputs of rank ``r < d``: the network is determined only on ``span(X)``.

If the samples span only an ``r``-dimensional subspace ``S = span(X)`` of ``R^d``, every
row ``V_i`` can be changed along ``S^⊥`` without changing ``V X``: the data say nothing
about those components. Recovery therefore runs in the coordinates of ``S`` —
``X_S = Qᵀ X`` (r×n) for an orthonormal basis ``Q`` (d×r) of ``S`` — and maps the hidden
weights back as ``V = V_S Qᵀ``: the representatives with rows in ``S`` (the
minimum-norm ones). Everything the data determine is returned exactly (``V Q``, ``U``,
the biases); what they do not (``V`` along ``S^⊥``) is set to zero and said so in the
result (:func:`recover._recovery.recover_network` warns and records it).

Cost: one SVD of ``X`` (O(n d²)), which the rank test needs anyway.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._network import TwoLayerNetwork
from ._span import left_singular, matrix_rank
from ._spread import spread_columns


@dataclass
class InputSpan:
    """Orthonormal basis ``Q`` (d×r) of ``span(X)`` and the singular values of ``X``."""

    Q: np.ndarray
    singular_values: np.ndarray

    @property
    def rank(self) -> int:
        return self.Q.shape[1]

    @property
    def d(self) -> int:
        return self.Q.shape[0]

    def describe(self) -> str:
        s = self.singular_values
        return (f"X has numerical rank {self.rank} < d = {self.d} "
                f"(σ_{self.rank + 1}/σ_1 = {s[self.rank] / s[0]:.1e}): V is determined only "
                f"on span(X); the rows returned are the representatives in span(X) "
                f"(components orthogonal to it set to 0: any value fits these samples "
                f"equally well), and res.diagnostics['input_basis'] holds an orthonormal "
                f"basis of span(X)")


def deficient_span(X: np.ndarray) -> InputSpan | None:
    """The span of ``X`` (d×n) when its numerical rank (numpy's tolerance
    ``max(d, n)·ε·σ₁``) is below ``d``; None when ``X`` has full row rank, or is zero.

    Full rank is certified first on ``4d`` spread samples, without the O(n d²) SVD of
    ``X``: adding columns cannot lower ``σ_d``, and ``‖X‖_F ≥ σ₁(X)``, so
    ``σ_d(X_sub) > max(d, n)·ε·‖X‖_F`` proves that ``X`` has full rank at numpy's
    tolerance."""
    d, n = X.shape
    cols = spread_columns(n, 4 * d)
    if cols is not None:
        sub = X[:, cols]
        smallest = np.linalg.svd(sub, compute_uv=False)[-1]
        if smallest > max(d, n) * np.finfo(float).eps * np.linalg.norm(X):
            return None
    left, s = left_singular(X)
    rank = matrix_rank(s, X.shape)
    if rank >= X.shape[0] or rank == 0:
        return None
    return InputSpan(Q=left[:, :rank], singular_values=s)


def extend(network: TwoLayerNetwork, span: InputSpan) -> TwoLayerNetwork:
    """The network on ``R^d`` from one recovered on the coordinates ``Qᵀ x``:
    ``V = V_S Qᵀ`` (rows in ``span(X)``); ``U`` and the biases unchanged."""
    biases = {"b": network.b, "c": network.c} if network.has_bias else {}
    return TwoLayerNetwork(network.U, network.V @ span.Q.T, activation=network.activation,
                           **biases)
