"""Certificates for the model with biases, Y = U f(V X + b 1ᵀ) + c 1ᵀ.

Soundness first: every mutation of the biases (or of the labels) must be rejected, in
exact and in 50-digit mode; the true network, also permuted and rescaled by positive
factors, must be certified; and the identifiability proof must count b and c.
"""

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from recover import InvalidInputError, TwoLayerNetwork, get_activation, planted_instance
from relunet.cli import main
from verify import Certificate, certify, recheck
from verify._compare import max_unit_error
from verify._exact import RationalMonomial
from verify._identifiability import PRIMES, identifiability_check, jacobian_rows_mod_p

fractions = np.vectorize(Fraction, otypes=[object])
AUDIT = Path(__file__).resolve().parents[2] / "verify" / "relu_audit.py"

INST = planted_instance(8, 4, 6, 400, seed=11, integer=True, bias_std=5.0,
                        output_bias_std=7.0)
NET = INST.network


def _net(U=None, V=None, b="truth", c="truth", activation="relu") -> TwoLayerNetwork:
    """The planted network with some parts replaced (None for a bias: dropped)."""
    return TwoLayerNetwork(NET.U if U is None else U, NET.V if V is None else V,
                           b=NET.b if isinstance(b, str) else b,
                           c=NET.c if isinstance(c, str) else c, activation=activation)


def _changed(vec, i, value):
    out = vec.copy()
    out[i] = value(out[i])
    return out


def _swapped_biases():
    b = NET.b.copy()
    b[[0, 2]] = b[[2, 0]]
    return _net(b=b)


def _unit_rescaled_without_u():  # (v_1, b_1) -> 2 (v_1, b_1), u_1 unchanged
    V, b = NET.V.copy(), NET.b.copy()
    V[1], b[1] = 2 * V[1], 2 * b[1]
    return _net(V=V, b=b)


def _sign_swapped_unit():  # λ = -1 is not a symmetry of ReLU
    U, V, b = NET.U.copy(), NET.V.copy(), NET.b.copy()
    U[:, 3], V[3], b[3] = -U[:, 3], -V[3], -b[3]
    return _net(U=U, V=V, b=b)


MUTATED_CANDIDATES = {
    "b_i + 1e-6": lambda: _net(b=_changed(NET.b, 1, lambda x: x + 1e-6)),
    "b_i - 1e-6": lambda: _net(b=_changed(NET.b, 3, lambda x: x - 1e-6)),
    "b_i negated": lambda: _net(b=_changed(NET.b, 2, lambda x: -x)),
    "c_j + 1e-6": lambda: _net(c=_changed(NET.c, 3, lambda x: x + 1e-6)),
    "c_j + 1": lambda: _net(c=_changed(NET.c, 0, lambda x: x + 1)),
    "c_j negated": lambda: _net(c=_changed(NET.c, 5, lambda x: -x)),
    "c dropped": lambda: _net(c=None),
    "b dropped": lambda: _net(b=None),
    "both dropped": lambda: _net(b=None, c=None),
    "biases of two units swapped": _swapped_biases,
    "(v_i, b_i) rescaled, u_i not": _unit_rescaled_without_u,
    "unit sign-swapped": _sign_swapped_unit,
}


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "50 digits"])
@pytest.mark.parametrize("name", sorted(MUTATED_CANDIDATES))
def test_a_mutated_candidate_is_never_certified(name, exact):
    cand = MUTATED_CANDIDATES[name]()
    cert = certify(INST.X, INST.Y, cand, exact=exact, digits=50, identifiability=False)
    assert not cert.holds
    failed = [c.name for c in cert.checks if c.required and not c.passed]
    assert failed
    if "candidate" in {c.name for c in cert.checks}:
        assert cert.check("candidate").status == "failed"
        assert cert.check("candidate").numbers["max_unit_error"] > 1e-9
    if any(c.name == "reproduction" and c.passed for c in cert.checks):
        # a network that fits was derived from the data: the truth, not the mutation
        assert max_unit_error(NET, cert.full_network()) < 1e-40


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "50 digits"])
def test_labels_of_another_network_with_the_same_biases(exact):
    other = planted_instance(8, 4, 6, 400, seed=12, integer=True).network
    Y = TwoLayerNetwork(other.U, other.V, b=NET.b, c=NET.c)(INST.X)
    cert = certify(INST.X, Y, NET, exact=exact, digits=50, identifiability=False)
    assert not cert.holds
    # and the other network's own certificate is not NET's
    cert = certify(INST.X, Y, TwoLayerNetwork(other.U, other.V, b=NET.b, c=NET.c),
                   exact=exact, digits=50, truth=NET, identifiability=False)
    assert not cert.holds and cert.check("truth").status == "failed"


