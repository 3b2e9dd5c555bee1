"""Planted instances: a random network, Gaussian inputs, and its labels.

``planted_instance(d, k, m, n)`` draws ``X`` with i.i.d. N(0,1) entries (d×n),
``U*`` (m×k) and ``V*`` (k×d) Gaussian, and ``Y = U* f(V* X) + E``. Options:

* ``integer=True``: ``X``, ``U*``, ``V*`` integer-valued (rounded scaled Gaussians), so
  ``Y`` is an exact integer matrix in float64 — an instance that exact certificates can
  prove (see docs/certification.md).
* ``condition=κ``: ``V*`` with singular values spaced geometrically from 1 to 1/κ.
* ``correlation=ρ``: hidden units with pairwise cosine ≈ ρ (a shared direction mixed in).
* ``noise=σ``: i.i.d. mean-zero entries in ``E`` with standard deviation ``σ``, of the
  kind ``noise_kind`` (``"gaussian"``, ``"laplace"``, ``"uniform"``, ``"student_t3"``
  — Student t with 3 degrees of freedom, scaled to variance σ²).
* ``snr_db=s``: instead of ``noise``, choose σ so that the signal-to-noise ratio is
  ``s`` dB in expectation. **SNR** is ``‖U* f(V* X)‖_F / ‖E‖_F``; in decibels
  ``20 log₁₀ SNR``. So σ = ‖U* f(V* X)‖_F / (√(mn) · 10^(s/20)).
* ``bias_std=β``, ``output_bias_std=γ``: plant biases, ``Y = U* f(V* X + b 1ᵀ) + c 1ᵀ + E``
  with ``b`` ~ N(0, β²) per hidden unit and ``c`` ~ N(0, γ²) per output (rounded to
  integers when ``integer=True``). They are drawn from their own generator, derived
  from ``seed``, so every other array of a seeded instance is the same with or
  without biases, and the defaults (0: no biases) give exactly the bias-free instance.
  The labels with biases are then ``U* f(V* X + b 1ᵀ) + c 1ᵀ`` wherever
  ``U* f(V* X)`` is written above.

Everything is a deterministic function of ``seed``.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ._activations import Activation, get_activation
from ._errors import InvalidInputError, RelunetWarning
from ._network import TwoLayerNetwork
from ._validation import check_choice, check_positive_int, check_real, check_seed

#: Integer instances: ``X`` and ``U*`` entries are round(s·N(0,1)); ``V*`` is scaled so
#: that its largest entry is ``s`` in magnitude before rounding.
INTEGER_SCALE = {"X": 8.0, "U": 4.0, "V": 12.0}


@dataclass
class PlantedInstance:
    """A planted instance: data ``X`` (d×n), labels ``Y`` (m×n), and the truth."""

    X: np.ndarray
    Y: np.ndarray
    network: TwoLayerNetwork
    E: np.ndarray
    seed: int
    params: dict = field(default_factory=dict)

    @property
    def clean(self) -> np.ndarray:
        """The noiseless labels ``U* f(V* X + b 1ᵀ) + c 1ᵀ`` (``b = c = 0`` by default)."""
        return self.Y - self.E

    @property
    def snr(self) -> float:
        """Realised signal-to-noise ratio ``‖U* f(V* X)‖_F / ‖E‖_F`` (inf if noiseless)."""
        noise = np.linalg.norm(self.E)
        return float(np.linalg.norm(self.clean) / noise) if noise > 0 else float("inf")

    @property
    def snr_db(self) -> float:
        """The realised SNR in decibels, ``20 log₁₀ SNR``."""
        return float(20 * np.log10(self.snr))


def planted_instance(d: int, k: int, m: int, n: int, seed: int = 0, noise: float = 0.0,
                     activation: str | Activation = "relu", integer: bool = False,
                     condition: float | None = None,
                     correlation: float | None = None, noise_kind: str = "gaussian",
                     snr_db: float | None = None, bias_std: float = 0.0,
                     output_bias_std: float = 0.0) -> PlantedInstance:
    """Draw a planted instance ``Y = U* f(V* X + b 1ᵀ) + c 1ᵀ + E`` (see module
    docstring; ``b = c = 0`` unless ``bias_std`` or ``output_bias_std`` is positive).

    Returns a :class:`PlantedInstance` with ``.X`` (d×n), ``.Y`` (m×n), ``.network``
    (carrying ``b`` and ``c``).
    """
    d, k, m, n, seed, noise, condition, correlation, snr_db = _check_parameters(
        d, k, m, n, seed, noise, condition, correlation, noise_kind, snr_db, integer)
    bias_std = check_real(bias_std, "bias_std (a standard deviation)", minimum=0.0)
    output_bias_std = check_real(output_bias_std, "output_bias_std (a standard deviation)",
                                 minimum=0.0)
    act = get_activation(activation)
    rng = np.random.default_rng(seed)

    V = _hidden_weights(rng, k, d, condition, correlation)
    U = rng.standard_normal((m, k))
    X = rng.standard_normal((d, n))
    if integer:
        X = np.rint(INTEGER_SCALE["X"] * X)
        U = _nonzero_columns(np.rint(INTEGER_SCALE["U"] * U))
        V = np.rint(INTEGER_SCALE["V"] * V / np.abs(V).max())
        if np.linalg.matrix_rank(V) < k:  # rounding can (rarely) lose rank
            V = V + np.eye(k, d)
    b, c = _biases(seed, k, m, bias_std, output_bias_std, integer)
    net = TwoLayerNetwork(U, V, b=b, c=c, activation=act)
    clean = net(X)
    if integer and np.abs(clean).max() >= 2.0 ** 53:
        # float64 holds integers exactly only below 2^53 (high powers t^p get there)
        warnings.warn(f"integer labels reach {np.abs(clean).max():.3g} >= 2^53: float64 "
                      f"rounds them, so Y is not exactly U f(V X) and exact certificates "
                      f"will (rightly) fail", RelunetWarning, stacklevel=2)
    if snr_db is not None:
        noise = float(np.linalg.norm(clean) / np.sqrt(clean.size) / 10 ** (snr_db / 20))
    E = noise * NOISE_KINDS[noise_kind](rng, clean.shape) if noise > 0 else np.zeros_like(clean)
    params = dict(d=d, k=k, m=m, n=n, noise=noise, noise_kind=noise_kind, snr_db=snr_db,
                  activation=act.name, integer=integer, condition=condition,
                  correlation=correlation, bias_std=bias_std,
                  output_bias_std=output_bias_std)
    return PlantedInstance(X=X, Y=clean + E, network=net, E=E, seed=seed, params=params)


def _biases(seed: int, k: int, m: int, bias_std: float, output_bias_std: float,
            integer: bool) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``b`` (k) and ``c`` (m), or None for a zero standard deviation. Their own
    generator (``[seed, 2]``; ``[seed, 1]`` is :func:`misspecified_instance`'s) keeps
    the main random stream, hence every bias-free seeded instance, unchanged."""
    rng = np.random.default_rng([seed, 2])
    b = bias_std * rng.standard_normal(k) if bias_std > 0 else None
    c = output_bias_std * rng.standard_normal(m) if output_bias_std > 0 else None
    if integer:
        b, c = (None if v is None else np.rint(v) for v in (b, c))
    return b, c


