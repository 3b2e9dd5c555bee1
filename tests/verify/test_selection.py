"""verify._selection alone: the columns (rows) it returns are independent over ℚ — proven,
whatever the float proposal — and it returns None exactly when the exact rank of the
candidates is below the number asked for."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.polys.matrices import DomainMatrix
from sympy import QQ

from verify._selection import independent_columns, independent_rows, propose_columns


def _exact(A: np.ndarray) -> DomainMatrix:
    return DomainMatrix([[QQ(int(a)) for a in row] for row in A], A.shape, QQ)


@st.composite
def integer_matrices(draw):
    """Small integer matrices with repeated and dependent columns, often rank-deficient."""
    m, base = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    B = rng.integers(-2, 3, size=(m, base))
    mix = rng.integers(-1, 2, size=(base, draw(st.integers(1, 9))))
    return np.hstack([B, B @ mix]).astype(float)


@settings(max_examples=100, deadline=None)
@given(integer_matrices(), st.integers(0, 6), st.data())
def test_independent_columns_are_proven_independent(A, r, data):
    n = A.shape[1]
    among = np.array(sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1))))
    rank = np.linalg.matrix_rank(A[:, among]) if A[:, among].any() else 0
    got = independent_columns(_exact(A), A, r, among)
    if rank < r:
        assert got is None
        return
    assert got is not None and len(got) == r
    assert set(got) <= set(among) and list(got) == sorted(set(got))
    assert _exact(A[:, got]).rank() == r


@settings(max_examples=50, deadline=None)
@given(integer_matrices(), st.integers(0, 4))
def test_independent_rows_are_proven_independent(A, r):
    got = independent_rows(_exact(A.T), A.T, r)
    if np.linalg.matrix_rank(A) < r:
        assert got is None
    else:
        assert len(got) == r and _exact(A.T[got]).rank() == r


def test_a_misleading_float_copy_costs_time_not_soundness():
    """The float copy (only a guide) makes columns 0 and 1 look independent and
    well-conditioned; over ℚ they are equal, so the exact check refuses that proposal and
    the exact row reduction picks columns 0 and 2."""
    Aq = _exact(np.array([[1, 1, 0], [0, 0, 1]]))
    misleading = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1e-30]])
    assert list(propose_columns(misleading, 2)) == [0, 1]
    assert list(independent_columns(Aq, misleading, 2)) == [0, 2]
    assert independent_columns(Aq, misleading, 2, among=[0, 1]) is None