@pytest.mark.parametrize("where", [(0, 0), (4, 211)])
def test_one_label_off_by_one_is_not_realizable_with_biases(where):
    Y = INST.Y.copy()
    Y[where] += 1
    cert = certify(INST.X, Y, NET)
    assert not cert.holds and cert.check("rank").status == "failed"
    assert "not exactly realizable with k = 4 hidden units and biases" in \
        cert.check("rank").detail
    assert not certify(INST.X, Y, NET, exact=False, digits=50).holds


@pytest.mark.parametrize("part", ["b", "c"])
def test_one_ulp_in_a_bias(part):
    """One ulp is below float64 resolution of the candidate: at the default tolerance
    (float candidates, 1e-14) the certificate holds for the exact network solved from
    the data — the truth, not the candidate — and reports the candidate's exact
    distance; asking for exact agreement rejects the candidate."""
    vec = getattr(NET, part).copy()
    vec[1] = np.nextafter(vec[1], np.inf)
    cand = _net(**{part: vec})
    cert = certify(INST.X, INST.Y, cand, identifiability=False)
    assert max_unit_error(NET, cert.network) == 0.0
    assert 0.0 < cert.check("candidate").numbers["max_unit_error"] < 1e-15
    strict = certify(INST.X, INST.Y, cand, candidate_rtol=0.0, identifiability=False)
    assert not strict.holds and strict.check("candidate").status == "failed"
    assert certify(INST.X, INST.Y, NET, candidate_rtol=0.0, identifiability=False).holds
    # 50 digits: the solution agrees with the truth to ~1e-50, the candidate to 1e-17
    strict = certify(INST.X, INST.Y, cand, exact=False, digits=50, candidate_rtol=1e-30,
                     identifiability=False)
    assert not strict.holds and strict.check("candidate").status == "failed"
    assert certify(INST.X, INST.Y, NET, exact=False, digits=50, candidate_rtol=1e-30,
                   identifiability=False).holds


CORRECT = {
    "as planted": lambda: NET,
    "canonical": NET.canonical,
    "rescaled by positive factors": lambda: NET.rescaled([0.5, 2.0, 3.0, 0.25]),
    "permuted and rescaled": lambda: NET.permuted([2, 0, 3, 1]).rescaled([1.5, 1, 1, 7]),
    "exact rationals": lambda: TwoLayerNetwork(*(fractions(A) for A in (NET.U, NET.V)),
                                               b=fractions(NET.b), c=fractions(NET.c)),
}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_the_correct_network_is_certified(name):
    cand = CORRECT[name]()
    cert = certify(INST.X, INST.Y, cand, truth=NET)
    assert cert.holds and cert.mode == "exact"
    assert cert.check("reproduction").detail.startswith("U f(V X + b 1') + c 1' = Y exactly")
    assert cert.check("truth").numbers["max_unit_error"] == 0.0
    assert cert.check("identifiability").status == "passed"
    net = cert.network
    assert net.exact and net.has_bias
    assert (net(fractions(INST.X)) == fractions(INST.Y)).all()  # independent of certify
    cert = certify(INST.X, INST.Y, cand, exact=False, digits=50, truth=NET)
    assert cert.holds
    assert cert.check("reproduction").numbers["relative_residual"] < 1e-45


def test_m_equal_k_output_bias_in_the_span_of_u():
    # m = k: c is a combination of U's columns, so rank Y = k, not k + 1; [Y; 1] still
    # has rank k + 1 and the biases are found
    inst = planted_instance(8, 4, 4, 300, seed=5, integer=True, bias_std=4.0,
                            output_bias_std=4.0)
    cert = certify(inst.X, inst.Y, inst.network, truth=inst.network)
    assert cert.holds and np.linalg.matrix_rank(inst.Y) == 4
    assert cert.check("rank").numbers["rank"] == 5


def test_relu2_with_biases_exactly():
    inst = planted_instance(8, 4, 6, 300, seed=5, integer=True, bias_std=4.0,
                            output_bias_std=4.0, activation="relu2")
    cert = certify(inst.X, inst.Y, inst.network.canonical(), truth=inst.network)
    assert cert.holds and cert.check("truth").numbers["max_unit_error"] == 0.0
    assert cert.check("identifiability").status == "passed"


