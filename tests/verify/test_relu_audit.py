"""The standard-library checker ``verify/relu_audit.py`` agrees with ``certify`` on every
soundness mutation, and never confirms a network that does not fit the data exactly."""
import ast
import io
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recover import TwoLayerNetwork, planted_instance
from verify import certify
from verify import relu_audit
from verify._certificate import data_digest

SCRIPT = Path(relu_audit.__file__)
INST = planted_instance(8, 4, 6, 400, seed=11, integer=True)
fractions = np.vectorize(Fraction, otypes=[object])


def write_files(tmp_path, cert_obj, X, Y, name="c"):
    paths = [tmp_path / f"{name}.json", tmp_path / f"{name}_X.npy", tmp_path / f"{name}_Y.npy"]
    paths[0].write_text(json.dumps(cert_obj))
    np.save(paths[1], np.asarray(X, dtype=float))
    np.save(paths[2], np.asarray(Y, dtype=float))
    return [str(p) for p in paths]


def run_script(paths):
    """The checker as a plain script, without site-packages (so: standard library only)."""
    out = subprocess.run([sys.executable, "-I", "-S", str(SCRIPT), *paths],
                         capture_output=True, text=True, timeout=120)
    return out.returncode, out.stdout, out.stderr


def fits_exactly(obj, X, Y) -> bool:
    """Independent of the checker: numpy object arrays of Fractions."""
    U, V = (np.array([[Fraction(a) for a in row] for row in obj["network"][name]], dtype=object)
            for name in ("U", "V"))
    if U.shape[1] != V.shape[0] or V.shape[1] != X.shape[0] or U.shape[0] != Y.shape[0]:
        return False
    return bool((U @ np.maximum(V @ fractions(X), 0) == fractions(Y)).all())


def forged(cert, network=None):
    """The certificate with ``holds`` and every status set to pass (a consistent forgery),
    carrying its own network or ``network`` (a TwoLayerNetwork) as exact strings."""
    obj = json.loads(cert.to_json())
    obj["holds"] = True
    for c in obj["checks"]:
        c["status"] = "passed"
    if not any(c["name"] == "reproduction" and c["required"] for c in obj["checks"]):
        obj["checks"].append({"name": "reproduction", "status": "passed", "required": True,
                              "detail": "", "numbers": {}})
    if obj["network"] is None or network is not None:
        net = network
        obj["network"] = {"kind": "exact", "activation": "relu",
                          "U": [[str(Fraction(a)) for a in row] for row in net.U],
                          "V": [[str(Fraction(a)) for a in row] for row in net.V]}
    return obj


# --- mutations of tests/verify/test_soundness.py and test_certify_exact.py -----------------
def _label(step, where):
    Y = INST.Y.copy()
    Y[where] += step
    return INST.X, Y, INST.network.canonical(), None


def _dyadic(ulp_at=None):
    inst = planted_instance(6, 3, 4, 200, seed=0, integer=True)
    net = TwoLayerNetwork(inst.network.U / 4, inst.network.V / 16)
    X = inst.X / 8
    Y = net(X)
    if ulp_at is not None:
        Y[ulp_at] = np.nextafter(Y[ulp_at], np.inf)
    return X, Y, net, None


def _weight(part, delta, canonical):
    cand = INST.network.canonical() if canonical else INST.network
    U, V = cand.U.copy(), cand.V.copy()
    (U if part == "U" else V)[1, 2] += delta
    return INST.X, INST.Y, TwoLayerNetwork(U, V), None


def _relative_every_weight():
    cand = INST.network.canonical()
    return INST.X, INST.Y, TwoLayerNetwork(cand.U * (1 + 1e-12), cand.V), None


def _unit_dropped():
    keep = [0, 1, 3]
    return INST.X, INST.Y, TwoLayerNetwork(INST.network.U[:, keep], INST.network.V[keep]), None


def _float_labels():
    inst = planted_instance(8, 4, 6, 400, seed=2)
    return inst.X, inst.Y, inst.network, None


def _other_pattern():
    return INST.X, INST.Y, planted_instance(8, 4, 6, 400, seed=12, integer=True).network, None


def _m_below_k():
    inst = planted_instance(6, 3, 2, 100, seed=0, integer=True)
    return inst.X, inst.Y, inst.network, None


