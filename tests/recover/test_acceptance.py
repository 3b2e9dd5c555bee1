"""The acceptance of an exact network measures the residual twice: relative to ‖Y‖_F
and its largest entry relative to max|Y|. The first averages away one label among
thousands that is slightly off the network; the second does not — in the facet pipeline,
with biases, and for fewer outputs than units (the subset route and dask check the same)."""

import numpy as np
import pytest

from recover import RecoveryFailed, planted_instance, recover_network


@pytest.mark.parametrize("bias", [False, True])
def test_one_label_slightly_wrong_is_never_exact_on_all_samples_either(bias):
    """A label off by 1e-9 of max|Y| moves the relative Frobenius residual by ~2e-11,
    under residual_rtol, and was once accepted as exact; the largest entry of the
    residual is checked too, on all samples as on a subset."""
    inst = planted_instance(20, 10, 15, 10_000, seed=4, bias_std=0.5 if bias else 0.0)
    Y = inst.Y.copy()
    Y[3, 777] += 1e-9 * np.abs(Y).max()
    with pytest.raises(RecoveryFailed, match="largest entry"):
        recover_network(inst.X, Y, mode="exact", seed=4, bias=bias, max_attempts=1)
    assert recover_network(inst.X, inst.Y, mode="exact", seed=4, bias=bias).exact


@pytest.mark.parametrize("bias", [False, True])
def test_few_outputs_refuse_one_label_slightly_wrong(bias):
    """m < k: a label off by 5e-10 of max|Y| among 2000 moves the relative residual by
    ~5e-11 (a finish once accepted it as exact); the largest entry refuses it."""
    inst = planted_instance(10, 5, 1, 2000, seed=1, bias_std=0.5 if bias else 0.0)
    assert recover_network(inst.X, inst.Y, k=5, seed=1, bias=bias, mode="exact").exact
    Y = inst.Y.copy()
    Y[0, 123] += 5e-10 * np.abs(Y).max()
    with pytest.raises(RecoveryFailed, match="not the largest entry") as info:
        recover_network(inst.X, Y, k=5, seed=1, bias=bias, mode="exact", max_attempts=1)
    assert info.value.diagnostics["refused_largest_entry"] >= 1
