"""Why labels fall outside the model ``Y = U f(V X)``: measured evidence, not guesses.

Two questions are answered here.

**Is the misfit noise?** (:func:`noise_check`). For ``m > k`` the trailing singular
values of ``Y`` measure the noise: a network's output ``U f(VX)`` has rank ≤ k, so the
residual splits into the *tail* ``T = Σ_{i>k} σ_i²`` (the part of ``Y`` outside its best
rank-k subspace, which no rank-k fit can reach) and the *excess* ``RSS − T ≥ 0`` (what
the network misses inside it). Under i.i.d. mean-zero noise of variance σ² and a
well-specified model, ``T ≈ σ² (m−k)(n−k)`` and ``RSS ≈ σ² (mn − p)`` with ``p`` the
free parameters (``mk + kd``, less ``k`` for a homogeneous ``f``), so

    F = [(RSS − T) / df₁] / [T / df₂],   df₁ = mn − p − df₂,   df₂ = (m−k)(n−k)

is a ratio of two independent estimates of σ² — Fisher's F with (df₁, df₂) degrees of
freedom for Gaussian noise, mean ≈ 1. Each mean of squares has relative variance
``(κ−1)/df`` for noise of kurtosis κ (2/df for Gaussian noise), so F exceeds

    1 + z √((κ̂ − 1)(1/df₁ + 1/df₂)),    z = Tolerances.noise_z = 5

with probability about 3e-7 under the model (normal approximation; κ̂ is the sample
kurtosis of the residual entries, never taken below 3, so uniform noise is judged as
Gaussian and heavy-tailed noise gets the wider band it needs). The band is never
narrower than ``noise_min_ratio`` = 1.25: the F approximation ignores that at low SNR
the top-k subspace absorbs a little noise (Marchenko–Pastur) and that the model is only
locally linear; on the planted grid (0–40 dB; Gaussian, Laplace, uniform, Student-t₃
noise) right-k fits of the right network reached F = 1.08 under Gaussian noise and 1.45
under Student-t₃ noise, inside their bands (docs/noisy.md). A fit above the band explains
the labels worse than the noise the labels themselves reveal: misspecified (or stuck in
a wrong local minimum).

**Which misspecification?** (:func:`diagnose`). Cheap tests, each sound on its own:

* ``rank_deficient_inputs`` — ``X`` has numerical rank < d (:func:`input_rank`).
* ``k_too_small`` — noiseless labels of exact rank ``r > k`` (``k`` given).
* ``hidden_bias`` — with all facets found, each unit's activations satisfy
  ``V_i x + b_i = f⁻¹(F_i)`` exactly with an intercept but not without one.
* ``output_bias`` — the labels are exactly the activations of the facets found plus a
  constant vector (``Z = B [F; 1]``), and not without the constant.
* ``halfspace_inputs`` — every sample lies in one open half-space (one LP), so a unit
  can be active on every sample (linear on the data, no facet) or on none; decisive
  when the labels are exactly the facets found plus a linear function of ``X``.
* ``fewer_outputs`` — noiseless labels of full row rank ``m`` with ``k`` read as ``m``:
  more hidden units than outputs (``m < k``) give exactly that.
* ``degenerate_units`` — a fitted unit active on no sample or on all of them.

Causes are ranked: decisive ones (an exact fit of the extended model) first.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from ._activations import Activation
from ._highs import add_dense_rows, silent_highs
from ._span import LabelSpan, left_singular, matrix_rank, numerical_rank
from ._tolerances import current

# Tolerances (recover._tolerances): noise_z, noise_min_ratio (the noise check);
# exact_fit_rtol, misfit_rtol (an extended model fits exactly where the plain one does
# not); repeats_for_noiseless; halfspace_batch; active_rtol.

CAUSES = {
    "rank_deficient_inputs": "X of rank below d",
    "k_too_small": "k below the number of hidden units",
    "hidden_bias": "hidden biases (y = U f(V x + b); fit them with bias=True, CLI --bias)",
    "output_bias": "an output bias (y = U f(V x) + c; fit it with bias=True, CLI --bias)",
    "halfspace_inputs": "inputs all in one half-space (a unit active on every sample "
                        "or on none)",
    "fewer_outputs": "fewer outputs than hidden units (m < k)",
    "degenerate_units": "fitted units active on no sample or on every sample",
    "residual_follows_inputs": "a residual that the inputs predict (units missing from the "
                               "fit: k too small, or more hidden units than outputs when k "
                               "is read off the labels — pass k=)",
}


@dataclass(frozen=True)
class Cause:
    """A candidate reason for a misfit: ``name`` (a key of :data:`CAUSES`), the
    measured ``evidence`` (one sentence), and whether it is ``decisive``."""

    name: str
    evidence: str
    decisive: bool = False

    def describe(self) -> str:
        return f"{CAUSES[self.name]}: {self.evidence}"


def describe(causes: list[Cause]) -> str:
    """One sentence naming the likely cause(s), ranked, with their evidence."""
    if not causes:
        return ("no misspecification detected (inputs of full rank, no biases or "
                "half-space found)")
    decisive = [c for c in causes if c.decisive]
    if len(causes) == 1 or len(decisive) == 1:
        head = (decisive or causes)[0]
        rest = [c for c in causes if c is not head]
        more = "; also possible: " + "; ".join(c.describe() for c in rest) if rest else ""
        return f"likely cause: {head.describe()}{more}"
    if decisive:
        return "causes: " + "; ".join(c.describe() for c in decisive)
    return "one of: " + "; ".join(c.describe() for c in causes)


# --- evidence about the inputs ------------------------------------------------------
def input_rank(X: np.ndarray) -> tuple[int, np.ndarray]:
    """Numerical rank of ``X`` (d×n) with numpy's tolerance ``max(d, n)·ε·σ₁``, and
    its singular values."""
    s = left_singular(X)[1]
    return matrix_rank(s, X.shape), s


def rank_deficient_inputs(X: np.ndarray) -> Cause | None:
    """``X`` of numerical rank < d: ``V`` is determined only up to the null space."""
    d = X.shape[0]
    rank, s = input_rank(X)
    if rank >= d:
        return None
    zero_rows = np.flatnonzero(~X.any(axis=1))
    detail = (f"; row(s) {zero_rows.tolist()} are zero" if zero_rows.size else
              "; some row is a linear combination of others")
    return Cause("rank_deficient_inputs",
                 f"X has numerical rank {rank} < d = {d} (σ_{d}/σ_1 = "
                 f"{s[d - 1] / s[0] if d <= s.size else 0.0:.1e}){detail}, so each V_i is "
                 f"determined only up to the null space of X's rows", decisive=True)


def halfspace_inputs(X: np.ndarray) -> Cause | None:
    """Every sample in one open half-space ``{x : w·x > 0}``: by the sign of a row of
    ``X`` if one has it, else by one linear program (constraint generation)."""
    signs = [(r, "≥ 0") for r in range(X.shape[0]) if np.all(X[r] >= 0) and X[r].any()]
    signs += [(r, "≤ 0") for r in range(X.shape[0]) if np.all(X[r] <= 0) and X[r].any()]
    if signs:
        rows = sorted({r for r, _ in signs})
        what = ("every entry of X is ≥ 0" if np.all(X >= 0) else
                f"row(s) {rows[:5]} of X keep one sign on every sample")
        return Cause("halfspace_inputs", f"{what}, so all samples lie in a half-space")
    w = _separating_direction(X)
    if w is None:
        return None
    return Cause("halfspace_inputs", f"a linear program finds w with w·x_j ≥ "
                 f"{float(np.min(w @ X)):.2g} > 0 on every sample")


def _separating_direction(X: np.ndarray, rounds: int = 8) -> np.ndarray | None:
    """``w`` with ``w·x_j ≥ 1`` for every column, or None (LP on growing subsets: each
    of at most ``rounds`` rounds adds up to ``Tolerances.halfspace_batch`` violated
    samples, so 8 rounds see 9 batches before giving up)."""
    d, n = X.shape
    rng = np.random.default_rng(0)
    batch = current().halfspace_batch
    if n > 2 * _FIRST_COLUMNS_PER_DIM * d:
        # No w on a subset means none on all samples; 4d symmetric random points lie
        # in a common half-space only with a probability exponentially small in d
        # (Wendel's theorem), so this small program usually settles the question.
        few = rng.choice(n, size=_FIRST_COLUMNS_PER_DIM * d, replace=False)
        if _positive_on(X[:, few]) is None:
            return None
    cols = rng.choice(n, size=min(n, batch), replace=False)
    for _ in range(rounds):
        w = _positive_on(X[:, cols])
        if w is None:
            return None
        violated = np.flatnonzero(w @ X <= 0)
        if violated.size == 0:
            return w
        cols = np.union1d(cols, violated[:batch])
    return None


#: Samples per input dimension of the first, small half-space program.
_FIRST_COLUMNS_PER_DIM = 4


def _positive_on(Xs: np.ndarray) -> np.ndarray | None:
    """``w`` with ``w·x ≥ 1`` on every column of ``Xs``, or None if there is none: a
    feasibility program given to HiGHS directly (``scipy.optimize.linprog``'s checks
    and conversions cost several times the solve of these few rows, on every exact
    recovery)."""
    d = Xs.shape[0]
    highs = silent_highs()
    highs.addVars(d, np.full(d, -highspy.kHighsInf), np.full(d, highspy.kHighsInf))
    add_dense_rows(highs, Xs.T, 1.0, highspy.kHighsInf)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.array(highs.getSolution().col_value)


# --- evidence about the labels ------------------------------------------------------
def noiseless_evidence(Y: np.ndarray, span: LabelSpan) -> str | None:
    """A measured reason to believe ``Y`` carries no noise, or None.

    Continuous i.i.d. noise gives ``Y`` full rank ``min(m, n)`` and no two equal columns
    almost surely; so an exact rank deficit, or several samples with exactly the same
    label vector, proves the labels noiseless (up to rounding).
    """
    m, n = Y.shape
    r = numerical_rank(span.singular_values)
    if r < min(m, n):
        tail = span.singular_values[r] / span.singular_values[0]
        return f"Y has exact rank {r} < m = {m} (σ_{r + 1}/σ_1 = {tail:.1e})"
    # + 0.0 turns -0.0 into 0.0: np.unique compares the bytes of rows.
    values, counts = np.unique(Y.T + 0.0, axis=0, return_counts=True)
    top = int(np.argmax(counts))
    if counts[top] >= current().repeats_for_noiseless:
        label = "y_j = 0" if not values[top].any() else "one identical label vector"
        return f"{int(counts[top])} samples have exactly {label}"
    return _parallel_labels(Y)


def _parallel_labels(Y: np.ndarray) -> str | None:
    """Several label vectors on one ray (equal after normalising, to 10 digits): the
    samples where a single unit is active give ``y_j ∝ U_i`` exactly; noise never
    does. Meaningless for ``m = 1``, where every label is on one of two rays."""
    if Y.shape[0] < 2:
        return None
    norms = np.linalg.norm(Y, axis=0)
    nonzero = norms > 0
    directions = np.round(Y[:, nonzero] / norms[nonzero], 10) + 0.0
    if directions.shape[1] == 0:
        return None
    counts = np.unique(directions.T, axis=0, return_counts=True)[1]
    if counts.max() >= current().repeats_for_noiseless:
        return f"{int(counts.max())} samples have label vectors exactly on one ray"
    return None


def k_too_small(span: LabelSpan, noiseless: str | None, k_given: int | None) -> Cause | None:
    """``k`` given below the exact rank of noiseless labels."""
    r = numerical_rank(span.singular_values)
    if k_given is None or noiseless is None or r <= k_given:
        return None
    return Cause("k_too_small", f"the labels are noiseless ({noiseless}) and have exact "
                 f"rank {r}, but k = {k_given} was given", decisive=True)


def fewer_outputs(span: LabelSpan, noiseless: str | None) -> Cause | None:
    """Noiseless labels of full row rank: k was read as m, and may exceed it."""
    m = span.P.shape[0]
    if noiseless is None or numerical_rank(span.singular_values) < m or span.k < m:
        return None
    return Cause("fewer_outputs", f"Y has full row rank m = {m} while the labels are "
                 f"noiseless ({noiseless}): a network with more hidden units than "
                 f"outputs gives exactly this, and then k cannot be read off Y")


def _names_a_cause(extended: float, plain: float) -> bool:
    """An extended model fits exactly (relative residual ``extended``) where the plain
    one does not (``plain``): the extension is the cause."""
    tol = current()
    return extended <= tol.exact_fit_rtol < tol.misfit_rtol <= plain


def _relative_lstsq(A: np.ndarray, B: np.ndarray) -> float:
    """``min ‖C A − B‖/‖B‖`` over C (rows of A are regressors, columns samples)."""
    if A.shape[0] == 0:
        return 1.0
    C = np.linalg.lstsq(A.T, B.T, rcond=None)[0].T
    return float(np.linalg.norm(C @ A - B) / max(np.linalg.norm(B), np.finfo(float).tiny))


def output_bias(Z: np.ndarray, W: np.ndarray) -> Cause | None:
    """The reduced labels are exactly the found facets' activations plus a constant."""
    F = W @ Z
    with_c = _relative_lstsq(np.vstack([F, np.ones(Z.shape[1])]), Z)
    without = _relative_lstsq(F, Z)
    if _names_a_cause(with_c, without):
        return Cause("output_bias", f"the labels equal the activations of the "
                     f"{len(W)} units found plus a constant vector to {with_c:.0e} "
                     f"(without the constant: {without:.1e})", decisive=True)
    return None


