from fractions import Fraction

import numpy as np
import pytest

from recover import InvalidInputError, TwoLayerNetwork, planted_instance


def test_evaluation_matches_definition():
    rng = np.random.default_rng(0)
    U, V, X = rng.standard_normal((3, 2)), rng.standard_normal((2, 4)), rng.standard_normal((4, 7))
    net = TwoLayerNetwork(U, V)
    np.testing.assert_allclose(net(X), U @ np.maximum(V @ X, 0), rtol=0, atol=1e-14)
    assert net.pattern(X).dtype == bool
    assert (net.m, net.k, net.d) == (3, 2, 4)


def test_symmetries_preserve_function():
    inst = planted_instance(6, 3, 4, 50, seed=3)
    net = inst.network
    other = net.permuted([2, 0, 1]).rescaled([0.5, 2.0, 3.0])
    np.testing.assert_allclose(other(inst.X), inst.Y, rtol=1e-12, atol=1e-12)
    can = net.canonical()
    np.testing.assert_allclose(np.linalg.norm(can.V, axis=1), 1.0)
    np.testing.assert_allclose(can(inst.X), inst.Y, rtol=1e-12, atol=1e-12)
    # canonical form is the same for every member of the orbit
    np.testing.assert_allclose(other.canonical().V, can.V, atol=1e-14)
    np.testing.assert_allclose(other.canonical().U, can.U, atol=1e-12)


def test_exact_evaluation_stays_rational():
    U = np.array([[Fraction(1, 3), Fraction(-2)]], dtype=object)
    V = np.array([[Fraction(1), Fraction(-1)], [Fraction(1, 2), Fraction(1)]], dtype=object)
    X = np.array([[Fraction(1), Fraction(0)], [Fraction(0), Fraction(3)]], dtype=object)
    out = TwoLayerNetwork(U, V)(X)
    assert out[0, 0] == Fraction(1, 3) - Fraction(1)
    assert out[0, 1] == Fraction(-6)
    assert isinstance(out[0, 1], Fraction)


@pytest.mark.parametrize("U,V,msg", [
    (np.ones((3, 2)), np.ones((3, 4)), "k columns"),
    (np.full((3, 2), np.nan), np.ones((2, 4)), "NaN"),
    (np.ones(3), np.ones((1, 4)), "2-D"),
    ([["a"]], np.ones((1, 4)), "not numeric"),
])
def test_bad_weights_are_rejected_clearly(U, V, msg):
    with pytest.raises(InvalidInputError, match=msg):
        TwoLayerNetwork(U, V)


def test_wrong_input_dimension():
    net = TwoLayerNetwork(np.ones((1, 1)), np.ones((1, 3)))
    with pytest.raises(InvalidInputError, match="d = 3"):
        net(np.ones((2, 5)))


def test_save_load_roundtrip(tmp_path):
    net = planted_instance(5, 2, 3, 10, seed=0).network
    net.save(tmp_path / "n.npz")
    back = TwoLayerNetwork.load(tmp_path / "n.npz")
    np.testing.assert_array_equal(back.U, net.U)
    np.testing.assert_array_equal(back.V, net.V)
