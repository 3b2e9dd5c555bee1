"""Certificates for m < k (the block method of verify._blocks): exact over Q and at 50
digits, sound against mutations of the candidate, and honest about what is not covered."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recover import TwoLayerNetwork, planted_instance
from verify import Certificate, certify, compare_networks, recheck, relu_audit

BIAS = dict(bias_std=1.0, output_bias_std=1.0)
SHAPES = [(8, 4, 1), (8, 4, 2), (6, 5, 3)]


def instance(d, k, m, bias, n=400, seed=0):
    return planted_instance(d, k, m, n, seed=seed, integer=True, **(BIAS if bias else {}))


def network(net, U=None, V=None, b=None, c=None):
    """``net`` with some parts replaced (biases kept when it has them)."""
    parts = dict(U=net.U, V=net.V, b=net.b, c=net.c)
    parts.update({k: v for k, v in dict(U=U, V=V, b=b, c=c).items() if v is not None})
    return TwoLayerNetwork(**parts, activation=net.activation)


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("exact", [True, False])
def test_truth_is_certified(shape, bias, exact):
    d, k, m = shape
    inst = instance(d, k, m, bias)
    cert = certify(inst.X, inst.Y, inst.network, exact=exact, truth=inst.network)
    assert cert.holds, cert.summary()
    assert cert.mode == ("exact" if exact else "precision")
    blocks = cert.check("blocks").numbers
    unknowns = k * (d + bias) + bias
    assert blocks["rank"] == blocks["unknowns"] == unknowns
    assert blocks["unknowns_total"] == unknowns * m
    assert cert.check("reproduction").passed and cert.check("truth").passed
    assert cert.check("identifiability").passed
    if exact:
        assert cert.check("truth").numbers["max_unit_error"] == 0
        assert compare_networks(cert.network, inst.network) < 1e-12
    else:
        assert cert.check("reproduction").numbers["agreed_digits"] >= 45


@pytest.mark.parametrize("bias", [False, True])
def test_permuted_rescaled_and_rounded_truth_is_certified(bias):
    inst = instance(8, 4, 2, bias)
    net = inst.network
    order, scale = [2, 0, 3, 1], np.array([0.5, 3.0, 2.0, 0.25])
    moved = network(net, U=net.U[:, order] / scale, V=net.V[order] * scale[:, None],
                    b=net.b[order] * scale)
    rng = np.random.default_rng(1)
    nudged = network(net, U=net.U * (1 + 1e-15 * rng.standard_normal(net.U.shape)),
                     V=net.V * (1 + 1e-15 * rng.standard_normal(net.V.shape)))
    for cand in (moved, net.canonical(), nudged):
        for exact in (True, False):
            cert = certify(inst.X, inst.Y, cand, exact=exact, truth=net)
            assert cert.holds, cert.summary()


def mutations(net):
    """Candidates that are not the network that produced the data."""
    U, V, b, c = net.U, net.V, net.b, net.c
    one_v, one_u, swap, flip, scaled = V.copy(), U.copy(), U.copy(), V.copy(), U.copy()
    one_v[1, 2] += 1
    one_u[0, 1] += 1
    swap[:, [0, 1]] = U[:, [1, 0]]
    flip[2] = -V[2]
    scaled[:, 3] *= 2
    out = {"one V weight": network(net, V=one_v), "one U weight": network(net, U=one_u),
           "units swapped in U only": network(net, U=swap),
           "a sign flipped": network(net, V=flip),
           "output weight scaled alone": network(net, U=scaled),
           "a unit dropped": TwoLayerNetwork(U[:, 1:], V[1:], b=b[1:], c=c,
                                             activation=net.activation)}
    if net.has_bias:
        hidden, output = b.copy(), c.copy()
        hidden[1] += 1
        output[0] += 1
        out["hidden bias changed"] = network(net, b=hidden)
        out["output bias changed"] = network(net, c=output)
    return out


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("shape", [(8, 4, 1), (8, 4, 2)])
def test_mutated_candidates_are_never_certified(shape, bias):
    inst = instance(*shape, bias)
    for name, cand in mutations(inst.network).items():
        for exact in (True, False):
            cert = certify(inst.X, inst.Y, cand, exact=exact, digits=30)
            assert not cert.holds, name
            assert not all(c.passed for c in cert.checks if c.required), name


@settings(max_examples=25, deadline=None)
@given(d=st.integers(2, 5), k=st.integers(2, 4), m_less=st.integers(1, 3),
       bias=st.booleans(), seed=st.integers(0, 10**6), unit=st.integers(0, 3),
       delta=st.sampled_from([-1.0, 1.0, 1e-9]))
def test_property_truth_certified_mutation_never(d, k, m_less, bias, seed, unit, delta):
    d, m = max(d, k), max(1, k - m_less)  # planted V has full row rank: d >= k
    inst = planted_instance(d, k, m, 40 * k * (d + 1), seed=seed, integer=True,
                            **(BIAS if bias else {}))
    cert = certify(inst.X, inst.Y, inst.network, truth=inst.network)
    # a generic instance is certified; a degenerate one is only ever "not proven"
    assert cert.holds or cert.check("blocks").status == "not proven" or \
        cert.check("rank one").status == "not proven", cert.summary()
    if cert.holds:
        assert cert.check("truth").numbers["max_unit_error"] == 0
    V = inst.network.V.copy()
    V[unit % k, 0] += delta
    assert not certify(inst.X, inst.Y, network(inst.network, V=V)).holds


def test_relu2_and_other_powers_are_not_proven_for_m_less_than_k():
    inst = planted_instance(6, 3, 2, 300, seed=0, integer=True, activation="relu2")
    for exact in (True, False):
        cert = certify(inst.X, inst.Y, inst.network, exact=exact)
        assert not cert.holds and cert.network is None
        assert cert.check("scope").status == "not proven"
        assert "symmetric tensors" in cert.check("scope").detail


def test_a_scaled_relu_is_certified():
    inst = planted_instance(6, 3, 2, 300, seed=0, integer=True, activation="2*t")
    for exact in (True, False):
        assert certify(inst.X, inst.Y, inst.network, exact=exact,
                       truth=inst.network).holds


def test_parallel_units_are_not_proven():
    # v_2 = 2 v_1: the two units have the same pattern and merge; the blocks are not unique
    inst = instance(8, 4, 2, False)
    V = inst.network.V.copy()
    V[1] = 2 * V[0]
    net = network(inst.network, V=V)
    Y = net(inst.X)
    for exact in (True, False):
        cert = certify(inst.X, Y, net, exact=exact)
        assert not cert.holds
        assert cert.check("blocks").status == "not proven"
        assert cert.check("blocks").numbers["rank"] < cert.check("blocks").numbers["unknowns"]


def test_a_unit_never_active_is_not_proven():
    inst = instance(8, 4, 2, False)
    X = inst.X[:, inst.network.V[0] @ inst.X < 0]
    cert = certify(X, inst.network(X), inst.network)
    assert not cert.holds and cert.check("blocks").status == "not proven"


def test_a_wrong_label_is_never_certified():
    inst = instance(8, 4, 2, False)
    Y = inst.Y.copy()
    Y[1, 17] += 1
    for exact in (True, False):
        cert = certify(inst.X, Y, inst.network, exact=exact)
        assert not cert.holds
        assert cert.check("reproduction").status == "failed"


def test_json_round_trip_recheck_and_stdlib_audit(tmp_path):
    inst = instance(8, 4, 2, True)
    cert = certify(inst.X, inst.Y, inst.network)
    back = Certificate.from_json(cert.to_json())
    assert back.holds and back.check("blocks").numbers == cert.check("blocks").numbers
    assert recheck(back, inst.X, inst.Y).holds
    paths = [tmp_path / "c.json", tmp_path / "X.npy", tmp_path / "Y.npy"]
    paths[0].write_text(cert.to_json())
    np.save(paths[1], inst.X)
    np.save(paths[2], inst.Y)
    run = subprocess.run([sys.executable, "-I", "-S", str(Path(relu_audit.__file__)),
                          *map(str, paths)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    Y = inst.Y.copy()
    Y[0, 5] += 1
    np.save(paths[2], Y)
    run = subprocess.run([sys.executable, "-I", "-S", str(Path(relu_audit.__file__)),
                          *map(str, paths)], capture_output=True, text=True, timeout=120)
    assert run.returncode in (1, 2)


def test_progress_stages_end_complete():
    inst = instance(8, 4, 1, False)
    seen = {}

    def progress(stage, done, total):
        seen[stage] = (done, total)

    for exact in (True, False):
        assert certify(inst.X, inst.Y, inst.network, exact=exact, progress=progress).holds
    assert seen["exact_solve"] == (4 + 3, 4 + 3)
    assert seen["precision_solve"] == (4 + 3, 4 + 3)


def test_the_pattern_is_unique_but_not_the_network():
    # m = 1: relu(t) = t + relu(-t) lets unit 3 flip its direction if an opposite pair
    # absorbs the linear term u3 v3 x. Both networks are certified (each is unique given
    # its own pattern) and both are locally identifiable; they are different networks.
    inst = instance(6, 3, 1, False, n=600)
    U, V = inst.network.U, inst.network.V
    u, v, u3, v3 = U[0, 0], V[0], U[0, 2], V[2]
    first = TwoLayerNetwork(np.array([[u, -u, u3]]), np.array([v, -v, v3]))
    L = u * v + u3 * v3
    second = TwoLayerNetwork(np.array([[1.0, -1.0, u3]]), np.array([L, -L, -v3]))
    Y = first(inst.X)
    assert np.array_equal(Y, second(inst.X))
    for net in (first, second):
        cert = certify(inst.X, Y, net)
        assert cert.holds and cert.check("identifiability").passed
    assert compare_networks(first, second) > 0.1


def test_dyadic_product_and_refined_solve_agree_with_exact_arithmetic():
    from fractions import Fraction

    import mpmath

    from verify._blocks import dyadic_product, refined_solve
    from verify._precision import mp_array, mpf_to_fraction

    rng = np.random.default_rng(3)
    S = rng.standard_normal((6, 6)) * np.array([1e-3, 1, 1e4, 1, 1, 7])
    B = rng.standard_normal((6, 2))
    exact = np.vectorize(Fraction, otypes=[object])
    with mpmath.mp.workdps(50):
        A = mp_array(rng.standard_normal((3, 6))) / 3
        A[1, 2] = mpmath.mpf(0)
        got = dyadic_product(A, S)
        want = np.vectorize(mpf_to_fraction, otypes=[object])(A) @ exact(S)
        for g, w in zip(got.ravel(), want.ravel()):
            assert abs(mpf_to_fraction(g) - w) <= abs(w) * Fraction(1, 10**49)
        x, sweeps = refined_solve(S, mp_array(B), 50)
    truth = np.linalg.solve(S, B)  # float guide only; the exact check is below
    residual = exact(S) @ np.vectorize(mpf_to_fraction, otypes=[object])(x) - exact(B)
    assert max(abs(r) for r in residual.ravel()) < Fraction(1, 10**45)
    assert np.allclose(np.array(x, dtype=float), truth) and 1 <= sweeps < 30


def test_rows_singular_over_q_are_not_proven(monkeypatch):
    # the float choice of rows is only a proposal: if it were exactly singular, the
    # exact LU says so and nothing is claimed
    import verify._blocks as blocks

    def duplicated(A, m):
        rows = np.arange(A.shape[1])
        rows[-1] = rows[0]
        return rows, None

    monkeypatch.setattr(blocks, "_choose_rows", duplicated)
    inst = instance(8, 4, 2, False)
    cert = certify(inst.X, inst.Y, inst.network)
    assert not cert.holds and cert.check("blocks").status == "not proven"
    assert "singular over Q" in cert.check("blocks").detail