def linear_units(X: np.ndarray, Z: np.ndarray, W: np.ndarray) -> Cause | None:
    """The reduced labels are exactly the found facets' activations plus a linear
    function of ``X``: the missing units are active on every sample."""
    F = W @ Z
    with_x = _relative_lstsq(np.vstack([F, X]), Z)
    if _names_a_cause(with_x, _relative_lstsq(F, Z)):
        return Cause("halfspace_inputs", f"the labels equal the activations of the "
                     f"{len(W)} units found plus a linear function of X to {with_x:.0e}: "
                     f"the other units are active on every sample", decisive=True)
    return None


def hidden_bias(X: np.ndarray, Z: np.ndarray, W: np.ndarray, act: Activation) -> Cause | None:
    """Each found unit's activations are exactly affine (not linear) in ``x`` on its
    active samples. Needs an invertible homogeneous ``f`` (the scale of ``F_i`` is then
    a symmetry)."""
    if act.inverse is None or not act.homogeneous or len(W) == 0:
        return None
    ones = np.ones((1, X.shape[1]))
    hits, worst_with, best_without = 0, 0.0, np.inf
    for F_i in W @ Z:
        active = F_i > current().active_rtol * np.max(np.abs(F_i))
        if active.sum() <= X.shape[0] + 1:
            continue
        h = act.inverse(F_i[active])[None, :]
        with_b = _relative_lstsq(np.vstack([X[:, active], ones[:, active]]), h)
        without = _relative_lstsq(X[:, active], h)
        if _names_a_cause(with_b, without):
            hits += 1
            worst_with, best_without = max(worst_with, with_b), min(best_without, without)
    if hits == 0:
        return None
    return Cause("hidden_bias", f"for {hits} of {len(W)} units found, the active samples "
                 f"satisfy V_i x + b_i = f⁻¹(F_i) to {worst_with:.0e} with an intercept "
                 f"(without one: {best_without:.1e})", decisive=True)