@pytest.mark.parametrize("act", ["log(1+t)", "1-exp(-t)", "t*exp(-t)"])
def test_precision_path_carries_the_bias_for_non_homogeneous_activations(act):
    inst = planted_instance(8, 4, 6, 400, seed=3, bias_std=0.5, output_bias_std=1.0,
                            activation=act)
    Y = inst.network.mp_call(inst.X, 70)
    cert = certify(inst.X, Y, inst.network, exact=False, digits=50, truth=inst.network)
    assert cert.holds
    assert cert.check("reproduction").numbers["agreed_digits"] >= 45
    assert cert.check("truth").numbers["max_unit_error"] < 1e-40
    b = inst.network.b.copy()
    b[0] += 1e-6
    moved = TwoLayerNetwork(inst.network.U, inst.network.V, b=b, c=inst.network.c,
                            activation=act)
    assert not certify(inst.X, Y, moved, exact=False, digits=50).holds
    # labels without the biases are not reproduced by the network with them
    plain = TwoLayerNetwork(inst.network.U, inst.network.V, activation=act)
    cert = certify(inst.X, plain.mp_call(inst.X, 70), inst.network, exact=False, digits=50)
    assert not cert.holds


# --- property: the truth is always certified when it is in general position ----------
def _general_position(net: TwoLayerNetwork, X: np.ndarray) -> bool:
    """What the method needs of the truth, checked in numpy (integer data): U of rank k,
    [f(VX+b); 1] of rank k+1, each unit's active inputs [x; 1] of rank d+1, and at each
    unit's inactive samples the other units and the constant of rank k (its facet)."""
    H, P = net.hidden(X), net.preactivation(X)
    ones = np.ones((1, X.shape[1]))
    Xa, rank = np.vstack([X, ones]), np.linalg.matrix_rank
    if rank(net.U) < net.k or rank(np.vstack([H, ones])) < net.k + 1:
        return False
    for i in range(net.k):
        facet = np.vstack([np.delete(H, i, axis=0), ones])[:, P[i] < 0]
        if rank(Xa[:, P[i] > 0]) < net.d + 1 or rank(facet) < net.k:
            return False
    return True


@settings(max_examples=30, deadline=None)
@given(d=st.integers(1, 5), k=st.integers(1, 3), extra=st.integers(0, 2),
       seed=st.integers(0, 2**32 - 1), data=st.data())
def test_small_integer_biased_networks_are_certified_exactly(d, k, extra, seed, data):
    k = min(k, d)
    inst = planted_instance(d, k, k + extra, 60, seed=seed, integer=True, bias_std=4.0,
                            output_bias_std=4.0)
    assume(_general_position(inst.network, inst.X))
    perm = data.draw(st.permutations(range(k)))
    lam = data.draw(st.lists(st.integers(1, 9), min_size=k, max_size=k))
    cand = inst.network.permuted(perm).rescaled(lam)
    cert = certify(inst.X, inst.Y, cand, truth=inst.network, identifiability=False)
    assert cert.holds
    assert cert.check("truth").numbers["max_unit_error"] == 0.0
    assert (cert.network(fractions(inst.X)) == fractions(inst.Y)).all()


# --- identifiability with b and c ------------------------------------------------------
def _identifiability(net, X, act="relu"):
    g = RationalMonomial.of(get_activation(act))
    return identifiability_check(fractions(net.U), fractions(net.V), X, g=g,
                                 b=fractions(net.b))


@pytest.mark.parametrize("act", ["relu", "relu2"])
def test_identifiability_is_proven_with_biases(act):
    inst = planted_instance(8, 4, 6, 400, seed=2, activation=act, integer=True,
                            bias_std=5.0, output_bias_std=5.0)
    check = _identifiability(inst.network, inst.X, act)
    assert check.status == "passed" and not check.required
    # mk + kd + k + m parameters, k scalings of (v_i, b_i, u_i)
    assert check.numbers["rank"] == check.numbers["bound"] == 6 * 4 + 4 * 8 + 4 + 6 - 4
    assert "mk + kd + k + m - k" in check.detail


def test_identifiability_too_few_samples():
    # 6 outputs x 9 samples = 54 equations < 62 parameters up to the scalings
    X = INST.X[:, :9]
    check = _identifiability(NET, X)
    assert check.status == "not proven"
    assert check.numbers["rank_lower_bound"] <= 54 < check.numbers["bound"] == 62


