"""Levenberg–Marquardt's stopping report (recover._refine): ``converged`` is True only when
a step's improvement fell below ``rtol``; a damping blow-up (no step decreases the loss)
is reported as not converged, with the reason."""

import importlib

import numpy as np

from recover import get_activation, planted_instance, refine

# the module (the package exports the function under the same name)
refine_module = importlib.import_module("recover._refine")

RELU = get_activation("relu")


def _noisy(seed=0):
    inst = planted_instance(4, 2, 3, 400, seed=seed)
    rng = np.random.default_rng(seed)
    return inst, inst.Y + 0.01 * rng.standard_normal(inst.Y.shape)


def test_a_converged_run_says_so():
    inst, Y = _noisy()
    net = inst.network
    fit = refine(net.U + 0.01, net.V + 0.01, inst.X, Y, RELU)
    assert fit.converged and fit.message.startswith("converged")
    assert fit.history[-1] <= fit.history[0]


def test_a_damping_blow_up_is_not_convergence(monkeypatch):
    """Every proposed step made an ascent step (the solve is sabotaged): no damping helps,
    and the result must not claim convergence."""
    inst, Y = _noisy()
    real_solve = refine_module._solve
    monkeypatch.setattr(refine_module, "_solve", lambda A, b: -real_solve(A, b))
    net = inst.network
    fit = refine(net.U + 0.01, net.V + 0.01, inst.X, Y, RELU)
    assert not fit.converged
    assert "no step decreased the loss" in fit.message
    assert fit.history == [fit.loss]                 # nothing was accepted


def test_running_out_of_iterations_is_not_convergence():
    inst, Y = _noisy(1)
    net = inst.network
    fit = refine(net.U + 0.3, net.V + 0.3, inst.X, Y, RELU, max_iterations=1)
    assert not fit.converged and "after 1 iterations" in fit.message
