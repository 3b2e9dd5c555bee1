"""RectifiedNetRegressor: scikit-learn's estimator checks, exact recovery of planted
networks (with and without biases) through the sklearn interface, the warning and
``exact_ = False`` of an estimate, and fitted attributes that read like MLPRegressor's."""

import importlib
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from recover import InvalidInputError, RecoveryFailed, planted_instance, recover_network
from recover._errors import RelunetWarning
from recover.estimator import EXPECTED_FAILED_CHECKS, RectifiedNetRegressor
from verify import compare_networks

@parametrize_with_checks([RectifiedNetRegressor()],
                         expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        # the checks' tiny random data fit no network exactly: every fit warns so
        warnings.simplefilter("ignore", RelunetWarning)
        check(estimator)


def _fit(p, **params) -> RectifiedNetRegressor:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RelunetWarning)  # an exact fit does not warn
        return RectifiedNetRegressor(**params).fit(p.X.T, p.Y.T)


def test_fit_recovers_a_planted_biased_network_exactly():
    p = planted_instance(d=5, k=3, m=4, n=300, seed=2, bias_std=1, output_bias_std=1)
    est = _fit(p)
    assert est.exact_ and est.result_.exact and est.result_.mode == "exact"
    assert compare_networks(est.network_, p.network) < 1e-8
    X_new = np.random.default_rng(9).standard_normal((50, 5))
    expected = p.network(X_new.T).T
    np.testing.assert_allclose(est.predict(X_new), expected, rtol=0,
                               atol=1e-8 * np.abs(expected).max())
    assert est.score(p.X.T, p.Y.T) > 1 - 1e-12


def test_bias_false_recovers_a_bias_free_network_with_zero_intercepts():
    p = planted_instance(d=4, k=2, m=3, n=200, seed=4)
    est = _fit(p, bias=False, n_hidden=2)
    assert est.exact_
    assert not np.any(est.intercepts_[0]) and not np.any(est.intercepts_[1])
    assert compare_networks(est.network_, p.network) < 1e-8


def test_noisy_labels_give_an_estimate_with_a_warning_and_exact_false():
    p = planted_instance(d=4, k=2, m=3, n=400, seed=1, snr_db=30, bias_std=1,
                         output_bias_std=1)
    with pytest.warns(RelunetWarning, match="not verified|exact recovery"):
        est = RectifiedNetRegressor(n_hidden=2).fit(p.X.T, p.Y.T)
    assert est.exact_ is False and est.result_.mode == "noisy"
    assert est.score(p.X.T, p.network(p.X).T) > 0.95  # close to the clean network


def test_auto_fits_noiseless_labels_that_recover_network_refuses_and_warns_why():
    # relu2 labels fitted with relu: noiseless and outside the model
    p = planted_instance(d=4, k=2, m=3, n=300, seed=1, activation="relu2", bias_std=1,
                         output_bias_std=1)
    with pytest.raises(RecoveryFailed):
        recover_network(p.X, p.Y, k=2, bias=True)
    with pytest.warns(RelunetWarning, match=r"^exact recovery failed \(no attempt"):
        est = RectifiedNetRegressor(n_hidden=2).fit(p.X.T, p.Y.T)
    assert est.exact_ is False and est.result_.mode == "noisy"
    assert est.score(p.X.T, p.Y.T) > 0.9  # the best relu fit of relu2 labels


def test_mode_exact_refuses_noisy_labels():
    p = planted_instance(d=4, k=2, m=3, n=200, seed=1, snr_db=30, bias_std=1)
    with pytest.raises(RecoveryFailed):
        RectifiedNetRegressor(n_hidden=2, mode="exact").fit(p.X.T, p.Y.T)


def test_fitted_attributes_read_like_mlp_regressor():
    p = planted_instance(d=4, k=2, m=3, n=200, seed=3, bias_std=1, output_bias_std=1)
    est = _fit(p)
    (W1, W2), (b1, b2) = est.coefs_, est.intercepts_
    assert (W1.shape, W2.shape, b1.shape, b2.shape) == ((4, 2), (2, 3), (2,), (3,))
    assert (est.n_features_in_, est.n_outputs_) == (4, 3)
    mlp = est.network_.to_sklearn()  # the same weights in an MLPRegressor
    for ours, theirs in zip(est.coefs_ + est.intercepts_, mlp.coefs_ + mlp.intercepts_):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(est.predict(p.X.T), mlp.predict(p.X.T))


