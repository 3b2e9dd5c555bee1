"""RecoveryResult: typed attributes for what every caller reads, the extras in a
read-only diagnostics mapping, and the former keys still readable (deprecated)."""

import copy
import warnings

import numpy as np
import pytest

from recover import RecoveryResult, planted_instance, recover_network

EXACT = recover_network(*(lambda i: (i.X, i.Y))(planted_instance(8, 4, 6, 600, seed=0)))


def _noisy():
    inst = planted_instance(10, 4, 6, 2000, seed=1, snr_db=20)
    return recover_network(inst.X, inst.Y, k=4)


def test_an_exact_result_has_typed_attributes():
    res = EXACT
    assert isinstance(res, RecoveryResult)
    assert res.mode == "exact" and res.exact is True and res.k == 4
    assert 0 <= res.residual < 1e-12 and res.network.k == 4
    assert res.attempts[-1] == {"method": "cone", "failure": None}
    assert res.timings["total"] >= res.timings["span"] > 0
    assert res.warnings == [] and res.standard_errors is None
    assert res.misspecified is False and res.cause is None
    assert res.message.startswith("exact recovery of k = 4 units, verified")


def test_a_noisy_result_has_typed_attributes():
    res = _noisy()
    assert res.mode == "noisy" and res.exact is False and res.k == 4
    assert res.standard_errors["V"].shape == (4, 10)
    assert res.misspecified is False
    assert 0 < res.residual < 1 and "not exact" in res.message
    assert {"snr_estimate_db", "noise_check", "exact_failure"} <= set(res.diagnostics)


def test_diagnostics_lists_only_the_extras_and_cannot_be_changed():
    diag = EXACT.diagnostics
    former = {"mode", "exact", "k", "residual", "attempts", "timings", "warnings",
              "standard_errors", "misspecified", "cause"}
    assert not former & set(diag) and "k" not in diag
    assert {"method", "facet_counts", "rank_tail", "scale", "cone_stats"} <= set(diag)
    with pytest.raises(TypeError):
        diag["method"] = "moments"
    with pytest.raises(KeyError):
        diag["no such key"]


@pytest.mark.parametrize("key", ["k", "residual", "mode", "exact", "attempts", "timings"])
def test_former_keys_still_read_with_a_deprecation_warning(key):
    with pytest.warns(DeprecationWarning, match=f"RecoveryResult.{key}"):
        value = EXACT.diagnostics[key]
    assert value == getattr(EXACT, key)


def test_extras_read_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert EXACT.diagnostics["method"] == "cone"
        assert EXACT.diagnostics.get("identifiable") is True


def test_as_dict_is_the_flat_record_the_command_line_writes():
    flat = EXACT.as_dict()
    assert flat["k"] == 4 and flat["exact"] is True and flat["method"] == "cone"
    assert "network" not in flat and flat["message"] == EXACT.message


def test_a_result_deep_copies_with_its_view():
    back = copy.deepcopy(EXACT)
    assert back.k == EXACT.k and dict(back.diagnostics).keys() == dict(EXACT.diagnostics).keys()
    np.testing.assert_array_equal(back.network.V, EXACT.network.V)
    with pytest.warns(DeprecationWarning):
        assert back.diagnostics["k"] == EXACT.k
