"""certify's scalar arguments are checked at the door, and its progress hook keeps the
project's protocol: progress(stage, done, total), done monotone per stage, ending at total."""
import numpy as np
import pytest

from recover import InvalidInputError, planted_instance
from verify import certify
from verify._progress import Stage

INST = planted_instance(6, 3, 4, 200, seed=3, integer=True)


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("digits", [0, 15, -50, 20.0, 50.5, "50", None, True, False])
def test_bad_digits_are_refused_on_both_paths(exact, digits):
    with pytest.raises(InvalidInputError, match="digits must be an integer >= 16"):
        certify(INST.X, INST.Y, INST.network, exact=exact, digits=digits)


def test_integer_digits_of_any_integer_type_are_accepted():
    for digits in (16, np.int64(30)):
        assert certify(INST.X, INST.Y, INST.network, exact=False, digits=digits,
                       identifiability=False).digits == digits


@pytest.mark.parametrize("exact", [1, 0, "yes", "False", None, 1.0])
def test_exact_must_be_a_bool(exact):
    with pytest.raises(InvalidInputError, match="exact must be True or False"):
        certify(INST.X, INST.Y, INST.network, exact=exact)


def test_numpy_bool_is_a_bool():
    assert certify(INST.X, INST.Y, INST.network, exact=np.True_,
                   identifiability=False).mode == "exact"


@pytest.mark.parametrize("progress", ["stderr", 1, []])
def test_progress_must_be_callable(progress):
    with pytest.raises(InvalidInputError, match="progress must be None or a callable"):
        certify(INST.X, INST.Y, INST.network, progress=progress)


def stages(calls):
    """Calls grouped by stage, in order; asserts the protocol on each."""
    out = {}
    for stage, done, total in calls:
        assert isinstance(done, int) and isinstance(total, int) and 0 <= done <= total
        out.setdefault(stage, []).append((done, total))
    order = list(dict.fromkeys(s for s, _, _ in calls))
    for stage, seen in out.items():
        dones = [d for d, _ in seen]
        assert len({t for _, t in seen}) == 1, stage
        assert dones == sorted(dones) and len(set(dones)) == len(dones), (stage, dones)
        assert dones[-1] == seen[0][1], (stage, dones)  # ends at total, exactly once
        assert len(dones) <= 102
    assert [s for s, _, _ in calls] == sorted((s for s, _, _ in calls), key=order.index)
    return out


def test_exact_path_reports_every_stage():
    calls = []
    cert = certify(INST.X, INST.Y, INST.network, progress=lambda *a: calls.append(a))
    assert cert.holds
    got = stages(calls)
    assert list(got) == ["to_rational", "exact_solve", "identifiability"]
    assert got["to_rational"][-1] == (6 + 4, 6 + 4)  # rows of X and Y
    assert got["exact_solve"][-1] == (2 * 3 + 3, 2 * 3 + 3)
    assert got["exact_solve"][0] == (0, 9) and len(got["exact_solve"]) == 10  # every step


def test_precision_path_reports_every_stage():
    calls = []
    cert = certify(INST.X, INST.Y, INST.network, exact=False, digits=30,
                   progress=lambda *a: calls.append(a))
    assert cert.holds
    got = stages(calls)
    assert list(got) == ["precision_solve", "identifiability"]
    assert [d for d, _ in got["precision_solve"]] == list(range(2 * 3 + 2))


def test_a_solve_stopped_early_still_ends_its_stage():
    Y = INST.Y.copy()
    Y[0, 0] += 1  # rank fails at the first step
    calls = []
    cert = certify(INST.X, Y, INST.network, progress=lambda *a: calls.append(a))
    assert not cert.holds
    got = stages(calls)
    assert got["exact_solve"] == [(0, 9), (1, 9), (9, 9)]


def test_silent_by_default_and_same_certificate():
    calls = []
    a = certify(INST.X, INST.Y, INST.network, identifiability=False)
    b = certify(INST.X, INST.Y, INST.network, identifiability=False,
                progress=lambda *x: calls.append(x))
    assert calls and a.to_dict()["checks"] == b.to_dict()["checks"]
    assert (a.network.V == b.network.V).all()


def test_stage_reports_about_once_per_percent():
    calls = []
    with Stage(lambda *a: calls.append(a), "s", 10_000) as stage:
        for _ in range(10_000):
            stage.advance()
    assert len(calls) == 101 and calls[0] == ("s", 0, 10_000) and calls[-1] == ("s", 10_000, 10_000)
    assert [d for _, d, _ in calls] == [100 * p for p in range(101)]


def test_stage_of_nothing_and_without_a_callable():
    calls = []
    with Stage(lambda *a: calls.append(a), "empty", 0):
        pass
    assert calls == [("empty", 0, 0)]
    with Stage(None, "silent", 5) as stage:  # None: nothing to call, nothing fails
        stage.advance(3)
    assert stage.done == 3
