import copy
import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardness import SetSplitting, decide_fit, reduce_set_splitting
from hardness._decide import (Leaf, bound_coefficients, label_certificate, label_infeasible,
                             needed_patterns, sign_cases)
from hardness._farkas import check_farkas
from recover import InvalidInputError, TwoLayerNetwork

TRIANGLE = reduce_set_splitting(SetSplitting(3, [(0, 1), (1, 2), (0, 2)]))


@pytest.fixture(scope="module")
def no_answer():
    return decide_fit(TRIANGLE.X, TRIANGLE.y)


# --- the rules, checked by brute force over t = (v_1·x, v_2·x) -----------------------------
values = st.fractions(min_value=-3, max_value=3, max_denominator=4) | st.sampled_from([0])


@given(st.sampled_from(sign_cases(2) + sign_cases(1)), st.lists(values, min_size=2, max_size=2))
def test_every_fit_lies_in_a_needed_pattern(signs, t):
    eff = tuple(s for s in signs if s)
    t = t[:len(eff)]
    y = sum(s * max(v, 0) for s, v in zip(eff, t))
    # bound rows hold for every fit
    for q, (c, rhs) in bound_coefficients(eff, y).items():
        assert c * t[q] <= rhs
    # some needed, not label-infeasible pattern contains t (up to the swap)
    def contains(p, tt):
        return (all((v >= 0) if on else (v <= 0) for v, on in zip(tt, p))
                and sum(s * v for s, v, on in zip(eff, tt, p) if on) == y)
    candidates = [(p, tt) for tt in {tuple(t), tuple(reversed(t))}
                  for p in needed_patterns(eff, y, True)
                  if tt == tuple(t) or (len(eff) == 2 and eff[0] == eff[1])]
    assert any(contains(p, tt) and not label_infeasible(eff, p, y) for p, tt in candidates)


@pytest.mark.parametrize("signs", [(1, 1), (1, -1), (-1, -1), (1,), (-1,), ()])
@pytest.mark.parametrize("label", [-2, 3])
def test_label_certificates_are_valid_farkas(signs, label):
    X, y = np.array([[1, 2], [3, -1]]), np.array([label, 0])
    from hardness._decide import _Data
    from hardness._rational import exact_data
    data = _Data(exact_data(X, "X"), exact_data(y, "y"))
    for p in itertools.product((True, False), repeat=len(signs)):
        if label_infeasible(signs, p, label):
            rows = data.rows(signs, 0, p)
            assert check_farkas(rows, label_certificate(signs, p, 0, label)) is None


# --- answers -------------------------------------------------------------------------------------
def test_yes_instance_has_exact_witness():
    inst = SetSplitting(4, [(0, 1), (1, 2, 3), (0, 3)])
    red = reduce_set_splitting(inst)
    res = decide_fit(red.X, red.y)
    assert res.feasible and res.witness.exact
    assert red.fits(res.witness)
    assert res.certificate.verify(red.X, red.y)
    assert inst.is_splitting(red.backward(res.witness))


def test_no_instance_certificate_verifies(no_answer):
    assert not no_answer.feasible and no_answer.witness is None
    cert = no_answer.certificate
    assert cert.kind == "farkas" and set(cert.cases) == set(sign_cases(2))
    assert cert.n_leaves == no_answer.stats["leaves"] > 0
    assert cert.verify(TRIANGLE.X, TRIANGLE.y, raise_on_failure=True)
    assert cert.verify(TRIANGLE.X, TRIANGLE.y, k=2) and not cert.verify(TRIANGLE.X, TRIANGLE.y, k=1)
    summary = cert.summary()
    assert summary["leaves"] == summary["label_rule_leaves"] + summary["lp_leaves"]