def _symmetric_copy():
    rng = np.random.default_rng(0)
    cand = INST.network.permuted(rng.permutation(4)).rescaled(rng.uniform(0.1, 10, 4))
    return INST.X, INST.Y, cand, INST.network


def _sign_swapped():
    U, V = INST.network.U.copy(), INST.network.V.copy()
    U[:, 1], V[1] = -U[:, 1], -V[1]
    return INST.X, INST.Y, TwoLayerNetwork(U, V), None


def _truth_rescaled():  # U's column scaled without V's row: not a symmetry
    U = INST.network.U.copy()
    U[:, 0] *= 2
    return INST.X, INST.Y, INST.network.canonical(), TwoLayerNetwork(U, INST.network.V)


def _truth_sign_swapped():
    U, V = INST.network.U.copy(), INST.network.V.copy()
    U[:, 2], V[2] = -U[:, 2], -V[2]
    return INST.X, INST.Y, INST.network.canonical(), TwoLayerNetwork(U, V)


MUTATIONS = {
    "unmodified": lambda: (INST.X, INST.Y, INST.network.canonical(), INST.network),
    "label +1 at (0,0)": lambda: _label(1, (0, 0)),
    "label -1 at (5,123)": lambda: _label(-1, (5, 123)),
    "label +1 at (2,399)": lambda: _label(1, (2, 399)),
    "dyadic data": lambda: _dyadic(),
    "one ulp in a label": lambda: _dyadic((3, 77)),
    "U weight +1e-12": lambda: _weight("U", 1e-12, False),
    "V weight -1e-12 (canonical)": lambda: _weight("V", -1e-12, True),
    "relative 1e-12 on every weight": _relative_every_weight,
    "a unit dropped": _unit_dropped,
    "float labels (rounded)": _float_labels,
    "wrong pattern candidate": _other_pattern,
    "m < k (block method)": _m_below_k,
    "permuted and rescaled candidate": _symmetric_copy,
    "candidate unit sign swapped": _sign_swapped,
    "truth rescaled (U column only)": _truth_rescaled,
    "truth unit sign swapped": _truth_sign_swapped,
}


@pytest.fixture(scope="module")
def certificates():
    out = {}
    for name, make in MUTATIONS.items():
        X, Y, cand, truth = make()
        out[name] = (X, Y, cand, certify(X, Y, cand, truth=truth, identifiability=False))
    return out


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_checker_agrees_with_certify(name, certificates, tmp_path):
    X, Y, _, cert = certificates[name]
    paths = write_files(tmp_path, json.loads(cert.to_json()), X, Y)
    code, message = relu_audit.audit(*paths)
    assert code == (0 if cert.holds else 1), message
    if not cert.holds:
        assert "nothing to confirm" in message
    script_code, stdout, _ = run_script(paths)
    assert script_code == code and stdout.strip() == message


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_checker_never_confirms_a_network_that_does_not_fit(name, certificates, tmp_path):
    """Every status forged to 'passed': the checker's verdict is the fit, nothing else."""
    X, Y, cand, cert = certificates[name]
    for network in (None, cand):
        if network is None and cert.network is None:
            continue
        obj = forged(cert, network)
        code, message = relu_audit.audit(*write_files(tmp_path, obj, X, Y))
        assert code == (0 if fits_exactly(obj, X, Y) else 1), message
        if code == 1:
            assert "REFUTED" in message or "shapes do not fit" in message


def test_mutation_table(certificates):
    """The table of the report: certify's holds and the checker's verdict per mutation."""
    expected_holds = {"unmodified", "dyadic data", "permuted and rescaled candidate",
                      "m < k (block method)"}
    assert {n for n, (*_, c) in certificates.items() if c.holds} == expected_holds


# --- tampering with the JSON ---------------------------------------------------------------
@pytest.fixture(scope="module")
def good():
    cert = certify(INST.X, INST.Y, INST.network.canonical(), identifiability=False)
    assert cert.holds
    return json.loads(cert.to_json())


def _bump_weight(o):
    o["network"]["V"][0][1] = str(Fraction(o["network"]["V"][0][1]) + Fraction(1, 10**9))


def _swap_u_rows(o):
    U = o["network"]["U"]
    U[0], U[1] = U[1], U[0]


def _negate_u(o):
    o["network"]["U"] = [[str(-Fraction(a)) for a in row] for row in o["network"]["U"]]


