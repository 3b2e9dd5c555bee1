"""``n_jobs``: the facet programs and hidden-unit solves on threads.

* ``n_jobs=1`` is the sequential path of before, bit for bit (a record written by
  ``tests/recover/_sequential_record.py`` from the code before ``n_jobs`` existed, and
  rewritten once for an intended change of the search: anchors from peeled samples,
  :mod:`recover._peeling`), and never starts a thread;
* any other ``n_jobs`` gives one result per seed whatever the number of threads, the
  same as with the tasks run inline (so threads change no arithmetic and no order), and
  that result is the planted network;
* the tolerances in force reach the pool's threads;
* bad values are refused at the door (library, estimator, CLI).
"""

import json
import threading
from concurrent.futures import Future

import numpy as np
import pytest

import recover._parallel as parallel
from recover import (InvalidInputError, Tolerances, current_tolerances, planted_instance,
                     recover_network, using_tolerances)
from recover._cone import FacetSearch
from relunet.cli import main
from verify import compare_networks

from tests.recover._sequential_record import CASES, RECORD, outcome

#: Diagnostics added since the record was last written, by changes that leave the
#: search as it was (the record was rewritten when peeled anchors changed the search,
#: and then already held the largest entry of the residual): ``highs``, what HiGHS
#: spent on the programs (seconds, which no seed fixes, and simplex iterations).
ADDED_KEYS: set[str] = {"highs"}

#: The case whose search batches programs (k = 6: several units missing at a time).
BATCHED = CASES["relu"]


