"""Misspecified labels in mode="auto": exact, loud or warned with the named cause — never
silent. The cases are those of ``benchmarks/misspecified.py`` (which sweeps many seeds);
here one fixed seed each, (d, k, m, n) = (10, 5, 8, 1000)."""

import warnings

import numpy as np
import pytest

from benchmarks.misspecified import CASES, run_case
from recover import InvalidInputError, RecoveryFailed, planted_instance, recover_network
from recover._errors import RelunetWarning
from recover._instances import misspecified_instance
from recover._misfit import noise_check
from recover._tolerances import Tolerances
from recover._span import left_singular

BY_NAME = {case.name: case for case in CASES}


@pytest.mark.parametrize("name", list(BY_NAME))
def test_no_silent_wrong_answer(name):
    case = BY_NAME[name]
    outcome, causes, message = run_case(case, seed=0)
    assert outcome != "silent", message
    assert "noise?" not in message
    if name.startswith("clean"):
        assert outcome == "exact"
    elif case.noisy:
        assert outcome == "estimate", message
    elif case.cause is not None:
        assert outcome in ("loud", "warned")
        assert case.cause in causes, message


@pytest.mark.parametrize("kind,cause,word", [
    ("hidden_bias", "hidden_bias", "hidden biases"),
    ("output_bias", "output_bias", "output bias"),
    ("fewer_outputs", "fewer_outputs", "m < k"),
    ("positive_inputs", "halfspace_inputs", "half-space"),
])
def test_the_message_names_the_cause_with_its_evidence(kind, cause, word):
    inst = misspecified_instance(kind, seed=1)
    with pytest.raises(RecoveryFailed, match=word) as info:
        recover_network(inst.X, inst.Y)
    assert cause in info.value.diagnostics["causes"]
    assert info.value.diagnostics["misspecified"] is True
    assert "noise?" not in str(info.value)


def test_both_biases_are_both_named():
    inst = misspecified_instance("biases", seed=2)
    with pytest.raises(RecoveryFailed, match="causes: ") as info:
        recover_network(inst.X, inst.Y)
    assert {"hidden_bias", "output_bias"} <= set(info.value.diagnostics["causes"])


def test_exact_mode_names_the_cause_too():
    inst = misspecified_instance("hidden_bias", seed=0)
    with pytest.raises(RecoveryFailed, match="hidden biases"):
        recover_network(inst.X, inst.Y, mode="exact")


def test_k_too_small_is_named_in_exact_mode():
    inst = planted_instance(10, 5, 8, 1000, seed=0)
    with pytest.raises(RecoveryFailed, match="exact rank 5, but k = 3"):
        recover_network(inst.X, inst.Y, k=3, mode="exact")


def test_a_dead_unit_with_k_given_names_the_reason():
    inst = misspecified_instance("dead_unit", seed=0)
    with pytest.raises(InvalidInputError, match="active on no sample"):
        recover_network(inst.X, inst.Y, k=5)


# --- the noise check -------------------------------------------------------------------
def _misspecification_warnings(caught):
    return [w for w in caught if issubclass(w.category, RelunetWarning)
            and "misspecified" in str(w.message)]


@pytest.mark.parametrize("snr_db", [0.0, 10.0, 20.0, 40.0])
@pytest.mark.parametrize("k", [None, 5])
def test_noise_check_does_not_fire_on_noisy_well_specified_labels(snr_db, k):
    inst = planted_instance(10, 5, 8, 1000, seed=0, snr_db=snr_db)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = recover_network(inst.X, inst.Y, k=k)
    assert not _misspecification_warnings(caught)
    assert res.misspecified is False and not res.exact and res.mode == "noisy"
    check = res.diagnostics["noise_check"]
    assert check["checked"] and check["ratio"] <= check["threshold"]


@pytest.mark.parametrize("kind", ["laplace", "student_t3", "uniform"])
def test_noise_check_allows_for_non_gaussian_noise(kind):
    inst = planted_instance(10, 4, 6, 2000, seed=1, snr_db=20, noise_kind=kind)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = recover_network(inst.X, inst.Y, k=4)
    assert not _misspecification_warnings(caught)
    assert res.misspecified is False


