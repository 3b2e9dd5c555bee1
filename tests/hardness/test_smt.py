import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardness import SetSplitting, check_reductions, decide_fit, reduce_set_splitting
from hardness import _check as check_module
from hardness._smt import z3_available, z3_decide_fit
from recover import RelunetError
from relunet.cli import main


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


def test_small_grid_cross_checked_with_z3():
    """The CI grid: every instance with N <= 3 and <= 2 clauses (17: 8 yes, 9 no), z3
    agreeing on each."""
    pytest.importorskip("z3")
    report = check_reductions(3, 2, verbose=False, smt=True)
    assert report.instances == report.smt_checked == report.smt_agree == 17
    assert report.all_agree


def test_check_smt_command_and_a_disagreement(capsys, monkeypatch):
    pytest.importorskip("z3")
    assert main(["hardness", "check", "--max-elements", "2", "--max-clauses", "2",
                 "--smt", "--quiet"]) == 0
    assert "z3 agreement 7/7" in capsys.readouterr().out
    # a z3 that says the opposite must be reported, with the instance, and exit 1
    monkeypatch.setattr(check_module, "z3_decide_fit", lambda X, y: not decide_fit(X, y).feasible)
    assert main(["hardness", "check", "--max-elements", "2", "--max-clauses", "1",
                 "--smt", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "FAIL SetSplitting(" in out and "z3 says" in out


def test_check_smt_without_z3_is_bad_input(capsys, monkeypatch):
    monkeypatch.setattr("relunet.commands.hardness.z3_available", lambda: False)
    assert main(["hardness", "check", "--max-elements", "2", "--smt"]) == 2
    assert "needs the z3 solver" in capsys.readouterr().err


small = st.integers(-2, 2)


def matrices(rows, cols, entries=small):
    return st.lists(st.lists(entries, min_size=cols, max_size=cols), min_size=rows,
                    max_size=rows)


@st.composite
def labelled_data(draw):
    """Small exact data with m = 2..3 outputs: planted networks (yes), random labels of
    rank <= 2 (often no) and random labels."""
    d, n, m = draw(st.integers(1, 2)), draw(st.integers(2, 5)), draw(st.integers(2, 3))
    X = np.array(draw(matrices(d, n)))
    kind = draw(st.sampled_from(["planted", "rank2", "random"]))
    if kind == "planted":
        U = np.array(draw(matrices(m, 2)))
        V = np.array(draw(matrices(2, d)))
        return X, U @ np.maximum(V @ X, 0)
    rows = 2 if kind == "rank2" else m
    Y = np.array(draw(matrices(rows, n, st.integers(0, 2))))
    if kind == "rank2":
        Y = np.array(draw(matrices(m, 2))) @ Y
    return X, Y


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(labelled_data(), st.sampled_from([1, 2]))
def test_several_outputs_agree_with_z3(data, k):
    """decide_fit for m > 1 (rank argument, exact certificates) against z3, which
    solves the polynomial system U f(V X) = Y with U unknown and knows no rank argument."""
    pytest.importorskip("z3")
    X, Y = data
    result = decide_fit(X, Y, k=k)
    assert result.certificate.verify(X, Y, k=k, raise_on_failure=True)
    assert result.feasible == z3_decide_fit(X, Y, k=k)
