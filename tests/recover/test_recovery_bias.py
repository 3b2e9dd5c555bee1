"""recover_network(..., bias=True): exact recovery of U, V, b, c (ground truth on planted
instances), loud refusals where the samples do not determine a unit, noisy recovery
against the oracle, and the bias-free API unchanged."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recover import (InvalidInputError, RecoveryFailed, TwoLayerNetwork, planted_instance,
                     recover_network)
from recover._refine import refine
from verify._compare import compare_networks

EXACT = 1e-10


def _planted(d, k, m, n, seed, sigma=1.0, **kw):
    return planted_instance(d, k, m, n, seed=seed, bias_std=sigma, output_bias_std=1.0, **kw)


@pytest.mark.parametrize("d,k,m,sigma", [(20, 10, 15, 1.0), (20, 10, 15, 0.3),
                                         (20, 10, 10, 1.0), (20, 10, 10, 0.3),
                                         (8, 3, 3, 1.0)])
@pytest.mark.parametrize("seed", [0, 1])
def test_exact_recovery_with_biases(d, k, m, sigma, seed):
    inst = _planted(d, k, m, 2000, seed, sigma)
    res = recover_network(inst.X, inst.Y, k=k, bias=True, mode="exact", seed=seed)
    assert res.exact and res.mode == "exact" and res.k == k
    assert res.network.b.shape == (k,) and res.network.c.shape == (m,)
    assert compare_networks(res.network, inst.network) <= EXACT
    assert np.max(np.abs(res.network(inst.X) - inst.Y)) <= 1e-10 * np.max(np.abs(inst.Y))


def test_k_is_read_off_the_lifted_rank_even_at_m_equal_k():
    inst = _planted(20, 10, 10, 2000, seed=5)
    res = recover_network(inst.X, inst.Y, bias=True)
    assert res.exact and res.k == 10
    assert compare_networks(res.network, inst.network) <= EXACT


@pytest.mark.parametrize("activation", ["relu2", "log(1+t)", "1-exp(-t)"])
def test_other_rectified_activations_with_biases(activation):
    inst = _planted(10, 5, 6, 3000, seed=1, sigma=0.5, activation=activation)
    res = recover_network(inst.X, inst.Y, k=5, bias=True, activation=activation,
                          mode="exact")
    assert res.exact
    assert compare_networks(res.network, inst.network) <= EXACT


@pytest.mark.parametrize("m", [1, 2])
def test_a_single_unit_with_biases(m):
    inst = _planted(5, 1, m, 500, seed=4)
    res = recover_network(inst.X, inst.Y, k=1, bias=True, mode="exact")
    assert res.exact
    assert compare_networks(res.network, inst.network) <= EXACT


def test_scale_of_the_data_is_undone_on_the_biases():
    inst = _planted(12, 4, 6, 1500, seed=2)
    X, Y = inst.X * 2.0 ** 20, inst.Y * 2.0 ** -30
    res = recover_network(X, Y, k=4, bias=True, mode="exact")
    assert res.exact
    assert np.max(np.abs(res.network(X) - Y)) <= 1e-10 * np.max(np.abs(Y))
    truth = TwoLayerNetwork(inst.network.U * 2.0 ** -30, inst.network.V * 2.0 ** -20,
                            inst.network.b, inst.network.c * 2.0 ** -30)
    assert compare_networks(res.network, truth) <= EXACT


def test_bias_free_labels_give_zero_biases():
    inst = planted_instance(20, 10, 15, 2000, seed=3)
    res = recover_network(inst.X, inst.Y, bias=True, mode="exact")
    assert res.exact and res.k == 10
    assert compare_networks(res.network, inst.network) <= EXACT
    assert np.max(np.abs(res.network.b)) <= 1e-12 and np.max(np.abs(res.network.c)) <= 1e-12


def _network_with_bias(value, unit=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((8, 2000))
    b = rng.standard_normal(4)
    b[unit] = value
    net = TwoLayerNetwork(rng.standard_normal((6, 4)), rng.standard_normal((4, 8)), b,
                          rng.standard_normal(6))
    return X, net(X)


@pytest.mark.parametrize("mode", ["auto", "exact"])
def test_a_unit_active_on_no_sample_is_named_not_guessed(mode):
    X, Y = _network_with_bias(-100.0)
    with pytest.raises(RecoveryFailed, match="active on none of them"):
        recover_network(X, Y, k=4, bias=True, mode=mode)


@pytest.mark.parametrize("mode", ["auto", "exact"])
def test_a_unit_active_on_every_sample_is_named_not_guessed(mode):
    X, Y = _network_with_bias(100.0)
    with pytest.raises(RecoveryFailed, match="1 of the k = 4 units are active on every"):
        recover_network(X, Y, k=4, bias=True, mode=mode)


def test_samples_on_an_affine_hyperplane_are_refused():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((6, 1000))
    X[0] = 1.0  # every sample on x_0 = 1: a weight on x_0 is a bias
    net = TwoLayerNetwork(rng.standard_normal((4, 3)), rng.standard_normal((3, 6)),
                          rng.standard_normal(3), rng.standard_normal(4))
    with pytest.raises(RecoveryFailed, match="affine hyperplane"):
        recover_network(X, net(X), k=3, bias=True)


def test_bad_bias_options_are_rejected():
    inst = _planted(6, 2, 3, 300, seed=0)
    with pytest.raises(InvalidInputError, match="bias must be True or False"):
        recover_network(inst.X, inst.Y, bias="yes")
    with pytest.raises(InvalidInputError, match="moments"):
        recover_network(inst.X, inst.Y, bias=True, method="moments")
    with pytest.raises(InvalidInputError, match="Y is zero"):
        recover_network(inst.X, np.zeros_like(inst.Y), bias=True)


def test_the_bias_free_call_is_unchanged():
    inst = planted_instance(20, 10, 15, 2000, seed=0)
    a = recover_network(inst.X, inst.Y, seed=0)
    b = recover_network(inst.X, inst.Y, seed=0, bias=False)
    assert np.array_equal(a.network.U, b.network.U) and np.array_equal(a.network.V, b.network.V)
    assert not a.network.has_bias


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 5), extra_m=st.integers(0, 3),
       extra_d=st.integers(0, 4), sigma=st.sampled_from([0.3, 1.0]))
def test_property_exact_or_loud(seed, k, extra_m, extra_d, sigma):
    """Over random planted biased networks: the answer is exact, or RecoveryFailed —
    never a returned network that is wrong."""
    d, m = k + extra_d + 1, k + extra_m
    inst = _planted(d, k, m, 1500, seed % 10_000, sigma)
    try:
        res = recover_network(inst.X, inst.Y, k=k, bias=True, mode="exact")
    except RecoveryFailed:
        return
    assert res.exact
    assert compare_networks(res.network, inst.network) <= EXACT


def _oracle_error(inst, k):
    t = inst.network
    X = np.vstack([inst.X, np.ones((1, inst.X.shape[1]))])
    fit = refine(np.hstack([t.U, t.c[:, None]]), np.hstack([t.V, t.b[:, None]]), X, inst.Y,
                 t.activation, output_bias=True)
    oracle = TwoLayerNetwork(fit.U[:, :k], fit.V[:, :-1], fit.V[:, -1], fit.U[:, k],
                             activation=t.activation)
    return compare_networks(oracle, t)


@pytest.mark.parametrize("seed", [0, 2])
def test_noisy_recovery_with_biases_matches_the_oracle(seed):
    inst = _planted(20, 10, 15, 10000, seed, snr_db=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a good fit must pass the noise check silently
        res = recover_network(inst.X, inst.Y, k=10, bias=True, seed=seed)
    assert res.mode == "noisy" and not res.exact and res.misspecified is False
    oracle = _oracle_error(inst, 10)
    assert oracle < 0.02  # the yardstick itself near the truth (measured ~0.005)
    assert compare_networks(res.network, inst.network) <= 1.25 * oracle
    se = res.standard_errors
    assert se["b"].shape == (10,) and se["c"].shape == (15,)
    assert np.all(se["b"] > 0) and np.all(se["c"] > 0)


@pytest.mark.parametrize("seed", [0, 1, 3])
def test_recovered_network_with_biases_is_certified_exactly(seed):
    """recover → certify: the float recovery of an integer instance with biases is
    proven exactly over Q (the candidate within its stated tolerance of the proof)."""
    from verify import certify

    inst = planted_instance(20, 10, 10, 2000, seed=seed, integer=True, bias_std=1,
                            output_bias_std=1)
    res = recover_network(inst.X, inst.Y, bias=True, mode="exact")
    cert = certify(inst.X, inst.Y, res.network, truth=inst.network)
    assert cert.holds, cert.summary()
