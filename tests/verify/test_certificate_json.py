"""Certificates round-trip through JSON; hand-edited files are never trusted blindly."""
import json
from fractions import Fraction

import pytest

from recover import InvalidInputError, planted_instance
from verify import Certificate, certify, recheck


@pytest.fixture(scope="module")
def cert(small):
    return certify(small.X, small.Y, small.network.canonical(), truth=small.network)


def test_roundtrip_exact(cert, small):
    text = cert.to_json()
    obj = json.loads(text)
    assert obj["holds"] and obj["network"]["kind"] == "exact"
    assert all("/" in a or a.lstrip("-").isdigit() for row in obj["network"]["V"] for a in row)
    assert len(obj["data"]["X"]["sha256"]) == 64 and obj["versions"]["sympy"]
    back = Certificate.from_json(text)
    assert back.holds and (back.network.V == cert.network.V).all()
    assert isinstance(back.network.U[0, 0], Fraction)
    assert back.to_json() == text
    assert recheck(back, small.X, small.Y, truth=small.network).holds


def test_roundtrip_precision(small):
    cert = certify(small.X, small.Y, small.network, exact=False, digits=30)
    back = Certificate.from_json(cert.to_json())
    assert back.holds and back.digits == 30 and back.mode == "precision"
    assert recheck(back, small.X, small.Y).holds


def _edit(cert, fn):
    obj = json.loads(cert.to_json())
    fn(obj)
    return json.dumps(obj)


def test_edited_weight_fails_recheck(cert, small):
    def bump(obj):
        a = Fraction(obj["network"]["V"][0][1])
        obj["network"]["V"][0][1] = str(a + Fraction(1, 10**9))
    forged = Certificate.from_json(_edit(cert, bump))   # schema still fine ...
    fresh = recheck(forged, small.X, small.Y)            # ... but the re-check is not
    assert not fresh.holds
    assert fresh.check("stored network").status == "failed"


def test_edited_holds_on_failed_certificate_is_refused(small):
    Y = small.Y.copy()
    Y[0, 0] += 1
    bad = certify(small.X, Y, small.network)
    assert not bad.holds

    def lie(obj):
        obj["holds"] = True
    with pytest.raises(InvalidInputError, match="disagrees"):
        Certificate.from_json(_edit(bad, lie))


def test_consistently_forged_certificate_fails_recheck(small):
    """Even with every status edited to 'passed', the data digest and re-check catch it."""
    Y = small.Y.copy()
    Y[0, 0] += 1
    wrong = planted_instance(6, 3, 4, 200, seed=4, integer=True).network
    good = certify(small.X, small.Y, small.network)
    forged = Certificate.from_json(good.to_json())
    forged.network = wrong
    assert not recheck(forged, small.X, small.Y).holds
    assert not recheck(Certificate.from_json(good.to_json()), small.X, Y).holds


@pytest.mark.parametrize("edit,msg", [
    (lambda o: o.pop("checks"), "keys"),
    (lambda o: o.update(schema="other/9"), "schema"),
    (lambda o: o["network"]["V"][0].__setitem__(0, "1.5"), "exact number strings"),
    (lambda o: o["network"]["V"][0].__setitem__(0, "1/0"), "exact number strings"),
    (lambda o: o["network"]["U"].append(["1"]), "rectangular"),
    (lambda o: o["checks"][0].update(status="probably"), "malformed check"),
    (lambda o: o["data"]["X"].update(sha256="abc"), "digest"),
    (lambda o: o["checks"].clear(), "non-empty"),
])
def test_schema_violations(cert, edit, msg):
    with pytest.raises(InvalidInputError, match=msg):
        Certificate.from_json(_edit(cert, edit))


def test_not_json():
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        Certificate.from_json("{holds: yes")


def test_summary_shows_rational_weights(cert):
    text = cert.summary()
    assert "HOLDS" in text and "V (exact, rows)" in text and "/" in text
