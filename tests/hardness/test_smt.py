import pytest

from hardness import SetSplitting, decide_fit, reduce_set_splitting
from hardness.smt import z3_available, z3_decide_fit
from recover import RelunetError


def test_missing_z3_is_a_clear_error():
    if z3_available():
        pytest.skip("z3 is installed")
    with pytest.raises(RelunetError, match="z3 is not installed"):
        z3_decide_fit([[1, 1]], [1, 2])


@pytest.mark.parametrize("clauses", [[(0, 1), (1, 2)], [(0, 1), (1, 2), (0, 2)]])
def test_z3_agrees_with_decide_fit(clauses):
    pytest.importorskip("z3")
    red = reduce_set_splitting(SetSplitting(3, clauses))
    assert z3_decide_fit(red.X, red.y) == decide_fit(red.X, red.y).feasible