def test_identifiability_duplicated_unit():
    V, b = NET.V.copy(), NET.b.copy()
    V[1], b[1] = V[0], b[0]
    net = _net(V=V, b=b)
    assert _identifiability(net, INST.X).status == "not proven"
    # the same direction with another bias is a different unit: proven again once the
    # two differ on enough samples (here 31 of 400)
    b[1] = b[0] + 20
    assert (_net(V=V, b=b).pattern(INST.X)[:2].sum(axis=1) == [204, 235]).all()
    assert _identifiability(_net(V=V, b=b), INST.X).status == "passed"


@pytest.mark.parametrize("bias", [-1e4, 1e4], ids=["never active", "always active"])
def test_identifiability_unit_dead_or_linear_on_the_samples(bias):
    # never active: its weights do not enter the data at all; always active: the unit
    # is linear on the samples and b_0 trades with c (d c = -U_0 d b_0)
    b = NET.b.copy()
    b[0] = bias
    net = _net(b=b)
    assert (net.pattern(INST.X)[0] == (bias > 0)).all()
    check = _identifiability(net, INST.X)
    assert check.status == "not proven"
    assert check.numbers["rank_lower_bound"] < check.numbers["bound"]


def test_jacobian_columns_of_b_and_c():
    """The scaling of a unit, (v_i, b_i, u_i) -> (v_i, b_i, -u_i) · t, is in the kernel
    (so the b columns are the v columns of the input 1), and each c column is the
    indicator of its output's rows."""
    p, (m, k, d) = PRIMES[0], (NET.m, NET.k, NET.d)
    J, pairs, _ = jacobian_rows_mod_p(fractions(NET.U), fractions(NET.V), INST.X, p,
                                      rows=200, seed=0, b=fractions(NET.b))
    assert J.shape == (200, m * k + k * (d + 1) + m)
    for i in range(k):
        direction = np.zeros(J.shape[1], dtype=object)
        direction[[r * k + i for r in range(m)]] = [-int(u) for u in NET.U[:, i]]
        start = m * k + i * (d + 1)
        direction[start:start + d + 1] = [int(v) for v in (*NET.V[i], NET.b[i])]
        assert not (J.astype(object) @ direction % p).any()
        direction[start + d] += 1  # b_i alone moved: not a symmetry
        assert (J.astype(object) @ direction % p).any()
    outputs = np.array([r for r, _ in pairs])
    for r in range(m):
        assert (J[:, m * k + k * (d + 1) + r] == (outputs == r)).all()


def test_bias_free_identifiability_is_unchanged():
    inst = planted_instance(8, 4, 6, 400, seed=2, integer=True)
    cert = certify(inst.X, inst.Y, inst.network)
    assert cert.check("identifiability").numbers["bound"] == 6 * 4 + 4 * 8 - 4
    assert "mk + kd - k" in cert.check("identifiability").detail


# --- certificate files -----------------------------------------------------------------
@pytest.fixture(scope="module")
def exact_cert():
    return certify(INST.X, INST.Y, NET.canonical())


def test_json_carries_b_and_c_and_rechecks(exact_cert):
    obj = json.loads(exact_cert.to_json())
    assert len(obj["network"]["b"]) == 4 and len(obj["network"]["c"]) == 6
    assert obj["network"]["c"] == [str(int(x)) for x in NET.c]  # canonical c is c itself
    back = Certificate.from_json(exact_cert.to_json())
    assert back.network.has_bias and max_unit_error(back.network, exact_cert.network) == 0
    fresh = recheck(back, INST.X, INST.Y, truth=NET)
    assert fresh.holds and fresh.check("stored network").passed


@pytest.mark.parametrize("edit", [
    lambda net: net["c"].__setitem__(2, str(Fraction(net["c"][2]) + 1)),
    lambda net: net["b"].__setitem__(0, str(-Fraction(net["b"][0]))),
    lambda net: (net.pop("b"), net.pop("c")),
])
def test_edited_biases_fail_recheck(exact_cert, edit):
    obj = json.loads(exact_cert.to_json())
    edit(obj["network"])
    fresh = recheck(Certificate.from_json(json.dumps(obj)), INST.X, INST.Y)
    assert not fresh.holds


def test_precision_json_carries_b_and_c():
    cert = certify(INST.X, INST.Y, NET, exact=False, digits=50)
    obj = json.loads(cert.to_json())
    assert obj["network"]["kind"] == "decimal" and len(obj["network"]["b"]) == 4
    back = Certificate.from_json(cert.to_json())
    # all 50 digits of b and c are kept, not their float64 rounding
    assert 0 < max_unit_error(NET, back.full_network()) < 1e-45
    assert max_unit_error(NET, back.network) > 1e-20
    assert recheck(back, INST.X, INST.Y).holds