def test_mixed_and_negative_output_weights_are_found():
    X = np.array([[1, 1, 1, 1, 1], [-2, -1, 0, 1, 2]])
    for U in ([[1, -1]], [[-1, -2]], [[0, -3]], [[2, 0]]):
        V = np.array([[0, 1], [-1, 2]])
        y = (np.array(U) @ np.maximum(V @ X, 0))[0]
        res = decide_fit(X, y)
        assert res.feasible
        assert np.all(res.witness(np.vectorize(Fraction, otypes=[object])(X))[0] == y)


def test_known_no_instances():
    # |t| along a line needs two units of the same sign; with k=1 it is impossible
    X = np.array([[1, 1, 1], [-1, 0, 1]])
    assert decide_fit(X, [1, 0, 1], k=2).feasible
    assert not decide_fit(X, [1, 0, 1], k=1).feasible
    # two labels at the same point cannot be fitted by anything
    res = decide_fit(np.array([[1, 1]]), [1, 2])
    assert not res.feasible and res.certificate.verify(np.array([[1, 1]]), [1, 2])
    zero = decide_fit(np.array([[1, 2]]), [0, 0])
    assert zero.feasible and all(v == 0 for v in zero.witness(np.array([[Fraction(1), Fraction(2)]], dtype=object)).flat)


# --- tampering is rejected -----------------------------------------------------------------------
def _first_lp_leaf(node, path=()):
    if isinstance(node, Leaf):
        return node if not node.rule else None
    for child in node.children.values():
        found = _first_lp_leaf(child)
        if found is not None:
            return found
    return None


def test_tampered_multiplier_is_rejected(no_answer):
    cert = copy.deepcopy(no_answer.certificate)
    leaf = _first_lp_leaf(cert.cases[(1, 1)])
    key = next(iter(leaf.multipliers))
    leaf.multipliers[key] += Fraction(1, 7)
    assert not cert.verify(TRIANGLE.X, TRIANGLE.y)


def test_dropped_branch_and_case_are_rejected(no_answer):
    cert = copy.deepcopy(no_answer.certificate)
    tree = cert.cases[(1, 1)]
    node = tree
    while isinstance(node, Leaf) or len(node.children) < 2:
        node = next(iter(node.children.values()))
    node.children.pop(next(iter(node.children)))
    assert not cert.verify(TRIANGLE.X, TRIANGLE.y)
    cert2 = copy.deepcopy(no_answer.certificate)
    del cert2.cases[(1, -1)]
    with pytest.raises(Exception, match="not refuted"):
        cert2.verify(TRIANGLE.X, TRIANGLE.y, raise_on_failure=True)


def test_certificate_is_checked_against_the_data(no_answer):
    # the same certificate says nothing about a splittable instance's data
    yes = reduce_set_splitting(SetSplitting(3, [(0, 1), (1, 2)]))
    y = TRIANGLE.y.copy()
    y[0] = 1  # o labelled 1: a different data set
    assert not no_answer.certificate.verify(TRIANGLE.X, y)
    assert not no_answer.certificate.verify(yes.X[:, :8], yes.y[:8])


def test_tampered_witness_is_rejected():
    red = reduce_set_splitting(SetSplitting(3, [(0, 1), (1, 2)]))
    res = decide_fit(red.X, red.y)
    cert = copy.deepcopy(res.certificate)
    V = cert.witness.V.copy()
    V[0, 0] += Fraction(1, 1000)
    cert.witness = TwoLayerNetwork(cert.witness.U, V)
    assert not cert.verify(red.X, red.y)
    cert.witness = res.witness.astype_float()
    assert not cert.verify(red.X, red.y)  # float witnesses are not exact certificates


# --- input validation ----------------------------------------------------------------------------
@pytest.mark.parametrize("X, y, k, message", [
    (np.array([[1.5, 2.0]]), [1, 2], 2, "not an integer"),
    (np.array([[np.nan, 2.0]]), [1, 2], 2, "finite"),
    (np.array([[1, 2]]), [1, np.inf], 2, "finite"),
    (np.array([[1, 2]]), [1, 2, 3], 2, "2 points"),
    (np.array([[1, 2]]), [[[1, 2]]], 2, "m x n"),
    (np.array([1, 2]), [1, 2], 2, "d x n"),
    (np.array([[1, 2]]), [1, 2], 3, "k = 1 or k = 2"),
    (np.array([[1, 2]]), ["a", 2], 2, "not a rational"),
    (np.array([[True, False]]), [1, 2], 2, "boolean"),
])
def test_bad_input_has_clear_errors(X, y, k, message):
    with pytest.raises(InvalidInputError, match=message):
        decide_fit(X, y, k=k)


