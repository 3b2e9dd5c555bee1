"""Rank over GF(p) without python-flint: the numpy elimination gives flint's and sympy's
answer, and the identifiability proof reaches the same verdict on either backend."""

import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sympy import GF
from sympy.polys.matrices import DomainMatrix

from recover import get_activation, planted_instance
from verify._exact import RationalMonomial
from verify._identifiability import (PRIMES, identifiability_check, rank_backend, rank_mod_p,
                                    rank_mod_p_numpy)

fractions = np.vectorize(Fraction, otypes=[object])


def sympy_rank(A, p: int) -> int:
    """Reference: sympy's DomainMatrix over GF(p)."""
    K = GF(p)
    rows = [[K(int(a)) for a in row] for row in np.asarray(A).tolist()]
    return DomainMatrix(rows, np.shape(A), K).rank()


def planted_rank(rows: int, cols: int, rank: int, p: int, seed: int) -> np.ndarray:
    """A rows×cols matrix that is a product (rows×rank)(rank×cols) mod p."""
    rng = np.random.default_rng(seed)
    L = rng.integers(0, p, size=(rows, rank)).astype(object)
    R = rng.integers(0, p, size=(rank, cols)).astype(object)
    return (L @ R % p).astype(np.int64)


@pytest.fixture
def no_flint(monkeypatch):
    """Make ``import flint`` fail, as on a plain install."""
    monkeypatch.setitem(sys.modules, "flint", None)


@pytest.mark.parametrize("shape,rank", [((12, 9), 5), ((9, 12), 9), ((20, 20), 20),
                                        ((25, 18), 0), ((1, 6), 1)])
@pytest.mark.parametrize("p", [PRIMES[0], 7])
def test_numpy_rank_agrees_with_sympy_on_planted_ranks(shape, rank, p):
    A = planted_rank(*shape, rank, p, seed=rank)
    assert rank_mod_p_numpy(A, p) == sympy_rank(A, p)


@given(st.lists(st.lists(st.integers(-9, 9), min_size=5, max_size=5), min_size=1,
                max_size=7),
       st.sampled_from([2, 3, 5, PRIMES[1]]))
def test_numpy_rank_agrees_with_sympy_on_small_integer_matrices(rows, p):
    # Small entries and tiny primes make dependent rows and columns common.
    A = np.array(rows, dtype=np.int64)
    assert rank_mod_p_numpy(A, p) == sympy_rank(A % p, p)


def test_numpy_rank_agrees_with_flint_on_a_jacobian_sized_matrix():
    flint = pytest.importorskip("flint")
    p = PRIMES[2]
    A = planted_rank(150, 120, 111, p, seed=3)
    assert rank_mod_p_numpy(A, p) == flint.nmod_mat(A.tolist(), p).rank() == 111


def test_numpy_rank_rejects_a_modulus_that_could_overflow():
    with pytest.raises(ValueError, match="2\\^31"):
        rank_mod_p_numpy(np.eye(2, dtype=np.int64), 2**31 + 11)


def test_without_flint_the_numpy_backend_is_used(no_flint):
    assert rank_backend() == "numpy"
    A = planted_rank(10, 8, 4, PRIMES[0], seed=0)
    assert rank_mod_p(A, PRIMES[0]) == 4


@pytest.mark.parametrize("act,n", [("relu", 400), ("relu2", 400), ("relu", 5)])
def test_identifiability_reaches_the_same_verdict_without_flint(act, n, monkeypatch):
    pytest.importorskip("flint")
    d, k, m = (8, 4, 6) if n > 5 else (4, 3, 2)
    inst = planted_instance(d, k, m, n, seed=2, activation=act, integer=True)
    args = (fractions(inst.network.U), fractions(inst.network.V), inst.X)
    g = RationalMonomial.of(get_activation(act))
    with_flint = identifiability_check(*args, g=g)
    monkeypatch.setitem(sys.modules, "flint", None)
    without = identifiability_check(*args, g=g)
    assert without.status == with_flint.status
    assert without.numbers == with_flint.numbers
    if with_flint.status == "passed":
        assert "python-flint" in with_flint.detail and "numpy" in without.detail
