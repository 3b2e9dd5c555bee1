"""The Jacobian rank proof of local identifiability, for ReLU and for c*t^q."""

from fractions import Fraction

import numpy as np
import pytest

from recover import get_activation, planted_instance
from verify.exact import RationalMonomial
from verify.identifiability import identifiability_check

fractions = np.vectorize(Fraction, otypes=[object])


@pytest.mark.parametrize("act", ["relu", "relu2", "t**3", "2*t**2"])
def test_the_rank_bound_is_proven_on_planted_networks(act):
    inst = planted_instance(8, 4, 6, 400, seed=2, activation=act, integer=True)
    g = RationalMonomial.of(get_activation(act))
    check = identifiability_check(fractions(inst.network.U), fractions(inst.network.V),
                                  inst.X, g=g)
    assert check.status == "passed" and not check.required
    assert check.numbers["rank"] == check.numbers["bound"] == 6 * 4 + 4 * 8 - 4


@pytest.mark.parametrize("act", ["relu", "relu2"])
def test_too_few_samples_is_not_proven_never_refuted(act):
    # 2 outputs x 5 samples = 10 equations < mk + kd - k = 15 unknowns (up to symmetry)
    inst = planted_instance(4, 3, 2, 5, seed=0, activation=act, integer=True)
    g = RationalMonomial.of(get_activation(act))
    check = identifiability_check(fractions(inst.network.U), fractions(inst.network.V),
                                  inst.X, g=g)
    assert check.status == "not proven"
    assert "not a proof of non-identifiability" in check.detail
    assert check.numbers["rank_lower_bound"] <= 10


def test_a_duplicated_unit_is_not_proven():
    # Two units with the same V row: U_1 + U_2 is all the data can see, so the rank
    # drops below the bound however many samples there are.
    inst = planted_instance(6, 3, 5, 400, seed=1, activation="relu2", integer=True)
    V = fractions(inst.network.V)
    V[1] = V[0]
    check = identifiability_check(fractions(inst.network.U), V, inst.X,
                                  g=RationalMonomial.of(get_activation("relu2")))
    assert check.status == "not proven"
