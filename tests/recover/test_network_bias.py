"""The network model with biases, ``Y = U f(V X + b 1ᵀ) + c 1ᵀ``, and the promise that
bias-free networks and seeded instances are exactly what they were before biases existed
(reference hashes computed on the code before the change)."""

import hashlib
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recover import InvalidInputError, TwoLayerNetwork, planted_instance
from recover._instances import misspecified_instance


def _digest(*arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a, dtype=float).tobytes())
    return h.hexdigest()[:16]


def _biased(seed: int, m: int, k: int, d: int, act: str = "relu") -> TwoLayerNetwork:
    rng = np.random.default_rng(seed)
    return TwoLayerNetwork(rng.standard_normal((m, k)), rng.standard_normal((k, d)),
                           b=rng.standard_normal(k), c=rng.standard_normal(m),
                           activation=act)


def _relative_gap(A, B) -> float:
    return float(np.linalg.norm(A - B) / max(np.linalg.norm(A), 1.0))


shapes = st.tuples(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 4),
                   st.integers(1, 5), st.sampled_from(["relu", "relu2"]))


# --- the constructor ------------------------------------------------------------------
def test_activation_as_third_positional_argument_and_biases_as_keywords():
    rng = np.random.default_rng(0)
    U, V = rng.standard_normal((3, 2)), rng.standard_normal((2, 4))
    old_style = TwoLayerNetwork(U, V, "relu2")
    assert old_style.activation.name == "relu2"
    assert old_style.b.shape == (2,) and old_style.c.shape == (3,)
    assert old_style.b.dtype == np.float64 and not old_style.b.any() and not old_style.c.any()
    assert not old_style.has_bias
    assert TwoLayerNetwork(U, V, old_style.activation).activation == old_style.activation
    new_style = TwoLayerNetwork(U, V, b=[1.0, 0.0], c=np.zeros((3, 1)), activation="relu2")
    assert new_style.has_bias and new_style.b.tolist() == [1.0, 0.0]
    assert TwoLayerNetwork(U, V, c=[0.0, 0.0, 2.0]).has_bias
    assert "with biases" in repr(new_style) and "with biases" not in repr(old_style)
    with pytest.raises(InvalidInputError, match="activation given twice"):
        TwoLayerNetwork(U, V, "relu", activation="relu2")
    # something that is not numbers in third place is a bad activation, not a bad b
    with pytest.raises(InvalidInputError, match="activation must be .* not list"):
        TwoLayerNetwork(U, V, ["relu"])
    assert TwoLayerNetwork(U, V, [1, 2]).b.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("kwargs, message", [
    (dict(b=[1.0, 2.0, 3.0]), r"b \(hidden biases\) must be a vector of k = 2"),
    (dict(c=[1.0]), r"c \(output biases\) must be a vector of m = 3"),
    (dict(b=np.ones((2, 2))), "b .*shape"),
    (dict(b=[np.nan, 0.0]), "non-finite"),
    (dict(c=np.array([1j, 0, 0])), "complex"),
    (dict(b=np.array([True, False])), "boolean"),
    (dict(c="relu"), "output bias vector"),
])
def test_bad_biases_are_refused_at_the_door(kwargs, message):
    U, V = np.ones((3, 2)), np.eye(2, 4)
    with pytest.raises(InvalidInputError, match=message):
        TwoLayerNetwork(U, V, **kwargs)


def test_exact_network_has_exact_biases_and_evaluates_exactly():
    U = np.array([[Fraction(1, 3), Fraction(-2)]], dtype=object)
    V = np.array([[Fraction(1), Fraction(-1)], [Fraction(1, 2), Fraction(1)]], dtype=object)
    plain = TwoLayerNetwork(U, V)
    assert all(isinstance(x, Fraction) and x == 0 for x in [*plain.b, *plain.c])
    net = TwoLayerNetwork(U, V, b=[0.5, -0.25], c=np.array([Fraction(1, 7)], dtype=object))
    assert net.b.tolist() == [Fraction(1, 2), Fraction(-1, 4)]  # floats taken exactly
    assert isinstance(net.b[0], Fraction)
    X = np.array([[Fraction(1)], [Fraction(3)]], dtype=object)
    # unit 0: 1 - 3 + 1/2 < 0 inactive; unit 1: 1/2 + 3 - 1/4 = 13/4
    assert net(X)[0, 0] == Fraction(-2) * Fraction(13, 4) + Fraction(1, 7)
    with pytest.raises(InvalidInputError, match="non-rational"):  # mixed object arrays
        TwoLayerNetwork(U, V, b=np.array([0.5, Fraction(1, 3)], dtype=object))


