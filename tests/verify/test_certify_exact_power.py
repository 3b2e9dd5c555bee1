"""Exact rational certificates for ``f(t) = c t^p`` (integer p), and attempts to fool them."""

from fractions import Fraction

import numpy as np
import pytest

from recover import TwoLayerNetwork, get_activation, planted_instance, recover_network
from verify import certify, recheck
from verify._certificate import Certificate
from verify._exact import RationalMonomial

POWERS = ["relu2", "t**3", "relu^4", "2*t**2"]
fractions = np.vectorize(Fraction, otypes=[object])


@pytest.fixture(scope="module", params=POWERS)
def integer_case(request):
    act = request.param
    inst = planted_instance(8, 4, 6, 600, seed=3, activation=act, integer=True)
    assert np.all(np.abs(inst.Y) < 2.0 ** 53)  # so Y is the exact value of U f(V X)
    res = recover_network(inst.X, inst.Y, activation=act, seed=3)
    return inst, res


@pytest.mark.parametrize("act, c, p", [("relu", 1, 1), ("relu2", 1, 2), ("t**3", 1, 3),
                                       ("2*t**2", 2, 2), ("t/3", Fraction(1, 3), 1)])
def test_monomials_are_recognised(act, c, p):
    g = RationalMonomial.of(get_activation(act))
    assert (Fraction(str(g.c)), g.p) == (c, p)


@pytest.mark.parametrize("act", ["t**(3/2)", "log(1+t)", "t+t**2", "step", "tanh(t)"])
def test_other_activations_have_no_exact_path(act):
    assert RationalMonomial.of(get_activation(act)) is None
    inst = planted_instance(5, 2, 3, 200, seed=0, activation=act)
    cert = certify(inst.X, inst.Y, inst.network, exact=True)
    assert not cert.holds and cert.check("scope").status == "not proven"


def test_integer_data_get_an_exact_certificate(integer_case):
    inst, res = integer_case
    act = inst.network.activation
    cert = certify(inst.X, inst.Y, res.network, exact=True, truth=inst.network)
    assert cert.holds, cert.summary()
    assert cert.mode == "exact" and cert.network.activation == act
    for name in ("rank", "facets", "pattern", "output weights", "reproduction",
                 "candidate", "truth"):
        assert cert.check(name).status == "passed", name
    # Recompute the claim ourselves, in Fractions, from the certified weights alone.
    U, V = cert.network.U, cert.network.V
    assert all(isinstance(a, Fraction) for a in np.concatenate([U.ravel(), V.ravel()]))
    assert np.array_equal(U @ act(V @ fractions(inst.X)), fractions(inst.Y))


def test_certificate_survives_json_and_recheck(integer_case):
    inst, res = integer_case
    cert = certify(inst.X, inst.Y, res.network, exact=True, identifiability=False)
    back = Certificate.from_json(cert.to_json())
    assert back.network.activation == inst.network.activation
    fresh = recheck(back, inst.X, inst.Y)
    assert fresh.holds and fresh.check("stored network").status == "passed"


def test_one_label_off_by_one_is_not_certified(integer_case):
    inst, res = integer_case
    Y = inst.Y.copy()
    Y[0, 7] += 1.0
    cert = certify(inst.X, Y, res.network, exact=True)
    assert not cert.holds
    assert any(c.status in ("failed", "not proven") for c in cert.checks if c.required)


def test_float_labels_are_not_certified_exactly():
    # Y = U f(V X) rounded to float64: no network with k units reproduces it exactly
    # (the rounding lifts its rank over Q), and nothing may claim otherwise.
    inst = planted_instance(8, 4, 6, 600, seed=3, activation="relu2")
    res = recover_network(inst.X, inst.Y, activation="relu2", seed=3)
    cert = certify(inst.X, inst.Y, res.network, exact=True)
    assert not cert.holds and cert.network is None
    assert cert.check("rank").status == "failed"


def test_an_irrational_hidden_weight_is_not_proven_either_way(integer_case):
    # Exactly rank-k labels with the same activation pattern, but half of unit 0's
    # activations doubled: F_0j/F_0j0 is then 2·(a square) on some samples, so the
    # weights that would fit are irrational. The certificate must neither hold nor
    # claim to have refuted more than it did.
    inst, res = integer_case
    g = RationalMonomial.of(inst.network.activation)
    if g.p == 1:
        pytest.skip("every rational is a first power")
    X, U, V = (fractions(a) for a in (inst.X, inst.network.U, inst.network.V))
    H = inst.network.activation(V @ X)
    active = np.flatnonzero(H[0] != 0)
    H[0, active[::2]] *= 2
    Y = (U @ H).astype(float)
    assert np.array_equal(fractions(Y), U @ H)  # still exact in float64
    cert = certify(inst.X, Y, res.network, exact=True)
    assert not cert.holds
    assert cert.check("rank").status == "passed" and cert.check("facets").status == "passed"
    pattern = cert.check("pattern")
    assert pattern.status == "not proven" and "irrational" in pattern.detail


def test_the_wrong_power_is_not_certified(integer_case):
    inst, _ = integer_case
    g = RationalMonomial.of(inst.network.activation)
    other = "relu2" if g.p != 2 else "t**3"
    wrong = TwoLayerNetwork(inst.network.U, inst.network.V, other)
    cert = certify(inst.X, inst.Y, wrong, exact=True)
    assert not cert.holds


def test_truth_check_follows_the_symmetry_of_the_power(integer_case):
    inst, res = integer_case
    p = RationalMonomial.of(inst.network.activation).p
    U, V, act = fractions(inst.network.U), fractions(inst.network.V), inst.network.activation
    lam = np.array([Fraction(2), Fraction(1, 3), Fraction(5), Fraction(7, 2)], dtype=object)
    same = TwoLayerNetwork(U / lam ** p, V * lam[:, None], act)
    cert = certify(inst.X, inst.Y, res.network, exact=True, truth=same, identifiability=False)
    assert cert.holds and cert.check("truth").status == "passed"
    # U rescaled with the wrong power of λ is another network (for p > 1)
    if p > 1:
        other = TwoLayerNetwork(U / lam, V * lam[:, None], act)
        cert = certify(inst.X, inst.Y, res.network, exact=True, truth=other,
                       identifiability=False)
        assert not cert.holds and cert.check("truth").status == "failed"
