"""The exact certificate proves exact recovery from approximately right float candidates."""
from fractions import Fraction

import numpy as np
import pytest

from recover import TwoLayerNetwork, planted_instance
from verify import certify
from verify._exact import exact_canonical


def exact_truth(net):
    fr = np.vectorize(Fraction, otypes=[object])
    return exact_canonical(fr(net.U), fr(net.V))


def assert_equals_truth_exactly(cert, truth):
    U, V = exact_truth(truth)
    assert all(isinstance(a, Fraction) for a in cert.network.V.flat)
    assert (cert.network.U == U).all() and (cert.network.V == V).all()


@pytest.mark.parametrize("seed", range(3))
def test_canonical_float_candidate_certifies_exactly(seed):
    inst = planted_instance(10, 5, 8, 1000, seed=seed, integer=True)
    cand = inst.network.canonical()          # irrational-looking floats, ~1e-16 errors
    assert not np.array_equal(cand.V, np.rint(cand.V))
    cert = certify(inst.X, inst.Y, cand, truth=inst.network)
    assert cert.holds, cert.summary()
    assert cert.check("identifiability").passed
    assert_equals_truth_exactly(cert, inst.network)
    # the proof, re-done independently in Fraction arithmetic (TwoLayerNetwork)
    X = np.vectorize(Fraction, otypes=[object])(inst.X)
    assert (cert.network(X) == inst.Y.astype(int)).all()


def test_symmetric_copies_give_the_same_certificate(small):
    rng = np.random.default_rng(0)
    cand = small.network.permuted(rng.permutation(3)).rescaled(rng.uniform(0.1, 10, 3))
    cert = certify(small.X, small.Y, cand, truth=small.network)
    assert cert.holds
    assert_equals_truth_exactly(cert, small.network)


def test_exact_candidate_and_dyadic_data(dyadic):
    X, Y, net = dyadic
    cert = certify(X, Y, net.canonical(), truth=net)
    assert cert.holds, cert.summary()
    U, V = exact_truth(net)
    assert (cert.network.V == V).all()
    exact = TwoLayerNetwork(*exact_truth(net))
    assert certify(X, Y, exact).holds


def test_m_smaller_than_k_goes_through_the_block_system():
    # more cases in test_certify_few_outputs.py
    inst = planted_instance(6, 3, 2, 100, seed=0, integer=True)
    cert = certify(inst.X, inst.Y, inst.network, truth=inst.network)
    assert cert.holds, cert.summary()
    assert cert.check("blocks").numbers["rank"] == 3 * 6
    assert [c.name for c in cert.checks][:4] == ["blocks", "rank one", "pattern",
                                                 "reproduction"]


@pytest.mark.slow
@pytest.mark.parametrize("shape", [(10, 5, 8, 1000), (20, 10, 15, 2000), (30, 15, 20, 3000)])
def test_twenty_seeds(shape):
    for seed in range(20):
        inst = planted_instance(*shape, seed=seed, integer=True)
        cert = certify(inst.X, inst.Y, inst.network.canonical(), truth=inst.network)
        assert cert.holds, (seed, cert.summary())
        assert_equals_truth_exactly(cert, inst.network)
