"""Exact recovery with biases and fewer outputs than hidden units (m < k):
``Y = U f(V X + b 1ᵀ) + c 1ᵀ`` through recover._few_outputs with ``bias=True`` — planted
networks recovered to machine precision (biases included) and certified over Q, labels
outside the model refused loudly, and the pattern-fixed finish with biases on its own."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recover import (InvalidInputError, RecoveryFailed, Tolerances, planted_instance,
                     recover_network)
from recover._activations import get_activation
from recover._lift import lift_inputs
from recover._patterns import pattern_finish
from verify import certify, compare_networks

RESIDUAL_RTOL = Tolerances().residual_rtol
RELU = get_activation("relu")
EXACT = 1e-10
BIAS = dict(bias_std=1.0, output_bias_std=1.0)


def _lifted(net):
    """``([U | c], [V | b])`` of a network."""
    return np.hstack([net.U, net.c[:, None]]), np.hstack([net.V, net.b[:, None]])


def _check_exact(inst, res, k):
    assert res.exact and res.mode == "exact" and res.k == k
    assert res.diagnostics["method"] == "few_outputs" and res.diagnostics["bias"] is True
    assert res.network.b.shape == (k,) and res.network.c.shape == (inst.Y.shape[0],)
    assert compare_networks(inst.network, res.network) <= EXACT
    assert res.residual <= RESIDUAL_RTOL and res.warnings == []


@pytest.mark.parametrize("d,k,m,n", [(10, 5, 1, 300), (20, 10, 1, 1600), (20, 10, 5, 800)])
def test_planted_networks_with_biases_are_recovered_exactly(d, k, m, n):
    inst = planted_instance(d, k, m, n, seed=2, **BIAS)
    assert np.all(inst.network.b != 0) and np.all(inst.network.c != 0)
    _check_exact(inst, recover_network(inst.X, inst.Y, k=k, bias=True, seed=2), k)


@pytest.mark.parametrize("d,k,m,n", [(10, 5, 1, 400), (20, 10, 5, 1000)])
def test_recovered_network_with_biases_is_certified_over_the_rationals(d, k, m, n):
    inst = planted_instance(d, k, m, n, seed=1, integer=True, **BIAS)
    res = recover_network(inst.X, inst.Y, k=k, bias=True, mode="exact", seed=1)
    # The float candidate comes from a least-squares solve with k(d+1)+1 = 211 columns:
    # ~1e-13 per unit, a little over the default candidate tolerance (1e-13). The
    # certified network is the rational one, compared with the truth exactly.
    cert = certify(inst.X, inst.Y, res.network, exact=True, truth=inst.network,
                   candidate_rtol=1e-12)
    assert cert.holds, cert.summary()
    assert cert.mode == "exact" and cert.check("blocks").numbers["rank"] == k * (d + 1) + 1
    assert cert.check("truth").numbers["max_unit_error"] == 0
    assert compare_networks(cert.network, res.network) <= EXACT


def test_large_biases_and_data_at_any_scale():
    inst = planted_instance(8, 4, 1, 400, seed=3, bias_std=2.0, output_bias_std=5.0)
    res = recover_network(inst.X * 2.0 ** 30, inst.Y * 1e-5, k=4, bias=True, mode="exact")
    net = inst.network
    truth = type(net)(net.U * 1e-5 * 2.0 ** -30, net.V, b=net.b * 2.0 ** 30,
                      c=net.c * 1e-5)
    assert res.exact and compare_networks(truth, res.network) <= EXACT


@pytest.mark.parametrize("activation", ["relu2", "log(1+t)"])
def test_other_activations_with_biases_and_one_output(activation):
    inst = planted_instance(6, 3, 1, 600, seed=1, activation=activation, **BIAS)
    res = recover_network(inst.X, inst.Y, k=3, activation=activation, bias=True,
                          mode="exact")
    assert res.exact
    assert compare_networks(inst.network, res.network) <= EXACT


# ReLU only: its finish proves the blocks unique for the pattern. Other activations are
# accepted on the residual alone, which at n ≈ 5kd can leave the weights at 1e-9 (seen
# without biases: (4,3,2), relu2, seed 94, in test_few_outputs.py).
@settings(max_examples=10, deadline=None)
@given(d=st.integers(4, 7), k=st.integers(2, 4), m=st.integers(1, 3),
       seed=st.integers(0, 10**6))
def test_exact_or_loud_never_wrong(d, k, m, seed):
    k, m = min(k, d), min(m, k - 1)
    inst = planted_instance(d, k, m, 5 * k * (d + 1) + 50, seed=seed, **BIAS)
    try:
        res = recover_network(inst.X, inst.Y, k=k, mode="exact", seed=seed, bias=True,
                              max_attempts=1)
    except RecoveryFailed:
        return
    assert res.exact
    assert compare_networks(inst.network, res.network) <= EXACT


@pytest.mark.parametrize("mode", ["exact", "auto"])
def test_labels_of_more_units_are_refused_not_fitted(mode):
    inst = planted_instance(10, 6, 1, 600, seed=2, **BIAS)
    with pytest.raises(RecoveryFailed, match="no exact network of k = 4 units") as info:
        recover_network(inst.X, inst.Y, k=4, bias=True, mode=mode, max_attempts=1)
    assert all(a["failure"] for a in info.value.diagnostics["attempts"])
    assert "with biases" in str(info.value)


def test_labels_of_another_activation_are_refused_not_fitted():
    inst = planted_instance(8, 3, 1, 600, seed=2, activation="relu2", **BIAS)
    with pytest.raises(RecoveryFailed, match="no exact network"):
        recover_network(inst.X, inst.Y, k=3, bias=True, mode="exact", max_attempts=1)


def test_bias_free_labels_are_recovered_with_zero_biases():
    inst = planted_instance(10, 5, 1, 300, seed=0)
    res = recover_network(inst.X, inst.Y, k=5, bias=True, mode="exact")
    assert res.exact and compare_networks(inst.network, res.network) <= EXACT
    assert np.max(np.abs(res.network.b)) <= 1e-10 and np.max(np.abs(res.network.c)) <= 1e-10


def test_a_unit_active_on_every_sample_is_refused():
    """Its bias cannot be told from c: the finish's design loses rank, nothing is guessed."""
    inst = planted_instance(8, 4, 1, 400, seed=0, **BIAS)
    net = inst.network
    b = net.b.copy()
    b[0] = 1.0 - np.min(net.V[0] @ inst.X)                   # unit 0 on everywhere
    Y = type(net)(net.U, net.V, b=b, c=net.c)(inst.X)
    with pytest.raises(RecoveryFailed, match="on every sample or on none"):
        recover_network(inst.X, Y, k=4, bias=True, mode="exact", max_attempts=1)


