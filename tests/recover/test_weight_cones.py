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


# Seed 18 at the shape: the cone of the labels has a spurious facet (129
# samples on a hyperplane s_a = s_b) that every count accepts; only its pattern, which
# no half-space realises, shows it is not a unit.
SPURIOUS = dict(shape=(20, 10, 15, 3000), seed=18)


def test_the_step_instance_with_a_spurious_facet_has_one():
    inst = planted_instance(*SPURIOUS["shape"], seed=SPURIOUS["seed"], activation="step")
    span = label_span(inst.Y)
    k = span.k
    truth = inst.network.V @ inst.X > 0
    facets, _ = cone_facets(span.Z, k, np.random.default_rng(SPURIOUS["seed"]),
                            (k - 1) + max(3, k // 5))
    patterns = [~f.support & (f.w @ span.Z > 0) for f in facets]
    spurious = [p for p in patterns if not any(np.array_equal(p, t) for t in truth)]
    assert spurious, "the regression instance no longer exercises the half-space test"
    assert not any(realisable(inst.X, p) for p in spurious)


def test_step_recovery_rejects_the_spurious_facet_and_contains_the_truth():
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
