"""Error bars alone (recover._uncertainty): the standard errors predict the spread of the
least-squares estimate over noise draws. A statistical test with fixed seeds: the
spread over 40 noise draws is compared with the predicted one, entry by entry, within a
factor 1.5 (the empirical standard deviation of 40 draws is itself off by ~11 %)."""

import numpy as np
import pytest

from recover import TwoLayerNetwork, get_activation, planted_instance, refine
from recover._uncertainty import standard_errors

RELU = get_activation("relu")
DRAWS = 40
SIGMA = 0.02


@pytest.fixture(scope="module")
def fits():
    inst = planted_instance(4, 2, 3, 1500, seed=7)
    truth = inst.network.canonical()
    clean = truth(inst.X)
    rng = np.random.default_rng(0)
    estimates, errors = [], []
    for _ in range(DRAWS):
        Y = clean + SIGMA * rng.standard_normal(clean.shape)
        fit = refine(truth.U, truth.V, inst.X, Y, RELU)  # the least-squares estimate
        net = TwoLayerNetwork(fit.U, fit.V, activation=RELU).canonical()
        assert np.abs(net.V - truth.V).max() < 0.1  # same unit order as the truth
        estimates.append((net.U, net.V))
        errors.append(standard_errors(net, inst.X, Y))
    return estimates, errors


def test_standard_errors_match_the_spread_over_noise_draws(fits):
    estimates, errors = fits
    for part in (0, 1):  # U, then V (canonical gauge: unit rows of V)
        spread = np.std([e[part] for e in estimates], axis=0, ddof=1)
        predicted = np.mean([(se.U, se.V)[part] for se in errors], axis=0)
        ratio = predicted / spread
        assert (ratio > 1 / 1.5).all() and (ratio < 1.5).all(), ratio


def test_noise_level_is_estimated(fits):
    _, errors = fits
    sigmas = np.array([se.sigma for se in errors])
    assert np.abs(sigmas / SIGMA - 1).max() < 0.1


def test_no_error_bars_without_residual_degrees_of_freedom():
    inst = planted_instance(4, 2, 3, 3, seed=0)   # 9 labels, 14 - 2 parameters
    assert standard_errors(inst.network, inst.X, inst.Y) is None
