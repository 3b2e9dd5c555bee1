"""Time, slack and sensitivity of ``verify.certify_float`` (the record of
docs/float_certificate.md's "Measured" section).

For each activation, one network at ``(d, k, m, n) = (20, 10, 15, 2000)`` with Gaussian
weights, biases and data and its honest labels ``net(X)`` (numpy, float64):

* the time of ``certify_float`` (``--repeats`` runs, wall-clock on a shared machine) and
  its max ratio ``|Y − net(X)| / B`` (how far below the bound numpy's own error stays);
* the smallest relative change of ``U[0, 0]`` that makes the certificate fail, found by
  bisection on a log scale (the certificate holds at 0 and fails at ``1e-10``; each
  probe is one ``certify_float``), to ``--bisections`` halvings of the log interval.

Then a scikit-learn ``MLPRegressor(hidden_layer_sizes=(10,))`` trained for 50 iterations
on 2000 samples of 20 Gaussian features and 15 targets: its ``predict`` labels certified,
and the same with one first-layer weight changed by a relative ``1e-12``.

    OPENBLAS_NUM_THREADS=1 python -m benchmarks.float_certificate --record benchmarks/records/docs
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from recover import TwoLayerNetwork
from verify import certify_float

from .records import write_record

SHAPE = (20, 10, 15, 2000)
ACTIVATIONS = ["relu", "relu2", "log(1+t)", "1-exp(-t)", "tanh(t)"]
#: Relative change of ``U[0, 0]`` known to be detected (the bisection's upper end).
DETECTED = 1e-10


def _network(activation: str, seed: int = 0) -> tuple[TwoLayerNetwork, np.ndarray]:
    d, k, m, n = SHAPE
    rng = np.random.default_rng(seed)
    net = TwoLayerNetwork(rng.standard_normal((m, k)), rng.standard_normal((k, d)),
                          b=rng.standard_normal(k), c=rng.standard_normal(m),
                          activation=activation)
    return net, rng.standard_normal((d, n))


def _changed(net: TwoLayerNetwork, relative: float) -> TwoLayerNetwork:
    U = net.U.copy()
    U[0, 0] *= 1 + relative
    return TwoLayerNetwork(U, net.V, b=net.b, c=net.c, activation=net.activation)


def smallest_detected(net: TwoLayerNetwork, X, Y, bisections: int) -> float:
    """The smallest relative change of ``U[0, 0]`` found to fail, to within a factor
    ``DETECTED / 1e-17`` ** (2 ** -bisections) (bisection on log10 of the change)."""
    low, high = -17.0, np.log10(DETECTED)
    assert not certify_float(_changed(net, DETECTED), X, Y).holds
    for _ in range(bisections):
        mid = (low + high) / 2
        if certify_float(_changed(net, 10 ** mid), X, Y).holds:
            low = mid
        else:
            high = mid
    return 10 ** high


def one_activation(activation: str, repeats: int, bisections: int) -> dict:
    net, X = _network(activation)
    Y = net(X)
    seconds, cert = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        cert = certify_float(net, X, Y)
        seconds.append(time.perf_counter() - start)
    return {"activation": activation, "holds": cert.holds, "max_ratio": cert.max_ratio,
            "seconds": seconds,
            "smallest_detected": smallest_detected(net, X, Y, bisections)}


def sklearn_model() -> dict:
    """A trained MLPRegressor's predictions certified, and with one weight changed."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    rng = np.random.default_rng(1)
    data = rng.standard_normal((2000, 20))
    targets = np.tanh(data @ rng.standard_normal((20, 15))) + 0.1 * rng.standard_normal((2000, 15))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = MLPRegressor(hidden_layer_sizes=(10,), max_iter=50, random_state=0)
        reg.fit(data, targets)
    net = TwoLayerNetwork(reg.coefs_[1].T, reg.coefs_[0].T, b=reg.intercepts_[0],
                          c=reg.intercepts_[1])
    X, Y = data.T, reg.predict(data).reshape(len(data), -1).T
    start = time.perf_counter()
    cert = certify_float(net, X, Y)
    seconds = time.perf_counter() - start
    V = net.V.copy()
    V[0, 0] *= 1 + 1e-12
    changed = certify_float(TwoLayerNetwork(net.U, V, b=net.b, c=net.c), X, Y)
    import sklearn
    return {"sklearn": sklearn.__version__, "samples": 2000, "features": 20, "targets": 15,
            "hidden": 10, "max_iter": 50, "holds": cert.holds, "max_ratio": cert.max_ratio,
            "seconds": seconds, "changed_relative": 1e-12, "changed_holds": changed.holds}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.float_certificate")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bisections", type=int, default=14)
    parser.add_argument("--record", default=None, metavar="DIR",
                        help="write DIR/float_certificate.json")
    args = parser.parse_args(argv)
    start, runs = time.perf_counter(), []
    for activation in ACTIVATIONS:
        runs.append(one_activation(activation, args.repeats, args.bisections))
        r = runs[-1]
        print(f"{activation:10s} holds {r['holds']} max ratio {r['max_ratio']:.3g} "
              f"{min(r['seconds']):.2f}–{max(r['seconds']):.2f} s, smallest detected "
              f"{r['smallest_detected']:.2g}", flush=True)
    model = sklearn_model()
    print(f"MLPRegressor: holds {model['holds']} (max ratio {model['max_ratio']:.2g}, "
          f"{model['seconds']:.2f} s); with a weight off by 1e-12: {model['changed_holds']}")
    if args.record:
        write_record(args.record, {
            "suite": "float_certificate", "scale": "full",
            "params": {"shape": SHAPE, "repeats": args.repeats, "bisections": args.bisections,
                       "detected": DETECTED,
                       "command": f"python -m benchmarks.float_certificate --repeats "
                                  f"{args.repeats} --bisections {args.bisections}",
                       "timing": "wall-clock seconds, one core of a shared 2-core machine"},
            "runs": runs, "summary": {"sklearn": model},
            "wall_seconds": time.perf_counter() - start})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
