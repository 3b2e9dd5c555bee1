import pytest

from recover import planted_instance
from verify import certify


@pytest.mark.parametrize("digits", [50, 100])
def test_residual_meets_the_digits(digits):
    inst = planted_instance(10, 5, 8, 500, seed=1, integer=True)
    cert = certify(inst.X, inst.Y, inst.network.canonical(), exact=False, digits=digits,
                   truth=inst.network)
    assert cert.holds, cert.summary()
    assert cert.check("reproduction").numbers["relative_residual"] <= 10.0 ** (5 - digits)
    assert cert.check("truth").numbers["max_unit_error"] <= 10.0 ** (5 - digits)
    assert cert.check("pattern").numbers["min_sign_margin"] > 0
    assert "nothing is claimed to be exact" in cert.claims[0]


def test_precision_is_local():
    import mpmath
    before = mpmath.mp.dps
    inst = planted_instance(6, 3, 4, 100, seed=0, integer=True)
    certify(inst.X, inst.Y, inst.network, exact=False, digits=40)
    assert mpmath.mp.dps == before
