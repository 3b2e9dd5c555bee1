import numpy as np
import pytest

from recover import InvalidInputError, planted_instance


def test_shapes_and_determinism():
    a = planted_instance(7, 3, 5, 40, seed=11)
    b = planted_instance(7, 3, 5, 40, seed=11)
    assert a.X.shape == (7, 40) and a.Y.shape == (5, 40)
    np.testing.assert_array_equal(a.Y, b.Y)
    assert not np.array_equal(a.Y, planted_instance(7, 3, 5, 40, seed=12).Y)


def test_integer_instance_is_exact():
    inst = planted_instance(10, 5, 8, 300, seed=0, integer=True)
    for arr in (inst.X, inst.Y, inst.network.U, inst.network.V):
        np.testing.assert_array_equal(arr, np.rint(arr))
    assert np.linalg.matrix_rank(inst.network.V) == 5


def test_integer_labels_beyond_float64_exactness_warn():
    from recover._errors import RelunetWarning

    with pytest.warns(RelunetWarning, match="2\\^53"):
        planted_instance(20, 10, 15, 300, seed=0, activation="relu^6", integer=True)


def test_condition_and_correlation():
    V = planted_instance(20, 10, 15, 10, seed=0, condition=20).network.V
    s = np.linalg.svd(V, compute_uv=False)
    assert s[0] / s[-1] == pytest.approx(20, rel=1e-9)
    V = planted_instance(20, 10, 15, 10, seed=0, correlation=0.8).network.canonical().V
    cos = V @ V.T
    off = cos[~np.eye(10, dtype=bool)]
    assert 0.6 < off.mean() < 0.95


def test_noise_is_added():
    inst = planted_instance(5, 2, 3, 1000, seed=0, noise=0.1)
    assert inst.E.std() == pytest.approx(0.1, rel=0.1)
    np.testing.assert_allclose(inst.Y - inst.E, inst.network(inst.X))


@pytest.mark.parametrize("kwargs,msg", [
    (dict(d=3, k=4, m=4, n=10), "d >= k"),
    (dict(d=3, k=0, m=4, n=10), "k must be"),
    (dict(d=3, k=2, m=4, n=10, noise=-1.0), "noise"),
    (dict(d=3, k=2, m=4, n=10, correlation=1.0), "correlation"),
])
def test_bad_parameters(kwargs, msg):
    with pytest.raises(InvalidInputError, match=msg):
        planted_instance(**kwargs)
