"""recover_network on dask arrays (recover._dask): the exact pipeline on a spread subset,
checked on every sample in two passes over the chunks."""

import sys

import mpmath
import numpy as np
import pytest

from recover import (InvalidInputError, RecoveryFailed, Tolerances, load_array,
                     npy_as_dask, planted_instance, recover_network)
from verify import compare_networks

da = pytest.importorskip("dask.array")
dask_module = pytest.importorskip("recover._dask")

N, CHUNK, SUBSET = 200_000, 12_500, 20_000


@pytest.fixture(scope="module")
def planted():
    return planted_instance(20, 10, 15, N, seed=4)


@pytest.fixture
def small_subset(monkeypatch):
    """A subset of 20000 of the 200000 samples, so that the check on all of them is
    what sees the samples outside it."""
    monkeypatch.setattr(dask_module, "SUBSET_SAMPLES", SUBSET // 2)


def _chunked(A):
    return da.from_array(A, chunks=(A.shape[0], CHUNK))


def test_exact_on_dask_arrays_matches_the_numpy_path(planted, small_subset):
    res = recover_network(_chunked(planted.X), _chunked(planted.Y), seed=4)
    ref = recover_network(planted.X, planted.Y, seed=4)
    assert res.exact and res.mode == "exact" and res.k == 10
    assert compare_networks(ref.network, res.network) <= 1e-12
    assert compare_networks(planted.network, res.network) <= 1e-12
    info = res.diagnostics["dask"]
    assert info["passes"] == 2 and set(info["pass_seconds"]) == {"scan", "check"}
    assert info["chunks"] == N // CHUNK and info["subset"] == SUBSET // 2
    assert res.diagnostics["n"] == N and res.residual <= 1e-13
    # the counts of the check are over all samples: each unit's active samples
    active = (planted.network.preactivation(planted.X) > 0).sum(axis=1)
    assert sorted(info["active_counts"]) == sorted(active.tolist())
    assert f"checked on all {N} samples in 2 passes" in res.message


def test_one_numpy_operand_is_chunked_like_the_other(planted, small_subset):
    res = recover_network(planted.X, _chunked(planted.Y), seed=4)
    assert res.exact and res.diagnostics["dask"]["chunks"] == N // CHUNK


@pytest.mark.parametrize("delta", [1.0, 1e-7])
def test_one_wrong_label_in_a_late_chunk_is_never_exact(planted, small_subset, delta):
    """delta = 1 raises the rank of Y over all samples; delta = 1e-7 does not (σ ratio
    ~1e-11) and its Frobenius residual is below residual_rtol too (~5e-11), but the
    largest entry of the residual is not: the check of every sample catches both."""
    Y = planted.Y.copy()
    wrong = N - CHUNK // 2 - 1  # in the last chunk
    assert wrong not in set(np.linspace(0, N - 1, SUBSET // 2).astype(int))
    Y[3, wrong] += delta
    with pytest.raises(RecoveryFailed, match="not those of the network") as info:
        recover_network(_chunked(planted.X), _chunked(Y), seed=4)
    diagnostics = info.value.diagnostics
    assert diagnostics["dask"]["passes"] == (1 if delta == 1.0 else 2)
    if delta < 1:
        assert diagnostics["residual"] <= 1e-10 < diagnostics["dask"]["max_residual"]
        # the caller's tolerances decide: a looser residual_rtol accepts this label
        loose = Tolerances(residual_rtol=1e-7)
        assert recover_network(_chunked(planted.X), _chunked(Y), seed=4, tol=loose).exact


def test_biases_and_another_activation_are_checked_on_all_samples(monkeypatch):
    monkeypatch.setattr(dask_module, "SUBSET_SAMPLES", 2000)
    inst = planted_instance(8, 4, 6, 30_000, seed=2, activation="relu2", bias_std=0.5,
                            output_bias_std=0.5)
    res = recover_network(da.from_array(inst.X, chunks=(8, 4000)),
                          da.from_array(inst.Y, chunks=(6, 4000)), activation="relu2",
                          bias=True, seed=2)
    assert res.exact and res.diagnostics["dask"]["subset"] == 2000
    assert compare_networks(inst.network, res.network) <= 1e-10
    # the chunks see the network as arrays and a name: nothing pickled relu2's sympy-made
    # functions, which would have broken mpmath's state here
    assert mpmath.mpf(1) + mpmath.mp.pi > 4


def test_refusals_are_invalid_input(planted):
    X, Y = _chunked(planted.X), _chunked(planted.Y)
    with pytest.raises(InvalidInputError, match="mode='noisy' is not supported"):
        recover_network(X, Y, mode="noisy")
    with pytest.raises(InvalidInputError, match="same number of columns"):
        recover_network(X[:, :-1], Y)
    with pytest.raises(InvalidInputError, match="complex"):
        recover_network(X.astype(complex), Y)
    with pytest.raises(InvalidInputError, match="seed"):
        recover_network(X, Y, seed=-1)
    bad = planted.X[:, :1000].copy()
    bad[2, 999] = np.nan
    with pytest.raises(InvalidInputError, match=r"X contains non-finite values \(1 NaN"):
        recover_network(da.from_array(bad, chunks=(20, 300)), planted.Y[:, :1000])


def test_npy_as_dask_reads_chunks_of_samples_of_c_and_fortran_files(tmp_path):
    A = np.arange(5 * 23, dtype=np.float32).reshape(5, 23)
    for order in "CF":
        path = tmp_path / f"a{order}.npy"
        np.save(path, np.asarray(A, order=order))
        arr = npy_as_dask(path, "A", samples_per_chunk=7)
        assert arr.chunks == ((5,), (7, 7, 7, 2)) and arr.dtype == np.float64
        assert np.array_equal(arr.compute(), A)
        assert np.array_equal(arr[1:4, 5:16].compute(), A[1:4, 5:16])


def test_npy_as_dask_pickles_as_the_path_not_the_data(tmp_path):
    import pickle

    path = tmp_path / "big.npy"
    np.save(path, np.zeros((4, 50_000)))
    source = npy_as_dask(path, samples_per_chunk=1000).dask
    assert len(pickle.dumps(dict(source))) < 100_000  # the data is 1.6 MB


def test_memory_map_keeps_the_checks_without_the_cap(tmp_path):
    np.save(tmp_path / "c.npy", np.ones((2, 3), dtype=complex))
    with pytest.raises(InvalidInputError, match="complex"):
        load_array(tmp_path / "c.npy", "C", mmap=True)
    np.savez(tmp_path / "z.npz", a=np.ones((2, 3)))
    with pytest.raises(InvalidInputError, match="only .npy files"):
        load_array(tmp_path / "z.npz", "Z", mmap=True)
    np.save(tmp_path / "r.npy", np.arange(6.0).reshape(2, 3))
    mapped = load_array(tmp_path / "r.npy", "R", mmap=True)
    assert isinstance(mapped, np.memmap) and not mapped.flags.writeable


def test_without_dask_a_clear_error(monkeypatch, tmp_path):
    np.save(tmp_path / "a.npy", np.ones((2, 3)))
    monkeypatch.setitem(sys.modules, "dask", None)  # import dask raises ImportError
    with pytest.raises(InvalidInputError, match=r"optional dependency dask.*relunet\[dask\]"):
        npy_as_dask(tmp_path / "a.npy")