def test_evaluation_matches_the_definition():
    rng = np.random.default_rng(1)
    net = _biased(1, 3, 2, 4)
    X = rng.standard_normal((4, 9))
    expected = net.U @ np.maximum(net.V @ X + net.b[:, None], 0) + net.c[:, None]
    np.testing.assert_allclose(net(X), expected, rtol=0, atol=1e-14)
    assert np.array_equal(net.pattern(X), net.V @ X + net.b[:, None] > 0)
    mp = net.mp_call(X, 30)
    np.testing.assert_allclose(np.array(mp, dtype=float), net(X), rtol=0, atol=1e-14)


# --- symmetries and the canonical form -------------------------------------------------
@given(shapes, st.lists(st.floats(0.1, 10.0), min_size=4, max_size=4), st.randoms())
def test_symmetries_and_canonical_form_keep_the_function(shape, lams, random):
    seed, m, k, d, act = shape
    net = _biased(seed, m, k, d, act)
    X = np.random.default_rng(seed + 1).standard_normal((d, 20))
    perm = list(range(k))
    random.shuffle(perm)
    moved = net.permuted(perm).rescaled(lams[:k])
    assert _relative_gap(net(X), moved(X)) <= 1e-12
    can = net.canonical()
    assert _relative_gap(net(X), can(X)) <= 1e-12
    np.testing.assert_allclose(np.linalg.norm(np.hstack([can.V, can.b[:, None]]), axis=1), 1.0,
                               rtol=1e-15)
    assert np.array_equal(can.c, net.c)
    again = can.canonical()  # idempotent, bit for bit
    for name in "UVbc":
        assert np.array_equal(getattr(again, name), getattr(can, name))
    other = moved.canonical()  # one representative per orbit
    for name in "UVbc":
        np.testing.assert_allclose(getattr(other, name), getattr(can, name), atol=1e-12)


def test_a_unit_with_zero_weights_but_a_bias_has_a_canonical_form():
    net = TwoLayerNetwork(np.ones((2, 2)), np.array([[0.0, 0.0], [1.0, 1.0]]), b=[2.0, 0.0])
    can = net.canonical()
    X = np.random.default_rng(0).standard_normal((2, 5))
    np.testing.assert_allclose(can(X), net(X), rtol=1e-14)
    with pytest.raises(InvalidInputError, match="V_i = 0 and b_i = 0"):
        TwoLayerNetwork(np.ones((2, 2)), np.array([[0.0, 0.0], [1.0, 1.0]])).canonical()


def test_astype_float_carries_the_biases():
    U = np.array([[Fraction(1, 3)]], dtype=object)
    net = TwoLayerNetwork(U, U.copy(), b=[Fraction(1, 3)], c=[Fraction(2, 3)]).astype_float()
    assert net.b.dtype == np.float64 and net.b[0] == 1 / 3 and net.c[0] == 2 / 3


# --- bias-free behaviour is unchanged (hashes computed before biases existed) ----------
@pytest.mark.parametrize("kwargs, data, canonical", [
    (dict(d=6, k=3, m=4, n=50, seed=7), "669b12c1899436ac", "1a8d3c2060f5a49c"),
    (dict(d=5, k=4, m=5, n=40, seed=3, noise=0.1, activation="relu2"), "e8565025f8f7c250",
     "0a218453ffce6d53"),
    (dict(d=6, k=3, m=4, n=30, seed=11, integer=True), "dcccbe595210badc", "59101bf371af8d17"),
    (dict(d=8, k=4, m=5, n=30, seed=2, correlation=0.5, condition=10.0, snr_db=20.0),
     "a5f7e36abe380e00", "d02a3f96689af3f2"),
])
def test_seeded_bias_free_instances_and_canonical_forms_are_bit_for_bit_unchanged(
        kwargs, data, canonical):
    inst = planted_instance(**kwargs)
    assert _digest(inst.X, inst.Y, inst.network.U, inst.network.V, inst.E) == data
    can = inst.network.canonical()
    assert _digest(can.U, can.V) == canonical
    assert not can.has_bias


