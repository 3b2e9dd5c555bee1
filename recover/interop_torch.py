"""Conversions between :class:`TwoLayerNetwork` and a PyTorch ``nn.Sequential``.

PyTorch is an optional extra (``pip install 'relunet[torch]'``): it is imported inside
the functions, never when :mod:`recover` is imported.

The one module structure that is a two-layer rectified network::

    nn.Sequential(nn.Linear(d, k), nn.ReLU(), nn.Linear(k, m))
    Linear 1: weight = V (k×d), bias = b (k,)      (bias=False: b = 0)
    Linear 2: weight = U (m×k), bias = c (m,)      (bias=False: c = 0)
    module(X.T) (n×m, samples as rows) == net(X).T

Only ``nn.ReLU`` is accepted as the middle layer: ``nn.Softplus``, ``nn.GELU``,
``nn.LeakyReLU`` and the like are not rectified (they are not zero on the negative
half-line), so relunet's recovery and certificates do not apply to them.
"""

from __future__ import annotations

import numpy as np

from ._errors import InvalidInputError
from ._network import TwoLayerNetwork

#: What to install when PyTorch is missing.
INSTALL_HINT = "pip install 'relunet[torch]'"

STRUCTURE = "nn.Sequential(nn.Linear(d, k), nn.ReLU(), nn.Linear(k, m))"


def _torch():
    """The ``torch`` module, or ImportError naming the extra."""
    try:
        import torch
    except ImportError as err:
        raise ImportError(f"converting to or from PyTorch needs torch: "
                          f"{INSTALL_HINT}") from err
    return torch


def network_from_sequential(module) -> TwoLayerNetwork:
    """The :class:`TwoLayerNetwork` computing what ``module`` computes:
    ``net(X) == module(X.T).T``.

    ``module`` must be exactly ``nn.Sequential(nn.Linear(d, k), nn.ReLU(),
    nn.Linear(k, m))`` (either ``Linear`` may have ``bias=False``). Parameters of any
    real floating dtype (float32, float64, also float16/bfloat16) on any device are
    copied into float64, which is exact: every such value is a float64.

    Raises
    ------
    InvalidInputError
        Another structure (not a Sequential, other layers, an activation other than
        ``nn.ReLU``, mismatched widths) or parameters that are not real floating point.
    ImportError
        PyTorch is not installed.
    """
    torch = _torch()
    nn = torch.nn
    layers = list(module) if isinstance(module, nn.Sequential) else None
    if layers is None or len(layers) != 3:
        found = (type(module).__name__ if layers is None
                 else f"a Sequential of {len(layers)} layers")
        raise InvalidInputError(f"expected {STRUCTURE}, got {found}")
    first, act, second = layers
    if not (type(first) is nn.Linear and type(second) is nn.Linear):
        raise InvalidInputError(f"expected {STRUCTURE}, got layers "
                                f"{[type(layer).__name__ for layer in layers]}")
    if type(act) is not nn.ReLU:
        raise InvalidInputError(f"the middle layer is {type(act).__name__}, which is not "
                                f"rectified; only nn.ReLU converts to a TwoLayerNetwork")
    if first.out_features != second.in_features:
        raise InvalidInputError(f"the first Linear has {first.out_features} outputs but "
                                f"the second takes {second.in_features} inputs")
    V, b = _weights(first, torch)
    U, c = _weights(second, torch)
    return TwoLayerNetwork(U, V, b=b, c=c, activation="relu")


def sequential_from_network(net: TwoLayerNetwork, dtype=None):
    """``nn.Sequential(nn.Linear(d, k), nn.ReLU(), nn.Linear(k, m))`` with ``net``'s
    weights and biases, parameters of ``dtype`` (default ``torch.float64``) on the CPU:
    ``module(torch.from_numpy(X.T)) == net(X).T`` to the rounding of ``dtype``.

    An exact network is rounded to float64 first.

    Raises
    ------
    InvalidInputError
        ``net``'s activation is not ReLU (no such layer in ``torch.nn``), or ``dtype``
        is not a real floating torch dtype.
    ImportError
        PyTorch is not installed.
    """
    torch = _torch()
    dtype = torch.float64 if dtype is None else dtype
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise InvalidInputError(f"dtype must be a floating torch dtype such as "
                                f"torch.float64, got {dtype!r}")
    if net.activation.name != "relu":
        raise InvalidInputError(f"torch.nn has no layer for activation "
                                f"{net.activation.name!r}; only ReLU networks convert")
    net = net.astype_float()
    module = torch.nn.Sequential(torch.nn.Linear(net.d, net.k, dtype=dtype),
                                 torch.nn.ReLU(),
                                 torch.nn.Linear(net.k, net.m, dtype=dtype))
    with torch.no_grad():
        for layer, weight, bias in ((module[0], net.V, net.b), (module[2], net.U, net.c)):
            layer.weight.copy_(torch.from_numpy(weight))
            layer.bias.copy_(torch.from_numpy(bias))
    return module


def _weights(linear, torch) -> tuple[np.ndarray, np.ndarray | None]:
    """``(weight, bias)`` of an ``nn.Linear`` as float64 arrays (bias None when the
    layer has none)."""
    params = [linear.weight] + ([] if linear.bias is None else [linear.bias])
    for p in params:
        if not p.dtype.is_floating_point:
            raise InvalidInputError(f"the Linear layers must have real floating-point "
                                    f"parameters, found {p.dtype}")
    arrays = [p.detach().to(device="cpu", dtype=torch.float64).numpy().copy()
              for p in params]
    return arrays[0], (arrays[1] if len(arrays) == 2 else None)
