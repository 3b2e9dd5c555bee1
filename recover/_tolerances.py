"""Every tolerance and iteration budget of the algorithms, in one frozen object.

:class:`Tolerances` holds them as fields, each with its default and the reason for it
(``Tolerances.why(name)``; the table in docs/tolerances.md is generated from the same
text and a test keeps the two equal). :func:`recover.recover_network` and
:func:`verify.certify` take ``tol=Tolerances(...)``; ``None`` means the defaults::

    from recover import Tolerances, recover_network
    res = recover_network(X, Y, tol=Tolerances(residual_rtol=1e-12))

How the steps read them: the entry points activate ``tol`` for the duration of the
call (:func:`using`, a :mod:`contextvars` variable — thread- and asyncio-safe, in the
manner of ``numpy.errstate`` or ``decimal.localcontext``) and each step reads
:func:`current` where it needs a value. The alternative, a ``tol`` argument on some
fifty internal functions, would thread one object through every signature for no gain
in clarity; the lower-level functions (``recover._cone.cone_facets`` …) follow
``with using(tol):`` as well.

Relative tolerances (``*_rtol``) are fractions of the natural scale named in their
reason (``‖w‖ ‖z‖`` of a sample, ``σ₁`` of a matrix, ``‖Y‖`` …). All values are checked
when the object is built: a negative, NaN or non-numeric value, or a count that is not
a positive integer, raises :class:`InvalidInputError`.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``:
``Tolerances``, ``current_tolerances``, ``using_tolerances``, ``check_tolerances``).
"""

from __future__ import annotations

import contextlib
import math
import numbers
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from typing import Iterator

from ._errors import InvalidInputError

#: Kinds of field, and the values each admits.
_KINDS = {
    "rtol": "a real number in (0, 1)",
    "positive": "a positive real number",
    "real": "a finite real number",
    "count": "a positive integer",
    "count0": "a non-negative integer",
}


def _f(default, kind: str, why: str):
    """A field with its kind (checked in ``__post_init__``) and its one-line reason."""
    return field(default=default, metadata={"kind": kind, "why": why})


