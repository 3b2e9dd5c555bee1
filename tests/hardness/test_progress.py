"""Progress hooks of decide_fit and check_reductions: the project's protocol
progress(stage, done, total), done monotone within a stage and ending once at total."""
import io
from fractions import Fraction

import pytest

from hardness import SetSplitting, check_reductions, decide_fit, reduce_set_splitting
from hardness._decide import SignProblem, _Data, sign_cases, validate_fit_data
from hardness._search import Search
from recover import InvalidInputError

TRIANGLE = reduce_set_splitting(SetSplitting(3, [(0, 1), (1, 2), (0, 2)]))   # no
SQUARE = reduce_set_splitting(SetSplitting(4, [(0, 1), (2, 3), (0, 2), (1, 3)]))  # yes


def one_stage(calls, name):
    assert calls and {s for s, _, _ in calls} == {name}
    dones = [d for _, d, _ in calls]
    total = calls[0][2]
    assert all(t == total for _, _, t in calls)
    assert dones == sorted(dones) and len(set(dones)) == len(dones)
    assert dones[0] == 0 and dones[-1] == total and dones.count(total) == 1
    assert len(calls) <= 102
    return dones, total


def test_decide_fit_no_instance_covers_every_case():
    calls = []
    result = decide_fit(TRIANGLE.X, TRIANGLE.y, progress=lambda *a: calls.append(a))
    assert not result.feasible
    dones, total = one_stage(calls, "patterns")
    assert total == 100 * len(sign_cases(2))
    assert len(dones) > len(sign_cases(2))  # finer than one call per sign case


def test_decide_fit_yes_instance_ends_the_stage_early():
    calls = []
    result = decide_fit(SQUARE.X, SQUARE.y, progress=lambda *a: calls.append(a))
    assert result.feasible
    dones, total = one_stage(calls, "patterns")
    assert dones[-2] < total  # the witness ended the search before all cases were decided


@pytest.mark.parametrize("signs", sign_cases(2))
def test_decided_shares_of_a_refuted_case_sum_to_one(signs):
    """The bookkeeping behind done: every leaf's share of the case, added up exactly."""
    data = _Data(*validate_fit_data(TRIANGLE.X, TRIANGLE.y, False))
    shares = []
    stats = {"lps": 0, "farkas": 0, "uncertified_prunes_skipped": 0}
    tree = Search(SignProblem(data, signs), stats, shares.append).run()
    assert sum(shares) == 1 and all(isinstance(s, Fraction) and s > 0 for s in shares)
    assert len(shares) == _leaves(tree)


def _leaves(node):
    return 1 if not hasattr(node, "children") else sum(map(_leaves, node.children.values()))


def test_check_reductions_counts_instances():
    calls = []
    report = check_reductions(max_elements=3, max_clauses=2, verbose=False,
                              progress=lambda *a: calls.append(a))
    dones, total = one_stage(calls, "instances")
    assert total == report.instances and dones == list(range(total + 1))


def test_check_reductions_progress_prints_nothing():
    out = io.StringIO()
    check_reductions(max_elements=2, max_clauses=2, verbose=False, stream=out,
                     progress=lambda *a: None)
    assert out.getvalue() == ""


@pytest.mark.parametrize("call", [
    lambda: decide_fit(TRIANGLE.X, TRIANGLE.y, progress="yes"),
    lambda: check_reductions(2, 2, verbose=False, progress=1),
])
def test_progress_must_be_callable(call):
    with pytest.raises(InvalidInputError, match="progress must be None or a callable"):
        call()
