"""The numeric door: dtypes, extreme scales and parameters at every public entry point."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recover import (InvalidInputError, TwoLayerNetwork, planted_instance,
                     recover_network)
from recover._validation import as_matrix, power_of_two_scale
from verify import compare_networks

EXACT = 1e-10


@pytest.fixture(scope="module")
def inst():
    return planted_instance(8, 3, 5, 600, seed=0)


def _rescaled(net: TwoLayerNetwork, x_factor: float, y_factor: float) -> TwoLayerNetwork:
    """The network on the original data from one recovered on ``X·x_factor`` and
    ``Y·y_factor`` (``V → V·x_factor``, ``U → U / y_factor``, any activation)."""
    return TwoLayerNetwork(net.U / y_factor, net.V * x_factor, net.activation)


# --- dtypes ---------------------------------------------------------------------------
@pytest.mark.parametrize("make,word", [
    (lambda X: X + 1j * np.ones_like(X), "complex"),
    (lambda X: X.astype(complex), "complex"),          # zero imaginary part: refused too
    (lambda X: X > 0, "bool"),
    (lambda X: X.astype(object), "object"),
    (lambda X: X.astype(str), "not numeric"),
    (lambda X: X.astype("S8"), "not numeric"),
    (lambda X: np.zeros(X.shape, dtype=[("a", float)]), "not numeric"),
    (lambda X: np.zeros(X.shape, dtype="datetime64[s]"), "datetime"),
])
def test_non_real_dtypes_are_refused_naming_the_dtype(inst, make, word):
    bad = make(inst.X)
    with pytest.raises(InvalidInputError, match=word) as info:
        recover_network(bad, inst.Y)
    assert str(bad.dtype) in str(info.value)
    with pytest.raises(InvalidInputError, match=word):
        recover_network(inst.X, make(inst.Y))


def test_complex_refusal_tells_how_to_pass_the_real_part(inst):
    with pytest.raises(InvalidInputError, match=r"a\.real"):
        recover_network(inst.X.astype(complex), inst.Y)


def test_complex_data_are_refused_by_certify_too(inst):
    from verify import certify

    net = recover_network(inst.X, inst.Y).network
    with pytest.raises(InvalidInputError, match="complex"):
        certify(inst.X + 1e-3j, inst.Y, net)


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.int64, np.int8, np.uint16])
def test_real_dtypes_of_any_width_are_accepted(dtype):
    a = as_matrix(np.arange(6).reshape(2, 3).astype(dtype), "X")
    assert a.dtype == np.float64
    np.testing.assert_array_equal(a, np.arange(6).reshape(2, 3))


def test_integer_labels_recover_exactly():
    inst = planted_instance(8, 3, 5, 600, seed=1, integer=True)
    res = recover_network(inst.X.astype(np.int64), inst.Y.astype(np.int64))
    assert res.exact and compare_networks(inst.network, res.network) < EXACT


def test_exact_object_matrices_still_pass_where_asked():
    from fractions import Fraction

    net = TwoLayerNetwork(np.array([[Fraction(1, 2)]], dtype=object),
                          np.array([[Fraction(3)]], dtype=object))
    assert net.exact
    with pytest.raises(InvalidInputError, match="non-rational"):
        TwoLayerNetwork(np.array([[True]], dtype=object), np.ones((1, 1)))


def test_longdouble_beyond_float64_is_named():
    big = np.full((2, 3), np.finfo(np.float64).max, dtype=np.longdouble) * 4
    if not np.all(np.isfinite(big)):  # platforms where longdouble is float64
        pytest.skip("longdouble is float64 here")
    with pytest.raises(InvalidInputError, match="float64 range"):
        as_matrix(big, "X")


# --- extreme scales --------------------------------------------------------------------
@pytest.mark.parametrize("x_factor,y_factor", [
    (1e300, 1.0), (1e-300, 1.0), (1.0, 1e300), (1.0, 1e-300), (1e300, 1e300),
    (1e-300, 1e-300), (2.0 ** 500, 2.0 ** -500),
])
def test_extreme_scales_recover_the_right_network(inst, x_factor, y_factor):
    res = recover_network(inst.X * x_factor, inst.Y * y_factor)
    assert res.exact
    assert np.all(np.isfinite(res.network.U)) and np.all(np.isfinite(res.network.V))
    np.testing.assert_allclose(np.linalg.norm(res.network.V, axis=1), 1.0, rtol=1e-14)
    assert compare_networks(inst.network, _rescaled(res.network, x_factor, y_factor)) < EXACT


def test_extreme_scales_with_a_non_homogeneous_activation():
    inst = planted_instance(10, 5, 8, 1000, seed=0, activation="log(1+t)")
    res = recover_network(inst.X * 1e-300, inst.Y * 1e300, activation="log(1+t)")
    assert res.exact
    assert compare_networks(inst.network, _rescaled(res.network, 1e-300, 1e300)) < EXACT


def test_noisy_mode_at_extreme_scale_matches_unit_scale():
    inst = planted_instance(8, 3, 5, 1500, seed=0, snr_db=20)
    ref = recover_network(inst.X, inst.Y, k=3, mode="noisy")
    x, y = 2.0 ** -600, 2.0 ** 300   # canonical U scales by y / x = 2^900
    far = recover_network(inst.X * x, inst.Y * y, k=3, mode="noisy")
    assert compare_networks(ref.network, _rescaled(far.network, x, y)) < 1e-12
    assert far.diagnostics["noise_sigma_estimate"] == pytest.approx(
        ref.diagnostics["noise_sigma_estimate"] * y, rel=1e-9)
    np.testing.assert_allclose(far.standard_errors["U"], ref.standard_errors["U"] * y / x,
                               rtol=1e-6)
    np.testing.assert_allclose(far.standard_errors["V"], ref.standard_errors["V"], rtol=1e-6)


@pytest.mark.parametrize("x_factor,y_factor", [(1e-300, 1e300), (2.0 ** 1000, 2.0 ** -1000)])
def test_unrepresentable_canonical_network_is_refused_with_the_reason(inst, x_factor,
                                                                      y_factor):
    # The canonical U (unit rows of V) scales by y/x: ~1e600 or 2^-2000, beyond float64.
    with pytest.raises(InvalidInputError, match="float64 cannot represent its U"):
        recover_network(inst.X * x_factor, inst.Y * y_factor)


@given(st.integers(-1000, 1000), st.integers(-1000, 1000))
def test_any_power_of_two_scale_is_exact(a, b):
    inst = planted_instance(6, 2, 3, 300, seed=2)
    x, y = 2.0 ** a, 2.0 ** b
    try:
        res = recover_network(inst.X * x, inst.Y * y)
    except InvalidInputError as exc:
        # only when the canonical network leaves the float64 range: |b - a| large
        assert "float64" in str(exc) and abs(b - a) > 900
        return
    assert res.exact
    assert compare_networks(inst.network, _rescaled(res.network, x, y)) < EXACT


def test_power_of_two_scale_is_exact():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, 4)) * 1e-300
    scaled, e = power_of_two_scale(A)
    assert 0.5 <= np.abs(scaled).max() < 1
    np.testing.assert_array_equal(np.ldexp(scaled, e), A)
    zero, e0 = power_of_two_scale(np.zeros((2, 2)))
    assert e0 == 0 and not zero.any()


def test_canonical_keeps_norms_of_tiny_and_huge_rows():
    V = np.array([[3e-300, 4e-300], [1e300, -1e300]])
    can = TwoLayerNetwork(np.ones((1, 2)), V).canonical()
    np.testing.assert_allclose(np.linalg.norm(can.V, axis=1), 1.0, rtol=1e-15)
    assert np.all(np.isfinite(can.U)) and np.all(can.U > 0)


# --- parameters ------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,word", [
    (dict(seed=-1), "seed must be >= 0"),
    (dict(seed=True), "seed must be an integer"),
    (dict(seed=1.5), "seed must be an integer"),
    (dict(seed="1"), "seed must be an integer"),
    (dict(k=True), "k must be an integer"),
    (dict(k=np.float64(3.0)), "k must be an integer"),
    (dict(max_attempts=0), "max_attempts must be >= 1"),
    (dict(max_attempts=False), "max_attempts must be an integer"),
    (dict(mode=None), "mode must be one of"),
    (dict(mode=["exact"]), "mode must be one of"),
    (dict(method=3), "method must be one of"),
    (dict(progress="print"), "progress must be callable"),
])
def test_bad_parameters_are_refused(inst, kwargs, word):
    with pytest.raises(InvalidInputError, match=word):
        recover_network(inst.X, inst.Y, **kwargs)


def test_numpy_integers_are_accepted(inst):
    res = recover_network(inst.X, inst.Y, k=np.int64(3), seed=np.uint8(4),
                          max_attempts=np.int32(2))
    assert res.exact and res.k == 3


def test_k_above_m_runs_the_few_outputs_recovery(inst):
    res = recover_network(inst.X, inst.Y[:2], k=3)
    assert res.exact and res.diagnostics["method"] == "few_outputs"


def test_k_above_d_is_refused_with_the_reason(inst):
    with pytest.raises(InvalidInputError, match=r"k <= d"):
        recover_network(inst.X, inst.Y[:2], k=9)


@pytest.mark.parametrize("kwargs,word", [
    (dict(seed=-1), "seed must be >= 0"),
    (dict(seed=True), "seed must be an integer"),
    (dict(d=True), "d must be an integer"),
    (dict(n=0), "n must be >= 1"),
    (dict(noise=float("nan")), "noise .* must be finite"),
    (dict(noise=float("inf")), "noise .* must be finite"),
    (dict(noise=-0.1), "noise .* must be >= 0"),
    (dict(noise=True), "noise .* must be a real number"),
    (dict(noise="0.1"), "noise .* must be a real number"),
    (dict(snr_db=float("inf")), "snr_db .* must be finite"),
    (dict(snr_db="20"), "snr_db .* must be a real number"),
    (dict(noise=0.1, snr_db=10.0), "not both"),
    (dict(condition=float("inf")), "condition must be finite"),
    (dict(condition=0.5), "condition must be >= 1"),
    (dict(correlation=1.0), "correlation must be < 1"),
    (dict(noise_kind=["gaussian"]), "noise_kind must be one of"),
    (dict(integer=1), "integer must be True or False"),
])
def test_planted_instance_parameters_are_refused(kwargs, word):
    args = dict(d=4, k=2, m=3, n=10) | kwargs
    with pytest.raises(InvalidInputError, match=word):
        planted_instance(**args)


def test_planted_instance_accepts_numpy_scalars():
    inst = planted_instance(np.int64(4), np.int32(2), np.uint8(3), np.int16(50),
                            seed=np.int64(7), noise=np.float32(0.1))
    ref = planted_instance(4, 2, 3, 50, seed=7, noise=float(np.float32(0.1)))
    np.testing.assert_array_equal(inst.Y, ref.Y)


def test_door_gives_no_numpy_warning(inst):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidInputError):
            recover_network(inst.X + 1j, inst.Y)


def test_overflowing_hidden_activations_are_refused_with_the_reason():
    # X near the top of the float64 range: the labels are finite (U is small), but any
    # canonical network (unit rows of V) has f(VX) beyond float64 on these inputs.
    inst = planted_instance(8, 3, 5, 600, seed=0)
    Xp = 0.99 * np.clip(inst.X, -1.0, 1.0)  # many entries near ±1: |v·x| reaches 2
    V = inst.network.V / np.linalg.norm(inst.network.V, axis=1, keepdims=True) * 4
    U = inst.network.U * 2.0 ** -60
    X = np.ldexp(Xp, 1023)
    Y = np.ldexp(U @ np.maximum(V @ Xp, 0), 1023)
    assert np.all(np.isfinite(X)) and np.all(np.isfinite(Y))
    with pytest.raises(InvalidInputError, match=r"f\(VX\) overflows"):
        recover_network(X, Y)