@dataclass(frozen=True)
class Tolerances:
    """Tolerances and iteration budgets of recovery and certification (frozen).

    Build one with the fields to change, e.g. ``Tolerances(residual_rtol=1e-12)``, or
    derive one with :func:`dataclasses.replace`. Each field's reason is
    ``Tolerances.why(name)``; docs/tolerances.md lists them all with their defaults.
    Raises :class:`InvalidInputError` for a value of the wrong type or range.
    """

    # --- label span (recover._span) ----------------------------------------------------
    rank_rtol: float = _f(1e-9, "rtol",
       "singular values of Y below this times σ₁ count as zero when k is read off the "
       "labels; noiseless float64 labels leave ~1e-15, so this is a million times "
       "rounding")
    noise_edge_margin: float = _f(1.1, "positive",
       "noisy labels: singular values more than this factor above the Marchenko–Pastur "
       "upper noise edge (estimated from the smallest singular value) count as signal")
    # --- acceptance of an exact recovery (recover._recovery) ---------------------------
    realizable_rtol: float = _f(1e-9, "rtol",
       "σ_(k+1)/σ₁ of Y above this: labels not exactly of rank k, so the exact pipeline "
       "is not tried")
    residual_rtol: float = _f(1e-10, "rtol",
       "relative residual ‖U f(VX) − Y‖/‖Y‖ (and hidden-unit residual, sign violation) "
       "accepted as machine level: a verified exact recovery")
    # --- noisy estimates (recover._recovery, recover._noisy) ----------------------------
    meaningful_snr_db: float = _f(0.0, "real",
       "below this estimated SNR (dB) a noisy estimate warns that its weights are not "
       "meaningful (noise as strong as the signal)")
    meaningful_se: float = _f(0.2, "positive",
       "above this median standard error of the unit rows of V a noisy estimate warns "
       "that its weights are not meaningful")
    noisy_restarts: int = _f(2, "count0",
       "extra robust starts (fresh seeds) when a noisy fit fails the noise check: a wrong"
       " local minimum fails it too, and a new start usually escapes")
    noisy_retry_ratio: float = _f(10.0, "positive",
       "fresh starts and extra units are tried only below this residual/noise F ratio: a "
       "wrong local minimum gave F ≤ 5 on the planted grid, misspecified labels F in the "
       "hundreds")
    noisy_extra_units: int = _f(2, "count0",
       "units beyond the noise-edge count tried when k is read off noisy labels and the "
       "fit fails the noise check (a unit just under the edge)")
    noisy_start_attempts: int = _f(3, "count",
       "robust starts (fresh seeds) tried before a noisy fit gives up")
    deflation_rounds: int = _f(4, "count",
       "rounds of the noisy start that refit the residual for units not found yet")
    same_facet_cos: float = _f(0.98, "rtol",
       "two noisy facet normals with |cos| above this are the same facet")
    same_facet_share: float = _f(0.6, "rtol",
       "two noisy candidate normals whose nearest samples share more than this fraction "
       "fit the same facet (distinct facets share about a quarter)")
    trimmed_fit_iterations: int = _f(20, "count",
       "rounds of the trimmed hyperplane fit of the noisy start (it stops earlier when "
       "the kept samples no longer change)")
    nearby_samples_per_unit: int = _f(5, "count",
       "samples per unit the one-sided trimmed fit keeps when it looks for a true facet "
       "near a rejected vertex (recover._facets.nearby_facet); 4 to 8 rescued 13 to 17 of "
       "25 at k = 250, n = 20000, 3 and 20 only 8")
    nearby_iterations: int = _f(100, "count0",
       "rounds of that fit (it stops earlier once it has settled on a populated "
       "hyperplane, or its samples no longer change); 0 turns the search near rejected "
       "vertices off")
    # --- facet search by linear programming (recover._cone) ----------------------------
    violation_rtol: float = _f(1e-9, "rtol",
       "a sample violates w·z ≥ 0 in constraint generation when w·z < −this ‖w‖ ‖z‖ "
       "(relative, so the test does not depend on the scale of w or z)")
    lp_rounds: int = _f(50, "count",
       "constraint-generation rounds of one facet program before it counts as failed (2–3"
       " are typical)")
    lp_box: float = _f(1e8, "positive",
       "box |w_i| ≤ this/‖r‖ that keeps early restricted programs bounded; an optimum on "
       "the box is no facet and the exact step rejects it")
    initial_per_unit: int = _f(4, "count",
       "constraints per unit in the first restricted program; more are added as violated")
    programs_per_unit: int = _f(4, "count",
       "budget of facet programs: this many per unit …")
    programs_extra: int = _f(20, "count0",
       "… plus this many (k to 1.5k programs are typical)")
    stall: int = _f(5, "count",
       "after this many programs in a row with no new facet, search inside the facets "
       "found before more anchors")
    edge_sweeps: int = _f(2, "count0",
       "searches inside the facets found allowed in one run")
    edge_bases: int = _f(4, "count",
       "facets searched in each such sweep (those most often returned again first: they "
       "dominate the unit not yet found)")
    edge_programs_per_facet: int = _f(2, "count", "programs inside each facet searched")
    edge_rtol: float = _f(1e-7, "rtol",
       "a sample lies on an edge found inside a facet when |w·z| ≤ this ‖z‖ (the edge's "
       "normal comes from an LP, looser than an exact facet)")
    edge_base_rtol: float = _f(1e-9, "rtol",
       "a sample lies on the base facet an edge was found in when |w_base·z| ≤ this ‖z‖ "
       "(the base normal is an exact facet's)")
    edge_angle_rtol: float = _f(1e-7, "rtol",
       "angles (radians) closer than this are one cluster when the missing facet is "
       "rotated out of an edge")
    degenerate_direction: float = _f(1e-6, "rtol",
       "a null-space direction shorter than this after removing the base normal is that "
       "normal, and the other one is used")
    subsample_rounds: int = _f(3, "count0",
       "repeats of a stalled search on a random subsample (another cone, another "
       "dominance order)")
    subsample_per_unit: int = _f(40, "count", "samples per unit in that subsample")
    subsample_programs_per_unit: int = _f(2, "count",
       "program budget per unit of a subsample search")
    sparse_factor: float = _f(16.0, "positive",
       "a facet must hold at least 1/this of the samples of the most populated one: "
       "spurious supporting hyperplanes (repeated points of a step) can hold many")
    anchor_jitter: float = _f(1e-9, "rtol",
       "random tie-break added to anchor scores (cosines), far below any real difference "
       "between samples")
    # --- the exact step on a facet (recover._facets, recover._lift) ---------------------
    on_facet_rtol: float = _f(1e-10, "rtol",
       "a sample is on a hyperplane when |w·z| ≤ this ‖w‖ ‖z‖: about 5·10⁵ ulp, room for "
       "the rounding of w·z and far below the distance of a generic off-facet sample")
    gather_rtol: float = _f(1e-7, "rtol",
       "looser band that gathers candidate samples before the exact null-space solve "
       "(tightened geometrically to on_facet_rtol)")
    rank_gap_min: float = _f(1e-8, "rtol",
       "Z on a facet has rank k−1 when σ_(k−1)/σ₁ exceeds this (and σ_k/σ₁ is at rounding"
       " level)")
    svd_columns_per_unit: int = _f(8, "count",
       "columns per unit of Z on a facet used for its null-space solve (all of them when "
       "fewer, or when they do not show rank k−1)")
    same_normal_rtol: float = _f(1e-8, "rtol",
       "two verified facets are one when their unit normals have |cos| > 1 − this")
    informative_rtol: float = _f(1e-12, "rtol",
       "a sample whose reduced label has norm below this times the largest is zero (every"
       " unit inactive) and says nothing")
    affine_rtol: float = _f(1e-9, "rtol",
       "with biases, [X; 1ᵀ] of σ_min/σ_max below this has every sample on one affine "
       "hyperplane; also the cosine gap 1 − cos below which the label and input row "
       "spaces meet (a unit active on every sample)")
    # --- hidden and output weights (recover._solve, recover._weight_cones) --------------
    weight_floor: float = _f(1e-12, "rtol",
       "equations weighted below this fraction of the largest weight g'(h) are dropped "
       "(saturated samples: g⁻¹ of their value carries no information)")
    subsample_per_dim: int = _f(2, "count",
       "active samples per input dimension in the first, subsampled fit of a hidden unit")
    subsample_rtol: float = _f(1e-11, "rtol",
       "the subsampled fit is kept when its residual on every active sample is below this"
       " (ten times under residual_rtol)")
    scale_xatol: float = _f(1e-12, "rtol",
       "absolute tolerance (in log scale) of the bounded scalar search for a non-"
       "homogeneous unit's scale, before Gauss–Newton polishes it")
    scale_polish_steps: int = _f(8, "count",
       "Gauss–Newton steps on log c that polish that scale to machine precision (each "
       "kept only if it lowers the residual)")
    cone_fit_rtol: float = _f(1e-13, "rtol",
       "a non-injective unit's fit in its weight cone with relative residual at or below "
       "this stops the search over starting norms")
    # --- Levenberg–Marquardt refinement (recover._refine) ------------------------------
    lm_max_iterations: int = _f(100, "count",
       "accepted Levenberg–Marquardt steps before the refinement stops")
    lm_rtol: float = _f(1e-12, "rtol",
       "the refinement has converged when a step improves the loss by less than this, "
       "relative")
    lm_initial_damping: float = _f(1e-3, "positive",
       "initial damping λ (relative to the diagonal of JᵀJ): close to Gauss–Newton from a"
       " good start")
    lm_damping_floor: float = _f(1e-12, "rtol",
       "zero diagonal entries of JᵀJ (a unit inactive on every sample) are damped by this"
       " times the largest, so the step stays defined")
    lm_damping_up: float = _f(4.0, "positive",
       "factor on λ after a step that increases the loss")
    lm_damping_down: float = _f(3.0, "positive",
       "divisor of λ after an accepted step")
    lm_max_damping: float = _f(1e12, "positive",
       "λ above this: no step lowered the loss, and the refinement stops at the current "
       "point")
    lm_min_damping: float = _f(1e-12, "positive", "λ is never decreased below this")
    # --- numerical inverse of an activation (recover._activations) ---------------------
    inverse_bracket_doublings: int = _f(1020, "count",
       "doublings that widen the bracket [0, 1] of g⁻¹(y) upward: 1020 reach 2^1020, near"
       " the largest float64")
    inverse_bisections: int = _f(200, "count",
       "bisection steps of g⁻¹(y); the loop stops earlier once the bracket is 4 ulp wide")
    # --- diagnosis of misfits (recover._misfit) ----------------------------------------
    noise_z: float = _f(5.0, "positive",
       "z-score of the noise check (one-sided normal tail ≈ 3e-7)")
    noise_min_ratio: float = _f(1.25, "positive",
       "the noise check never accepts less than this residual/noise F ratio as consistent"
       " (the F approximation ignores the fit's bias at low SNR)")
    residual_explained_factor: float = _f(10.0, "positive",
       "a noisy fit's residual is flagged when least squares on [X; 1ᵀ] explains more than"
       " this many times the (d+1)/n share that noise independent of X gives")
    residual_explained_min: float = _f(0.1, "rtol",
       "... and more than this share of the residual's energy (an effect size: large n makes"
       " tiny, harmless correlations of the fit error significant)")
    exact_fit_rtol: float = _f(1e-9, "rtol",
       "relative residual below which an extended model (biases, more units) fits the "
       "labels exactly")
    misfit_rtol: float = _f(1e-6, "rtol",
       "… and above which the plain model does not fit: both together name a cause")
    active_rtol: float = _f(1e-9, "rtol",
       "a unit's activation above this times its largest counts as active when a cause is"
       " diagnosed")
    repeats_for_noiseless: int = _f(3, "count",
       "at least this many samples sharing one label vector prove the labels noiseless")
    halfspace_batch: int = _f(2000, "count",
       "samples per round of constraint generation in the half-space test of the inputs")
    # --- certification (verify._certify, verify._precision) -----------------------------
    hypothesis_rtol: float = _f(1e-9, "rtol",
       "preactivations with |V_i x_j + b_i| ≤ this (|V_i| |x_j| + |b_i|) are left out of "
       "the activation pattern taken from the float candidate")
    candidate_rtol_relu: float = _f(1e-14, "rtol",
       "default largest per-unit relative error of a float ReLU candidate against the "
       "certified network (≈ 45 ulp; recoveries land within a few 1e-15)")
    candidate_rtol_relu_bias: float = _f(1e-13, "rtol",
       "the same with biases: the lifted solve and the output bias add rounding (per-unit"
       " errors up to 1.3e-14 measured)")
    candidate_rtol_other: float = _f(1e-10, "rtol",
       "the same for other activations, whose float recovery inverts f iteratively and "
       "loses a few digits (near saturation of 1 − e^(−t))")
    guard_digits: int = _f(5, "count",
       "digits of the precision path kept back from the claims: a solution at `digits` "
       "working digits is claimed to digits − this")

    def __post_init__(self) -> None:
        for f in fields(self):
            _check(f.name, getattr(self, f.name), f.metadata["kind"])

    @classmethod
    def why(cls, name: str) -> str:
        """The one-line reason for field ``name`` (KeyError for an unknown name)."""
        for f in fields(cls):
            if f.name == name:
                return f.metadata["why"]
        raise KeyError(name)