def residual_follows_inputs(X: np.ndarray, R: np.ndarray) -> Cause | None:
    """Whether the residual ``R`` (m×n) of a fit is predictable from the inputs ``X``
    (d×n): noise independent of ``X`` is not — least squares of its rows on ``[X; 1ᵀ]``
    explains about ``(d+1)/n`` of its energy — while a unit missing from the fit is (the
    linear part ``t/2`` of ``relu(t)`` carries about 3/4 of its variance). This catches
    what the noise check cannot: labels of more units than outputs read as rank-k labels
    plus "noise" whose level the trailing singular values (signal, then) agree with.
    Cost: one least squares of n×(d+1)."""
    d, n = X.shape
    energy = float(np.sum(R * R))
    if n <= 4 * (d + 1) or energy == 0.0:
        return None  # too few samples to tell prediction from chance
    A = np.vstack([X, np.ones((1, n))]).T
    coef = np.linalg.lstsq(A, R.T, rcond=None)[0]
    explained = float(np.sum((A @ coef) ** 2)) / energy
    chance, tol = (d + 1) / n, current()
    if explained <= max(tol.residual_explained_factor * chance, tol.residual_explained_min):
        return None
    return Cause("residual_follows_inputs",
                 f"a linear function of the inputs explains {explained:.0%} of the residual's "
                 f"energy (noise independent of X: about {chance:.1%})", decisive=True)


