import io

import pytest

from hardness import SetSplitting, check_reductions
from hardness._check import CheckReport, check_instance


def test_small_exhaustive_check_agrees():
    out = io.StringIO()
    report = check_reductions(max_elements=3, max_clauses=3, stream=out)
    assert (report.instances, report.yes, report.no) == (28, 9, 19)
    assert report.all_agree
    assert report.forward_verified == report.backward_verified == report.yes
    assert report.certificates_verified == report.no
    assert "28 non-isomorphic instances: 9 yes, 19 no" in out.getvalue()


@pytest.mark.parametrize("clauses, yes", [
    ([(0, 1), (2, 3), (0, 2), (1, 3)], True),          # a 4-cycle is 2-colourable
    ([(0, 1), (1, 2), (0, 2), (3,)], False),           # triangle plus a singleton
    ([(0, 1, 2), (0, 1, 3), (0, 2, 3), (1, 2, 3)], True),
    ([(0, 1), (1, 2), (0, 2), (1, 2, 3)], False),
])
def test_representative_four_element_instances(clauses, yes):
    report = CheckReport()
    check_instance(SetSplitting(4, clauses), report)
    assert report.all_agree and report.yes == int(yes)


@pytest.mark.slow
def test_full_exhaustive_check():
    report = check_reductions(max_elements=4, max_clauses=4, verbose=False)
    assert (report.instances, report.yes, report.no) == (149, 40, 109)
    assert report.all_agree
    assert report.certificates_verified == report.no


@pytest.mark.slow
def test_exhaustive_check_five_elements_five_clauses():
    """Every non-isomorphic instance with N <= 5 and <= 5 clauses (docs/hardness.md)."""
    report = check_reductions(max_elements=5, max_clauses=5, verbose=False)
    assert (report.instances, report.yes, report.no) == (1181, 313, 868)
    assert report.all_agree
    assert report.forward_verified == report.backward_verified == report.yes
    assert report.certificates_verified == report.no
