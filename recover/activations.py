"""Rectified activations ``f``: ``f(t) = 0`` for ``t <= 0`` and ``f(t) > 0`` for ``t > 0``.

An :class:`Activation` knows how to evaluate itself on float arrays and on exact
(object-dtype, e.g. :class:`fractions.Fraction`) arrays, its degree of positive
homogeneity ``p`` (``f(λt) = λ^p f(t)`` for ``λ > 0``), which fixes the rescaling symmetry
``V_i → λ V_i``, ``U_{:,i} → λ^{-p} U_{:,i}`` of a network, and how to invert itself on
``(0, ∞)``.

Activations are named by strings (``"relu"``) or passed as :class:`Activation`
instances; :func:`get_activation` resolves both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import InvalidInputError


@dataclass(frozen=True)
class Activation:
    """A rectified activation.

    Attributes
    ----------
    name : str
        Canonical name, used in files and reports.
    positive_part : callable
        ``g`` with ``f(t) = g(t)`` for ``t > 0``; applied to float arrays.
    inverse : callable or None
        ``g^{-1}`` on ``(0, ∞)`` when ``g`` is injective there, else ``None``.
    degree : float or None
        Degree of positive homogeneity, or ``None`` if ``f`` is not homogeneous.
    exact_positive_part : callable or None
        ``g`` on exact scalars (``Fraction``) when ``g`` maps rationals to rationals.
    """

    name: str
    positive_part: Callable[[np.ndarray], np.ndarray]
    inverse: Callable[[np.ndarray], np.ndarray] | None
    degree: float | None
    exact_positive_part: Callable | None = None

    def __call__(self, t):
        """Evaluate ``f`` entrywise. Float input → float64; object input stays exact."""
        t = np.asarray(t)
        if t.dtype == object:
            if self.exact_positive_part is None:
                raise InvalidInputError(
                    f"activation {self.name!r} has no exact evaluation on rationals")
            g = self.exact_positive_part
            return np.vectorize(lambda s: g(s) if s > 0 else 0 * s, otypes=[object])(t)
        t = np.asarray(t, dtype=float)
        out = np.zeros_like(t)
        pos = t > 0
        out[pos] = self.positive_part(t[pos])
        return out

    @property
    def homogeneous(self) -> bool:
        return self.degree is not None

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


RELU = Activation(
    name="relu",
    positive_part=lambda t: t,
    inverse=lambda y: y,
    degree=1.0,
    exact_positive_part=lambda s: s,
)

_REGISTRY: dict[str, Activation] = {"relu": RELU}


def get_activation(activation: str | Activation) -> Activation:
    """Resolve an activation given by name or as an :class:`Activation`."""
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        key = activation.strip().lower()
        if key in _REGISTRY:
            return _REGISTRY[key]
        raise InvalidInputError(
            f"unknown activation {activation!r}; known: {sorted(_REGISTRY)}")
    raise InvalidInputError(
        f"activation must be a name or an Activation, not {type(activation).__name__}")