def degenerate_units(network, X: np.ndarray) -> Cause | None:
    """Fitted units active on none or on all of the samples."""
    counts = network.pattern(X).sum(axis=1)
    n = X.shape[1]
    bad = [(i, int(c)) for i, c in enumerate(counts) if c == 0 or c == n]
    if not bad:
        return None
    listed = ", ".join(f"unit {i} active on {c}/{n}" for i, c in bad)
    return Cause("degenerate_units", f"{listed}: such a unit has no facet, so it is "
                 f"not determined by the samples")


def diagnose(X: np.ndarray, Y: np.ndarray, span: LabelSpan, act: Activation,
             k_given: int | None, normals: np.ndarray | None = None,
             network=None) -> list[Cause]:
    """Every cause the cheap tests support, decisive ones first.

    ``normals`` (rows) are the facet normals of the best exact attempt, if any;
    ``network`` a fitted network whose units are checked for degenerate patterns.
    """
    noiseless = noiseless_evidence(Y, span)
    found = [rank_deficient_inputs(X), k_too_small(span, noiseless, k_given)]
    if normals is not None and len(normals):
        found += [hidden_bias(X, span.Z, normals, act)]
        if len(normals) < span.k:
            found += [output_bias(span.Z, normals), linear_units(X, span.Z, normals)]
    found += [halfspace_inputs(X), fewer_outputs(span, noiseless)]
    if network is not None:
        found.append(degenerate_units(network, X))
    causes: list[Cause] = []
    for cause in sorted((c for c in found if c is not None), key=lambda c: not c.decisive):
        if cause.name not in {c.name for c in causes}:
            causes.append(cause)
    return causes


