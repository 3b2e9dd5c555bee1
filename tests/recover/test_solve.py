"""Step 4 alone (recover._solve): from the true activation pattern, V and U are solved to
1e-12; a wrong active set is detected by the residual or sign checks the pipeline uses."""

import numpy as np
import pytest

from recover import RecoveryFailed, Tolerances, get_activation, planted_instance

RESIDUAL_RTOL = Tolerances().residual_rtol
from recover._solve import hidden_unit, output_weights, weights_from_activations

RELU = get_activation("relu")


def _truth(shape=(10, 4, 6, 500), seed=0):
    inst = planted_instance(*shape, seed=seed)
    net = inst.network
    F = np.maximum(net.V @ inst.X, 0.0)
    return inst, net, F, [F[i] == 0 for i in range(net.k)]


def _accepted(fit) -> bool:
    return fit.residual <= RESIDUAL_RTOL and fit.sign_violation <= RESIDUAL_RTOL


@pytest.mark.parametrize("shape", [(10, 4, 6, 500), (20, 10, 15, 2000)])
def test_true_pattern_gives_the_true_weights(shape):
    inst, net, F, supports = _truth(shape)
    V, fits, extra = weights_from_activations(F, supports, inst.X, RELU)
    assert extra["identifiable"] and all(_accepted(f) for f in fits)
    assert np.abs(V - net.V).max() <= 1e-12 * np.abs(net.V).max()
    U, residual = output_weights(inst.Y, np.maximum(V @ inst.X, 0.0))
    assert np.abs(U - net.U).max() <= 1e-12 * np.abs(net.U).max()
    assert residual.relative < 1e-14 and residual.largest < 1e-14


def test_activations_up_to_scale_give_the_scaled_weights():
    """F_i known up to a positive scale (what the facets give): V_i scales with it."""
    inst, net, F, supports = _truth()
    fit = hidden_unit(3.0 * F[1], supports[1], inst.X, RELU)
    assert np.abs(fit.v - 3.0 * net.V[1]).max() <= 1e-12 * np.abs(net.V[1]).max()


def test_a_wrong_active_set_is_detected():
    """Unit 0's activations with unit 1's inactive samples: some samples the fitted unit
    is active on are claimed inactive (sign violation), or no hyperplane fits."""
    inst, net, F, supports = _truth()
    assert _accepted(hidden_unit(F[0], supports[0], inst.X, RELU))
    fit = hidden_unit(F[0], supports[1], inst.X, RELU)
    assert not _accepted(fit)
    # a unit's activations mixed with another's on a quarter of the samples
    mixed = F[0].copy()
    mixed[::4] = F[1][::4]
    assert not _accepted(hidden_unit(mixed, mixed == 0, inst.X, RELU))


def test_rank_deficient_hidden_activations_are_refused():
    inst, net, F, _ = _truth()
    H = F.copy()
    H[3] = H[2]
    with pytest.raises(RecoveryFailed, match="rank 3 < k = 4"):
        output_weights(inst.Y, H)
