"""``RectifiedNetRegressor``: :func:`recover_network` as a scikit-learn estimator.

This module imports scikit-learn (``pip install 'relunet[sklearn]'``); :mod:`recover`
does not import it, so import it by its path::

    from recover.estimator import RectifiedNetRegressor

Conventions are scikit-learn's: ``X`` is n×d and ``y`` n×m or (n,), samples as rows
(relunet's own functions take samples as columns; the estimator transposes). The fitted
attributes mirror ``MLPRegressor``'s (``coefs_``, ``intercepts_``, ``n_outputs_``), so
``TwoLayerNetwork.from_sklearn``-style code and users of ``MLPRegressor`` find them where
they expect.
"""

from __future__ import annotations

import warnings
from functools import partial

import numpy as np

from ._errors import RecoveryFailed, RelunetWarning
from .interop_sklearn import INSTALL_HINT
from ._recovery import recover_network

try:
    from sklearn.base import BaseEstimator, RegressorMixin
    from sklearn.utils.validation import check_is_fitted
except ImportError as err:
    raise ImportError(f"recover.estimator needs scikit-learn: {INSTALL_HINT}") from err


_SWITCHED_OFF = ("the least-squares fit switches its one unit off (V = 0, b = 0), which "
                 "recovery reports as a negative result (RecoveryFailed) rather than "
                 "returning a constant as a network")
#: The checks of ``sklearn.utils.estimator_checks`` this estimator fails, and why:
#: ``check_estimator(RectifiedNetRegressor(), expected_failed_checks=EXPECTED_FAILED_CHECKS)``.
#: Each fits one output (so one hidden unit) to labels that a rectified unit explains no
#: better than a constant.
EXPECTED_FAILED_CHECKS: dict[str, str] = {
    "check_estimators_dtypes": "labels 1, 2, 1, 2, ... of 20 samples of integer "
                               "features 0 to 2: " + _SWITCHED_OFF,
    "check_pipeline_consistency": "class labels 0, 1, 2 of make_blobs as targets: "
                                  + _SWITCHED_OFF,
    "check_estimators_pickle": "class labels 0, 1, 2 of make_blobs as targets: "
                               + _SWITCHED_OFF,
    "check_estimators_nan_inf": "constant labels (it fits finite data before the NaN "
                                "and inf inputs): " + _SWITCHED_OFF,
    "check_fit2d_1feature": "10 samples of one feature with its integer part as labels: "
                            + _SWITCHED_OFF,
}


