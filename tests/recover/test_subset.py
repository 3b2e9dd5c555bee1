"""recover_network on many samples (recover._subset): the exact pipeline on a spread
subset, its network checked on every sample in one chunked pass, and the full pipeline
whenever that does not confirm it."""

import warnings

import numpy as np
import pytest

from recover import (RecoveryFailed, RelunetWarning, TwoLayerNetwork, planted_instance,
                     recover_network)
from recover import _subset
from verify import compare_networks

N = 24_000


@pytest.fixture
def small_subset(monkeypatch):
    """Subsets of 2000 samples from n >= 8000, so that tests run at small n."""
    monkeypatch.setattr(_subset, "SUBSET_MIN", 2000)
    monkeypatch.setattr(_subset, "SUBSET_PER_UNIT", 100)


@pytest.fixture(scope="module")
def planted():
    return planted_instance(12, 6, 8, N, seed=3)


def test_many_samples_recover_on_the_subset_and_check_all(planted, small_subset):
    res = recover_network(planted.X, planted.Y, seed=3)
    assert res.exact and res.mode == "exact" and res.k == 6
    assert compare_networks(planted.network, res.network) <= 1e-12
    info = res.diagnostics["subset"]
    assert info["subset"] == 2000 and info["passes"] == 1 and "failed" not in info
    assert res.diagnostics["n"] == N and res.residual == info["residual"] <= 1e-13
    active = (planted.network.preactivation(planted.X) > 0).sum(axis=1)
    assert sorted(info["active_counts"]) == sorted(active.tolist())
    assert f"checked on all {N} samples in 1 passes" in res.message
    assert "pass_check" in res.timings


def test_the_subset_is_a_shortcut_to_the_same_network(planted, small_subset, monkeypatch):
    fast = recover_network(planted.X, planted.Y, seed=3)
    monkeypatch.setattr(_subset, "SUBSET_FACTOR", N + 1)  # never worth it
    full = recover_network(planted.X, planted.Y, seed=3)
    assert "subset" not in full.diagnostics
    assert compare_networks(full.network, fast.network) <= 1e-12


def test_a_wrong_label_outside_the_subset_is_never_exact(planted, small_subset):
    """The subset's network fails the check of all samples; the full pipeline then runs
    on all of them and refuses (one label off by 1 raises the rank of Y)."""
    cols = set(np.linspace(0, N - 1, 2000).astype(int).tolist())
    wrong = next(j for j in range(N - 1, 0, -1) if j not in cols)
    Y = planted.Y.copy()
    Y[2, wrong] += 1.0
    with pytest.raises(RecoveryFailed) as info:
        recover_network(planted.X, Y, mode="exact", seed=3)
    subset = info.value.diagnostics["subset"]
    assert "does not reproduce all n = 24000" in subset["failed"]
    assert subset["max_residual"] > 1e-6


def test_a_subset_too_small_falls_back_to_all_samples(planted, monkeypatch):
    monkeypatch.setattr(_subset, "SUBSET_MIN", 8)  # 8 samples: no network on them
    monkeypatch.setattr(_subset, "SUBSET_PER_UNIT", 1)
    res = recover_network(planted.X, planted.Y, k=6, seed=3)
    assert res.exact and compare_networks(planted.network, res.network) <= 1e-12
    assert res.diagnostics["subset"]["subset"] == 8
    assert "failed" in res.diagnostics["subset"]


def test_noisy_mode_and_few_samples_use_all_samples(small_subset):
    inst = planted_instance(12, 6, 8, 9000, seed=1, noise=0.05)
    assert "subset" not in recover_network(inst.X, inst.Y, k=6, mode="noisy").diagnostics
    small = planted_instance(12, 6, 8, 7000, seed=1)  # below 4 × 2000 samples
    assert "subset" not in recover_network(small.X, small.Y, seed=1).diagnostics


def test_biases_and_another_activation_on_the_subset(small_subset):
    inst = planted_instance(8, 4, 6, 30_000, seed=2, activation="relu2", bias_std=0.5,
                            output_bias_std=0.5)
    res = recover_network(inst.X, inst.Y, activation="relu2", bias=True, seed=2)
    assert res.exact and res.diagnostics["subset"]["subset"] == 2000
    assert compare_networks(inst.network, res.network) <= 1e-10


@pytest.mark.parametrize("activation", ["relu", "relu2", "step", "log(1+t)"])
def test_the_chunked_check_is_the_residual_of_the_whole(activation):
    rng = np.random.default_rng(7)
    net = TwoLayerNetwork(rng.standard_normal((5, 3)), rng.standard_normal((3, 4)),
                          b=rng.standard_normal(3), c=rng.standard_normal(5),
                          activation=activation)
    X = rng.standard_normal((4, 1000))
    Y = net(X) + 1e-3 * rng.standard_normal((5, 1000))
    check = _subset.check_chunks(X, Y, net, chunk=96)  # chunks of unequal size
    E = net(X) - Y
    assert check["residual"] == pytest.approx(np.linalg.norm(E) / np.linalg.norm(Y),
                                              rel=1e-12)
    assert check["max_residual"] == pytest.approx(np.abs(E).max() / np.abs(Y).max(),
                                                  rel=1e-12)
    assert check["active_counts"] == (net.preactivation(X) > 0).sum(axis=1).tolist()


def test_a_non_finite_output_is_an_infinite_residual():
    net = TwoLayerNetwork(np.array([[1e300]]), np.array([[1e300]]))
    check = _subset.check_chunks(np.ones((1, 10)), np.ones((1, 10)), net)
    assert check["residual"] == np.inf and check["max_residual"] == np.inf



def test_a_warning_about_the_subsets_inputs_sends_the_recovery_to_all_samples(
        planted, small_subset):
    """X of full rank but with a row that is zero on every sample of the subset: the
    subset's recovery warns that its inputs have rank < d, which is not true of all
    samples; the recovery on all of them neither warns nor loses the input dimension."""
    from recover._spread import spread_columns

    X = planted.X.copy()
    X[7, spread_columns(N, 2000)] = 0.0
    Y = planted.network(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RelunetWarning)
        res = recover_network(X, Y, seed=3)
    assert res.exact and "input_basis" not in res.diagnostics
    assert "rank" in res.diagnostics["subset"]["failed"]
    assert compare_networks(planted.network, res.network) <= 1e-12


def test_reemitted_warnings_keep_their_module_and_registry():
    # Warnings caught around the subset's recovery are emitted again as from where they
    # arose: the default action shows one location once, and a filter by module name
    # applies, as to the first emission.
    import recover._span as origin
    from recover._subset import _reemit

    caught = warnings.WarningMessage(RuntimeWarning("overflow in matmul"), RuntimeWarning,
                                     origin.__file__, 42)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("default")
        _reemit([caught, caught], keep_relunet=True)
    assert len(seen) == 1 and seen[0].filename == origin.__file__
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", module=r"recover\._span")
        _reemit([caught], keep_relunet=True)
    assert not seen