#: Mean-zero, unit-variance noise generators ``(rng, shape) -> array``.
NOISE_KINDS = {
    "gaussian": lambda rng, shape: rng.standard_normal(shape),
    "laplace": lambda rng, shape: rng.laplace(0.0, 1 / np.sqrt(2), shape),
    "uniform": lambda rng, shape: rng.uniform(-np.sqrt(3), np.sqrt(3), shape),
    "student_t3": lambda rng, shape: rng.standard_t(3, shape) / np.sqrt(3),
}


def _check_parameters(d, k, m, n, seed, noise, condition, correlation, noise_kind, snr_db,
                      integer):
    """Every parameter of :func:`planted_instance` at the door (one clear message)."""
    d, k, m, n = (check_positive_int(v, name) for v, name in
                  ((d, "d"), (k, "k"), (m, "m"), (n, "n")))
    seed = check_seed(seed)
    if k > d:
        raise InvalidInputError(f"k = {k} hidden units need d >= k inputs for V* of full "
                                f"row rank; got d = {d}")
    noise = check_real(noise, "noise (a standard deviation)", minimum=0.0)
    if condition is not None:
        condition = check_real(condition, "condition", minimum=1.0)
    if correlation is not None:
        correlation = check_real(correlation, "correlation", minimum=0.0, below=1.0)
    check_choice(noise_kind, "noise_kind", sorted(NOISE_KINDS))
    if snr_db is not None:
        if noise > 0:
            raise InvalidInputError("give either noise (a standard deviation) or a finite "
                                    "snr_db, not both")
        snr_db = check_real(snr_db, "snr_db (give either noise or a finite snr_db, "
                                    "not both)")
    if not isinstance(integer, (bool, np.bool_)):
        raise InvalidInputError(f"integer must be True or False, got {integer!r}")
    return d, k, m, n, seed, noise, condition, correlation, snr_db