class RectifiedNetRegressor(RegressorMixin, BaseEstimator):
    """Fit ``y = U f(V x + b) + c`` by relunet's recovery: exact when the labels are
    those of such a network (verified to machine precision), else a least-squares
    estimate with a :class:`RelunetWarning`.

    Parameters
    ----------
    n_hidden : int or None, default=None
        Number ``k`` of hidden units; None reads it off the rank of the labels. The
        model needs ``k <= min(m, d)`` (``m`` outputs, ``d`` features): with one output,
        one hidden unit.
    activation : str, default="relu"
        A rectified activation of relunet ("relu", "relu2", "log(1+t)", ...).
    bias : bool, default=True
        Fit the hidden biases ``b`` and output biases ``c`` (False: both zero, the
        bias-free model of the paper).
    mode : {"auto", "exact", "noisy"}, default="auto"
        "exact" raises :class:`recover.RecoveryFailed` unless the fit is exact; "noisy"
        goes straight to the least-squares estimate; "auto" tries exact recovery first
        and, where it fails, returns the least-squares estimate with a warning — also
        for noiseless labels that :func:`recover.recover_network`'s "auto" refuses,
        because a regressor is expected to fit the data it is given.
    seed : int, default=0
        Seed of every random choice of the recovery (same data and seed, same fit).
    n_jobs : int, default=1
        Threads for the independent pieces of the exact recovery (-1: every core); see
        :func:`recover.recover_network`. For a given seed every ``n_jobs != 1`` gives the
        same fit, which may differ from that of ``n_jobs=1``; both are verified alike.

    Attributes
    ----------
    network_ : TwoLayerNetwork
        The fitted network (samples as columns: ``network_(X.T).T`` is the prediction).
    result_ : RecoveryResult
        The full outcome of :func:`recover.recover_network` (``result_.message``,
        ``result_.residual``, ``result_.diagnostics`` …).
    exact_ : bool
        True only for a verified exact recovery.
    coefs_ : list of two arrays
        ``[Vᵀ (d×k), Uᵀ (k×m)]``, as ``MLPRegressor.coefs_``.
    intercepts_ : list of two arrays
        ``[b (k,), c (m,)]``, as ``MLPRegressor.intercepts_``.
    n_features_in_ : int
        ``d``.
    n_outputs_ : int
        ``m``.

    Parameters are stored as given and checked by ``fit`` (scikit-learn's rule), which
    raises :class:`recover.InvalidInputError` (a ``ValueError``) for bad ones.
    """

    def __init__(self, n_hidden=None, activation="relu", bias=True, mode="auto", seed=0,
                 n_jobs=1):
        self.n_hidden = n_hidden
        self.activation = activation
        self.bias = bias
        self.mode = mode
        self.seed = seed
        self.n_jobs = n_jobs

    def fit(self, X, y):
        """Recover the network from ``X`` (n×d) and ``y`` (n×m or (n,)).

        Warns (:class:`RelunetWarning`) when the result is not a verified exact
        recovery, unless ``mode="noisy"`` asked for an estimate. Raises
        :class:`recover.RecoveryFailed` when no network passes recovery's checks: in
        "exact" mode labels that are not exactly realizable; in every mode a
        least-squares fit that switches a unit off, or data that determine no network
        (the message says why). :class:`recover.InvalidInputError` (a ``ValueError``)
        for bad data or parameters.
        """
        X, y = _validate_data(self, X, y, multi_output=True, y_numeric=True,
                              dtype=np.float64, ensure_min_samples=2)
        Y = y.reshape(len(y), -1)
        # k <= m: with one output there is one unit, so k need not be read off the labels
        # (which a single output cannot show).
        k = 1 if self.n_hidden is None and Y.shape[1] == 1 else self.n_hidden
        result = self._recover(X.T, Y.T, k)
        net = result.network.astype_float()
        self.result_, self.network_, self.exact_ = result, net, result.exact
        self.n_outputs_ = net.m
        self.coefs_ = [net.V.T.copy(), net.U.T.copy()]
        self.intercepts_ = [net.b.copy(), net.c.copy()]
        return self

    def _recover(self, X, Y, k):
        """:func:`recover_network` on ``X`` (d×n), ``Y`` (m×n); in "auto" mode a failed
        exact recovery falls back to the least-squares estimate, with a warning."""
        fit = partial(recover_network, X, Y, k=k, activation=self.activation,
                      seed=self.seed, bias=self.bias, n_jobs=self.n_jobs)
        if self.mode != "auto":
            return fit(mode=self.mode)
        try:
            result = fit(mode="auto")
        except RecoveryFailed as exc:
            result = fit(mode="noisy")
            reason = f"exact recovery failed ({exc})"
        else:
            if result.exact or result.warnings:
                return result  # verified, or recover_network has warned already
            reason = "exact recovery did not verify"
        warnings.warn(f"{reason}; returning the least-squares estimate, not verified: "
                      f"{result.message}", RelunetWarning, stacklevel=3)
        return result

    def predict(self, X):
        """``U f(V x + b) + c`` for each row ``x`` of ``X`` (n×d): n×m, or (n,) for one
        output, as ``MLPRegressor.predict``."""
        check_is_fitted(self)
        X = _validate_data(self, X, reset=False, dtype=np.float64)
        pred = self.network_(X.T).T
        return pred.ravel() if self.n_outputs_ == 1 else pred

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags

    def _more_tags(self):  # scikit-learn < 1.6 reads the tags here
        return {"multioutput": True}


def _validate_data(est, *args, **kwargs):
    """``sklearn.utils.validation.validate_data`` (scikit-learn >= 1.6) or its
    predecessor, the estimator method ``_validate_data``: checks ``X`` (and ``y``) and
    sets or checks ``n_features_in_``."""
    try:
        from sklearn.utils.validation import validate_data
    except ImportError:
        return est._validate_data(*args, **kwargs)
    return validate_data(est, *args, **kwargs)
