"""Hypothesis strategies for property-testing recovery and certification.

For users who test their own recovery algorithm against relunet's certificates::

    from hypothesis import given
    from verify import certify, strategies as rst

    @given(rst.planted_instances(exact=True))
    def test_my_recovery_is_exact(inst):
        net = my_recover(inst.X, inst.Y, k=inst.network.k)
        assert certify(inst.X, inst.Y, net, truth=inst.network).holds

Every strategy draws sizes from ranges you can narrow, and a ``seed`` passed to
:func:`recover.planted_instance`, so a failing example shrinks to small sizes and is
reproduced exactly from the printed seed.

* :func:`networks` — random :class:`TwoLayerNetwork` (float, integer-valued or exact).
* :func:`planted_instances` — planted ``(X, Y, network)``; ``exact=True`` gives
  integer-valued data for which ``Y = U f(V X)`` holds exactly (exact certificates can
  prove it); ``exact=False`` gives float data whose ``Y`` carries rounding.
* :func:`symmetric_copies` — a network's image under a random permutation and positive
  rescaling (equal to it up to the symmetries).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from recover import TwoLayerNetwork, planted_instance


@st.composite
def shapes(draw, d=(2, 8), k=(1, 4), m=None):
    """``(d, k, m)`` with ``k <= d`` and, by default, ``m`` in ``[k, k + 3]`` (``m >= k``)."""
    d_ = draw(st.integers(*d))
    k_ = draw(st.integers(k[0], min(k[1], d_)))
    m_ = draw(st.integers(*(m or (k_, k_ + 3))))
    return d_, k_, m_


@st.composite
def networks(draw, d=(2, 8), k=(1, 4), m=None, kind="float", condition=(1.0, 10.0)):
    """A random ReLU network.

    ``kind``: ``"float"`` (Gaussian weights, ``V`` with condition number drawn from
    ``condition``), ``"integer"`` (integer-valued floats) or ``"exact"`` (object arrays
    of ``Fraction``, the integer weights read exactly).
    """
    d_, k_, m_ = draw(shapes(d, k, m))
    seed = draw(st.integers(0, 2**32 - 1))
    cond = draw(st.floats(*condition)) if kind == "float" else None
    inst = planted_instance(d_, k_, m_, 1, seed=seed, integer=kind != "float",
                            condition=cond)
    net = inst.network
    if kind == "exact":
        from fractions import Fraction
        exact = np.vectorize(lambda a: Fraction(int(a)), otypes=[object])
        net = TwoLayerNetwork(exact(net.U), exact(net.V))
    return net


@st.composite
def planted_instances(draw, d=(2, 8), k=(1, 4), m=None, n=(60, 300), exact=True,
                      condition=(1.0, 10.0), correlation=(0.0, 0.0)):
    """A planted instance (``.X`` d×n, ``.Y`` m×n, ``.network``) with ``m >= k``.

    ``exact=True``: integer-valued ``X``, ``U*``, ``V*`` so ``Y`` is exact. ``exact=False``:
    Gaussian float data, ``V*`` with condition number from ``condition`` and pairwise
    unit correlation from ``correlation`` (a ``(lo, hi)`` range, hi < 1).
    """
    d_, k_, m_ = draw(shapes(d, k, m))
    n_ = draw(st.integers(*n))
    seed = draw(st.integers(0, 2**32 - 1))
    if exact:
        return planted_instance(d_, k_, m_, n_, seed=seed, integer=True)
    cond = draw(st.floats(*condition))
    corr = draw(st.floats(*correlation)) if correlation[1] > 0 else None
    return planted_instance(d_, k_, m_, n_, seed=seed, condition=cond, correlation=corr)


@st.composite
def symmetric_copies(draw, network: TwoLayerNetwork, max_scale: float = 10.0):
    """``network`` with units permuted and rescaled by positive factors in
    ``[1/max_scale, max_scale]``: the same function, the same network up to symmetry."""
    k = network.k
    perm = draw(st.permutations(range(k)))
    lam = draw(st.lists(st.floats(1 / max_scale, max_scale), min_size=k, max_size=k))
    return network.permuted(list(perm)).rescaled(lam)
