"""Comparing networks with biases, and certify telling a network from its bias-free copy."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recover import TwoLayerNetwork, planted_instance
from verify import certify, compare_networks
from verify._compare import match_units, max_unit_error


def _biased(seed: int, m: int, k: int, d: int, act: str = "relu") -> TwoLayerNetwork:
    rng = np.random.default_rng(seed)
    return TwoLayerNetwork(rng.standard_normal((m, k)), rng.standard_normal((k, d)),
                           b=rng.standard_normal(k), c=rng.standard_normal(m),
                           activation=act)


shapes = st.tuples(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 4),
                   st.integers(1, 5), st.sampled_from(["relu", "relu2"]))


@given(shapes, st.lists(st.floats(0.1, 10.0), min_size=4, max_size=4), st.randoms())
def test_zero_between_a_network_and_its_symmetric_copies(shape, lams, random):
    seed, m, k, d, act = shape
    net = _biased(seed, m, k, d, act)
    perm = list(range(k))
    random.shuffle(perm)
    other = net.permuted(perm).rescaled(lams[:k])
    assert compare_networks(net, other) <= 1e-12
    assert max_unit_error(net, other) <= 1e-12
    assert sorted(match_units(net, other).tolist()) == list(range(k))


@given(shapes, st.integers(0, 3))
def test_a_substantially_changed_hidden_bias_is_seen(shape, unit):
    seed, m, k, d, act = shape
    net = _biased(seed, m, k, d, act)
    i = unit % k
    b = net.b.copy()
    norm = np.linalg.norm(np.append(net.V[i], b[i]))
    # push b_i past zero to the other side, by three times the unit's norm: its
    # direction [V_i | b_i] changes, which no rescaling undoes
    b[i] -= 3 * norm * (1.0 if b[i] >= 0 else -1.0)
    changed = TwoLayerNetwork(net.U, net.V, b=b, c=net.c, activation=net.activation)
    assert compare_networks(net, changed) > 0.1
    assert max_unit_error(net, changed) > 0.1


@given(shapes, st.integers(0, 3))
def test_a_substantially_changed_output_bias_is_seen(shape, output):
    seed, m, k, d, act = shape
    net = _biased(seed, m, k, d, act)
    c = net.c.copy()
    c[output % m] += 3 * max(np.linalg.norm(net.c), np.linalg.norm(net.canonical().U))
    changed = TwoLayerNetwork(net.U, net.V, b=net.b, c=c, activation=net.activation)
    assert compare_networks(net, changed) == pytest.approx(3.0, rel=1e-12)
    assert max_unit_error(net, changed) > 0.1


def test_output_bias_error_is_relative_to_the_output_weights_when_c_is_zero():
    rng = np.random.default_rng(2)
    U, V = rng.standard_normal((3, 2)), rng.standard_normal((2, 4))
    plain = TwoLayerNetwork(U, V)
    c = np.array([0.0, 1e-3, 0.0])
    scale = np.linalg.norm(plain.canonical().U)
    assert compare_networks(plain, TwoLayerNetwork(U, V, c=c)) == pytest.approx(
        1e-3 / scale, rel=1e-12)
    # a hidden bias in one network only is a difference too
    assert compare_networks(plain, TwoLayerNetwork(U, V, b=[0.5, 0.0])) > 1e-3


def test_bias_free_comparisons_are_unchanged():
    # values computed before biases existed (same seed, same construction)
    expected = [(0.001118213603718499, 0.0010772323093624974),
                (0.002090661264297686, 0.005565694477564439),
                (0.0009104232259973916, 0.0018313748397293939)]
    rng = np.random.default_rng(9)
    for act, (cmp, unit) in zip(("relu", "relu2", "log(1+t)"), expected):
        U, V = rng.standard_normal((4, 3)), rng.standard_normal((3, 5))
        a = TwoLayerNetwork(U, V, act)
        b = TwoLayerNetwork(U + 1e-3 * rng.standard_normal(U.shape),
                            V + 1e-3 * rng.standard_normal(V.shape), act)
        assert (compare_networks(a, b), max_unit_error(a, b)) == (cmp, unit)


@pytest.mark.parametrize("which", ["network", "truth"])
def test_certify_does_not_confuse_a_network_with_its_bias_free_copy(which):
    # biases are part of the network certified: with them only in the candidate or only
    # in the truth, the certificate cannot hold
    inst = planted_instance(6, 3, 4, 40, seed=1, integer=True, bias_std=3.0)
    plain = TwoLayerNetwork(inst.network.U, inst.network.V)
    nets = {"network": inst.network, "truth": plain} if which == "network" else \
        {"network": plain, "truth": inst.network}
    cert = certify(inst.X, inst.Y, nets["network"], truth=nets["truth"])
    assert not cert.holds
    # the model with biases is solved (either network has them), and it fits the data
    assert cert.check("reproduction").passed
    # the biased network is the one certified; the bias-free one is told apart
    plain_side = "truth" if which == "network" else "candidate"
    assert cert.check(plain_side).status == "failed"
    assert cert.check(plain_side).numbers["max_unit_error"] > 0.01


def test_certify_still_proves_bias_free_networks():
    inst = planted_instance(6, 3, 4, 40, seed=1, integer=True)
    cert = certify(inst.X, inst.Y, inst.network, truth=inst.network)
    assert cert.holds
