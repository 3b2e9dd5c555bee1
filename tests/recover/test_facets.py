"""Steps 2–3 alone (recover._facets, recover._cone): every facet returned is a true facet of
the cone of reduced labels — its normal vanishes on at least n/4 samples and is ≥ 0 on all
— and it is the true one, ``w_i ∝ row i of (Pᵀ U*)⁻¹``."""

import numpy as np
import pytest

from recover import label_span, planted_instance
from recover._cone import cone_facets
from recover import Tolerances
from recover._facets import exact_facet, informative_columns

ON_FACET_RTOL = Tolerances().on_facet_rtol


def _setup(shape, seed):
    inst = planted_instance(*shape, seed=seed)
    span = label_span(inst.Y)
    W = np.linalg.inv(span.P.T @ inst.network.U)                # true normals (rows)
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    return inst, span.Z, W


def _assert_true_facet(w, Z, W):
    n = Z.shape[1]
    znorm = np.linalg.norm(Z, axis=0)
    values = w @ Z
    on = np.abs(values) <= ON_FACET_RTOL * np.linalg.norm(w) * znorm
    assert on.sum() >= n / 4                                    # vanishes on ≥ n/4
    assert values.min() >= -ON_FACET_RTOL * np.linalg.norm(w) * znorm.max()  # ≥ 0 on all
    cos = np.abs(W @ w) / np.linalg.norm(w)
    assert cos.max() > 1 - 1e-12                                # it is a true normal


@pytest.mark.parametrize("shape, seed", [((10, 4, 6, 500), 0), ((20, 10, 15, 2000), 1)])
def test_cone_facets_returns_only_true_facets(shape, seed):
    inst, Z, W = _setup(shape, seed)
    k = shape[1]
    facets, _ = cone_facets(Z, k, np.random.default_rng(0), min_count=(k - 1) + 3)
    assert len(facets) == k
    for f in facets:
        _assert_true_facet(f.w, Z, W)
        # the support it reports is samples on it, and at least n/4 of them
        on = np.abs(f.w @ Z) <= ON_FACET_RTOL * np.linalg.norm(Z, axis=0)
        assert (f.support <= on).all() and f.count >= Z.shape[1] / 4
    found = np.abs(W @ np.array([f.w for f in facets]).T).max(axis=1)
    assert (found > 1 - 1e-12).all()                            # each unit once


def test_exact_step_snaps_a_rough_normal_onto_the_facet():
    inst, Z, W = _setup((10, 4, 6, 500), 4)
    znorm, informative = informative_columns(Z)
    rng = np.random.default_rng(0)
    for i in range(4):
        rough = W[i] + 1e-9 * rng.standard_normal(4)
        facet = exact_facet(rough, Z, znorm, informative, min_count=6)
        assert facet is not None
        _assert_true_facet(facet.w, Z, W)
        assert facet.w @ W[i] > 1 - 1e-12                       # oriented, not flipped
        assert facet.flatness < 1e-13


def test_a_hyperplane_through_generic_samples_is_rejected():
    """k−1 samples define a hyperplane that holds no other sample: not a facet."""
    inst, Z, W = _setup((10, 4, 6, 500), 5)
    znorm, informative = informative_columns(Z)
    spurious = np.linalg.svd(Z[:, :3].T)[2][-1]                 # through samples 0, 1, 2
    assert exact_facet(spurious, Z, znorm, informative, min_count=6) is None
