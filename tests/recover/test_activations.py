"""The activation object: parsing, validation, inverse, homogeneity, Hermite coefficients."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy

from recover import InvalidInputError, TwoLayerNetwork, get_activation
from recover._activations import _numeric_inverse

INVERTIBLE = ["relu", "relu2", "relu^3", "relu^1.5", "log(1+t)", "1-exp(-t)", "tanh(t)",
              "atan(t)", "t/(1+t)"]


@pytest.mark.parametrize("text, prop", [
    ("sin(t)", "not rectified"), ("t - 1", "not rectified"), ("exp(t) - 2", "not rectified"),
    ("-t", "not rectified"), ("t + x", "symbols other than t"), ("sqrt(-t)", "not real"),
    ("log(-t)", "not real"), ("I*t", "not real"), ("t**(", "not parseable"),
    ("t +* 2", "not parseable"), ("__import__('os')", "not parseable"),
    ("relu^-1", "p > 0"), ("", "empty"), ("1/(t-1)", "not"),
])
def test_bad_expressions_name_the_property(text, prop):
    with pytest.raises(InvalidInputError, match=prop):
        get_activation(text)


def test_bad_type():
    with pytest.raises(InvalidInputError, match="must be a name"):
        get_activation(3.0)


@pytest.mark.parametrize("text, name, degree, injective", [
    ("relu", "relu", 1.0, True), ("t", "relu", 1.0, True), ("relu2", "relu2", 2.0, True),
    ("t^2", "relu2", 2.0, True), ("t**3", "relu^3", 3.0, True), ("RELU^3", "relu^3", 3.0, True),
    ("relu^1.5", "relu^3/2", 1.5, True), ("2*t**3", "2*t**3", 3.0, True),
    ("log(1+t)", "log(t + 1)", None, True), ("1-exp(-t)", "1 - exp(-t)", None, True),
    ("tanh(t)", "tanh(t)", None, True), ("step", "step", 0.0, False), ("1", "step", 0.0, False),
    ("t*exp(-t)", "t*exp(-t)", None, False),
])
def test_names_homogeneity_injectivity(text, name, degree, injective):
    act = get_activation(text)
    assert act.name == name
    assert act.degree == degree
    assert act.homogeneous == (degree is not None)
    assert act.injective == injective
    assert (act.inverse is not None) == injective
    assert get_activation(act.name) == act  # the name maps back


def test_parsed_activations_are_cached():
    assert get_activation("log(1+t)") is get_activation("log(1+t)")


@pytest.mark.parametrize("text", INVERTIBLE)
def test_inverse_round_trip_float(text):
    act = get_activation(text)
    t = np.geomspace(1e-3, 5.0, 200)
    back = act.inverse(act.positive_part(t))
    # conditioning of g^{-1} near saturation: error ≈ eps · g(t) / (t g'(t))
    cond = np.abs(act.positive_part(t) / (t * act.derivative(t)))
    assert np.all(np.abs(back - t) <= 1e-14 * t * np.maximum(cond, 1) * 10)


@pytest.mark.parametrize("text", INVERTIBLE)
def test_inverse_round_trip_50_digits(text):
    act = get_activation(text)
    with mpmath.mp.workdps(50):
        for t in ("0.001", "0.7", "3"):  # away from saturation (conditioning)
            t = mpmath.mpf(t)
            assert abs(act.mp_inverse(act.mp_positive_part(t)) - t) <= mpmath.mpf(10) ** -45 * t


def test_numeric_inverse_fallback_matches_closed_form():
    act = get_activation("log(1+t)")
    t = np.geomspace(1e-4, 50, 100)
    got = _numeric_inverse(act.positive_part, act.positive_part(t))
    assert np.allclose(got, t, rtol=1e-13, atol=0)


def test_evaluation_float_and_exact():
    act = get_activation("relu^3")
    assert np.array_equal(act(np.array([-2.0, 0.0, 2.0])), [0.0, 0.0, 8.0])
    exact = act(np.array([Fraction(1, 3), Fraction(-1, 2)], dtype=object))
    assert exact.tolist() == [Fraction(1, 27), 0]
    assert get_activation("log(1+t)").exact_positive_part is None
    with pytest.raises(InvalidInputError, match="no exact evaluation"):
        get_activation("log(1+t)")(np.array([Fraction(1)], dtype=object))


def test_derivative():
    act = get_activation("1-exp(-t)")
    t = np.array([0.5, 2.0])
    assert np.allclose(act.derivative(t), np.exp(-t), rtol=1e-15)
    assert np.array_equal(get_activation("relu").derivative(t), [1.0, 1.0])


def test_relu_hermite_coefficients_match_design():
    act = get_activation("relu")
    with mpmath.mp.workdps(40):
        inv = 1 / mpmath.sqrt(2 * mpmath.pi)
        expected = [inv, mpmath.mpf(1) / 2, inv, 0, -inv]
        for p, want in enumerate(expected):
            assert abs(act.hermite(p, digits=30) - want) < mpmath.mpf(10) ** -30
    assert act.hermite_closed_form(0) == 1 / sympy.sqrt(2 * sympy.pi)


@pytest.mark.parametrize("text", ["relu", "relu2", "relu^3", "step", "1-exp(-t)", "2*t**(3/2)"])
def test_hermite_closed_form_and_quadrature_agree_to_30_digits(text):
    act = get_activation(text)
    for p in range(5):
        closed = act.hermite_closed_form(p)
        assert closed is not None
        with mpmath.mp.workdps(45):
            quad = act.hermite_quadrature(p, digits=45)
            assert abs(mpmath.mpf(sympy.N(closed, 45)) - quad) < mpmath.mpf(10) ** -30


def test_hermite_without_closed_form_uses_quadrature_and_scales():
    act = get_activation("log(1+t)")
    assert act.hermite_closed_form(2) is None
    with mpmath.mp.workdps(30):
        c1 = act.hermite(1, digits=30)
        # E[f(z) z] = E[f'(z)] = ∫_0^∞ φ(z)/(1+z) dz (Gaussian integration by parts)
        want = mpmath.quad(lambda z: mpmath.npdf(z) / (1 + z), [0, mpmath.inf])
        assert abs(c1 - want) < mpmath.mpf(10) ** -25
    cube = get_activation("relu^3")
    assert abs(cube.hermite(2, sigma=2) - 8 * cube.hermite(2)) < mpmath.mpf(10) ** -25


@pytest.mark.parametrize("name", ["relu", "relu2", "step", "relu^3", "log(1+t)", "t/(1+t)"])
def test_activations_and_networks_pickle_by_name(name):
    # Closures from lambdify do not pickle; a network sent to another process
    # (multiprocessing, joblib, Dask) must still carry its activation.
    import pickle

    act = get_activation(name)
    back = pickle.loads(pickle.dumps(act))
    t = np.linspace(-2.0, 3.0, 23)
    assert back == act and back.expr == act.expr and np.array_equal(back(t), act(t))
    net = TwoLayerNetwork(np.ones((2, 3)), np.eye(3, 4), activation=act)
    x = np.random.default_rng(0).standard_normal((4, 9))
    assert np.array_equal(pickle.loads(pickle.dumps(net))(x), net(x))
