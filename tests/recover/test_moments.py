"""The moment step alone (recover._moments): Hermite/Jennrich directions estimate the true
unit directions; at n = 10⁵ Gaussian samples they correlate with them above 0.99."""

import numpy as np
import pytest

from recover import label_span, planted_instance
from recover._moments import hermite_directions


def _correlations(D, V):
    """For each true row of V, the largest |cosine| with an estimated direction, and
    whether the best matches form a permutation (each estimate used once)."""
    Vn = V / np.linalg.norm(V, axis=1, keepdims=True)
    C = np.abs(Vn @ D.T)
    return C.max(axis=1), len(set(C.argmax(axis=1))) == V.shape[0]


@pytest.mark.parametrize("shape, seed", [((10, 2, 4, 100_000), 0), ((10, 2, 4, 100_000), 1),
                                         ((6, 2, 3, 100_000), 2), ((5, 3, 4, 100_000), 1)])
def test_hermite_directions_correlate_with_the_true_rows(shape, seed):
    inst = planted_instance(*shape, seed=seed)
    Z = label_span(inst.Y).Z
    D = hermite_directions(inst.X, Z, shape[1], np.random.default_rng(seed))
    assert D.shape == (shape[1], shape[0])
    assert np.allclose(np.linalg.norm(D, axis=1), 1.0)
    best, one_to_one = _correlations(D, inst.network.V)
    assert one_to_one and best.min() > 0.99, best


def test_most_slice_draws_work_at_k_3():
    """At k = 3 the estimate depends on the two random slices ``a, b`` as well as on the
    samples: over 8 instances at n = 10⁵ the median worst correlation exceeds 0.98 and
    at least 6 of the 8 are above 0.95 (measured: 4 above 0.99, 2 at 0.96–0.98, 0.86 and
    0.68)."""
    worst = []
    for seed in range(8):
        inst = planted_instance(10, 3, 5, 100_000, seed=seed)
        D = hermite_directions(inst.X, label_span(inst.Y).Z, 3, np.random.default_rng(seed))
        worst.append(_correlations(D, inst.network.V)[0].min())
    assert np.median(worst) > 0.98 and np.sum(np.array(worst) > 0.95) >= 6, worst


@pytest.mark.xfail(strict=True, reason="known weakness: one random pair of Jennrich slices "
                   "can nearly miss a unit (the slice a·Z weighs unit i by a·A_i ≈ 0); more "
                   "samples do not help. The exact step after it needs only a rough start, "
                   "and the cone search is the default.")
def test_an_unlucky_slice_draw_is_not_rescued_by_more_samples():
    inst = planted_instance(10, 3, 5, 400_000, seed=0)
    D = hermite_directions(inst.X, label_span(inst.Y).Z, 3, np.random.default_rng(0))
    assert _correlations(D, inst.network.V)[0].min() > 0.99


def test_few_samples_give_rough_directions_only():
    """The estimate is statistical (error ~ √(d/n)): at n = 500 it is far from exact —
    which is why the exact step follows it."""
    inst = planted_instance(10, 3, 5, 500, seed=0)
    D = hermite_directions(inst.X, label_span(inst.Y).Z, 3, np.random.default_rng(0))
    best, _ = _correlations(D, inst.network.V)
    assert best.min() < 1 - 1e-6
