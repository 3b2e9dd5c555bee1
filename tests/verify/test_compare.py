import numpy as np
import pytest

from recover import InvalidInputError, TwoLayerNetwork, planted_instance
from verify import compare_networks


def test_zero_for_symmetric_copies():
    net = planted_instance(8, 4, 5, 10, seed=0).network
    rng = np.random.default_rng(1)
    other = net.permuted(rng.permutation(4)).rescaled(rng.uniform(0.1, 10, 4))
    assert compare_networks(net, other) < 1e-14


def test_detects_small_and_large_differences():
    net = planted_instance(8, 4, 5, 10, seed=0).network
    V = net.V.copy()
    V[1, 2] += 1e-6
    err = compare_networks(net, TwoLayerNetwork(net.U, V))
    assert 1e-8 < err < 1e-5
    assert compare_networks(net, planted_instance(8, 4, 5, 10, seed=5).network) > 0.1
    # flipping a unit's sign is not a symmetry
    V = net.V.copy()
    V[0] *= -1
    assert compare_networks(net, TwoLayerNetwork(net.U, V)) > 0.1


def test_incomparable_shapes():
    a = planted_instance(8, 4, 5, 10, seed=0).network
    b = planted_instance(8, 3, 5, 10, seed=0).network
    with pytest.raises(InvalidInputError, match="shapes"):
        compare_networks(a, b)