#: The misspecifications :func:`misspecified_instance` plants.
MISSPECIFICATIONS = ("hidden_bias", "output_bias", "biases", "fewer_outputs",
                     "positive_inputs", "rank_deficient_inputs", "zero_input_row",
                     "dead_unit")


def misspecified_instance(kind: str, d: int = 10, k: int = 5, m: int = 8, n: int = 1000,
                          seed: int = 0) -> PlantedInstance:
    """Noiseless labels that break one assumption of the model ``Y = U f(V X)`` (ReLU).

    ``kind`` is one of :data:`MISSPECIFICATIONS`:

    * ``"hidden_bias"``: ``Y = U f(V X + b 1ᵀ)``, ``b`` ~ N(0, 1) per unit;
    * ``"output_bias"``: ``Y = U f(V X) + c 1ᵀ``, ``c`` ~ N(0, 1) per output;
    * ``"biases"``: both;
    * ``"fewer_outputs"``: ``m`` is taken as ``min(m, k - 2)`` (at least 1): fewer
      outputs than hidden units;
    * ``"positive_inputs"``: ``X`` uniform on ``[0, 1]`` (all samples in a half-space);
    * ``"rank_deficient_inputs"``: the last row of ``X`` is the sum of the first two;
    * ``"zero_input_row"``: the last row of ``X`` is zero;
    * ``"dead_unit"``: ``X`` uniform on ``[0, 1]`` and unit 0 has only negative weights,
      so it is active on no sample.

    ``.network`` is the truth without biases (what recovery is asked to find);
    ``params`` holds ``b`` and ``c`` (None when absent) and ``misspecification``. The
    labels are computed by the network with those biases. Deterministic in ``seed``.
    """
    check_choice(kind, "kind", MISSPECIFICATIONS)
    if kind == "fewer_outputs":
        m = max(1, min(m, k - 2))
    inst = planted_instance(d, k, m, n, seed=seed)
    rng = np.random.default_rng([inst.seed, 1])
    X, net = inst.X, inst.network
    b = rng.standard_normal((k, 1)) if kind in ("hidden_bias", "biases") else None
    c = rng.standard_normal((net.m, 1)) if kind in ("output_bias", "biases") else None
    if kind in ("positive_inputs", "dead_unit"):
        X = rng.uniform(0.0, 1.0, X.shape)
    elif kind == "rank_deficient_inputs":
        X = X.copy()
        X[-1] = X[0] + X[1]
    elif kind == "zero_input_row":
        X = X.copy()
        X[-1] = 0.0
    if kind == "dead_unit":
        V = net.V.copy()
        V[0] = -np.abs(V[0])
        net = TwoLayerNetwork(net.U, V, net.activation)
    Y = TwoLayerNetwork(net.U, net.V, b=b, c=c, activation=net.activation)(X)
    params = {**inst.params, "m": net.m, "misspecification": kind,
              "b": None if b is None else b.ravel(), "c": None if c is None else c.ravel()}
    return PlantedInstance(X=X, Y=Y, network=net, E=np.zeros_like(Y), seed=inst.seed,
                           params=params)


def _hidden_weights(rng, k, d, condition, correlation) -> np.ndarray:
    V = rng.standard_normal((k, d))
    if correlation:
        shared = rng.standard_normal(d)
        Vn = V / np.linalg.norm(V, axis=1, keepdims=True) * np.sqrt(d)
        V = np.sqrt(correlation) * shared[None, :] + np.sqrt(1 - correlation) * Vn
    if condition is not None and condition > 1:
        left, _, right = np.linalg.svd(V, full_matrices=False)
        s = np.geomspace(1.0, 1.0 / condition, k) * np.sqrt(d)
        V = (left * s) @ right
    return V


def _nonzero_columns(U: np.ndarray) -> np.ndarray:
    # A zero column would make a hidden unit invisible; nudge it to +1.
    for i in np.flatnonzero(~U.any(axis=0)):
        U[0, i] = 1.0
    return U
