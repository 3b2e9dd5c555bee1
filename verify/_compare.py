"""Distance between two networks up to the symmetries of their activation.

Units are matched optimally (minimum-weight bipartite matching, networkx) after both
networks are put in canonical form (unit-norm rows of ``[V | b]`` for a homogeneous
activation, which removes the rescaling symmetry). A hidden unit is its row of ``V``
together with its bias ``b_i``; the output bias ``c`` belongs to no unit and is compared
as a whole. Networks without biases compare exactly as they did before biases existed
(their augmented rows are the rows of ``V`` alone).

Internal module of :mod:`verify`: use the names the package exports (``verify.__all__``).
"""

from __future__ import annotations

from fractions import Fraction

import networkx as nx
import numpy as np

from recover import InvalidInputError, TwoLayerNetwork

from ._exact import max_norm_scaled


def match_units(a: TwoLayerNetwork, b: TwoLayerNetwork) -> np.ndarray:
    """Optimal matching of ``b``'s units to ``a``'s: returns ``perm`` with
    ``b.permuted(perm)`` aligned to ``a`` (both taken in canonical form).

    Cost of pairing unit ``i`` of ``a`` with unit ``j`` of ``b`` is the squared distance of
    their canonical ``(U_{:,i}, [V_i | b_i])``, each part relative to the norm of ``a``'s
    matrix.
    Complexity: O(k² (m + d)) for the costs and O(k³) for the matching.
    """
    _check_comparable(a, b)
    ca, cb = a.canonical(), b.canonical()
    cost = _pair_costs(ca, cb)
    return _min_weight_perfect_matching(cost)


def compare_networks(a: TwoLayerNetwork, b: TwoLayerNetwork) -> float:
    """Relative error between two networks after optimal matching and rescaling.

    Returns, for the canonical forms, the best permutation ``P`` and ``W = [V | b]``,

        ``max(‖U_a − U_b P‖_F / ‖U_a‖_F,  ‖W_a − W_b P‖_F / ‖W_a‖_F,
        ‖c_a − c_b‖ / max(‖c_a‖, ‖U_a‖_F))``;

    0 means equal up to the symmetries. The output bias is measured relative to
    ``‖c_a‖`` or, when that is smaller (``c_a = 0`` in particular), to ``‖U_a‖_F``: the
    canonical ``U`` is the output weight of unit-norm units, so it sets the scale of the
    outputs, and an error of 0.1 in ``c`` means the same as an error of 0.1 in ``U``.
    Without biases, ``W = V`` and the ``c`` term is 0: the value is what it always was.
    Networks of different shapes or activations raise :class:`InvalidInputError`.
    """
    _check_comparable(a, b)
    ca, cb = a.canonical(), b.canonical()
    perm = _min_weight_perfect_matching(_pair_costs(ca, cb))
    Wa, Wb = _hidden_rows(ca, cb)
    return float(max(_relative_error(ca.U, cb.U[:, perm]), _relative_error(Wa, Wb[perm]),
                     _output_bias_error(ca, cb)))


def _hidden_rows(ca: TwoLayerNetwork, cb: TwoLayerNetwork) -> tuple[np.ndarray, np.ndarray]:
    """The units' rows: ``[V | b]`` of both networks, or ``V`` alone when neither has a
    hidden bias (the exact arithmetic of bias-free comparisons)."""
    if not (np.any(ca.b != 0) or np.any(cb.b != 0)):
        return ca.V, cb.V
    return np.hstack([ca.V, ca.b[:, None]]), np.hstack([cb.V, cb.b[:, None]])


def _output_bias_error(ca: TwoLayerNetwork, cb: TwoLayerNetwork) -> float:
    """``‖c_a − c_b‖ / max(‖c_a‖, ‖U_a‖_F)`` (0 when both are zero), at any scale."""
    if not (np.any(ca.c != 0) or np.any(cb.c != 0)):
        return 0.0
    both = np.concatenate([ca.c, ca.U.ravel()])
    peak = float(np.max(np.abs(both)))
    e = int(np.frexp(peak)[1]) if peak > 0 and np.isfinite(peak) else 0
    c_a, c_b, U_a = (np.ldexp(A, -e) for A in (ca.c, cb.c, ca.U))
    with np.errstate(over="ignore"):
        scale = max(np.linalg.norm(c_a), np.linalg.norm(U_a), np.finfo(float).tiny)
        return float(np.linalg.norm(c_a - c_b) / scale)


def _relative_error(A: np.ndarray, B: np.ndarray) -> float:
    """``‖A − B‖_F / ‖A‖_F`` at any scale of the weights (see :func:`_common_scale`)."""
    A, B = _common_scale(A, B)
    with np.errstate(over="ignore"):
        return float(np.linalg.norm(A - B) / max(np.linalg.norm(A), np.finfo(float).tiny))


def _check_comparable(a: TwoLayerNetwork, b: TwoLayerNetwork) -> None:
    if (a.m, a.k, a.d) != (b.m, b.k, b.d):
        raise InvalidInputError(
            f"cannot compare networks of shapes (m,k,d) = {(a.m, a.k, a.d)} and "
            f"{(b.m, b.k, b.d)}")
    if a.activation.name != b.activation.name:
        raise InvalidInputError(
            f"cannot compare a {a.activation.name!r} network with a "
            f"{b.activation.name!r} one")


