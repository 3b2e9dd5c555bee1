"""Weight cones of a step activation, and the half-space test that guards its facets."""

import numpy as np
import pytest

from recover import RecoveryFailed, planted_instance, recover_network
from recover._facets import add_if_new, exact_facet, informative_columns
from recover._span import label_span
from recover._weight_cones import realisable, weight_cone


def test_a_half_space_pattern_is_realisable_and_its_cone_holds_the_normal():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 400))
    v = rng.standard_normal(5)
    active = v @ X > 0
    assert realisable(X, active)
    cone = weight_cone(X, active)
    assert cone.contains(v) and cone.margin > 0
    assert not cone.contains(-v)


def test_an_intersection_of_two_half_spaces_is_not_realisable():
    # "active where unit a is on and unit b is off": the pattern a spurious facet
    # s_a ≥ s_b would hand to the weight step.
    rng = np.random.default_rng(1)
    X = rng.standard_normal((6, 500))
    a, b = rng.standard_normal((2, 6))
    active = (a @ X > 0) & (b @ X <= 0)
    assert not realisable(X, active)
    with pytest.raises(RecoveryFailed, match="no hidden weights realise"):
        weight_cone(X, active)


def test_add_if_new_runs_the_callers_test_last():
    Z = np.random.default_rng(2).standard_normal((3, 50))
    Z[0, :10] = 0.0
    Z[:, 10:] = np.abs(Z[:, 10:])
    znorm, informative = informative_columns(Z)
    facet = exact_facet(np.array([1.0, 0.0, 0.0]), Z, znorm, informative, 5)
    assert facet is not None
    facets, calls = [], []
    assert not add_if_new(facets, facet, lambda f: calls.append(f) or False)
    assert facets == [] and len(calls) == 1
    assert add_if_new(facets, facet, lambda f: True)
    assert not add_if_new(facets, facet, lambda f: calls.append(f) or True)
    assert len(calls) == 1  # a known facet is not tested again


def _implication_instance(a=0, b=1, shape=(10, 5, 8, 1200), seed=3):
    """A step instance with the samples where unit b is on and unit a off removed: then
    s_a ≥ s_b on every sample, and the hyperplane s_a = s_b supports the labels."""
    inst = planted_instance(*shape, seed=seed, activation="step")
    S = inst.network.V @ inst.X > 0
    keep = ~(S[b] & ~S[a])
    X = inst.X[:, keep]
    return X, inst.network(X), inst.network


def test_a_spurious_step_facet_passes_the_counts_but_not_the_half_space_test():
    X, Y, truth = _implication_instance()
    span = label_span(Y)
    Z, k = span.Z, span.k
    S = truth.V @ X > 0
    # Z = A S exactly; the rows of W = A^-1 satisfy w_i·z_j = s_ij
    W = np.linalg.inv(Z @ np.linalg.pinv(S.astype(float)))
    znorm, informative = informative_columns(Z)
    facet = exact_facet(W[0] - W[1], Z, znorm, informative, (k - 1) + 3)
    assert facet is not None and facet.count > 100  # a verified facet by every count
    pattern = ~facet.support & (facet.w @ Z > 0)
    assert np.array_equal(pattern, S[0] & ~S[1])     # "unit 0 on, unit 1 off"
    assert not realisable(X, pattern)                # which no half-space is
    assert all(realisable(X, S[i]) for i in range(k))


def test_step_recovery_with_a_supporting_implication_fails_loudly():
    # With s_0 >= s_1 on every sample, unit 0's hyperplane holds only a (k-2)-dimensional
    # set of labels: it is no facet of the data, and the only facet in its place is the
    # spurious s_0 = s_1. Such inputs are not Gaussian (the samples with unit 1 on and
    # unit 0 off were removed); the facet search cannot see unit 0 and must say so
    # rather than return cones that miss it.
    X, Y, truth = _implication_instance()
    with pytest.raises(RecoveryFailed, match="facets"):
        recover_network(X, Y, activation="step", seed=0)


@pytest.mark.parametrize("shape", [(4, 2, 3, 200), (6, 3, 4, 300), (8, 4, 6, 500)])
@pytest.mark.parametrize("seed", [0, 1])
def test_step_with_few_units_whose_facets_hold_few_distinct_points(shape, seed):
    # With k units a step's facet holds at most 2^(k−1) − 1 distinct label points
    # (3 for k = 3), fewer than the usual k + 2 the facet count asks for.
    inst = planted_instance(*shape, seed=seed, activation="step")
    res = recover_network(inst.X, inst.Y, activation="step", seed=seed)
    cones = res.diagnostics["cones"]
    inside = np.array([[c.contains(v) for c in cones] for v in inst.network.V])
    assert (inside.sum(axis=1) == 1).all() and (inside.sum(axis=0) == 1).all()
