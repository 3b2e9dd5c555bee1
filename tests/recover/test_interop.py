"""Conversions between TwoLayerNetwork, scikit-learn's MLPRegressor and a torch Sequential:
outputs equal on random inputs, exact round trips, clear refusals of what is not a
two-layer rectified network, and the libraries stay optional."""

import subprocess
import sys
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils.validation import check_is_fitted

from recover import InvalidInputError, TwoLayerNetwork

#: Float64 outputs of the same sums in another order agree to this relative tolerance.
RTOL64 = 1e-12


def _net(seed: int, m: int, k: int, d: int, act: str = "relu") -> TwoLayerNetwork:
    rng = np.random.default_rng(seed)
    return TwoLayerNetwork(rng.standard_normal((m, k)), rng.standard_normal((k, d)),
                           b=rng.standard_normal(k), c=rng.standard_normal(m),
                           activation=act)


def _X(seed: int, d: int, n: int = 40) -> np.ndarray:
    return np.random.default_rng(seed + 1).standard_normal((d, n))


def _close(A, B, rtol=RTOL64) -> None:
    A, B = np.asarray(A), np.asarray(B)
    assert A.shape == B.shape
    np.testing.assert_allclose(A, B, rtol=0, atol=rtol * max(1.0, float(np.abs(B).max())))


def _same_parameters(a: TwoLayerNetwork, b: TwoLayerNetwork) -> None:
    for name in "UVbc":
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def _mlp(**kwargs) -> MLPRegressor:
    X, y = load_diabetes(return_X_y=True)
    params = dict(hidden_layer_sizes=(5,), max_iter=30, random_state=0) | kwargs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a few iterations on purpose
        return MLPRegressor(**params).fit(X, y)


shapes = st.tuples(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 4),
                   st.integers(1, 5))


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


# --- scikit-learn -----------------------------------------------------------------------
@given(shapes)
def test_to_sklearn_predicts_what_the_network_computes(shape):
    seed, m, k, d = shape
    net, X = _net(seed, m, k, d), _X(seed, d)
    pred = net.to_sklearn().predict(X.T)
    expected = net(X).T
    _close(pred, expected.ravel() if m == 1 else expected)  # (n,) for one output


@given(shapes)
def test_sklearn_round_trip_keeps_every_parameter_bit_for_bit(shape):
    net = _net(*shape)
    _same_parameters(TwoLayerNetwork.from_sklearn(net.to_sklearn()), net)


def test_converted_regressor_is_fitted_scores_and_can_be_trained_afresh():
    net, X = _net(3, 2, 3, 4), _X(3, 4)
    est = net.to_sklearn()
    check_is_fitted(est)
    assert est.hidden_layer_sizes == (3,) and est.activation == "relu"
    assert (est.n_features_in_, est.n_outputs_, est.n_layers_) == (4, 2, 3)
    assert est.score(X.T, net(X).T) == 1.0
    with pytest.raises(ValueError, match="4 features"):
        est.predict(X[:3].T)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.set_params(max_iter=3, random_state=0).fit(X.T, net(X).T)
    assert est.n_iter_ == 3 and est.coefs_[0].shape == (4, 3)


def test_exact_network_converts_rounded_to_float64():
    U = np.array([[Fraction(1, 3), Fraction(-2)]], dtype=object)
    V = np.array([[Fraction(1), Fraction(1, 7)], [Fraction(-1, 5), Fraction(2)]],
                 dtype=object)
    net = TwoLayerNetwork(U, V, b=[Fraction(1, 3), 0], c=[Fraction(-1, 9)])
    X = _X(0, 2)
    est = net.to_sklearn()
    assert est.coefs_[0].dtype == np.float64
    _close(est.predict(X.T), net.astype_float()(X)[0])


def test_from_sklearn_of_a_trained_regressor_predicts_the_same():
    est = _mlp()
    X, _ = load_diabetes(return_X_y=True)
    net = TwoLayerNetwork.from_sklearn(est)
    assert (net.m, net.k, net.d) == (1, 5, 10) and net.activation.name == "relu"
    np.testing.assert_array_equal(net.V, est.coefs_[0].T)
    np.testing.assert_array_equal(net.c, est.intercepts_[1])
    _close(net(X.T)[0], est.predict(X))


def test_from_sklearn_of_a_float32_regressor_is_exact_in_float64():
    X, y = load_diabetes(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=1).fit(
            X.astype(np.float32), np.column_stack([y, -y]).astype(np.float32))
    assert est.coefs_[0].dtype == np.float32
    net = TwoLayerNetwork.from_sklearn(est)
    assert net.V.dtype == np.float64 and net.m == 2
    np.testing.assert_array_equal(net.U, est.coefs_[1].T.astype(np.float64))
    np.testing.assert_array_equal(net.b, est.intercepts_[0].astype(np.float64))
    _close(net(X.T).T, est.predict(X), rtol=1e-5)  # sklearn sums in float32


@pytest.mark.parametrize("est,why", [
    (MLPRegressor(), "not fitted"),
    (_mlp(hidden_layer_sizes=(4, 3)), "2 hidden layers"),
    (_mlp(hidden_layer_sizes=()), "0 hidden layers"),
    (_mlp(activation="tanh"), "'tanh' is not rectified"),
    (_mlp(activation="logistic"), "'logistic' is not rectified"),
    (_mlp(activation="identity"), "'identity' is not rectified"),
    (_mlp(loss="poisson"), "output activation 'exp' is not the identity"),
    (MLPClassifier(), "got MLPClassifier"),
    ({"coefs_": []}, "got dict"),
])
def test_from_sklearn_refuses_what_is_not_a_two_layer_relu_regressor(est, why):
    with pytest.raises(InvalidInputError, match=why):
        TwoLayerNetwork.from_sklearn(est)