@pytest.mark.parametrize("edit, words", [
    (_bump_weight, "REFUTED"),
    (_swap_u_rows, "REFUTED"),
    (_negate_u, "REFUTED"),
    (lambda o: o["data"]["Y"].update(sha256="0" * 64), "not the data"),
    (lambda o: o["data"]["X"].update(shape=[8, 399]), "not the data"),
    (lambda o: o.update(holds=False), "nothing to confirm"),
    (lambda o: o.update(network=None), "nothing to confirm"),
    (lambda o: o["checks"][0].update(status="failed"), "contradicts itself"),
    (lambda o: o["network"]["U"].pop(), "shapes do not fit"),
])
def test_tampered_certificate_is_refuted(good, tmp_path, edit, words):
    code, message = _audit_edited(good, tmp_path, edit)
    assert code == 1 and words in message


def test_holds_set_to_true_on_failed_certificates(tmp_path):
    cases = [(INST.network.canonical(), _label(1, (0, 0))[1], "nothing to confirm"),
             (_weight("U", 1e-12, False)[2], INST.Y, "contradicts itself")]
    for cand, Y, words in cases:
        obj = json.loads(certify(INST.X, Y, cand, identifiability=False).to_json())
        obj["holds"] = True
        code, message = relu_audit.audit(*write_files(tmp_path, obj, INST.X, Y))
        assert code == 1 and words in message


def test_consistent_unit_permutation_is_still_confirmed(good, tmp_path):
    obj = json.loads(json.dumps(good))
    U, V = obj["network"]["U"], obj["network"]["V"]
    obj["network"]["U"] = [[row[1], row[0], *row[2:]] for row in U]
    obj["network"]["V"] = [V[1], V[0], *V[2:]]
    code, message = relu_audit.audit(*write_files(tmp_path, obj, INST.X, INST.Y))
    assert code == 0 and message.startswith("CONFIRMED")
    assert "identifiability" in message  # says what it does not check


def test_other_data_with_a_matching_digest_are_refuted_by_the_fit(good, tmp_path):
    """The digest is rewritten to the mutated data: only the exact fit can catch it."""
    Y = INST.Y.copy()
    Y[3, 200] += 2.0**-30
    obj = json.loads(json.dumps(good))
    obj["data"] = data_digest(INST.X, Y)
    code, message = relu_audit.audit(*write_files(tmp_path, obj, INST.X, Y))
    assert code == 1 and "REFUTED" in message and "output 3, sample 200" in message


@settings(max_examples=15, deadline=None)
@given(target=st.sampled_from(["Y", "X", "U", "V"]), data=st.data())
def test_random_mutations_agree(target, data, tmp_path_factory):
    X, Y = INST.X.copy(), INST.Y.copy()
    cand = INST.network.canonical()
    U, V = cand.U.copy(), cand.V.copy()
    arr = {"Y": Y, "X": X, "U": U, "V": V}[target]
    i = data.draw(st.integers(0, arr.shape[0] - 1))
    j = data.draw(st.integers(0, arr.shape[1] - 1))
    arr[i, j] += data.draw(st.sampled_from([1.0, -1.0, 0.5, 1e-9, 2.0**-40]))
    cert = certify(X, Y, TwoLayerNetwork(U, V), identifiability=False)
    tmp = tmp_path_factory.mktemp("mut")
    obj = json.loads(cert.to_json())
    code, _ = relu_audit.audit(*write_files(tmp, obj, X, Y))
    assert code == (0 if cert.holds else 1)
    if cert.network is not None:
        obj = forged(cert)
        code, _ = relu_audit.audit(*write_files(tmp, obj, X, Y))
        assert code == (0 if fits_exactly(obj, X, Y) else 1)


# --- what it refuses to read (exit 2) --------------------------------------------------
def _npy_bytes(A, **kw):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, A, **kw)
    return buf.getvalue()


def test_fortran_order_and_format_versions_are_read(good, tmp_path):
    paths = write_files(tmp_path, good, INST.X, INST.Y)
    Path(paths[1]).write_bytes(_npy_bytes(np.asfortranarray(INST.X)))
    Path(paths[2]).write_bytes(_npy_bytes(INST.Y, version=(2, 0)))
    assert relu_audit.audit(*paths)[0] == 0
    Path(paths[2]).write_bytes(_npy_bytes(INST.Y, version=(3, 0)))
    assert relu_audit.audit(*paths)[0] == 0


