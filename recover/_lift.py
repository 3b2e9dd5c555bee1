"""Biases by lifting: ``Y = U f(V X + b 1ᵀ) + c 1ᵀ`` as a bias-free problem one dimension up.

With the lifted inputs ``X̃ = [X; 1ᵀ]`` ((d+1)×n) and ``Ṽ = [V | b]`` (k×(d+1)) the hidden
layer is ``F = f(Ṽ X̃)`` — the bias-free model on ``X̃``. The output bias is absorbed the
same way on the label side: appending a constant row ``s 1ᵀ`` to the labels gives

    Ŷ = [Y; s 1ᵀ] = Û [F; 1ᵀ],    Û = [[U, c], [0, s]]   ((m+1)×(k+1)),

and ``Û`` has full column rank ``k+1`` whenever ``U`` has rank ``k`` — whatever ``c`` is,
so ``m = k`` works (``c`` needs no output dimension of its own, as it would if one
asked for the rank of ``Y`` alone). The reduced labels ``Ẑ = Pᵀ Ŷ = Â [F; 1ᵀ]`` lie in a
cone of dimension ``k+1`` whose facets with many samples are exactly the ``k``
hyperplanes ``F_i = 0`` (the samples where unit ``i`` is inactive); the constant row is
positive on every sample and holds no facet. The cone of finitely many samples also
has facets on the far side of the hull of the points ``F_j``, but each of those holds
only ``k`` samples (generic data), so the sample count of the exact step
(:func:`recover._facets.exact_facet`) rejects them, as it rejects the bias-free
pipeline's spurious facets. So the facet search of :mod:`recover._cone` runs unchanged
on ``Ẑ``, asked for ``k`` facets in dimension ``k+1``; ``Ṽ`` comes from the active
samples of ``X̃`` (:mod:`recover._solve`) and ``[U | c]`` from least squares on
``[F; 1ᵀ]`` (:func:`output_weights_with_bias`).

What the samples must show (checked, never guessed): each unit inactive on at least
``k`` samples in general position (its facet) and active on ``d+1`` affinely
independent ones (its weights and bias). A unit active on no sample leaves no trace in
the labels; a unit active on every sample is affine on the data, so its bias cannot be
told from ``c`` and its inactive half-space is never seen — :func:`unseen_units` names
both cases instead of returning a guess.

Cost: one extra row of ``X`` and ``Y``; the facet search is that of ``k+1`` dimensions.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import numpy as np

from ._errors import RecoveryFailed
from ._facets import Facet, informative_columns
from ._misfit import Cause
from ._solve import Residual
from ._span import LabelSpan, numerical_rank
from ._tolerances import current


def lift_inputs(X: np.ndarray) -> np.ndarray:
    """``X̃ = [X; 1ᵀ]`` ((d+1)×n): the hidden bias becomes the last column of ``Ṽ``."""
    return np.vstack([X, np.ones((1, X.shape[1]), dtype=X.dtype)])


def lift_labels(Y: np.ndarray) -> np.ndarray:
    """``Ŷ = [Y; s 1ᵀ]`` ((m+1)×n) with ``s`` the root-mean-square entry of ``Y``.

    Any ``s ≠ 0`` gives the same span; the scale of the labels keeps the constant row
    from dominating (or vanishing in) the singular values that decide the rank.
    """
    s = float(np.sqrt(np.mean(np.square(Y)))) or 1.0
    return np.vstack([Y, np.full((1, Y.shape[1]), s)])


def split_hidden(V_lifted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``Ṽ = [V | b]`` → ``(V, b)``."""
    return V_lifted[:, :-1].copy(), V_lifted[:, -1].copy()


def output_weights_with_bias(Y: np.ndarray, H: np.ndarray
                             ) -> tuple[np.ndarray, np.ndarray, Residual]:
    """Least-squares ``U`` (m×k) and ``c`` (m,) with ``Y ≈ U H + c 1ᵀ``; returns them and
    the :class:`recover._solve.Residual` of ``U H + c 1ᵀ − Y``.

    Raises :class:`RecoveryFailed` when ``[H; 1ᵀ]`` is rank deficient (a unit active on
    every sample with an affine activation there, or two units with one pattern).
    """
    # The constant row at the scale of the activations: a row of ones beside activations
    # in the hundreds costs c two or three digits in the least-squares solve.
    t = float(np.sqrt(np.mean(np.square(H)))) or 1.0
    Hc = np.vstack([H, np.full((1, H.shape[1]), t)])
    B, _, rank, _ = np.linalg.lstsq(Hc.T, Y.T, rcond=None)
    if rank < Hc.shape[0]:
        raise RecoveryFailed(
            f"the hidden activations and the constant have rank {rank} < k + 1 = "
            f"{Hc.shape[0]}: U and c are not determined (a unit constant on the samples?)")
    U, c = B[:-1].T, B[-1] * t
    return U, c, Residual.of(U @ H + c[:, None] - Y, Y)