# --- the noise check ----------------------------------------------------------------
def noise_check(Y: np.ndarray, singular_values: np.ndarray, fitted: np.ndarray, k: int,
                n_parameters: int) -> dict:
    """Is the residual of ``fitted`` (m×n, the output of ``k`` units) consistent with
    the noise level the trailing singular values of ``Y`` reveal? See the module
    docstring.

    Returns a dict: ``checked`` (False when ``m ≤ k`` or no degrees of freedom are
    left: nothing to compare with), ``consistent``, ``ratio`` (F), ``threshold``,
    ``sigma_tail`` and ``sigma_fit`` (per-entry noise estimates), ``kurtosis``,
    ``df`` = (df₁, df₂).
    """
    m, n = Y.shape
    R = Y - fitted
    rss = float(np.sum(R * R))
    df2 = (m - k) * (n - k)
    df1 = m * n - n_parameters - df2
    tail = float(np.sum(np.asarray(singular_values[k:], dtype=float) ** 2))
    out = {"checked": False, "consistent": None, "ratio": None, "threshold": None,
           "sigma_fit": float(np.sqrt(rss / max(m * n - n_parameters, 1))),
           "sigma_tail": None, "kurtosis": None, "df": (int(df1), int(df2))}
    if df2 <= 0 or df1 <= 0:
        return out
    kurtosis = float(np.mean(R ** 4) / max(np.mean(R ** 2) ** 2, np.finfo(float).tiny))
    tol = current()
    threshold = max(tol.noise_min_ratio, 1 + tol.noise_z * np.sqrt(
        (max(kurtosis, 3.0) - 1) * (1 / df1 + 1 / df2)))
    excess = max(rss - tail, 0.0) / df1
    floor = np.finfo(float).eps * float(singular_values[0]) ** 2 / df2
    ratio = excess / max(tail / df2, floor)
    out.update(checked=True, consistent=bool(ratio <= threshold), ratio=float(ratio),
               threshold=float(threshold), sigma_tail=float(np.sqrt(tail / df2)),
               kurtosis=kurtosis)
    return out