def _same_path(got: dict, recorded: dict) -> None:
    """The same search: facets' counts, the search's statistics and the attempts exactly;
    the network's floats to 1e-12 — not bit for bit, which another BLAS build need not
    reproduce (on the machine that wrote the record they are equal to the bit)."""
    for key in ("exact", "attempts", "facet_counts", "cone_stats"):
        assert got[key] == recorded[key], key
    assert sorted(set(got["diagnostic_keys"]) - ADDED_KEYS) == recorded["diagnostic_keys"]
    for key in ("U", "V"):
        np.testing.assert_allclose([float.fromhex(x) for x in got[key]],
                                   [float.fromhex(x) for x in recorded[key]],
                                   rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_job_is_the_sequential_path_recorded_before_n_jobs(name):
    # The facets' counts, the search's statistics and the attempts are those recorded
    # before the option existed, and the network is the same.
    recorded = json.loads(RECORD.read_text())[name]
    _same_path(outcome(*CASES[name], n_jobs=1), recorded)
    _same_path(outcome(*CASES[name]), recorded)  # the default is n_jobs=1


def test_one_job_starts_no_thread_and_no_batch(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("n_jobs=1 reached the parallel path")
    monkeypatch.setattr(parallel, "ThreadPoolExecutor", refuse)
    monkeypatch.setattr(FacetSearch, "program_batch", refuse)
    assert outcome(*BATCHED, n_jobs=1)["exact"]


def test_any_thread_count_gives_the_same_network():
    first = outcome(*BATCHED, n_jobs=2)
    assert first["exact"]
    assert first["cone_stats"]["batches"] >= 1  # the batched path ran
    assert outcome(*BATCHED, n_jobs=2) == first
    assert outcome(*BATCHED, n_jobs=3) == first
    assert outcome(*BATCHED, n_jobs=-1) == first


class _Inline:
    """An executor that runs each task when it is submitted: the pool bypassed."""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, fn, *args):
        future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # noqa: BLE001 — delivered by result(), as a pool does
            future.set_exception(exc)
        return future


def test_threads_change_nothing_against_the_pool_bypassed(monkeypatch):
    threaded = outcome(*BATCHED, n_jobs=2)
    monkeypatch.setattr(parallel, "ThreadPoolExecutor", _Inline)
    assert outcome(*BATCHED, n_jobs=2) == threaded


@pytest.mark.parametrize("dims,seed,activation,bias", [
    ((20, 10, 15, 2000), 0, "relu", False),
    ((20, 10, 15, 2000), 1, "relu", False),
    ((10, 5, 8, 1000), 1, "relu2", False),   # an f flat at 0: the re-solves of units
    ((10, 4, 6, 1000), 5, "log(1+t)", False),  # a unit's scale
    ((5, 1, 3, 200), 0, "relu", False),      # k = 1: no program, one unit
    ((10, 5, 8, 1000), 2, "relu", True),     # the lifted problem
])
def test_two_jobs_recover_the_planted_network(dims, seed, activation, bias):
    extra = {"bias_std": 0.5} if bias else {}
    inst = planted_instance(*dims, seed=seed, activation=activation, **extra)
    res = recover_network(inst.X, inst.Y, k=dims[1], activation=activation, seed=seed,
                          mode="exact", bias=bias, n_jobs=2)
    assert res.exact
    assert compare_networks(res.network, inst.network) < 1e-10


def test_two_jobs_with_a_step_reproduce_the_labels_and_the_cones():
    # Non-injective: the units' pattern cones are computed on the threads.
    inst = planted_instance(12, 6, 8, 1500, seed=42, activation="step")
    res = recover_network(inst.X, inst.Y, activation="step", seed=42, n_jobs=2)
    assert res.exact and res.diagnostics["cone_stats"]["batches"] >= 1
    inside = np.array([[cone.contains(v) for cone in res.diagnostics["cones"]]
                       for v in inst.network.V])
    assert (inside.sum(axis=0) == 1).all() and inside.any(axis=1).all()
    assert np.allclose(res.network(inst.X), inst.Y, rtol=0,
                       atol=1e-10 * np.abs(inst.Y).max())


def test_pool_threads_see_the_tolerances_in_force():
    custom = Tolerances(lm_max_iterations=77)
    with parallel.workers(2) as threads, using_tolerances(custom):
        seen = threads.map(lambda _: (current_tolerances(), threading.current_thread()),
                           range(4))
    assert all(tol is custom for tol, _ in seen)
    assert all(thread is not threading.main_thread() for _, thread in seen)


def test_recovery_tasks_on_threads_honour_a_custom_tolerance(monkeypatch):
    # The exact step of every batched program and every unit's solve run on the pool:
    # each must read the tolerances of the caller's `with` block, not the defaults.
    import recover._cone as cone
    import recover._solve as solve
    seen = []

    def spy(module, name):
        original = getattr(module, name)

        def wrapped(*args, **kwargs):
            seen.append((name, current_tolerances(), threading.current_thread()))
            return original(*args, **kwargs)
        monkeypatch.setattr(module, name, wrapped)
    spy(cone, "exact_facet")
    spy(solve, "_start_unit")
    custom = Tolerances(lm_max_iterations=77)
    with using_tolerances(custom):
        assert outcome(*BATCHED, n_jobs=2)["exact"]
    pooled = {name for name, _, thread in seen if thread is not threading.main_thread()}
    assert pooled == {"exact_facet", "_start_unit"}
    assert all(tol is custom for _, tol, _ in seen)


@pytest.mark.parametrize("bad", [0, -2, 1.5, 2.0, True, "2", None])
def test_bad_n_jobs_is_refused_at_the_door(bad):
    inst = planted_instance(5, 2, 3, 100, seed=0)
    with pytest.raises(InvalidInputError, match="n_jobs"):
        recover_network(inst.X, inst.Y, n_jobs=bad)


def test_estimator_stores_n_jobs_and_passes_it_on():
    from sklearn.base import clone

    from recover.estimator import RectifiedNetRegressor

    inst = planted_instance(12, 6, 8, 1500, seed=3)
    est = RectifiedNetRegressor(n_hidden=6, bias=False, mode="exact", seed=3, n_jobs=2)
    assert est.get_params()["n_jobs"] == 2 and clone(est).n_jobs == 2
    est.fit(inst.X.T, inst.Y.T)
    assert est.result_.diagnostics["cone_stats"]["batches"] >= 1  # n_jobs reached it
    assert compare_networks(est.network_, inst.network) < 1e-10
    with pytest.raises(InvalidInputError, match="n_jobs"):
        RectifiedNetRegressor(n_jobs=0).fit(inst.X.T, inst.Y.T)


@pytest.fixture(scope="module")
def planted_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("jobs")
    inst = planted_instance(*BATCHED[0], seed=BATCHED[1])
    np.save(root / "X.npy", inst.X)
    np.save(root / "Y.npy", inst.Y)
    return root, inst


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_cli_bad_jobs_exits_2_with_one_line(planted_files, capsys, value):
    root, _ = planted_files
    code = main(["recover", "--x", str(root / "X.npy"), "--y", str(root / "Y.npy"),
                 "--out", str(root / "bad.npz"), "--jobs", value, "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "--jobs" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (root / "bad.npz").exists()


def test_cli_jobs_gives_the_library_result(planted_files):
    root, inst = planted_files
    out = root / "net.npz"
    assert main(["recover", "--x", str(root / "X.npy"), "--y", str(root / "Y.npy"),
                 "--out", str(out), "--jobs", "2", "--seed", "0", "--quiet"]) == 0
    from recover import TwoLayerNetwork

    saved = TwoLayerNetwork.load(out)
    library = recover_network(inst.X, inst.Y, seed=0, n_jobs=2).network
    assert np.array_equal(saved.U, library.U) and np.array_equal(saved.V, library.V)
    assert compare_networks(saved, inst.network) < 1e-10