def test_exact_floats_and_fractions():
    X = np.array([[1.0, 1.0, 1.0], [-0.5, 0.0, 0.5]])
    with pytest.raises(InvalidInputError, match="exactness is claimed"):
        decide_fit(X, [1, 0, 1])
    assert decide_fit(X, [1, 0, 1], exact_floats=True).feasible
    Xf = np.array([[Fraction(1)] * 3, [Fraction(-1, 3), Fraction(0), Fraction(1, 3)]], dtype=object)
    res = decide_fit(Xf, [Fraction(1, 3), 0, Fraction(1, 3)])
    assert res.feasible and res.certificate.verify(Xf, [Fraction(1, 3), 0, Fraction(1, 3)])


# --- several outputs ---------------------------------------------------------------------------
LINE = np.array([[1, 1, 1, 1], [-1, 0, 1, 2]])


@pytest.mark.parametrize("a", [[1], [2, -1], [0, 3, Fraction(1, 2)]])
@pytest.mark.parametrize("b", [[1, 0, 1, 2], [1, 0, 0, 1], [0, 1, 3, 0]])
def test_rank_one_labels_are_the_question_for_one_row(a, b):
    """Y = a bᵀ has a fit iff b has one: the rank-one argument, on fits and non-fits."""
    Y = np.array([[Fraction(ai) * bj for bj in b] for ai in a], dtype=object)
    one = decide_fit(LINE, b)
    many = decide_fit(LINE, Y)
    assert many.feasible == one.feasible
    assert many.certificate.verify(LINE, Y, raise_on_failure=True)
    if many.feasible:
        assert many.witness.U.shape == (len(a), 2)
        assert np.all(many.witness(np.array(LINE, dtype=object)) == Y)
    else:
        assert many.certificate.kind == "farkas"


def test_rank_above_k_is_refuted_by_a_minor():
    Y = np.array([[1, 0, 0, 1], [0, 1, 0, 1], [1, 1, 1, 1]])
    res = decide_fit(LINE, Y)
    assert not res.feasible and res.certificate.kind == "rank"
    assert res.certificate.verify(LINE, Y) and not res.certificate.verify(LINE, Y[:2])
    one = decide_fit(LINE, Y[:2], k=1)
    assert not one.feasible and one.certificate.kind == "rank"


def test_rank_two_fits_and_non_fits():
    yes = np.array([[2, 1, 0, 0], [0, 0, 1, 2], [2, 1, 1, 2]])   # f(-t+1), f(t), their sum
    res = decide_fit(LINE, yes)
    assert res.feasible and res.witness.exact
    assert np.all(res.witness(np.array(LINE, dtype=object)) == yes)
    no = np.array([[1, 0, 0, 1], [0, 0, 1, 2]])   # (1,0,0,1) is not in a 2-ReLU row space
    res = decide_fit(LINE, no)
    assert not res.feasible and res.certificate.kind == "pair"
    assert res.certificate.verify(LINE, no, raise_on_failure=True)
    zero = decide_fit(LINE, np.zeros((3, 4), dtype=int))
    assert zero.feasible and not np.any(zero.witness.U != 0)


def test_reduction_with_several_outputs():
    for clauses, yes in (([(0, 1), (1, 2)], True), ([(0, 1), (1, 2), (0, 2)], False)):
        red = reduce_set_splitting(SetSplitting(3, clauses), m=3)
        res = decide_fit(red.X, red.y)
        assert res.feasible == yes and res.certificate.verify(red.X, red.y)