def test_to_sklearn_refuses_an_activation_sklearn_does_not_have():
    with pytest.raises(InvalidInputError, match="'relu2'"):
        _net(0, 2, 2, 2, act="relu2").to_sklearn()


def test_missing_sklearn_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.neural_network", None)
    with pytest.raises(ImportError, match=r"pip install 'relunet\[sklearn\]'"):
        _net(0, 1, 1, 1).to_sklearn()
    with pytest.raises(ImportError, match=r"pip install 'relunet\[sklearn\]'"):
        TwoLayerNetwork.from_sklearn(object())


# --- PyTorch ----------------------------------------------------------------------------
def _torch_out(module, X, torch) -> np.ndarray:
    """``module`` on ``X`` (d×n), as an m×n float64 array."""
    with torch.no_grad():
        dtype = module[0].weight.dtype
        return module(torch.from_numpy(X.T).to(dtype)).double().numpy().T


@given(shapes)
def test_to_torch_computes_what_the_network_computes(shape):
    torch = pytest.importorskip("torch")
    seed, m, k, d = shape
    net, X = _net(seed, m, k, d), _X(seed, d)
    module = net.to_torch()
    assert module[0].weight.dtype == torch.float64
    _close(_torch_out(module, X, torch), net(X))


@given(shapes)
def test_torch_round_trip_keeps_every_parameter_bit_for_bit(shape):
    pytest.importorskip("torch")
    net = _net(*shape)
    _same_parameters(TwoLayerNetwork.from_torch(net.to_torch()), net)


def test_to_torch_in_float32(torch):
    net, X = _net(5, 3, 2, 4), _X(5, 4)
    module = net.to_torch(dtype=torch.float32)
    assert all(p.dtype == torch.float32 for p in module.parameters())
    _close(_torch_out(module, X, torch), net(X), rtol=1e-5)


def test_from_torch_of_a_float32_module_is_exact_in_float64(torch):
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(),
                                 torch.nn.Linear(3, 2))
    net, X = TwoLayerNetwork.from_torch(module), _X(0, 4)
    np.testing.assert_array_equal(net.V, module[0].weight.detach().double().numpy())
    np.testing.assert_array_equal(net.c, module[2].bias.detach().double().numpy())
    _close(net(X), _torch_out(module.double(), X, torch))  # same weights, in float64


def test_from_torch_without_biases_gives_zero_biases(torch):
    module = torch.nn.Sequential(torch.nn.Linear(3, 2, bias=False), torch.nn.ReLU(),
                                 torch.nn.Linear(2, 2, bias=False))
    net = TwoLayerNetwork.from_torch(module)
    assert not net.has_bias and (net.k, net.d) == (2, 3)


def test_sklearn_to_relunet_to_torch_predicts_the_same(torch):
    est = _mlp()
    X, _ = load_diabetes(return_X_y=True)
    module = TwoLayerNetwork.from_sklearn(est).to_torch()
    _close(_torch_out(module, X.T, torch)[0], est.predict(X))
    back = TwoLayerNetwork.from_torch(module).to_sklearn()
    np.testing.assert_array_equal(back.predict(X), TwoLayerNetwork.from_sklearn(est)
                                  .to_sklearn().predict(X))


def _bad_modules(torch):
    nn = torch.nn
    return [
        (nn.Sequential(nn.Linear(2, 3), nn.Softplus(), nn.Linear(3, 1)),
         "Softplus, which is not rectified"),
        (nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(), nn.Linear(3, 1)),
         "LeakyReLU, which is not rectified"),
        (nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.ReLU(),
                       nn.Linear(3, 1)), "a Sequential of 5 layers"),
        (nn.Sequential(nn.Linear(2, 3), nn.ReLU()), "a Sequential of 2 layers"),
        (nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Conv1d(3, 1, 1)), "Conv1d"),
        (nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(4, 1)),
         "3 outputs but the second takes 4 inputs"),
        (nn.Linear(2, 3), "got Linear"),
        (nn.Sequential(nn.Linear(2, 3, dtype=torch.complex64), nn.ReLU(),
                       nn.Linear(3, 1, dtype=torch.complex64)), "real floating-point"),
    ]


@pytest.mark.parametrize("case", range(8))
def test_from_torch_refuses_what_is_not_linear_relu_linear(torch, case):
    module, why = _bad_modules(torch)[case]
    with pytest.raises(InvalidInputError, match=why):
        TwoLayerNetwork.from_torch(module)


def test_to_torch_refuses_other_activations_and_dtypes(torch):
    with pytest.raises(InvalidInputError, match="'relu2'"):
        _net(0, 2, 2, 2, act="relu2").to_torch()
    with pytest.raises(InvalidInputError, match="floating torch dtype"):
        _net(0, 2, 2, 2).to_torch(dtype=torch.int64)
    with pytest.raises(InvalidInputError, match="floating torch dtype"):
        _net(0, 2, 2, 2).to_torch(dtype="float64")


def test_missing_torch_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"pip install 'relunet\[torch\]'"):
        _net(0, 1, 1, 1).to_torch()
    with pytest.raises(ImportError, match=r"pip install 'relunet\[torch\]'"):
        TwoLayerNetwork.from_torch(object())


# --- optional means optional ------------------------------------------------------------
def test_importing_recover_loads_neither_sklearn_nor_torch():
    probe = ("import sys, recover, recover._network, recover.interop_sklearn, "
             "recover.interop_torch\n"
             "print(sorted(m for m in ('sklearn', 'torch', 'recover.estimator') "
             "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
