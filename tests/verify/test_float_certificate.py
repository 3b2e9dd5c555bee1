"""The float-aware certificate (verify._float_certificate): it must hold for every honest
float evaluation of the network, in any summation order, and fail as soon as the labels
are farther from the exact net(X) than rounding can explain."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recover import planted_instance
from recover._errors import InvalidInputError
from recover._network import TwoLayerNetwork
from relunet.cli import main
from verify import certify_float
from verify._float_certificate import error_bound

ACTIVATIONS = ["relu", "relu2", "log(1+t)", "1-exp(-t)", "tanh(t)"]
NAIVE = {"relu": lambda p: np.maximum(p, 0),
         "relu2": lambda p: np.maximum(p, 0) * np.maximum(p, 0),
         "log(1+t)": lambda p: np.where(p > 0, np.log(1 + np.maximum(p, 0)), 0),
         "1-exp(-t)": lambda p: np.where(p > 0, 1 - np.exp(-np.maximum(p, 0)), 0),
         "tanh(t)": lambda p: np.tanh(np.maximum(p, 0))}


def _instance(activation="relu", seed=0, d=6, k=4, m=5, n=300, bias=True):
    rng = np.random.default_rng(seed)
    net = TwoLayerNetwork(rng.standard_normal((m, k)), rng.standard_normal((k, d)),
                          b=rng.standard_normal(k) if bias else None,
                          c=rng.standard_normal(m) if bias else None, activation=activation)
    return net, rng.standard_normal((d, n))


def _with(net, **weights):
    parts = {"U": net.U, "V": net.V, "b": net.b, "c": net.c, **weights}
    return TwoLayerNetwork(parts["U"], parts["V"], b=parts["b"], c=parts["c"],
                           activation=net.activation)


def _exact_relu(net, X):
    """net(X) for ReLU in Fractions, independently of the module under test."""
    q = np.vectorize(Fraction, otypes=[object])
    P = q(net.V) @ q(X) + q(net.b)[:, None]
    H = np.where(P > 0, P, Fraction(0))
    return q(net.U) @ H + q(net.c)[:, None], H


# --- honest labels hold ------------------------------------------------------------------
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_numpy_float64_labels_hold(activation):
    net, X = _instance(activation)
    cert = certify_float(net, X, net(X))
    assert cert.holds, cert.summary()
    assert cert.violations == 0 and cert.not_proven == []
    assert 0 < cert.max_ratio <= 1
    # the bound is not vacuous: within a factor 1000 of the worst error numpy made
    assert cert.max_ratio > 1e-3


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_other_summation_orders_and_naive_activations_hold(activation):
    net, X = _instance(activation, seed=1)
    g = NAIVE[activation]
    # sklearn's orientation (samples in rows), BLAS order
    sk = (g(X.T @ net.V.T + net.b) @ net.U.T + net.c).T
    # einsum (its own loop order)
    es = np.einsum("ik,kn->in", net.U, g(np.einsum("kd,dn->kn", net.V, X)
                                         + net.b[:, None])) + net.c[:, None]
    # strictly sequential sums in reversed order, bias first
    P = np.repeat(net.b[:, None], X.shape[1], axis=1)
    for l in reversed(range(net.d)):
        P = P + net.V[:, [l]] * X[[l]]
    H = g(P)
    rev = np.repeat(net.c[:, None], X.shape[1], axis=1)
    for l in reversed(range(net.k)):
        rev = rev + net.U[:, [l]] * H[[l]]
    assert not np.array_equal(rev, net(X))  # really other roundings
    for Y in (sk, es, rev):
        cert = certify_float(net, X, Y)
        assert cert.holds, cert.summary()


def test_correctly_rounded_labels_hold():
    """Labels that are the exact values rounded once (mpmath at 60 digits) hold too."""
    net, X = _instance("log(1+t)", seed=2, n=60)
    Y = np.array([float(v) for v in net.mp_call(X, 60).ravel()]).reshape(net.m, -1)
    assert certify_float(net, X, Y).holds


def test_exact_labels_have_ratio_zero():
    """Small integers: float64 arithmetic is exact, so Y = net(X) exactly."""
    rng = np.random.default_rng(0)
    net = TwoLayerNetwork(*(rng.integers(-9, 10, size=s).astype(float)
                            for s in ((4, 3), (3, 6))), b=np.arange(3.0), c=np.ones(4))
    X = rng.integers(-9, 10, size=(6, 100)).astype(float)
    cert = certify_float(net, X, net(X))
    assert cert.holds and cert.max_ratio == 0.0
    Y = net(X)
    Y[0, 0] += 1
    assert not certify_float(net, X, Y).holds


@pytest.mark.parametrize("activation", ["relu", "log(1+t)"])
def test_float32_labels(activation):
    """float32 weights and data, float32 arithmetic: holds as float32, fails as float64."""
    net64, X64 = _instance(activation, seed=3)
    f32 = np.float32
    U, V, b, c, X = (np.asarray(a, dtype=f32) for a in (net64.U, net64.V, net64.b, net64.c,
                                                          X64))
    Y32 = U @ NAIVE[activation](V @ X + b[:, None]) + c[:, None]
    assert Y32.dtype == f32
    net = TwoLayerNetwork(*(a.astype(float) for a in (U, V)), b=b.astype(float),
                          c=c.astype(float), activation=activation)
    Y, X = Y32.astype(float), X.astype(float)
    assert certify_float(net, X, Y, precision="float32").holds
    wrong = certify_float(net, X, Y, precision="float64")
    assert not wrong.holds and wrong.max_ratio > 1e3


def test_float32_evaluation_of_float64_weights_holds():
    """A float32 model fed float64 weights and data rounds them first; that is covered."""
    net, X = _instance("relu", seed=4)
    f32 = np.float32
    Y = (net.U.astype(f32) @ np.maximum(net.V.astype(f32) @ X.astype(f32)
                                        + net.b.astype(f32)[:, None], 0)
         + net.c.astype(f32)[:, None]).astype(float)
    assert certify_float(net, X, Y, precision="float32").holds
    assert not certify_float(net, X, Y + 1e-3, precision="float32").holds


# --- wrong labels or weights fail ---------------------------------------------------------
@pytest.mark.parametrize("activation", ["relu", "relu2", "log(1+t)"])
@pytest.mark.parametrize("which", ["U", "V", "b", "c"])
def test_weight_off_by_relative_1e10_fails(activation, which):
    net, X = _instance(activation, seed=5)
    Y = net(X)
    W = getattr(net, which).copy()
    W.flat[0] *= 1 + 1e-10
    cert = certify_float(_with(net, **{which: W}), X, Y)
    assert not cert.holds and cert.violations > 0 and cert.max_ratio > 1


def test_boundary_is_tight_for_an_output_weight():
    """Perturbing U[i, l] by eps moves entry (i, j) by eps H_lj exactly. The certificate
    fails just above min_j (B_ij + r_ij) / H_lj and holds just below
    min_j (B_ij - r_ij) / H_lj (r = numpy's actual error): its decision sits where its
    bound says, and that threshold is tiny relative to U[i, l]."""
    net, X = _instance("relu", seed=6, n=200)
    Y = net(X)
    exact, H = _exact_relu(net, X)
    B = error_bound(net, X)
    i, l = 0, 1
    r = np.array([float(abs(Fraction(y) - e)) for y, e in zip(Y[i], exact[i])])
    h = np.array([float(v) for v in H[l]])
    on = h > 0
    low = np.min((B[i, on] - r[on]) / h[on])
    high = np.min((B[i, on] + r[on]) / h[on])
    assert 0 < low <= high <= 1.5 * low  # numpy's error is a fraction of the bound

    def outcome(eps):
        U = net.U.copy()
        U[i, l] += eps
        return certify_float(_with(net, U=U), X, Y).holds

    assert outcome(0.95 * low) and outcome(-0.95 * low)
    assert not outcome(1.05 * high) and not outcome(-1.05 * high)
    assert high / abs(net.U[i, l]) < 1e-13  # a relative 1e-13 change is detected


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_one_label_off_by_100_ulps_fails(activation):
    net, X = _instance(activation, seed=7)
    Y = net(X)
    B = error_bound(net, X)
    # the entry where 100 ulps is most clearly beyond rounding (no cancellation there)
    i, j = np.unravel_index(np.argmax(np.abs(Y) / B), Y.shape)
    assert 100 * np.spacing(abs(Y[i, j])) > 2 * B[i, j]
    Y[i, j] += 100 * np.spacing(Y[i, j])
    cert = certify_float(net, X, Y)
    assert not cert.holds and cert.violations == 1 and cert.worst_entry == (i, j)


@pytest.mark.parametrize("activation", ["relu", "log(1+t)"])
def test_permuted_but_unmatched_network_fails(activation):
    net, X = _instance(activation, seed=8)
    perm = [1, 0, 3, 2]
    other = _with(net, V=net.V[perm], b=net.b[perm])  # U and c not permuted along
    assert not certify_float(net, X, other(X)).holds
    assert certify_float(net.permuted(perm), X, net(X)).holds  # a true symmetry holds


def test_overflow_is_not_proven():
    """Preactivations beyond the float32 range: outside the error model, so not proven
    even though the float32 evaluation would give 0 here."""
    V = np.full((2, 2), -1e20)
    net = TwoLayerNetwork(np.ones((2, 2)), V)
    X = np.full((2, 3), 1e20)
    cert = certify_float(net, X, np.zeros((2, 3)), precision="float32")
    assert not cert.holds and cert.violations == 0
    assert any("overflow" in reason for reason in cert.not_proven)
    assert certify_float(net, X, np.zeros((2, 3))).holds  # in float64 there is room


def test_libm_ulp_loosens_only_transcendental_bounds():
    net, X = _instance("log(1+t)", seed=9, n=50)
    loose, tight = error_bound(net, X, libm_ulp=4), error_bound(net, X)
    assert np.all(loose >= tight) and np.any(loose > 1.1 * tight)
    net, X = _instance("relu", seed=9, n=50)
    assert np.array_equal(error_bound(net, X, libm_ulp=4), error_bound(net, X))


# --- property tests -------------------------------------------------------------------------
floats = st.floats(-8, 8, allow_nan=False, allow_infinity=False, width=64)


@st.composite
def networks_and_data(draw):
    d, k, m, n = (draw(st.integers(1, 4)) for _ in range(4))
    act = draw(st.sampled_from(["relu", "relu2", "log(1+t)"]))

    def matrix(rows, cols):
        return np.array(draw(st.lists(floats, min_size=rows * cols, max_size=rows * cols)),
                        dtype=float).reshape(rows, cols)

    net = TwoLayerNetwork(matrix(m, k), matrix(k, d), b=matrix(k, 1)[:, 0],
                          c=matrix(m, 1)[:, 0], activation=act)
    return net, matrix(d, n), draw(st.integers(0, m * n - 1)), draw(st.sampled_from([-1, 1]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks_and_data())
def test_property_honest_holds_and_10x_bound_fails(case):
    net, X, flat, sign = case
    Y = net(X)
    assert certify_float(net, X, Y).holds
    B = error_bound(net, X)
    i, j = np.unravel_index(flat, Y.shape)
    bad = Y.copy()
    bad[i, j] = Y[i, j] + sign * 10 * B[i, j]
    while abs(Fraction(bad[i, j]) - Fraction(Y[i, j])) < 10 * Fraction(B[i, j]):
        bad[i, j] = np.nextafter(bad[i, j], sign * np.inf)
    assert not certify_float(net, X, bad).holds


# --- bad input ---------------------------------------------------------------------------
def test_bad_input():
    net, X = _instance("relu", n=10)
    Y = net(X)
    cases = [
        (lambda: certify_float(net, X[:3], Y), "rows"),
        (lambda: certify_float(net, X, Y[:, :5]), "Y is"),
        (lambda: certify_float(net, np.where(X > 1, np.nan, X), Y), "NaN"),
        (lambda: certify_float(net, X.astype(int), Y), "floats"),
        (lambda: certify_float(net, X, Y.astype(object)), "floats"),
        (lambda: certify_float(net, X, Y, precision="float16"), "precision"),
        (lambda: certify_float(net, X, Y, precision=np.float64), "precision"),
        (lambda: certify_float(net, X, Y, digits=10), "digits"),
        (lambda: certify_float(net, X, Y, libm_ulp=0.1), "libm_ulp"),
        (lambda: certify_float((net.U, net.V), X, Y), "TwoLayerNetwork"),
        (lambda: certify_float(TwoLayerNetwork(net.U, net.V, activation="t/(1+t)"), X, Y),
         "no error model"),
    ]
    exact = planted_instance(6, 3, 4, 10, seed=0, integer=True)
    q = np.vectorize(Fraction, otypes=[object])
    cases.append((lambda: certify_float(TwoLayerNetwork(q(exact.network.U),
                                                        q(exact.network.V)),
                                        exact.X, exact.Y), "float weights"))
    for call, words in cases:
        with pytest.raises(InvalidInputError, match=words):
            call()


# --- command line -----------------------------------------------------------------------
def test_cli_float(tmp_path, capsys):
    net, X = _instance("relu", seed=10, n=100)
    net.save(tmp_path / "net.npz")
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "Y.npy", net(X))
    bad = net(X)
    bad[2, 3] += 1e-9
    np.save(tmp_path / "bad.npy", bad)
    args = [f"--x={tmp_path / 'X.npy'}", f"--net={tmp_path / 'net.npz'}"]
    assert main(["certify", *args, f"--y={tmp_path / 'Y.npy'}", "--float"]) == 0
    out = capsys.readouterr().out
    assert "HOLDS" in out and "max |Y - net(X)| / bound" in out and "proves: Y is a float64" in out
    assert main(["certify", *args, f"--y={tmp_path / 'bad.npy'}", "--float", "float64",
                 f"--out={tmp_path / 'c.json'}"]) == 1
    assert '"holds": false' in (tmp_path / "c.json").read_text()
    assert main(["certify", *args, f"--y={tmp_path / 'Y.npy'}", "--float", "float32"]) == 1
    capsys.readouterr()
    assert main(["certify", *args, f"--y={tmp_path / 'Y.npy'}", "--float", "float16"]) == 2
    assert main(["certify", *args, f"--y={tmp_path / 'Y.npy'}", "--float", "--exact"]) == 2
    assert main(["certify", *args, f"--y={tmp_path / 'Y.npy'}", "--float",
                 f"--truth={tmp_path / 'net.npz'}"]) == 2
    assert "--truth" in capsys.readouterr().err


# --- weight_rtol: certifying a recovered network ------------------------------------
def _recovered_like(net, rel, seed=0):
    """``net`` with every weight moved by a relative ``rel`` (random signs): a recovered
    network is a few ulp from the model that produced the labels."""
    rng = np.random.default_rng(seed)
    move = lambda A: A * (1 + rel * rng.choice([-1.0, 1.0], size=np.shape(A)))  # noqa: E731
    return TwoLayerNetwork(move(net.U), move(net.V), move(net.b), move(net.c),
                           activation=net.activation)


@pytest.mark.parametrize("activation", ["relu", "relu2", "log(1+t)"])
def test_weight_rtol_certifies_a_network_a_few_ulp_off(activation):
    from verify._float_certificate import certify_float

    rng = np.random.default_rng(3)
    net = TwoLayerNetwork(rng.standard_normal((5, 4)), rng.standard_normal((4, 6)),
                          rng.standard_normal(4), rng.standard_normal(5),
                          activation=activation)
    X = rng.standard_normal((6, 400))
    Y = net(X)
    near = _recovered_like(net, 4e-15)
    assert certify_float(near, X, Y, weight_rtol=1e-14).holds
    # ... while weights off by more than the stated δ are still refused
    far = _recovered_like(net, 1e-10, seed=1)
    cert = certify_float(far, X, Y, weight_rtol=1e-14)
    assert not cert.holds and cert.max_ratio > 1
    assert "within 1.0e-14" in cert.proves and "unit's scale" in cert.proves


def test_weight_rtol_bound_grows_with_delta_and_is_checked():
    from verify._float_certificate import error_bound

    rng = np.random.default_rng(4)
    net = TwoLayerNetwork(rng.standard_normal((3, 2)), rng.standard_normal((2, 4)))
    X = rng.standard_normal((4, 50))
    b0, b1 = error_bound(net, X), error_bound(net, X, weight_rtol=1e-12)
    # where every unit is off (and c = 0) the output is exactly 0 and nothing moves it
    assert np.all(b1 >= b0) and np.mean(b1 > b0) > 0.5
    for bad in (-1e-15, 1e-3, float("nan"), True, "1e-14"):
        with pytest.raises(InvalidInputError, match="weight_rtol"):
            error_bound(net, X, weight_rtol=bad)


def test_weight_rtol_is_relative_to_each_units_scale():
    """A tiny weight moved by a few ulp of its unit's scale (a relative change of 1e-8 of
    the entry itself): how a recovered network differs from the model. Certified at
    δ = 1e-14 (the measure of verify.max_unit_error), not at δ = 0."""
    from verify._compare import max_unit_error
    from verify._float_certificate import certify_float

    rng = np.random.default_rng(5)
    V = rng.standard_normal((4, 6))
    V[0, 0] = 1e-6 * np.abs(V[0]).max()
    net = TwoLayerNetwork(rng.standard_normal((5, 4)), V, rng.standard_normal(4),
                          rng.standard_normal(5))
    X = rng.standard_normal((6, 400)) * 1e3  # the tiny weight matters: x_0 is large
    Y = net(X)
    V2 = V.copy()
    V2[0, 0] += 8e-15 * max(np.abs(V[0]).max(), abs(net.b[0]))
    moved = TwoLayerNetwork(net.U, V2, net.b, net.c)
    assert max_unit_error(net, moved) < 1e-14
    assert certify_float(moved, X, Y, weight_rtol=1e-14).holds
    assert not certify_float(moved, X, Y).holds
