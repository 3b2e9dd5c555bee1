import numpy as np
import pytest

from recover import planted_instance


@pytest.fixture(scope="module")
def small():
    """An integer planted instance: Y = U* relu(V* X) exactly."""
    return planted_instance(6, 3, 4, 200, seed=3, integer=True)


@pytest.fixture(scope="module")
def dyadic():
    """Float data with non-integer values whose Y is still exactly U relu(V X) in float64:
    an integer instance scaled by powers of two (every product and sum stays exact)."""
    inst = planted_instance(6, 3, 4, 200, seed=0, integer=True)
    from recover import TwoLayerNetwork
    net = TwoLayerNetwork(inst.network.U / 4, inst.network.V / 16)
    X = inst.X / 8
    Y = net(X)
    assert np.array_equal(Y, inst.Y / 512)
    return X, Y, net
