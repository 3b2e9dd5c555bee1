"""The shortcuts that switch on only for many samples (the speed work on large ``n``):
the block-wise QR of the label span and the facet programs on a spread subsample. Both
are exercised here at the smallest sizes that turn them on, against ground truth."""

import numpy as np
import scipy.linalg

from recover import planted_instance, recover_network
from recover import label_span
from recover._cone import PROGRAM_COLUMNS_PER_UNIT, FacetSearch
from recover._span import _BLOCK_BYTES, _tall_r
from recover._spread import spread_columns
from verify import compare_networks


def test_blockwise_r_is_the_r_of_one_qr():
    m = 6
    rows = _BLOCK_BYTES // (8 * m)
    A = np.random.default_rng(0).standard_normal((5 * rows + 17, m)) * [1, 1e-3, 10, 1, 1e3, 1]
    R = _tall_r(A)
    R1 = scipy.linalg.qr(A, mode="r")[0][:m]
    assert R.shape == (m, m) and np.allclose(np.tril(R, -1), 0)
    # R is unique up to the sign of each row
    signs = np.sign(np.diag(R)) * np.sign(np.diag(R1))
    assert np.allclose(signs[:, None] * R, R1, rtol=1e-12, atol=1e-12 * np.abs(R1).max())


def test_programs_on_a_spread_subsample_still_recover_exactly():
    k, n = 4, 3 * PROGRAM_COLUMNS_PER_UNIT * 4
    cols = spread_columns(n, PROGRAM_COLUMNS_PER_UNIT * k)
    assert cols is not None and len(cols) == PROGRAM_COLUMNS_PER_UNIT * k   # the shortcut is on
    cap = PROGRAM_COLUMNS_PER_UNIT * k
    assert spread_columns(2 * cap, cap) is None                                # and off below
    inst = planted_instance(8, k, 6, n, seed=3)
    search = FacetSearch(label_span(inst.Y, k).Z, k, np.random.default_rng(3), min_count=k)
    # the programs see the subset
    assert np.array_equal(search.cols, cols) and search.lp_Z.shape == (k, len(cols))
    res = recover_network(inst.X, inst.Y, mode="exact", seed=3)
    assert res.exact
    assert compare_networks(inst.network, res.network) <= 1e-10