def test_noisy_mode_with_biases_is_refused_clearly():
    inst = planted_instance(8, 4, 1, 600, seed=0, snr_db=30.0, **BIAS)
    with pytest.raises(InvalidInputError, match="mode='noisy' with bias=True"):
        recover_network(inst.X, inst.Y, k=4, bias=True, mode="noisy")


def test_too_few_samples_fail_loudly():
    inst = planted_instance(10, 5, 1, 50, seed=0, **BIAS)
    with pytest.raises(RecoveryFailed, match=r"fewer than the k\(d\+1\)\+1 = 56 unknowns"):
        recover_network(inst.X, inst.Y, k=5, bias=True, mode="exact")


def test_finish_with_biases_from_a_perturbed_truth_is_exact():
    inst = planted_instance(20, 10, 1, 1000, seed=4, **BIAS)
    Uc, Vb = _lifted(inst.network)
    rng = np.random.default_rng(0)
    Vb0 = Vb + 1e-3 * np.linalg.norm(Vb, axis=1, keepdims=True) * rng.standard_normal(Vb.shape)
    finish = pattern_finish(lift_inputs(inst.X), inst.Y, Uc, Vb0, RELU, bias=True)
    assert finish.failure is None and finish.residual <= RESIDUAL_RTOL
    assert compare_networks(inst.network, finish.network) <= EXACT


def test_finish_with_biases_refuses_a_wrong_pattern():
    inst = planted_instance(10, 5, 1, 600, seed=4, **BIAS)
    Uc, Vb = _lifted(inst.network)
    Vb[0] = -Vb[0]
    finish = pattern_finish(lift_inputs(inst.X), inst.Y, Uc, Vb, RELU, rounds=1, bias=True)
    assert finish.network is None and finish.residual > 1e-3
