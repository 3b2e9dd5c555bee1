"""Conversions between :class:`TwoLayerNetwork` and scikit-learn's ``MLPRegressor``.

scikit-learn is an optional extra (``pip install 'relunet[sklearn]'``): it is imported
inside the functions, never when :mod:`recover` is imported.

The two conventions, side by side (``X`` d×n here, samples as columns; scikit-learn
takes ``X.T``, samples as rows)::

    TwoLayerNetwork                 MLPRegressor, one hidden layer of k units
    V (k×d), b (k,)                 coefs_[0] = Vᵀ (d×k), intercepts_[0] = b
    U (m×k), c (m,)                 coefs_[1] = Uᵀ (k×m), intercepts_[1] = c
    net(X)  (m×n)                   predict(X.T) (n×m; shape (n,) when m = 1)

Only ``activation="relu"`` is rectified among scikit-learn's activations ("identity",
"logistic" and "tanh" are not), so it is the only one converted.
"""

from __future__ import annotations

import numpy as np

from ._errors import InvalidInputError
from ._network import TwoLayerNetwork

#: What to install when scikit-learn is missing.
INSTALL_HINT = "pip install 'relunet[sklearn]'"


def _mlp_regressor_class():
    """``sklearn.neural_network.MLPRegressor``, or ImportError naming the extra."""
    try:
        from sklearn.neural_network import MLPRegressor
    except ImportError as err:
        raise ImportError(f"converting to or from scikit-learn needs scikit-learn: "
                          f"{INSTALL_HINT}") from err
    return MLPRegressor


def network_from_mlp(est) -> TwoLayerNetwork:
    """The :class:`TwoLayerNetwork` computing what the fitted ``MLPRegressor`` ``est``
    predicts: ``net(X) == est.predict(X.T).T`` (up to float rounding of the sums).

    ``est`` must be a fitted ``MLPRegressor`` with exactly one hidden layer and
    ``activation="relu"``. Its weights are copied into float64 (exact also for an
    estimator trained in float32); the biases become ``b`` and ``c``.

    Raises
    ------
    InvalidInputError
        Not an ``MLPRegressor`` (``MLPClassifier`` included: its output activation is
        not the identity), not fitted, not one hidden layer, or an activation that is
        not rectified.
    ImportError
        scikit-learn is not installed.
    """
    MLPRegressor = _mlp_regressor_class()
    if not isinstance(est, MLPRegressor):
        raise InvalidInputError(f"expected a fitted sklearn MLPRegressor, got "
                                f"{type(est).__name__}")
    if not hasattr(est, "coefs_"):
        raise InvalidInputError("the MLPRegressor is not fitted (no coefs_): call fit "
                                "first")
    hidden = len(est.coefs_) - 1
    if hidden != 1:
        raise InvalidInputError(f"the MLPRegressor has {hidden} hidden layers; a "
                                f"TwoLayerNetwork has exactly one")
    if est.activation != "relu":
        raise InvalidInputError(f"the MLPRegressor's activation {est.activation!r} is not "
                                f"rectified; only 'relu' converts to a TwoLayerNetwork")
    if getattr(est, "out_activation_", "identity") != "identity":
        raise InvalidInputError(f"the MLPRegressor's output activation "
                                f"{est.out_activation_!r} is not the identity (loss "
                                f"{est.loss!r}); a TwoLayerNetwork's output is linear")
    (W1, W2), (b1, b2) = est.coefs_, est.intercepts_
    return TwoLayerNetwork(_float64(W2).T, _float64(W1).T, b=_float64(b1), c=_float64(b2),
                           activation="relu")


def mlp_from_network(net: TwoLayerNetwork):
    """An ``MLPRegressor`` that predicts what ``net`` computes, without training:
    ``est.predict(X.T) == net(X).T`` (``.ravel()``-ed when ``m = 1``, as
    ``MLPRegressor`` does).

    How it is made usable without ``fit``: the estimator is built with
    ``hidden_layer_sizes=(k,)`` and ``activation="relu"``, and the attributes ``fit``
    would set for ``predict`` and ``score`` are set by hand: ``coefs_ = [Vᵀ, Uᵀ]``,
    ``intercepts_ = [b, c]`` (float64 copies), ``n_layers_ = 3``, ``n_outputs_ = m``,
    ``out_activation_ = "identity"``, ``n_features_in_ = d``, ``n_iter_ = t_ = 0``. So
    ``predict``, ``score`` and ``check_is_fitted`` work, and ``fit`` trains a fresh
    network as usual. Continuing the training from these weights (``warm_start=True``
    or ``partial_fit``) is not supported: it needs optimiser state private to
    scikit-learn that only ``fit`` creates.

    Raises
    ------
    InvalidInputError
        ``net``'s activation is not ReLU (scikit-learn has no other rectified one).
    ImportError
        scikit-learn is not installed.
    """
    MLPRegressor = _mlp_regressor_class()
    _require_relu(net, "scikit-learn's MLPRegressor")
    net = net.astype_float()
    est = MLPRegressor(hidden_layer_sizes=(net.k,), activation="relu")
    est.coefs_ = [net.V.T.copy(), net.U.T.copy()]
    est.intercepts_ = [net.b.copy(), net.c.copy()]
    est.n_layers_ = 3
    est.n_outputs_ = net.m
    est.out_activation_ = "identity"
    est.n_features_in_ = net.d
    est.n_iter_ = 0
    est.t_ = 0
    return est


def _require_relu(net: TwoLayerNetwork, target: str) -> None:
    """InvalidInputError unless ``net`` uses ReLU, the one rectified activation that
    ``target`` provides."""
    if net.activation.name != "relu":
        raise InvalidInputError(f"{target} supports no activation "
                                f"{net.activation.name!r}; only ReLU networks convert")


def _float64(a) -> np.ndarray:
    """``a`` as float64; exact for float32 (every float32 is a float64)."""
    return np.asarray(a, dtype=np.float64)
