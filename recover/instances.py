"""Planted instances: a random network, Gaussian inputs, and its labels.

``planted_instance(d, k, m, n)`` draws ``X`` with i.i.d. N(0,1) entries (d×n),
``U*`` (m×k) and ``V*`` (k×d) Gaussian, and ``Y = U* f(V* X) + E``. Options:

* ``integer=True``: ``X``, ``U*``, ``V*`` integer-valued (rounded scaled Gaussians), so
  ``Y`` is an exact integer matrix in float64 — an instance that exact certificates can
  prove (DESIGN §5).
* ``condition=κ``: ``V*`` with singular values spaced geometrically from 1 to 1/κ.
* ``correlation=ρ``: hidden units with pairwise cosine ≈ ρ (a shared direction mixed in).
* ``noise=σ``: i.i.d. mean-zero entries in ``E`` with standard deviation ``σ``, of the
  kind ``noise_kind`` (``"gaussian"``, ``"laplace"``, ``"uniform"``, ``"student_t3"``
  — Student t with 3 degrees of freedom, scaled to variance σ²).
* ``snr_db=s``: instead of ``noise``, choose σ so that the signal-to-noise ratio is
  ``s`` dB in expectation. **SNR** is ``‖U* f(V* X)‖_F / ‖E‖_F``; in decibels
  ``20 log₁₀ SNR``. So σ = ‖U* f(V* X)‖_F / (√(mn) · 10^(s/20)).

Everything is a deterministic function of ``seed``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from .activations import Activation, get_activation
from .errors import InvalidInputError, RelunetWarning
from .network import TwoLayerNetwork
from .validation import check_positive_int

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
        """The noiseless labels ``U* f(V* X)``."""
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
                     snr_db: float | None = None) -> PlantedInstance:
    """Draw a planted instance ``Y = U* f(V* X) + E`` (see module docstring).

    Returns a :class:`PlantedInstance` with ``.X`` (d×n), ``.Y`` (m×n), ``.network``.
    """
    d = check_positive_int(d, "d")
    k = check_positive_int(k, "k")
    m = check_positive_int(m, "m")
    n = check_positive_int(n, "n")
    if k > d:
        raise InvalidInputError(f"k = {k} hidden units need d >= k inputs for V* of full "
                                f"row rank; got d = {d}")
    if noise < 0 or not np.isfinite(noise):
        raise InvalidInputError(f"noise must be a finite standard deviation >= 0, got {noise}")
    if condition is not None and not condition >= 1:
        raise InvalidInputError(f"condition must be >= 1, got {condition}")
    if correlation is not None and not 0 <= correlation < 1:
        raise InvalidInputError(f"correlation must be in [0, 1), got {correlation}")
    if noise_kind not in NOISE_KINDS:
        raise InvalidInputError(f"noise_kind must be one of {sorted(NOISE_KINDS)}, "
                                f"got {noise_kind!r}")
    if snr_db is not None and (noise > 0 or not np.isfinite(snr_db)):
        raise InvalidInputError("give either noise (a standard deviation) or a finite "
                                "snr_db, not both")
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
    net = TwoLayerNetwork(U, V, act)
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
                  correlation=correlation)
    return PlantedInstance(X=X, Y=clean + E, network=net, E=E, seed=seed, params=params)


#: Mean-zero, unit-variance noise generators ``(rng, shape) -> array``.
NOISE_KINDS = {
    "gaussian": lambda rng, shape: rng.standard_normal(shape),
    "laplace": lambda rng, shape: rng.laplace(0.0, 1 / np.sqrt(2), shape),
    "uniform": lambda rng, shape: rng.uniform(-np.sqrt(3), np.sqrt(3), shape),
    "student_t3": lambda rng, shape: rng.standard_t(3, shape) / np.sqrt(3),
}


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
