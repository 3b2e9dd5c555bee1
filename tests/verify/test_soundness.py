"""Trying to fool the certifier: every one of these must be rejected."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recover import TwoLayerNetwork, planted_instance
from verify import certify

INST = planted_instance(8, 4, 6, 400, seed=11, integer=True)


def test_unmodified_instance_holds():
    assert certify(INST.X, INST.Y, INST.network.canonical()).holds


@pytest.mark.parametrize("step", [+1, -1])
@pytest.mark.parametrize("where", [(0, 0), (5, 123), (2, 399)])
def test_one_label_off_by_one(step, where):
    Y = INST.Y.copy()
    Y[where] += step
    for exact in (True, False):
        cert = certify(INST.X, Y, INST.network.canonical(), exact=exact, digits=30)
        assert not cert.holds
    cert = certify(INST.X, Y, INST.network.canonical())
    assert cert.check("rank").status == "failed"
    assert "not exactly realizable" in cert.check("rank").detail


def test_one_ulp_in_a_float_label(dyadic):
    X, Y, net = dyadic
    assert certify(X, Y, net).holds
    for where in [(0, 0), (3, 77)]:
        Yb = Y.copy()
        Yb[where] = np.nextafter(Yb[where], np.inf)
        cert = certify(X, Yb, net)
        assert not cert.holds and cert.check("rank").status == "failed"
        cert = certify(X, Yb, net, exact=False, digits=40)
        assert not cert.holds
        assert cert.check("reproduction").numbers["agreed_digits"] < 20


@pytest.mark.parametrize("part", ["U", "V"])
@pytest.mark.parametrize("delta", [1e-12, -1e-12])
def test_one_weight_off_by_1e_12(part, delta):
    for cand in (INST.network, INST.network.canonical()):
        U, V = cand.U.copy(), cand.V.copy()
        (U if part == "U" else V)[1, 2] += delta
        for exact in (True, False):
            cert = certify(INST.X, INST.Y, TwoLayerNetwork(U, V), exact=exact, digits=30)
            assert not cert.holds
            assert cert.check("candidate").status == "failed"


def test_relative_1e_12_on_every_weight():
    cand = INST.network.canonical()
    cert = certify(INST.X, INST.Y, TwoLayerNetwork(cand.U * (1 + 1e-12), cand.V))
    assert not cert.holds


def test_a_unit_dropped():
    net = INST.network
    keep = [0, 1, 3]
    cand = TwoLayerNetwork(net.U[:, keep], net.V[keep])
    cert = certify(INST.X, INST.Y, cand)
    assert not cert.holds
    assert "not exactly realizable with k = 3" in cert.check("rank").detail
    assert not certify(INST.X, INST.Y, cand, exact=False, digits=30).holds


def test_float_instance_with_rounded_labels():
    inst = planted_instance(8, 4, 6, 400, seed=2)
    cert = certify(inst.X, inst.Y, inst.network)
    assert not cert.holds
    assert "not exactly realizable" in cert.check("rank").detail
    cert = certify(inst.X, inst.Y, inst.network, exact=False, digits=50)
    assert not cert.holds
    rep = cert.check("reproduction")
    assert 1e-18 < rep.numbers["relative_residual"] < 1e-13
    assert rep.numbers["agreed_digits"] <= 17
    assert "no more is claimed" in rep.detail


def test_wrong_pattern_candidate_is_rejected():
    other = planted_instance(8, 4, 6, 400, seed=12, integer=True).network
    assert not certify(INST.X, INST.Y, other).holds


def _exactly_reproduces(cert, X, Y):
    Xf = np.vectorize(Fraction, otypes=[object])(X)
    return (cert.network(Xf) == np.vectorize(Fraction, otypes=[object])(Y)).all()


@settings(max_examples=25, deadline=None)
@given(target=st.sampled_from(["Y", "X", "U", "V"]), data=st.data())
def test_random_mutations_never_fool_it(target, data):
    """Mutate one random entry of the data or the candidate; the certificate must not
    hold — and whenever any certificate holds, its network is checked independently."""
    X, Y = INST.X.copy(), INST.Y.copy()
    cand = INST.network.canonical()
    U, V = cand.U.copy(), cand.V.copy()
    arr = {"Y": Y, "X": X, "U": U, "V": V}[target]
    i = data.draw(st.integers(0, arr.shape[0] - 1))
    j = data.draw(st.integers(0, arr.shape[1] - 1))
    delta = data.draw(st.sampled_from([1.0, -1.0, 0.5, 1e-9, 1e-12 * max(1, abs(arr[i, j]))]))
    arr[i, j] += delta
    cert = certify(X, Y, TwoLayerNetwork(U, V), identifiability=False)
    if cert.holds:  # only possible if the mutated data are still exactly realizable
        assert _exactly_reproduces(cert, X, Y)
        assert target == "X"  # data change a model cannot absorb would have been caught
    else:
        assert target != "X" or not _exactly_reproduces_truth(X, Y)


def _exactly_reproduces_truth(X, Y):
    return np.array_equal(INST.network(X), Y)


@pytest.mark.parametrize("exact", [True, False])
def test_parallel_candidate_units_give_a_certificate_not_a_crash(exact):
    """Three parallel candidate units make the solved hidden activations singular: the
    50-digit path once raised mpmath's ZeroDivisionError; both paths must answer with a
    certificate that does not hold."""
    inst = planted_instance(3, 3, 3, 60, seed=0)
    V = np.repeat(inst.network.V[:1], 3, 0) * np.array([[1.0], [1.1], [1.2]])
    cert = certify(inst.X, inst.Y, TwoLayerNetwork(inst.network.U, V), exact=exact)
    assert not cert.holds
    assert any(c.status in ("failed", "not proven") for c in cert.checks if c.required)