def lifted_min_count(k: int) -> int:
    """Samples a facet must hold in the lifted cone (dimension ``k+1``): a spurious
    facet holds ``k`` generic samples, a true one every sample where its unit is off
    (about half of them for a zero-mean bias); the margin is that of the bias-free
    pipeline, ``max(3, k/5)``."""
    return k + max(3, (k + 1) // 5)


def check_lifted_rank(span: LabelSpan, k: int | None) -> str | None:
    """Why ``[Y; 1ᵀ]`` (its span ``span``) cannot hold ``k`` units with biases, or None.

    The rank must be ``k + 1``: a unit active on no sample contributes a zero row to
    ``F``; ``U`` of rank < k lowers the rank too.
    """
    rank = numerical_rank(span.singular_values)
    if k is None or rank >= k + 1:
        return None
    return (f"[Y; 1ᵀ] has rank {rank}, so the labels show at most {rank - 1} hidden units "
            f"with biases, but k = {k} was given: {k + 1 - rank} unit(s) leave no trace "
            f"on these samples (active on none of them), or U has linearly dependent "
            f"columns; such units cannot be recovered from these samples")


def lifted_k_too_small(span: LabelSpan, noiseless: str | None,
                       k_given: int | None) -> Cause | None:
    """``k`` given below the exact rank of ``[Y; 1ᵀ]`` minus one, for noiseless labels."""
    r = numerical_rank(span.singular_values)
    if k_given is None or noiseless is None or r <= k_given + 1:
        return None
    return Cause("k_too_small", f"the labels are noiseless ({noiseless}) and [Y; 1ᵀ] has "
                 f"exact rank {r}, so they hold {r - 1} units with biases, but k = "
                 f"{k_given} was given", decisive=True)


def affinely_dependent_inputs(X_lifted: np.ndarray) -> str | None:
    """Why the lifted inputs ``[X; 1ᵀ]`` do not determine ``[V | b]``, or None.

    ``X`` itself is checked for full rank first; here every sample lies on one affine
    hyperplane ``{x : a·x = β}`` (β ≠ 0), so ``a`` can be traded for a bias.
    """
    s = np.linalg.svd(X_lifted, compute_uv=False)
    if s[-1] > current().affine_rtol * s[0]:
        return None
    return (f"every sample lies on one affine hyperplane a·x = β ([X; 1ᵀ] has rank < d + 1 "
            f"= {X_lifted.shape[0]}, σ_min/σ_max = {s[-1] / s[0]:.1e}): a weight along a "
            f"can be traded for a bias, so V and b are not determined by these samples")


def unseen_units(Z: np.ndarray, X_lifted: np.ndarray, k: int) -> str | None:
    """Units active on every sample, when the data show them: a sentence, or None.

    Such a unit's activations are affine in ``x`` on every sample, so the row space of
    the reduced labels ``Z`` ((k+1)×n) meets that of the lifted inputs ``[X; 1ᵀ]`` in
    more than the constant row. Counted as the principal angles between the two row
    spaces that are zero (cosine within ``Tolerances.affine_rtol`` of 1), less the constant; O(n (k + d)²).
    """
    Qz = np.linalg.qr(Z.T)[0]
    Qx = np.linalg.qr(X_lifted.T)[0]
    cosines = np.linalg.svd(Qz.T @ Qx, compute_uv=False)
    count = int(np.sum(cosines > 1 - current().affine_rtol)) - 1
    if count < 1:
        return None
    return (f"{count} of the k = {k} units are active on every one of the {Z.shape[1]} "
            f"samples (the labels contain {count} affine function(s) of x besides the "
            f"output bias): such a unit acts as a linear map on these samples, its bias "
            f"cannot be told apart from the output bias c and its inactive half-space is "
            f"never observed, so it cannot be recovered from these samples (add samples "
            f"where it is off)")


def single_lifted_facet(Z: np.ndarray, min_count: int) -> Facet | None:
    """The facet of one unit with a bias (``Z`` 2×n): every sample where the unit is off
    maps to the same point ``z₀ = Â (0, 1)``, so the facet is the ray through the most
    repeated column, held by at least ``min_count`` samples, with every other sample on
    one side of it. (The cone search needs distinct points on a facet, which a single
    unit cannot give.)"""
    znorm, informative = informative_columns(Z)
    values, counts = np.unique(np.round(Z[:, informative].T / znorm.max(), 12), axis=0,
                               return_counts=True)
    if not len(counts) or counts.max() < min_count:
        return None
    z0 = values[int(np.argmax(counts))]
    # The exact column, not its rounded key: the normal must be exact to machine level.
    same = np.flatnonzero(informative)[np.all(np.round(Z[:, informative].T / znorm.max(), 12)
                                              == z0, axis=1)]
    z0 = Z[:, same[0]]
    w = np.array([-z0[1], z0[0]]) / np.linalg.norm(z0)
    values = w @ Z
    support = informative & (np.abs(values) <= current().on_facet_rtol * znorm)
    off = informative & ~support
    if off.any() and np.median(values[off]) < 0:
        w, values = -w, -values
    if support.sum() < min_count or (off.any() and values[off].min() < 0):
        return None
    return Facet(w=w, support=support, rank_gap=1.0, flatness=0.0)
