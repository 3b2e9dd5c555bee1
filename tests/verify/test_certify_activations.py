"""Certificates for activations other than ReLU."""

import mpmath
import numpy as np
import pytest

from recover import TwoLayerNetwork, planted_instance, recover_network
from verify import certify

NON_RELU = ["relu2", "t**3", "log(1+t)", "1-exp(-t)"]


@pytest.fixture(scope="module", params=NON_RELU)
def recovered(request):
    act = request.param
    inst = planted_instance(6, 3, 4, 300, seed=1, activation=act)
    res = recover_network(inst.X, inst.Y, activation=act)
    return inst, res, inst.network.mp_call(inst.X, 70)


def test_50_digit_certificate_holds_and_matches_truth(recovered):
    inst, res, Y_mp = recovered
    cert = certify(inst.X, Y_mp, res.network, exact=False, digits=50, truth=inst.network)
    assert cert.holds, [c.to_dict() for c in cert.checks]
    assert cert.check("reproduction").numbers["relative_residual"] < 1e-45
    assert cert.check("truth").numbers["max_unit_error"] < 1e-45
    # the Jacobian rank proof covers c*t^q activations (at the rational 50-digit point)
    monomial = inst.network.activation.name in ("relu2", "relu^3")
    assert cert.check("identifiability").status == ("passed" if monomial else "skipped")
    assert cert.network.activation == inst.network.activation
    assert "digits" in cert.claims[0]


def test_float_labels_are_not_certified_to_50_digits(recovered):
    inst, res, _ = recovered
    cert = certify(inst.X, inst.Y, res.network, exact=False, digits=50)
    if inst.network.activation.maps_rationals:
        pytest.skip("Y = U f(VX) may be exact in float64 for a polynomial f")
    assert not cert.holds
    assert cert.check("reproduction").status == "failed"


def test_wrong_candidate_fails(recovered):
    inst, res, Y_mp = recovered
    bad = TwoLayerNetwork(res.network.U, res.network.V * (1 + 1e-6), res.network.activation)
    cert = certify(inst.X, Y_mp, bad, exact=False, digits=50)
    assert not cert.holds
    assert cert.check("candidate").status == "failed"


def test_exact_path_says_it_is_not_available():
    inst = planted_instance(6, 3, 4, 300, seed=1, activation="log(1+t)")
    cert = certify(inst.X, inst.Y, inst.network, exact=True)
    assert not cert.holds
    assert cert.check("scope").status == "not proven"
    assert "use exact=False" in cert.check("scope").detail


def test_step_is_not_certified():
    inst = planted_instance(6, 3, 4, 300, seed=1, activation="step")
    cert = certify(inst.X, inst.Y, inst.network, exact=False, digits=30)
    assert not cert.holds
    assert "not point-identifiable" in cert.check("scope").detail


def test_non_homogeneous_scale_is_certified_not_normalised():
    inst = planted_instance(6, 3, 4, 300, seed=2, activation="log(1+t)")
    res = recover_network(inst.X, inst.Y, activation="log(1+t)")
    cert = certify(inst.X, inst.network.mp_call(inst.X, 70), res.network, exact=False,
                   digits=50)
    assert cert.holds
    # the truth scaled by 2 is a different log(1+t) network: the truth check must fail
    wrong = TwoLayerNetwork(inst.network.U, 2 * inst.network.V, "log(1+t)")
    cert = certify(inst.X, inst.network.mp_call(inst.X, 70), res.network, exact=False,
                   digits=50, truth=wrong)
    assert not cert.holds and cert.check("truth").status == "failed"


def test_mp_labels_need_precision_path():
    inst = planted_instance(6, 3, 4, 100, seed=1, activation="log(1+t)")
    with pytest.raises(ValueError, match="exact=False"):
        certify(inst.X, inst.network.mp_call(inst.X, 40), inst.network, exact=True)


def test_mp_call_agrees_with_float():
    inst = planted_instance(6, 3, 4, 50, seed=1, activation="tanh(t)")
    Y_mp = inst.network.mp_call(inst.X, 40)
    assert isinstance(Y_mp[0, 0], mpmath.mpf)
    assert np.allclose(np.array(Y_mp, dtype=float), inst.Y, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("act", ["t*exp(-t)", "t/(1+t**2)"])
def test_a_bump_gets_a_50_digit_certificate_from_mp_labels_only(act):
    # g has no inverse: the precision path solves c g(V_i x_j) = F_ij by Newton at 50
    # digits from the float fit; float labels must still fail at 50 digits.
    inst = planted_instance(6, 3, 4, 300, seed=1, activation=act)
    res = recover_network(inst.X, inst.Y, activation=act)
    cert = certify(inst.X, inst.network.mp_call(inst.X, 70), res.network, exact=False,
                   digits=50, truth=inst.network)
    assert cert.holds, cert.summary()
    assert cert.check("reproduction").numbers["relative_residual"] < 1e-45
    assert cert.check("truth").numbers["max_unit_error"] < 1e-45
    floats = certify(inst.X, inst.Y, res.network, exact=False, digits=50)
    assert not floats.holds and floats.check("reproduction").status == "failed"
    wrong = TwoLayerNetwork(res.network.U, 1.5 * res.network.V, act)  # not a symmetry
    assert not certify(inst.X, inst.network.mp_call(inst.X, 70), wrong, exact=False,
                       digits=50).holds