@pytest.mark.parametrize("kind", ["hidden_bias", "output_bias"])
def test_noisy_misspecified_labels_are_flagged(kind):
    inst = misspecified_instance(kind, seed=0)
    sigma = 1e-3 * np.abs(inst.Y).max()
    Y = inst.Y + sigma * np.random.default_rng(0).standard_normal(inst.Y.shape)
    with pytest.warns(RelunetWarning, match="misspecified") as caught:
        res = recover_network(inst.X, Y)
    assert res.misspecified is True and res.exact is False and res.mode == "noisy"
    assert res.cause and res.warnings
    assert res.diagnostics["noise_check"]["ratio"] > res.diagnostics["noise_check"]["threshold"]
    assert any("noise variance" in str(w.message) for w in caught)


def test_noise_check_statistic_is_near_one_under_the_model():
    # Truth plus Gaussian noise, judged at the truth itself: F ≈ 1 within its band.
    inst = planted_instance(10, 5, 8, 4000, seed=3, noise=0.1)
    s = left_singular(inst.Y)[1]
    p = 8 * 5 + 5 * 10 - 5
    check = noise_check(inst.Y, s, inst.clean, 5, p)
    assert check["checked"] and check["consistent"]
    assert abs(check["ratio"] - 1) < 0.1 < Tolerances().noise_min_ratio - 1
    assert check["sigma_tail"] == pytest.approx(0.1, rel=0.05)


def test_noise_check_cannot_run_without_trailing_directions():
    inst = planted_instance(6, 4, 4, 500, seed=0, noise=0.1)
    check = noise_check(inst.Y, left_singular(inst.Y)[1], inst.clean, 4, 36)
    assert check["checked"] is False and check["consistent"] is None


# --- the result contract ---------------------------------------------------------------
def test_result_properties_of_an_exact_recovery():
    inst = planted_instance(10, 5, 8, 1000, seed=0)
    res = recover_network(inst.X, inst.Y)
    assert res.exact is True and res.mode == "exact" and res.k == 5
    assert res.residual < 1e-12 and res.misspecified is False and res.cause is None
    assert res.attempts[-1]["failure"] is None and res.timings["total"] > 0
    assert "verified" in res.message and "k = 5" in res.message


def test_result_properties_of_a_noisy_estimate():
    inst = planted_instance(10, 5, 8, 1000, seed=0, snr_db=20)
    res = recover_network(inst.X, inst.Y)
    assert res.exact is False and res.mode == "noisy" and res.k == 5
    assert 0 < res.residual < 0.2
    assert "not exact" in res.message and "SNR" in res.message


@pytest.mark.parametrize("kind", ["rank_deficient_inputs", "zero_input_row"])
@pytest.mark.parametrize("bias", [False, True])
def test_rank_deficient_inputs_give_the_part_on_span_x_with_a_warning(kind, bias):
    """X of rank r < d: V is determined only on span(X). The network returned has rows in
    span(X), equals the truth projected onto span(X), reproduces the labels, and says
    what is not determined."""
    from recover import TwoLayerNetwork
    from verify._compare import compare_networks

    inst = misspecified_instance(kind, seed=1)
    t = inst.network
    if bias:
        rng = np.random.default_rng(0)
        t = TwoLayerNetwork(t.U, t.V, rng.standard_normal(t.k), rng.standard_normal(t.m))
    Y = t(inst.X)
    with pytest.warns(RelunetWarning, match="only on span\\(X\\).*rank 9 < d = 10"):
        res = recover_network(inst.X, Y, bias=bias)
    Q = res.diagnostics["input_basis"]
    assert Q.shape == (10, 9) and res.diagnostics["identifiable"] is False
    assert "rank_deficient_inputs" in res.diagnostics["causes"]
    assert np.allclose(res.network.V @ (np.eye(10) - Q @ Q.T), 0, atol=1e-13)
    projected = TwoLayerNetwork(t.U, t.V @ Q @ Q.T, t.b, t.c)
    assert compare_networks(res.network, projected) <= 1e-10
    assert "span(X)" in res.message


def test_rank_deficient_inputs_with_k_above_their_rank_are_refused():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 500))
    X[3:] = 0  # rank 3
    from recover import TwoLayerNetwork

    net = TwoLayerNetwork(rng.standard_normal((5, 4)), rng.standard_normal((4, 6)))
    with pytest.raises(RecoveryFailed, match="exceed that rank"):
        recover_network(X, net(X), k=4)