@pytest.mark.parametrize("act, canonical, values", [
    ("relu", "4094705bfe812a01", "acd85ff36f30e518"),
    ("relu2", "bab72d6c9a208b8b", "f864ebc6207abc4a"),
    ("log(1+t)", "08aee313c8da8f12", "5d4ea620cbb890b3"),
])
def test_bias_free_evaluation_and_canonical_form_are_bit_for_bit_unchanged(
        act, canonical, values):
    rng = np.random.default_rng(5)
    U, V, X = rng.standard_normal((4, 3)), rng.standard_normal((3, 9)), \
        rng.standard_normal((9, 20))
    net = TwoLayerNetwork(U, V * 1e-3, act)
    can = net.canonical()
    assert (_digest(can.U, can.V), _digest(net(X))) == (canonical, values)


# --- planted instances with biases ---------------------------------------------------
def test_planted_biases_leave_the_rest_of_the_instance_alone():
    plain = planted_instance(6, 3, 4, 200, seed=4, noise=0.01)
    inst = planted_instance(6, 3, 4, 200, seed=4, noise=0.01, bias_std=2.0,
                            output_bias_std=0.5)
    assert np.array_equal(inst.X, plain.X) and np.array_equal(inst.E, plain.E)
    assert np.array_equal(inst.network.U, plain.network.U)
    assert np.array_equal(inst.network.V, plain.network.V)
    assert inst.network.b.shape == (3,) and np.all(inst.network.b != 0)
    assert inst.network.c.shape == (4,) and np.all(inst.network.c != 0)
    np.testing.assert_array_equal(inst.clean, inst.Y - inst.E)
    np.testing.assert_allclose(inst.Y - inst.E, inst.network(inst.X), rtol=0, atol=1e-13)
    assert inst.params["bias_std"] == 2.0 and inst.params["output_bias_std"] == 0.5
    only_b = planted_instance(6, 3, 4, 200, seed=4, bias_std=2.0)
    assert np.array_equal(only_b.network.b, inst.network.b) and not only_b.network.c.any()


def test_integer_instances_plant_integer_biases_and_bad_stds_are_refused():
    inst = planted_instance(6, 3, 4, 30, seed=1, integer=True, bias_std=5.0,
                            output_bias_std=5.0)
    assert np.array_equal(inst.network.b, np.rint(inst.network.b))
    assert np.array_equal(inst.Y, np.rint(inst.Y))
    with pytest.raises(InvalidInputError, match="bias_std"):
        planted_instance(6, 3, 4, 30, bias_std=-1.0)
    with pytest.raises(InvalidInputError, match="output_bias_std"):
        planted_instance(6, 3, 4, 30, output_bias_std=float("nan"))


def test_misspecified_labels_are_those_of_the_network_with_its_biases():
    inst = misspecified_instance("biases", n=50)
    net = inst.network
    biased = TwoLayerNetwork(net.U, net.V, b=inst.params["b"], c=inst.params["c"])
    assert not net.has_bias
    np.testing.assert_array_equal(inst.Y, biased(inst.X))


# --- files -----------------------------------------------------------------------------
def test_files_round_trip_the_biases(tmp_path):
    net = _biased(3, 3, 2, 4, "relu2")
    net.save(tmp_path / "n.npz")
    back = TwoLayerNetwork.load(tmp_path / "n.npz")
    for name in "UVbc":
        assert np.array_equal(getattr(back, name), getattr(net, name))
    assert back.activation.name == "relu2"
    with pytest.raises(InvalidInputError, match="may not be named"):
        net.save(tmp_path / "m.npz", b=np.ones(2))


def test_a_file_without_biases_loads_with_zeros_and_bad_shapes_are_refused(tmp_path):
    U, V = np.ones((3, 2)), np.eye(2, 4)
    np.savez(tmp_path / "old.npz", U=U, V=V)
    old = TwoLayerNetwork.load(tmp_path / "old.npz")
    assert old.b.shape == (2,) and old.c.shape == (3,) and not old.has_bias
    np.savez(tmp_path / "bad.npz", U=U, V=V, b=np.ones(3))
    with pytest.raises(InvalidInputError, match=r"b has shape \(3,\), expected \(2,\)"):
        TwoLayerNetwork.load(tmp_path / "bad.npz")
    np.savez(tmp_path / "text.npz", U=U, V=V, c=np.array(["a", "b", "c"]))
    with pytest.raises(InvalidInputError, match="c"):
        TwoLayerNetwork.load(tmp_path / "text.npz")
