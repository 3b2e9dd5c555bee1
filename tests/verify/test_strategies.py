"""Property tests driven by the user-facing strategies of verify.strategies."""
import numpy as np
import pytest
from hypothesis import event, given, settings

from recover import planted_instance
from verify import certify, compare_networks
from verify import strategies as rst


def _determined(inst) -> bool:
    """The planted data determine the network (what the exact certifier needs, read off
    the truth in float, exact for these integer data): ``U*`` and the hidden activations
    ``F`` have rank ``k``, each unit's active samples span the inputs (rank ``d``), and
    the other units' activations on its inactive samples have rank ``k − 1``."""
    net, X = inst.network, inst.X
    V = np.asarray(net.V, float)
    F = np.maximum(V @ X, 0.0)
    k, d = V.shape
    rank = np.linalg.matrix_rank
    if rank(np.asarray(net.U, float)) < k or rank(F) < k:
        return False
    pre = V @ X
    return all(rank(X[:, pre[i] > 0]) == d and rank(F[:, pre[i] < 0]) == k - 1
               for i in range(k))


@settings(max_examples=15, deadline=None)
@given(rst.planted_instances(exact=True))
def test_planted_truth_always_certifies(inst):
    cert = certify(inst.X, inst.Y, inst.network.canonical(), truth=inst.network,
                   identifiability=False)
    assert not any(c.status == "failed" for c in cert.checks), cert.summary()
    if _determined(inst):
        event("determined draw: must hold")
        assert cert.holds, cert.summary()
    else:  # degenerate draw: the certificate may only say "not proven"
        event("degenerate draw")
        assert any(c.status == "not proven" for c in cert.checks), cert.summary()


@pytest.mark.parametrize("shape", [(2, 1, 1, 60), (4, 2, 3, 120), (6, 3, 4, 300),
                                   (8, 4, 4, 300)])
def test_determined_planted_truths_hold(shape):
    """Not left to the draws: well-determined integer instances must certify."""
    inst = planted_instance(*shape, seed=1, integer=True)
    assert _determined(inst)
    cert = certify(inst.X, inst.Y, inst.network.canonical(), truth=inst.network,
                   identifiability=False)
    assert cert.holds and cert.check("truth").passed and cert.check("candidate").passed


@settings(max_examples=15, deadline=None)
@given(rst.planted_instances(exact=False, condition=(1.0, 100.0), correlation=(0.0, 0.5)))
def test_float_instances_are_never_exact(inst):
    assert not certify(inst.X, inst.Y, inst.network, identifiability=False).holds


@settings(max_examples=20, deadline=None)
@given(rst.networks(kind="float").flatmap(
    lambda net: rst.symmetric_copies(net).map(lambda other: (net, other))))
def test_symmetric_copies_compare_equal(pair):
    net, other = pair
    assert compare_networks(net, other) < 1e-12


@settings(max_examples=10, deadline=None)
@given(rst.networks(kind="exact"))
def test_exact_networks_are_exact(net):
    assert net.exact