@pytest.mark.parametrize("data", [
    _npy_bytes(INST.Y.astype(np.float32)),
    _npy_bytes(INST.Y.astype(">f8")),
    _npy_bytes(INST.Y.astype(np.int64)),
    _npy_bytes(INST.Y[0]),
    _npy_bytes(INST.Y[None]),
    _npy_bytes(INST.Y)[:-8],
    _npy_bytes(INST.Y) + b"\0" * 8,
    _npy_bytes(np.where(INST.Y == INST.Y[0, 0], np.nan, INST.Y)),
    _npy_bytes(np.full_like(INST.Y, np.inf)),
    b"not a numpy file at all",
    _npy_bytes(INST.Y).replace(b"'descr'", b"'DESCR'"),
])
def test_unreadable_data_is_bad_input(good, tmp_path, data):
    paths = write_files(tmp_path, good, INST.X, INST.Y)
    Path(paths[2]).write_bytes(data)
    code, message = relu_audit.audit(*paths)
    assert code == 2 and message.startswith("bad input")


@pytest.mark.parametrize("edit, words", [
    (lambda o: o.update(schema="other/1"), "not a relunet certificate"),
    (lambda o: o.update(mode="precision"), "not an exact ReLU certificate"),
    (lambda o: o["network"].update(activation="relu2"), "not an exact ReLU certificate"),
    (lambda o: o["network"].update(kind="decimal"), "not an exact ReLU certificate"),
    (lambda o: o["network"]["V"][0].__setitem__(0, "1.5"), "'p/q' strings"),
    (lambda o: o["network"]["V"][0].__setitem__(0, "1/0"), "'p/q' strings"),
    (lambda o: o["network"]["V"][0].__setitem__(0, " 1"), "'p/q' strings"),
    (lambda o: o["network"]["V"][0].__setitem__(0, "1_0"), "'p/q' strings"),
    (lambda o: o["network"]["V"][0].__setitem__(0, 1), "'p/q' strings"),
    (lambda o: o["network"]["V"][0].pop(), "rectangular"),
    (lambda o: o["network"]["V"].pop(), "columns but V has"),
])
def test_malformed_certificate_is_bad_input(good, tmp_path, edit, words):
    code, message = _audit_edited(good, tmp_path, edit)
    assert code == 2 and words in message


def _audit_edited(good, tmp_path, edit):
    """The checker's (exit code, message) on a copy of the certificate ``good`` changed
    in place by ``edit``."""
    obj = json.loads(json.dumps(good))
    edit(obj)
    return relu_audit.audit(*write_files(tmp_path, obj, INST.X, INST.Y))


def test_real_certificates_of_other_kinds_are_refused(tmp_path):
    prec = certify(INST.X, INST.Y, INST.network, exact=False, digits=30, identifiability=False)
    assert prec.holds
    code, message = relu_audit.audit(*write_files(tmp_path, json.loads(prec.to_json()),
                                                  INST.X, INST.Y))
    assert code == 2 and "not an exact ReLU certificate" in message
    inst = planted_instance(8, 4, 6, 300, seed=3, activation="relu2", integer=True)
    cert = certify(inst.X, inst.Y, inst.network, identifiability=False)
    assert cert.holds
    code, message = relu_audit.audit(*write_files(tmp_path, json.loads(cert.to_json()),
                                                  inst.X, inst.Y))
    assert code == 2 and "not an exact ReLU certificate" in message


def test_script_exit_codes_and_streams(good, tmp_path):
    paths = write_files(tmp_path, good, INST.X, INST.Y)
    code, out, err = run_script(paths)
    assert (code, err) == (0, "") and out.startswith("CONFIRMED") and "Not checked" in out
    Path(paths[0]).write_text("{not json")
    code, out, err = run_script(paths)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    code, _, err = run_script([paths[1], paths[2]])  # argparse: missing argument
    assert code == 2 and "usage" in err
    code, _, err = run_script([str(tmp_path / "missing.json"), paths[1], paths[2]])
    assert code == 2 and err.startswith("bad input")


def test_checker_uses_only_the_standard_library():
    tree = ast.parse(SCRIPT.read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom)}
    assert imported and imported <= set(sys.stdlib_module_names), imported
    assert "eval(" not in SCRIPT.read_text() and "literal_eval" not in SCRIPT.read_text()
