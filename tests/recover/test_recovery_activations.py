"""Exact recovery with rectified activations other than ReLU."""

import numpy as np
import pytest

from recover import RecoveryFailed, planted_instance, recover_network
from verify import compare_networks
from verify._compare import match_units

EXACT = 1e-10
MUST_SHOW = ["relu", "relu2", "t**3", "log(1+t)", "1-exp(-t)"]


def _check_exact(act, shape, seed):
    inst = planted_instance(*shape, seed=seed, activation=act)
    res = recover_network(inst.X, inst.Y, activation=act, seed=seed)
    assert res.diagnostics["identifiable"] is True
    assert res.residual < 1e-12
    assert compare_networks(inst.network, res.network) < EXACT
    return inst, res


@pytest.mark.parametrize("act", MUST_SHOW + ["tanh(t)"])
@pytest.mark.parametrize("seed", [0, 1])
def test_exact_recovery_each_activation(act, seed):
    _check_exact(act, (10, 5, 8, 1000), seed)


@pytest.mark.parametrize("act", ["log(1+t)", "1-exp(-t)"])
def test_non_homogeneous_recovers_the_scale_not_just_the_direction(act):
    inst, res = _check_exact(act, (12, 6, 8, 1500), 3)
    perm = match_units(inst.network, res.network)
    V_true = inst.network.canonical().V
    V_got = res.network.canonical().V[perm]
    # no normalisation anywhere: V itself agrees, including the norms of its rows
    assert np.max(np.abs(V_got - V_true)) < 1e-10 * np.abs(V_true).max()
    assert np.allclose(np.linalg.norm(V_got, axis=1), np.linalg.norm(V_true, axis=1),
                       rtol=1e-12)
    assert len(res.diagnostics["scales"]) == 6


def test_homogeneous_canonical_form_normalises_rows():
    inst, res = _check_exact("relu2", (10, 5, 8, 1000), 4)
    assert np.allclose(np.linalg.norm(res.network.V, axis=1), 1.0)
    assert "scales" not in res.diagnostics


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_step_returns_a_cone_that_contains_the_truth(seed):
    inst = planted_instance(10, 5, 8, 1000, seed=seed, activation="step")
    res = recover_network(inst.X, inst.Y, activation="step", seed=seed)
    diag = res.diagnostics
    assert diag["identifiable"] is False and "cone" in diag["note"]
    assert res.residual < 1e-12  # U is exact: f(V X) is the pattern
    cones = diag["cones"]
    inside = np.array([[cone.contains(v) for cone in cones] for v in inst.network.V])
    assert inside.any(axis=1).all()          # every true unit lies in a cone ...
    assert (inside.sum(axis=0) == 1).all()   # ... and each cone holds one true unit
    for cone, v in zip(cones, res.network.canonical().V):
        assert cone.margin > 0
    # the representative reproduces the labels exactly
    assert np.allclose(res.network(inst.X), inst.Y, rtol=0, atol=1e-10 * np.abs(inst.Y).max())


@pytest.mark.parametrize("act", ["t*exp(-t)", "t/(1+t**2)"])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_bump_is_fitted_inside_its_pattern_cone(act, seed):
    # Not injective and not constant: the values still pin V down on generic data, and
    # the pattern cone (an outer bound) is returned with a note saying what is proven.
    inst = planted_instance(10, 5, 8, 1000, seed=seed, activation=act)
    res = recover_network(inst.X, inst.Y, activation=act, seed=seed)
    diag = res.diagnostics
    assert diag["identifiable"] is False and "uniqueness is not proven" in diag["note"]
    assert res.residual < 1e-12
    assert compare_networks(inst.network, res.network) < EXACT  # no scaling symmetry
    inside = [[c.contains(v) for c in diag["cones"]] for v in inst.network.V]
    assert np.array(inside).any(axis=1).all()
    assert all(any(c.contains(v) for c in diag["cones"]) for v in res.network.V)


def test_a_bump_that_cannot_fit_fails_loudly():
    # Labels of a t*exp(-t) network read as a different bump: no V in the cones
    # reproduces them, and recovery must say so rather than return a poor fit.
    inst = planted_instance(8, 3, 5, 600, seed=0, activation="t*exp(-t)")
    with pytest.raises(RecoveryFailed, match="not at machine level|not reproduced"):
        recover_network(inst.X, inst.Y, activation="t/(1+t**2)", mode="exact",
                        max_attempts=1)


@pytest.mark.slow
@pytest.mark.parametrize("act", MUST_SHOW)
def test_must_show_sweep_20_seeds(act):
    for seed in range(20):
        _check_exact(act, (20, 10, 15, 3000), seed)


@pytest.mark.slow
def test_step_sweep_20_seeds():
    for seed in range(20):
        inst = planted_instance(20, 10, 15, 3000, seed=seed, activation="step")
        res = recover_network(inst.X, inst.Y, activation="step", seed=seed)
        cones = res.diagnostics["cones"]
        assert all(any(c.contains(v) for c in cones) for v in inst.network.V)