def test_single_output_predicts_a_vector_with_one_unit():
    p = planted_instance(d=3, k=1, m=1, n=100, seed=5, bias_std=1, output_bias_std=1)
    est = _fit(p)
    assert est.exact_ and est.network_.k == 1
    assert est.predict(p.X.T).shape == (100,)
    est_col = _fit(p)
    np.testing.assert_array_equal(est_col.fit(p.X.T, p.Y.T).predict(p.X.T),
                                  est.fit(p.X.T, p.Y[0]).predict(p.X.T))


def test_params_are_stored_as_given():
    est = RectifiedNetRegressor(n_hidden=-3, activation="no such thing", mode="fast")
    assert est.get_params() == dict(n_hidden=-3, activation="no such thing", bias=True,
                                    mode="fast", seed=0, n_jobs=1)
    assert clone(est.set_params(seed=7)).get_params()["seed"] == 7


@pytest.mark.parametrize("params", [dict(n_hidden=-3), dict(n_hidden=3),
                                    dict(activation="no such thing"), dict(mode="fast"),
                                    dict(bias="yes"), dict(n_jobs=0)])
def test_fit_refuses_bad_parameters(params):
    X = np.random.default_rng(0).standard_normal((30, 3))
    with pytest.raises(InvalidInputError):
        RectifiedNetRegressor(**params).fit(X, X[:, :2])


def test_predict_before_fit_is_refused():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        RectifiedNetRegressor().predict(np.zeros((2, 3)))


def test_labels_no_unit_fits_are_refused_not_crashed_on():
    # Class labels 0, 1, 2 of positive inputs, k = 1: the exact step used to crash with
    # an IndexError (an SVD of no facet samples) instead of failing its checks.
    rnd = np.random.RandomState(0)
    X, y = rnd.uniform(size=(10, 3)), (np.arange(10) % 3).astype(float)
    with pytest.raises(RecoveryFailed, match="noiseless"):
        recover_network(X.T, y[None, :], k=1)


@pytest.mark.parametrize("bias", [True, False])
def test_a_unit_switched_off_by_the_noisy_fit_is_a_negative_result(bias):
    # Labels 1, 2, 1, 2, ... explain no unit: least squares drives V and b to zero. That
    # was an InvalidInputError (bad input, CLI exit 2) from canonical(); it is a
    # negative result.
    X = np.floor(3 * np.random.RandomState(0).uniform(size=(20, 5)))
    y = np.array([1.0, 2.0] * 10)
    with pytest.raises(RecoveryFailed, match=r"switched off unit\(s\) \[0\]"):
        recover_network(X.T, y[None, :], k=1, mode="noisy", bias=bias)


def _docs_examples() -> list[str]:
    """The ```python blocks of docs/interop.md."""
    doc = Path(__file__).resolve().parents[2] / "docs" / "interop.md"
    return re.findall(r"^```python\n(.*?)^```", doc.read_text(encoding="utf-8"),
                      flags=re.S | re.M)


def _run(blocks: list[str], tmp_path) -> str:
    script = tmp_path / "interop_examples.py"
    script.write_text("import warnings\nwarnings.simplefilter('ignore')\n"
                      + "\n".join(blocks), encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_the_example_of_docs_interop_runs(tmp_path):
    blocks = [b for b in _docs_examples() if "check_estimator(" not in b]
    assert len(blocks) == 2
    exact, close, gap = _run(blocks, tmp_path).splitlines()
    assert exact.startswith("True exact recovery") and close == "True"
    assert float(gap) < 1e-12


@pytest.mark.slow
def test_the_check_estimator_call_of_docs_interop_runs(tmp_path):
    blocks = [b for b in _docs_examples() if "check_estimator(" in b]
    assert len(blocks) == 1
    assert _run(blocks, tmp_path) == ""


def test_without_sklearn_the_import_names_the_extra(monkeypatch):
    monkeypatch.delitem(sys.modules, "recover.estimator")
    monkeypatch.setitem(sys.modules, "sklearn.base", None)
    with pytest.raises(ImportError, match=r"pip install 'relunet\[sklearn\]'"):
        importlib.import_module("recover.estimator")
