import numpy as np
import pytest

from recover import InvalidInputError, TwoLayerNetwork, planted_instance
from verify import certify

INST = planted_instance(6, 3, 4, 50, seed=0, integer=True)


@pytest.mark.parametrize("X,Y,msg", [
    (INST.X[:, :-1], INST.Y, "same number of columns"),
    (INST.X[0], INST.Y, "2-D"),
    (np.where(INST.X == INST.X[0, 0], np.nan, INST.X), INST.Y, "NaN"),
    (INST.X, np.full_like(INST.Y, np.inf), "Inf"),
    (INST.X[:-1], INST.Y, "d = 6 inputs"),
    (INST.X, INST.Y[:-1], "m = 4 outputs"),
])
def test_bad_data(X, Y, msg):
    with pytest.raises(InvalidInputError, match=msg):
        certify(X, Y, INST.network)


def test_bad_network_and_digits():
    with pytest.raises(InvalidInputError, match="TwoLayerNetwork"):
        certify(INST.X, INST.Y, (INST.network.U, INST.network.V))
    wrong = planted_instance(7, 3, 4, 5, seed=0).network
    with pytest.raises(InvalidInputError, match="d = 7"):
        certify(INST.X, INST.Y, wrong)
    for digits in (15, 0, 20.5, True):
        with pytest.raises(InvalidInputError, match="digits"):
            certify(INST.X, INST.Y, INST.network, exact=False, digits=digits)
    with pytest.raises(InvalidInputError, match="truth has 2"):
        certify(INST.X, INST.Y, INST.network,
                truth=TwoLayerNetwork(INST.network.U[:, :2], INST.network.V[:2]))