def _check(name: str, value, kind: str) -> None:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok and kind.startswith("count"):
        ok = isinstance(value, numbers.Integral) and value >= (kind == "count")
    elif ok:
        ok = math.isfinite(value) and (kind == "real" or value > 0) and \
            (kind != "rtol" or value < 1)
    if not ok:
        raise InvalidInputError(f"Tolerances.{name} must be {_KINDS[kind]}, got {value!r}")


DEFAULT = Tolerances()
_ACTIVE: ContextVar[Tolerances] = ContextVar("relunet_tolerances", default=DEFAULT)


def checked(tol) -> Tolerances:
    """``tol`` as a :class:`Tolerances`: None gives the defaults; anything else but a
    Tolerances raises :class:`InvalidInputError` (the door of the entry points)."""
    if tol is None:
        return DEFAULT
    if not isinstance(tol, Tolerances):
        raise InvalidInputError(f"tol must be a recover.Tolerances or None, got "
                                f"{type(tol).__name__}")
    return tol


def current() -> Tolerances:
    """The tolerances in force: those of the innermost :func:`using`, else the
    defaults."""
    return _ACTIVE.get()


@contextlib.contextmanager
def using(tol: Tolerances | None) -> Iterator[Tolerances]:
    """Put ``tol`` (checked; None: keep those in force) in force for the block."""
    if tol is None:
        yield current()
        return
    token = _ACTIVE.set(checked(tol))
    try:
        yield tol
    finally:
        _ACTIVE.reset(token)


def markdown_table() -> str:
    """The table of docs/tolerances.md: name, default and reason of every field."""
    rows = ["| name | default | why |", "|---|---|---|"]
    for f in fields(Tolerances):
        why = f.metadata["why"].replace("|", "\\|")  # a bar inside a cell ends it
        rows.append(f"| `{f.name}` | `{f.default!r}` | {why} |")
    return "\n".join(rows) + "\n"
