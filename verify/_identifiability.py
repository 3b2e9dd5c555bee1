"""Local identifiability: rank of the Jacobian of ``(U, V) ↦ U f(V X)`` — or, for the
model with biases, of ``(U, V, b, c) ↦ U f(V X + b 1ᵀ) + c 1ᵀ``.

For ReLU — and for any ``f`` with positive part ``g(t) = c t^q`` (``q`` a positive
integer, :class:`verify._exact.RationalMonomial`), where ``(U_i, V_i) → (λ^{-q} U_i, λ V_i)``
is a symmetry — the rescalings of each unit give ``k`` independent directions in the
kernel of the Jacobian, so its rank is at most ``mk + kd − k``. Where that bound is
attained the solution is unique up to the symmetries in a neighbourhood.

With biases there are ``mk + kd + k + m`` parameters and the rescalings act on
``(V_i, b_i, U_{:,i})``, still ``k`` directions (``c`` is untouched), so the bound is
``mk + kd + k + m − k = mk + kd + m``. The columns for ``b_i`` are those of ``V_i`` with
the input ``1`` (``∂/∂b_i = U_{:,i} f'(V_i x + b_i)``: the rows ``[V | b]`` act on
``[x; 1]``), and the columns for ``c`` are the identity (``∂/∂c_r = e_r``). A ReLU unit
active on every kink-free sample is linear there, and its bias trades with ``c``: the
bound is then not met and the answer is "not proven", as it should be.

Kinks: at a sample with some ``V_i x_j = 0`` the map is not differentiable. Those
samples are left out; the map restricted to the other samples is polynomial near the
solution, and full rank there already implies local uniqueness for the whole data
(fewer equations can only enlarge the fibre; constant-rank theorem).

Proof of the rank: the Jacobian has rational entries; reduced modulo a prime ``p`` that
divides none of their denominators, its rank over GF(p) is a *lower* bound on its rank
over ℚ (a nonzero minor mod ``p`` is a nonzero minor). Equal to the upper bound, it proves
the exact rank. A random subset of rows suffices. If the bound is not met the answer is
"not proven" — never "not identifiable".

The rank over GF(p) is computed by python-flint's ``nmod_mat`` when it is installed (the
``fast`` extra) and otherwise by exact Gaussian elimination on int64 residues in numpy
(:func:`rank_mod_p_numpy`); both are exact, so the answer is the same, only the speed
differs. sympy's ``DomainMatrix`` over ``GF(p)`` would also do, but it is pure Python and
takes minutes on the Jacobians of ordinary instances, which would make ``certify`` on a
plain install unusable.

Internal module of :mod:`verify`: use the names the package exports (``verify.__all__``).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ._checks import Check
from ._exact import RELU, RationalMonomial, qq_matrix, to_fraction

#: Primes below 2^31, so that products of two residues fit in int64.
PRIMES = (2147483647, 2147483629, 2147483587)


def _mod(A, p: int) -> np.ndarray | None:
    """Entrywise residues of a rational matrix mod ``p`` (None if ``p`` divides a
    denominator)."""
    A = np.asarray(A, dtype=object)
    out = np.empty(A.shape, dtype=np.int64)
    for idx, a in np.ndenumerate(A):
        a = Fraction(a)
        if a.denominator % p == 0:
            return None
        out[idx] = a.numerator % p * pow(a.denominator, -1, p) % p
    return out


def jacobian_rank_mod_p(U, V, X, p: int, rows: int, seed: int,
                        g: RationalMonomial = RELU, b=None) -> tuple[int, int] | None:
    """Rank over GF(p) of ``rows`` random rows of the Jacobian at kink-free samples.

    ``U`` (m×k), ``V`` (k×d) rational object arrays, ``X`` (d×n) float64 (exact values);
    ``g`` the positive part ``c t^q``; ``b`` (k,), when given, selects the model with
    biases (module docstring). Returns ``(rank, kink_free_samples)``, or None if ``p``
    divides a denominator.
    """
    out = jacobian_rows_mod_p(U, V, X, p, rows, seed, g, b)
    if out is None:
        return None
    J, _, keep = out
    return rank_mod_p(J, p), len(keep)


def rank_backend() -> str:
    """Name of the library that computes ranks over GF(p): "python-flint" when it is
    importable, else "numpy"."""
    try:
        import flint  # noqa: F401
    except ImportError:
        return "numpy"
    return "python-flint"


def rank_mod_p(J, p: int) -> int:
    """Rank over GF(p) of the integer matrix ``J`` (entries taken mod ``p``, ``p < 2^31``),
    with python-flint when installed, else :func:`rank_mod_p_numpy` (same answer)."""
    try:
        from flint import nmod_mat
    except ImportError:
        return rank_mod_p_numpy(J, p)
    return nmod_mat(np.asarray(J, dtype=np.int64).tolist(), p).rank()


def rank_mod_p_numpy(J, p: int) -> int:
    """Rank over GF(p) of the integer matrix ``J`` by Gaussian elimination on residues.

    Exact for primes ``p < 2^31``: residues are below ``2^31``, so each product of two
    stays below ``2^62`` and no int64 operation overflows. One vectorised row update per
    pivot, so an r×c matrix costs about ``min(r, c)`` numpy passes over it.
    """
    if not 1 < p < 2**31:
        raise ValueError(f"rank_mod_p_numpy needs a prime 1 < p < 2^31, got {p}")
    A = np.asarray(J, dtype=np.int64) % p
    rank = 0
    for col in range(A.shape[1]):
        pivots = np.flatnonzero(A[rank:, col])
        if pivots.size == 0:
            continue
        piv = rank + pivots[0]
        A[[rank, piv]] = A[[piv, rank]]
        A[rank, col:] = A[rank, col:] * pow(int(A[rank, col]), -1, p) % p
        factors = A[rank + 1:, col].copy()
        A[rank + 1:, col:] = (A[rank + 1:, col:] - factors[:, None] * A[rank, col:]) % p
        rank += 1
        if rank == A.shape[0]:
            break
    return rank


def jacobian_rows_mod_p(U, V, X, p: int, rows: int, seed: int, g: RationalMonomial = RELU,
                        b=None):
    """``rows`` random rows of the Jacobian of ``vec(U f(V X))`` w.r.t. ``(vec U, vec V)``
    (row-major) mod ``p``, at kink-free samples: returns ``(J, pairs, keep)`` with
    ``pairs[t] = (output r, sample j)`` of row ``t`` (``j`` indexes ``X``) and ``keep``
    the kink-free samples; None if ``p`` divides a denominator.

    With ``b`` (k,): the Jacobian of ``vec(U f(V X + b 1ᵀ) + c 1ᵀ)`` w.r.t.
    ``(vec U, vec [V | b], c)``, ``m`` more columns than ``mk + k(d+1)`` (``c`` does not
    enter the derivatives, so only its presence matters)."""
    if b is not None:
        V = np.hstack([np.asarray(V, dtype=object), np.asarray(b, dtype=object)[:, None]])
        X = np.vstack([X, np.ones((1, np.shape(X)[1]))])
    Ux, Vx, Xx = _mod(U, p), _mod(V, p), _mod(X, p)
    cx = _mod([[to_fraction(g.c)]], p)
    if Ux is None or Vx is None or Xx is None or cx is None:
        return None
    m, k = Ux.shape
    d = Vx.shape[1]
    sign = np.array([[(a > 0) - (a < 0) for a in row]
                     for row in (qq_matrix(V) * qq_matrix(X)).to_list()], dtype=np.int64)
    keep = np.flatnonzero(np.all(sign != 0, axis=0))
    active = (sign[:, keep] > 0).astype(np.int64)                   # k × n'
    VX = Vx.astype(object) @ Xx[:, keep].astype(object) % p         # no int64 overflow
    c, q = int(cx[0, 0]), g.p
    H = (c * VX ** q % p * active).astype(np.int64)                 # f(VX) mod p, k × n'
    D = (c * q * VX ** (q - 1) % p * active).astype(np.int64)       # f'(VX) mod p
    rng = np.random.default_rng(seed)
    pick = rng.choice(m * len(keep), size=min(rows, m * len(keep)), replace=False)
    r_out, j_loc = np.divmod(pick, len(keep))
    J = np.zeros((len(pick), m * k + k * d + (m if b is not None else 0)), dtype=np.int64)
    for t, (r, j) in enumerate(zip(r_out, j_loc)):
        J[t, r * k:(r + 1) * k] = H[:, j]                            # ∂/∂U_r
        dv = (Ux[r][:, None] * D[:, j][:, None]) % p * Xx[:, keep[j]][None, :] % p
        J[t, m * k:m * k + k * d] = dv.reshape(-1)                   # ∂/∂V (and b)
        if b is not None:
            J[t, m * k + k * d + r] = 1                              # ∂/∂c_r
    return J, list(zip(r_out.tolist(), keep[j_loc].tolist())), keep


def identifiability_check(U, V, X, seed: int = 0, g: RationalMonomial = RELU,
                          b=None) -> Check:
    """Prove ``rank J = mk + kd − k`` (local identifiability) or report "not proven";
    ``g`` is the activation's positive part ``c t^q`` (default ReLU).

    ``b`` (k,), when given, selects the model with biases ``U f(V X + b 1ᵀ) + c 1ᵀ``:
    ``mk + kd + k + m`` parameters, ``k`` scalings of ``(V_i, b_i, U_{:,i})``, so the
    bound proven is ``mk + kd + m`` (``c`` itself does not enter the Jacobian).
    """
    U, V = np.asarray(U, dtype=object), np.asarray(V, dtype=object)
    m, k = U.shape
    d = V.shape[1]
    bias = b is not None
    bound = m * k + k * d - k + (k + m if bias else 0)
    formula = "mk + kd + k + m - k" if bias else "mk + kd - k"
    params = " and biases b, c" if bias else ""
    best, kink_free = -1, 0
    for attempt, p in enumerate(PRIMES):
        out = jacobian_rank_mod_p(U, V, X, p, rows=bound + 32 * (attempt + 1),
                                  seed=seed + attempt, g=g, b=b)
        if out is None:
            continue
        rank, kink_free = out
        best = max(best, rank)
        if rank == bound:
            return Check("identifiability", "passed",
                         f"Jacobian rank = {formula} = {bound} (proven: rank over GF({p}) "
                         f"of {bound + 32 * (attempt + 1)} rows at {kink_free} kink-free "
                         f"samples, computed with {rank_backend()}): weights{params} unique "
                         f"up to permutation and scaling near the solution",
                         required=False,
                         numbers={"rank": rank, "bound": bound, "prime": p,
                                  "kink_free_samples": kink_free})
    return Check("identifiability", "not proven",
                 f"Jacobian rank mod p reached {best} < {formula} = {bound}; local "
                 f"identifiability is not proven (this is not a proof of "
                 f"non-identifiability)",
                 required=False,
                 numbers={"rank_lower_bound": best, "bound": bound,
                          "kink_free_samples": kink_free})
