from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardness import SetSplitting, random_instance, reduce_set_splitting
from recover import InvalidInputError, TwoLayerNetwork


@st.composite
def splittable_instances(draw, max_elements=10, max_clauses=12):
    """A random instance together with a planted splitting (colours 0/1)."""
    n = draw(st.integers(2, max_elements))
    colours = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)
                   .filter(lambda c: len(set(c)) == 2))
    ones = [i for i in range(n) if colours[i]]
    zeros = [i for i in range(n) if not colours[i]]
    clauses = set()
    for _ in range(draw(st.integers(0, max_clauses))):
        extra = draw(st.sets(st.integers(0, n - 1), max_size=3))
        a, b = draw(st.sampled_from(zeros)), draw(st.sampled_from(ones))
        clauses.add(tuple(sorted({a, b} | extra)))
    return SetSplitting(n, sorted(clauses)), tuple(colours)


def test_points_and_labels():
    red = reduce_set_splitting(SetSplitting(3, [(0, 1), (1, 2)]))
    assert red.X.shape == (5, 1 + 3 + 2 + 2) and red.X.dtype.kind == "i"
    assert red.names == ["o", "e0", "e1", "e2", "x{0,1}", "x{1,2}", "p+", "p-"]
    assert red.y.tolist() == [0, 1, 1, 1, 0, 0, 1, 1]
    assert red.X[:, red.index("x{1,2}")].tolist() == [1, 0, 1, 1, 0]
    assert red.X[:, red.index("p-")].tolist() == [1, 0, 0, 0, -1]
    assert np.all(red.X[0] == 1)


@given(splittable_instances())
def test_forward_fits_exactly_and_backward_inverts(case):
    inst, colours = case
    red = reduce_set_splitting(inst)
    net = red.forward(colours)
    assert net.exact and all(isinstance(v, Fraction) for v in net.V.flat)
    out = net(np.vectorize(Fraction, otypes=[object])(red.X))
    assert np.all(out == red.Y)
    assert red.backward(net) == colours


@given(splittable_instances(max_elements=7), st.integers(1, 4))
def test_labels_repeated_on_m_outputs(case, m):
    inst, colours = case
    red = reduce_set_splitting(inst, m=m)
    net = red.forward(colours)
    assert net.U.shape == (m, 2) and red.Y.shape == (m, red.n_points)
    assert red.backward(net) == colours


def test_forward_rejects_non_splittings():
    red = reduce_set_splitting(SetSplitting(3, [(0, 1)]))
    with pytest.raises(InvalidInputError, match="not a splitting"):
        red.forward((0, 0, 1))
    with pytest.raises(InvalidInputError, match="3 colours"):
        red.forward((0, 1))


def test_backward_rejects_networks_that_do_not_fit():
    inst = random_instance(5, 5, seed=1, splittable=True)
    red = reduce_set_splitting(inst)
    net = red.forward(inst.solve())
    V = net.V.copy()
    V[0, 0] = Fraction(-1, 2)
    with pytest.raises(InvalidInputError, match="does not fit"):
        red.backward(TwoLayerNetwork(net.U, V))
    with pytest.raises(InvalidInputError, match=r"\(m, k, d\)"):
        red.backward(TwoLayerNetwork(np.ones((1, 2)), np.ones((2, 3))))


def test_backward_accepts_float_networks_that_fit_exactly():
    inst = SetSplitting(4, [(0, 1, 2), (2, 3)])
    red = reduce_set_splitting(inst)
    float_net = red.forward(inst.solve()).astype_float().rescaled([0.5, 4.0])
    assert red.backward(float_net) == inst.solve()
