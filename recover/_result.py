"""``RecoveryResult``: the typed outcome of :func:`recover.recover_network`.

In the mold of scipy's ``OptimizeResult`` and scikit-learn's fitted attributes: what
every caller reads is a documented attribute; what only some callers want (facet
counts, the noise check, the input basis of rank-deficient inputs …) stays in the
read-only mapping ``diagnostics``.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields

from ._network import TwoLayerNetwork

#: The attributes that used to be keys of ``diagnostics`` (readable there until the
#: release after next, with a DeprecationWarning).
_FORMER_KEYS = ("mode", "exact", "k", "residual", "attempts", "timings", "warnings",
                "standard_errors", "misspecified", "cause")


@dataclass
class RecoveryResult:
    """Outcome of :func:`recover.recover_network`.

    Attributes
    ----------
    network : TwoLayerNetwork
        The recovered network in canonical form.
    mode : {"exact", "noisy"}
        Which estimator produced it.
    exact : bool
        True only for an exact recovery that passed every check (residual at machine
        level, facet counts, ranks, activation pattern).
    k : int
        Number of hidden units of ``network``.
    residual : float
        Relative residual ``‖U f(VX + b 1ᵀ) + c 1ᵀ − Y‖_F / ‖Y‖_F``.
    message : str
        One sentence: what was done, whether it is verified, and any warning.
    attempts : list of dict
        Every attempt made: ``{"method": …, "failure": str or None}`` (None: success).
    timings : dict
        Seconds per step (``"span"``, ``"facets_cone"``, ``"solve"``, ``"fit"``,
        ``"standard_errors"``, ``"total"`` — those of the steps that ran).
    warnings : list of str
        The :class:`RelunetWarning` messages emitted for this result.
    standard_errors : dict or None
        Noisy mode: ``{"U": …, "V": …}`` (and ``"b"``, ``"c"`` with biases), arrays
        aligned with the canonical ``network``; None in exact mode, when too large to
        compute, or for inputs of rank < d.
    misspecified : bool or None
        True when the labels do not fit the model to their noise level; None when that
        could not be checked.
    cause : str or None
        The likely cause of a misfit (or of a unit the samples do not determine), with
        its evidence.
    diagnostics : Mapping
        The extras, read-only. Always: ``method``, ``n``, ``bias``, ``rank_tail``
        (σ_(k+1)/σ₁ of Y), ``rank_gap``, ``noiseless`` (the measured evidence that the
        labels carry no noise, or None), ``scale`` (the powers of two taken out of ``X``
        and ``Y``), ``causes`` (names of the likely causes, when any); the statistics of
        the facet search (``cone_stats`` or ``moments_stats``) and, for ``cone``,
        ``highs``: HiGHS's ``lp_seconds`` and ``simplex_iterations`` on its programs
        (not fixed by the seed, unlike ``cone_stats``). Exact mode:
        ``facet_counts``, ``rank_gaps``, ``hidden_residual``, ``sign_violation``,
        ``identifiable`` and, for activations whose weights are only determined up to a
        cone, ``cones`` (and ``scales`` for non-homogeneous ones). Noisy mode:
        ``snr_estimate_db``, ``noise_sigma_estimate``, ``noise_check`` (see
        :func:`recover._misfit.noise_check`), ``iterations``, ``converged``,
        ``pattern_changes``, ``start_stats``; ``exact_failure`` when "auto" tried the
        exact pipeline first. Inputs of rank < d: ``input_basis``, ``input_rank``,
        ``identifiable`` False. **Deprecated:** the attributes above can still be read
        as ``diagnostics["k"]`` etc. (with a DeprecationWarning) until the release after
        next; they are not listed by iteration.
    """

    network: TwoLayerNetwork
    mode: str
    exact: bool
    k: int
    residual: float
    message: str
    attempts: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    standard_errors: dict | None = None
    misspecified: bool | None = None
    cause: str | None = None
    diagnostics: Mapping = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.diagnostics, _Diagnostics):
            self.diagnostics = _Diagnostics(dict(self.diagnostics), self)

    def as_dict(self) -> dict:
        """Every attribute but ``network``, and the extras, in one flat dict (what the
        command line writes with ``--diagnostics``)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)
               if f.name not in ("network", "diagnostics")}
        return {**out, **self.diagnostics}

    @classmethod
    def from_record(cls, network: TwoLayerNetwork, record: dict) -> "RecoveryResult":
        """The result of a finished run: ``record`` holds the measurements under the
        names of the attributes and of the extras (the pipeline's log)."""
        extras = {key: value for key, value in record.items() if key not in _FORMER_KEYS}
        attrs = {key: record[key] for key in _FORMER_KEYS if key in record}
        attrs["exact"] = attrs.get("exact") is True
        return cls(network=network, message=_message(attrs, extras), diagnostics=extras,
                   **attrs)


def _message(attrs: dict, extras: dict) -> str:
    if attrs["exact"]:
        text = (f"exact recovery of k = {attrs['k']} units, verified: relative residual "
                f"{attrs['residual']:.1e} ({extras.get('method')}, "
                f"{len(attrs.get('attempts', []))} attempt(s))")
    else:
        snr_db = extras.get("snr_estimate_db", float("nan"))
        text = (f"noisy estimate of k = {attrs['k']} units, not exact: relative residual "
                f"{attrs['residual']:.2e}, estimated SNR {snr_db:.1f} dB")
    if attrs.get("warnings"):
        text += "; warning: " + "; ".join(attrs["warnings"])
    return text


class _Diagnostics(Mapping):
    """Read-only extras of a :class:`RecoveryResult`; the former keys (now attributes)
    are still readable, with a DeprecationWarning, but not listed."""

    def __init__(self, extras: dict, result: RecoveryResult):
        self._extras = extras  # private: the view has no way to change it
        self._result = result

    def __getitem__(self, key):
        if key in self._extras:
            return self._extras[key]
        if key in _FORMER_KEYS:
            warnings.warn(f"RecoveryResult.diagnostics[{key!r}] is deprecated; read the "
                          f"attribute RecoveryResult.{key}", DeprecationWarning,
                          stacklevel=2)
            return getattr(self._result, key)
        raise KeyError(key)

    def __contains__(self, key) -> bool:
        return key in self._extras

    def __iter__(self) -> Iterator:
        return iter(self._extras)

    def __len__(self) -> int:
        return len(self._extras)

    def __repr__(self) -> str:
        return f"diagnostics({dict(self._extras)!r})"
