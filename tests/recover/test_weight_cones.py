"""Weight cones of a step activation, and the half-space test that guards its facets."""

import numpy as np
import pytest

from recover import RecoveryFailed, planted_instance, recover_network
from recover.cone import cone_facets
from recover.facets import add_if_new, exact_facet, informative_columns
from recover.span import label_span
from recover.weight_cones import realisable, weight_cone


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


# Seed 8 at the shape: the search meets spurious facets (hyperplanes s_a = s_b
# through many repeated label points) that every count accepts; only their patterns,
# which no half-space realises, show they are not units.
SPURIOUS = dict(shape=(20, 10, 15, 3000), seed=8)


def test_spurious_step_facets_pass_the_counts_but_not_the_half_space_test():
    inst = planted_instance(*SPURIOUS["shape"], seed=SPURIOUS["seed"], activation="step")
    span = label_span(inst.Y)
    k = span.k
    truth = inst.network.V @ inst.X > 0
    rejected = []

    def accept(facet):
        ok = realisable(inst.X, ~facet.support & (facet.w @ span.Z > 0))
        if not ok:
            rejected.append(facet)
        return ok

    min_count = (k - 1) + max(3, k // 5)
    facets, stats = cone_facets(span.Z, k, np.random.default_rng(SPURIOUS["seed"]),
                                min_count, accept=accept)
    assert rejected, "the regression instance no longer exercises the half-space test"
    assert stats["unrealisable"] == len(rejected)
    for facet in rejected:  # verified facets by every count, yet no unit's
        assert facet.count >= min_count
        pattern = ~facet.support & (facet.w @ span.Z > 0)
        assert not any(np.array_equal(pattern, t) for t in truth)
    kept = [~f.support & (f.w @ span.Z > 0) for f in facets]
    assert len(kept) == k
    assert all(any(np.array_equal(p, t) for t in truth) for p in kept)


def test_step_recovery_rejects_spurious_facets_and_contains_the_truth():
    inst = planted_instance(*SPURIOUS["shape"], seed=SPURIOUS["seed"], activation="step")
    res = recover_network(inst.X, inst.Y, activation="step", seed=SPURIOUS["seed"])
    cones = res.diagnostics["cones"]
    inside = np.array([[c.contains(v) for c in cones] for v in inst.network.V])
    assert (inside.sum(axis=1) == 1).all() and (inside.sum(axis=0) == 1).all()
    stats = [a for a in res.diagnostics if a.endswith("_stats")]
    assert sum(res.diagnostics[s].get("unrealisable", 0) for s in stats) >= 1


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
