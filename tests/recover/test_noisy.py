import warnings

import numpy as np
import pytest

from recover import InvalidInputError, RelunetError, planted_instance, recover_network
from recover._errors import RelunetWarning
from recover._network import TwoLayerNetwork
from recover._refine import refine
from verify import compare_networks, match_units


def _oracle_error(inst):
    fit = refine(inst.network.U, inst.network.V, inst.X, inst.Y, inst.network.activation)
    return compare_networks(inst.network, TwoLayerNetwork(fit.U, fit.V))


@pytest.mark.parametrize("snr_db", [30.0, 10.0])
def test_noisy_matches_the_oracle(snr_db):
    inst = planted_instance(12, 5, 8, 3000, seed=3, snr_db=snr_db)
    res = recover_network(inst.X, inst.Y, k=5, mode="noisy")
    ours = compare_networks(inst.network, res.network)
    assert ours <= 1.25 * _oracle_error(inst)
    assert res.mode == "noisy" and res.exact is False
    assert res.diagnostics["snr_estimate_db"] == pytest.approx(snr_db, abs=1.0)


def test_auto_detects_noise_and_never_claims_exactness():
    inst = planted_instance(12, 5, 8, 2000, seed=0, snr_db=25)
    res = recover_network(inst.X, inst.Y)  # k read off the spectral gap
    assert res.k == 5
    assert res.mode == "noisy"
    assert res.exact is False
    assert "not exactly realizable" in res.diagnostics["exact_failure"]


def test_auto_stays_exact_on_exact_labels():
    inst = planted_instance(12, 5, 8, 2000, seed=0)
    res = recover_network(inst.X, inst.Y)
    assert res.mode == "exact" and res.exact is True
    assert res.standard_errors is None


def test_standard_errors_are_calibrated():
    """Across seeds, |estimate − truth| ≤ 2 SE for roughly 95% of coordinates."""
    inside, total = 0, 0
    for seed in range(4):
        inst = planted_instance(10, 4, 6, 3000, seed=seed, snr_db=20)
        res = recover_network(inst.X, inst.Y, k=4, mode="noisy", seed=seed)
        truth = inst.network.canonical()
        perm = match_units(truth, res.network)
        se = res.standard_errors
        z = np.concatenate([((res.network.U[:, perm] - truth.U) / se["U"][:, perm]).ravel(),
                            ((res.network.V[perm] - truth.V) / se["V"][perm]).ravel()])
        inside += int(np.sum(np.abs(z) <= 2))
        total += z.size
    assert 0.88 <= inside / total <= 0.99


def test_error_bars_shrink_with_more_samples():
    small = planted_instance(10, 4, 6, 1000, seed=1, snr_db=20)
    large = planted_instance(10, 4, 6, 16000, seed=1, snr_db=20)
    se_small = recover_network(small.X, small.Y, k=4, mode="noisy").standard_errors["V"]
    se_large = recover_network(large.X, large.Y, k=4, mode="noisy").standard_errors["V"]
    ratio = np.median(se_small) / np.median(se_large)
    assert 3.0 < ratio < 5.5  # sqrt(16) = 4


@pytest.mark.parametrize("kind", ["laplace", "uniform", "student_t3"])
def test_non_gaussian_noise(kind):
    inst = planted_instance(10, 4, 6, 4000, seed=2, snr_db=20, noise_kind=kind)
    res = recover_network(inst.X, inst.Y, k=4, mode="noisy")
    assert compare_networks(inst.network, res.network) < 0.05


def test_overwhelming_noise_warns_with_the_snr():
    inst = planted_instance(10, 4, 6, 500, seed=0, snr_db=-15)
    with pytest.warns(RelunetWarning, match=r"estimated SNR .* dB"):
        res = recover_network(inst.X, inst.Y, k=4, mode="noisy")
    assert res.warnings


def test_moderate_noise_does_not_warn():
    inst = planted_instance(10, 4, 6, 2000, seed=0, snr_db=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RelunetWarning)
        recover_network(inst.X, inst.Y, k=4, mode="noisy")


def test_noisy_without_gap_needs_k():
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((6, 300)), rng.standard_normal((4, 300))
    with pytest.raises(InvalidInputError, match="pass k"):
        recover_network(X, Y, mode="noisy")


def test_planted_noise_options():
    inst = planted_instance(8, 3, 5, 5000, seed=0, snr_db=20, noise_kind="laplace")
    assert inst.snr_db == pytest.approx(20, abs=0.3)
    with pytest.raises(RelunetError, match="noise_kind"):
        planted_instance(8, 3, 5, 10, noise=0.1, noise_kind="cauchy")
    with pytest.raises(RelunetError, match="not both"):
        planted_instance(8, 3, 5, 10, noise=0.1, snr_db=10)


def test_refinement_converges_to_exact_on_clean_labels():
    inst = planted_instance(8, 3, 5, 1000, seed=0)
    rng = np.random.default_rng(0)
    U0 = inst.network.U + 1e-3 * rng.standard_normal(inst.network.U.shape)
    V0 = inst.network.V + 1e-3 * rng.standard_normal(inst.network.V.shape)
    fit = refine(U0, V0, inst.X, inst.Y, inst.network.activation)
    assert compare_networks(inst.network, TwoLayerNetwork(fit.U, fit.V)) < 1e-9
