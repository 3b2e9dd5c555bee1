"""Certificate JSON is untrusted: payload activations, oversized or deeply nested text
and absurd numbers are refused with InvalidInputError before doing harm."""
import json

import pytest

from recover import InvalidInputError
from recover._bounded_json import load_bounded, loads_bounded
from verify import Certificate, certify
from verify._certificate import MAX_CERTIFICATE_CHARS, MAX_PRECISION_DIGITS


@pytest.fixture(scope="module")
def cert_obj(small):
    cert = certify(small.X, small.Y, small.network.canonical(), truth=small.network)
    return json.loads(cert.to_json())


def _with(obj, fn):
    obj = json.loads(json.dumps(obj))
    fn(obj)
    return json.dumps(obj)


def test_payload_activation_is_refused_and_runs_nothing(cert_obj, tmp_path):
    sentinel = tmp_path / "pwned"
    payload = ("eval(chr(95)*2+'import'+chr(95)*2+'(\"os\").system(\"touch "
               f"{sentinel}\")')")
    text = _with(cert_obj, lambda o: o["network"].__setitem__("activation", payload))
    with pytest.raises(InvalidInputError, match="not parseable"):
        Certificate.from_json(text)
    assert not sentinel.exists()


def test_non_string_activation_is_refused(cert_obj):
    text = _with(cert_obj, lambda o: o["network"].__setitem__("activation", ["relu"]))
    with pytest.raises(InvalidInputError, match="activation must be"):
        Certificate.from_json(text)


def test_untouched_certificate_still_loads(cert_obj):
    assert Certificate.from_json(json.dumps(cert_obj)).holds


def test_size_cap():
    with pytest.raises(InvalidInputError, match=f"at most {MAX_CERTIFICATE_CHARS}"):
        Certificate.from_json(" " * (MAX_CERTIFICATE_CHARS + 1))


def test_deep_nesting_is_refused_before_parsing():
    for depth in (33, 100_000):
        with pytest.raises(InvalidInputError, match=f"{depth} deep; at most 32"):
            Certificate.from_json("[" * depth + "]" * depth)


def test_huge_integer_literal(cert_obj):
    text = json.dumps(cert_obj).replace('"digits": null', '"digits": ' + "9" * 5000)
    with pytest.raises(InvalidInputError, match="number literal of 5000 characters"):
        Certificate.from_json(text)


@pytest.mark.parametrize("entry, fragment", [
    ("1" * 4301, "at most 4300 digits"),
    ("1/" + "3" * 4301, "at most 4300 digits"),
    ("1" * 10 ** 6, "at most 4300 digits"),
    ("1/0", "not exact number strings"),
    ("1e999999999", "not exact number strings"),
    ("__import__('os')", "not exact number strings"),
])
def test_weight_strings_are_capped(cert_obj, entry, fragment):
    text = _with(cert_obj, lambda o: o["network"]["U"][0].__setitem__(0, entry))
    with pytest.raises(InvalidInputError, match=fragment):
        Certificate.from_json(text)


def test_decimal_exponent_is_capped(cert_obj):
    def decimal(o):
        o["network"]["kind"] = "decimal"
        o["network"]["U"][0][0] = "1e999999999"  # Fraction would build 10**999999999
    with pytest.raises(InvalidInputError, match="not decimal number strings"):
        Certificate.from_json(_with(cert_obj, decimal))


def test_precision_digits_are_capped(cert_obj):
    def precision(o):
        o["mode"], o["digits"] = "precision", MAX_PRECISION_DIGITS + 1
    with pytest.raises(InvalidInputError, match=f"\\[16, {MAX_PRECISION_DIGITS}\\]"):
        Certificate.from_json(_with(cert_obj, precision))


def test_bounded_loader_directly(tmp_path):
    assert loads_bounded('{"a": ["[[", 1, 2.5, null]}', "x", 100) == {"a": ["[[", 1, 2.5, None]}
    assert loads_bounded(b'[1]', "x", 10) == [1]
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        loads_bounded(b"\xff[1]", "x", 10)
    with pytest.raises(InvalidInputError, match="more than 3 arrays/objects"):
        loads_bounded("[[],[],[]]", "x", 100, max_containers=3)
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        loads_bounded("[1,", "x", 100)
    with pytest.raises(InvalidInputError, match="must be JSON text"):
        loads_bounded(None, "x", 100)
    with pytest.raises(InvalidInputError, match="no such file"):
        load_bounded(tmp_path / "missing.json", "x", 100)
    with pytest.raises(InvalidInputError, match="is a folder, not a file"):
        load_bounded(tmp_path, "x", 100)
    big = tmp_path / "big.json"
    big.write_text("[" + "0," * 100 + "0]")
    with pytest.raises(InvalidInputError, match="over the cap of 100 bytes"):
        load_bounded(big, "x", 100)