def test_old_certificate_without_biases_loads_with_zeros():
    inst = planted_instance(6, 3, 4, 200, seed=3, integer=True)
    obj = json.loads(certify(inst.X, inst.Y, inst.network).to_json())
    assert set(obj["network"]) == {"kind", "activation", "U", "V"}  # bias-free: as before
    cert = Certificate.from_json(json.dumps(obj))
    assert not cert.network.has_bias and cert.network.b.shape == (3,)
    assert recheck(cert, inst.X, inst.Y).holds


@pytest.mark.parametrize("edit, words", [
    (lambda net: net.pop("c"), "together, b and c"),
    (lambda net: net["b"].pop(), "list of 4 numbers"),
    (lambda net: net.__setitem__("c", [["1"]] * 6), "not exact number strings"),
    (lambda net: net["b"].__setitem__(0, "1e5"), "not exact number strings"),
])
def test_malformed_biases_are_refused(exact_cert, edit, words):
    obj = json.loads(exact_cert.to_json())
    edit(obj["network"])
    with pytest.raises(InvalidInputError, match=words):
        Certificate.from_json(json.dumps(obj))


def test_summary_shows_the_biases(exact_cert):
    text = exact_cert.summary()
    assert "  b (exact): [" in text and "  c (exact): [9, 4, -1, -3, -6, 1]" in text


# --- the stdlib checker ----------------------------------------------------------------
def _audit(tmp_path, obj, Y=None):
    (tmp_path / "cert.json").write_text(json.dumps(obj))
    np.save(tmp_path / "X.npy", INST.X)
    np.save(tmp_path / "Y.npy", INST.Y if Y is None else Y)
    run = subprocess.run([sys.executable, "-S", str(AUDIT), str(tmp_path / "cert.json"),
                          str(tmp_path / "X.npy"), str(tmp_path / "Y.npy")],
                         capture_output=True, text=True, check=False)
    return run.returncode, run.stdout + run.stderr


def test_checker_confirms_a_certificate_with_biases(exact_cert, tmp_path):
    code, out = _audit(tmp_path, json.loads(exact_cert.to_json()))
    assert code == 0 and out.startswith("CONFIRMED: U relu(V X + b) + c = Y")


@pytest.mark.parametrize("edit", [
    lambda net: net["c"].__setitem__(2, str(Fraction(net["c"][2]) + Fraction(1, 10**6))),
    lambda net: net["b"].__setitem__(1, str(Fraction(net["b"][1]) * -1)),
    lambda net: net.__setitem__("b", ["0"] * 4),
    lambda net: (net.pop("b"), net.pop("c")),
])
def test_checker_refutes_edited_biases(exact_cert, tmp_path, edit):
    obj = json.loads(exact_cert.to_json())
    edit(obj["network"])
    code, out = _audit(tmp_path, obj)
    assert code == 1 and "REFUTED: U relu(V X + b) + c != Y" in out


def test_checker_refuses_a_bias_vector_of_the_wrong_length(exact_cert, tmp_path):
    obj = json.loads(exact_cert.to_json())
    obj["network"]["c"].append("1")
    code, out = _audit(tmp_path, obj)
    assert code == 2 and "network c is not a list of 6 entries" in out


# --- the command line ------------------------------------------------------------------
def test_cli_certifies_a_network_file_with_biases(tmp_path, capsys):
    np.save(tmp_path / "X.npy", INST.X)
    np.save(tmp_path / "Y.npy", INST.Y)
    NET.canonical().save(tmp_path / "net.npz")
    NET.save(tmp_path / "truth.npz")
    data = [f"--x={tmp_path / 'X.npy'}", f"--y={tmp_path / 'Y.npy'}"]
    out = tmp_path / "cert.json"
    assert main(["certify", *data, f"--net={tmp_path / 'net.npz'}",
                 f"--truth={tmp_path / 'truth.npz'}", f"--out={out}", "--quiet"]) == 0
    assert "HOLDS" in capsys.readouterr().out
    assert len(json.loads(out.read_text())["network"]["c"]) == 6
    assert main(["certify", *data, f"--recheck={out}", "--quiet"]) == 0
    assert main(["certify", *data, f"--net={tmp_path / 'net.npz'}", "--digits", "30",
                 "--quiet"]) == 0
    _net(c=_changed(NET.c, 0, lambda x: x + 1e-6)).save(tmp_path / "moved.npz")
    assert main(["certify", *data, f"--net={tmp_path / 'moved.npz'}", "--quiet"]) == 1