def _pair_costs(ca: TwoLayerNetwork, cb: TwoLayerNetwork) -> np.ndarray:
    Ua, Ub = _common_scale(ca.U, cb.U)
    Va, Vb = _common_scale(*_hidden_rows(ca, cb))
    su = max(np.linalg.norm(Ua), np.finfo(float).tiny) ** 2
    sv = max(np.linalg.norm(Va), np.finfo(float).tiny) ** 2
    with np.errstate(over="ignore", invalid="ignore"):
        du = ((Ua[:, :, None] - Ub[:, None, :]) ** 2).sum(axis=0) / su
        dv = ((Va[:, None, :] - Vb[None, :, :]) ** 2).sum(axis=2) / sv
        cost = du + dv
    # A unit of b far larger than a's (overflow) is simply a very bad pair.
    return np.nan_to_num(cost, nan=_WORST_COST, posinf=_WORST_COST)


def _common_scale(A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``A`` and ``B`` divided by the same power of two, chosen so that ``A``'s largest
    entry is near 1: exact, and relative errors stay the same, but squares of weights
    of 1e-200 or 1e200 neither under- nor overflow."""
    peak = float(np.max(np.abs(A))) if A.size else 0.0
    if peak == 0.0 or not np.isfinite(peak):
        return A, B
    e = np.frexp(peak)[1]
    return np.ldexp(A, -e), np.ldexp(B, -e)


#: Cost of a pair whose distance overflows float64: worse than any finite pair.
_WORST_COST = 1e300


def _min_weight_perfect_matching(cost: np.ndarray) -> np.ndarray:
    k = cost.shape[0]
    graph = nx.Graph()
    graph.add_nodes_from(range(k), bipartite=0)
    graph.add_nodes_from(range(k, 2 * k), bipartite=1)
    graph.add_weighted_edges_from(
        (i, k + j, float(cost[i, j])) for i in range(k) for j in range(k))
    matching = nx.bipartite.minimum_weight_full_matching(graph, top_nodes=range(k))
    return np.array([matching[i] - k for i in range(k)], dtype=int)


def max_unit_error(a: TwoLayerNetwork, b: TwoLayerNetwork) -> float:
    """Largest per-unit relative error between ``a`` and ``b``, computed exactly.

    Each unit of either network is scaled so that its row ``W_i = [V_i | b_i]`` has
    max-norm 1 (the rescaling symmetry of a homogeneous activation; none otherwise;
    ``W = V`` without hidden biases), and the error of a unit is
    ``max(‖W_i^a − W_i^b‖_∞, ‖U_i^a − U_i^b‖_∞ / ‖U_i^a‖_∞)``. Output biases add
    ``‖c^a − c^b‖_∞ / max(‖c^a‖_∞, ‖U^a‖_∞)`` (scaled ``U``; the same choice of scale
    as :func:`compare_networks`), 0 when both are zero. Every step
    after the matching runs in :class:`fractions.Fraction` arithmetic on the exact values
    of the weights (float64 entries are rationals), so errors far below float64
    resolution — e.g. 1e-50 between a high-precision solution and the truth — are
    measured correctly. Units are paired by a minimum-weight matching of the scaled
    units (float costs, as in :func:`match_units`). The result is rounded to float at the end; 0.0 means equal.
    """
    _check_comparable(a, b)
    hidden_bias = bool(np.any(a.b != 0) or np.any(b.b != 0))
    Ua, Va = _max_norm_units(a, hidden_bias)
    Ub, Vb = _max_norm_units(b, hidden_bias)
    # The float networks only drive the matching; the rows W are passed as V.
    as_float = [TwoLayerNetwork(U.astype(float), V.astype(float), a.activation)
                for U, V in ((Ua, Va), (Ub, Vb))]
    perm = _min_weight_perfect_matching(_pair_costs(*as_float))
    Ub, Vb = Ub[:, perm], Vb[perm]
    worst = Fraction(0)
    for i in range(a.k):
        err_v = max(abs(x - y) for x, y in zip(Va[i], Vb[i]))
        scale_u = max(abs(x) for x in Ua[:, i]) or Fraction(1)
        err_u = max(abs(x - y) for x, y in zip(Ua[:, i], Ub[:, i])) / scale_u
        worst = max(worst, err_v, err_u)
    return float(max(worst, _exact_output_bias_error(a, b, Ua)))


def _exact_output_bias_error(a: TwoLayerNetwork, b: TwoLayerNetwork, Ua) -> Fraction:
    """``‖c^a − c^b‖_∞ / max(‖c^a‖_∞, ‖U^a‖_∞)`` in Fractions (0 when both are zero)."""
    ca, cb = (np.vectorize(Fraction, otypes=[object])(net.c) for net in (a, b))
    if not any(x != 0 for x in np.concatenate([ca, cb])):
        return Fraction(0)
    scale = max(max(abs(x) for x in ca), max(abs(x) for x in Ua.flat)) or Fraction(1)
    return max(abs(x - y) for x, y in zip(ca, cb)) / scale


def _max_norm_units(net: TwoLayerNetwork, hidden_bias: bool) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``(U, W)`` with ``W = [V | b]`` (or ``V``), rows of max-norm 1."""
    exact = np.vectorize(Fraction, otypes=[object])
    W = np.hstack([net.V, net.b[:, None]]) if hidden_bias else net.V
    return max_norm_scaled(exact(net.U), exact(W), net.activation.degree)
