"""The model: a two-layer rectified network ``x ↦ U f(V x + b) + c``.

Notation of Bakshi, Jayaram & Woodruff (COLT 2019): ``X`` is d×n (one sample per
column), ``U`` is m×k, ``V`` is k×d, ``f`` a rectified activation applied entrywise.
The biases ``b`` (k) and ``c`` (m) are optional and zero by default, which is the
model of the paper; see docs/algorithm.md, "The model with biases".

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import numbers
from fractions import Fraction

import numpy as np

from ._activations import Activation, get_activation
from ._errors import InvalidInputError
from ._validation import as_matrix


class TwoLayerNetwork:
    """The network ``x ↦ U f(V x + b) + c`` with ``k`` hidden units.

    Parameters
    ----------
    U : array_like, shape (m, k)
        Output weights.
    V : array_like, shape (k, d)
        Hidden weights; row ``i`` is unit ``i``.
    b : array_like, shape (k,), optional
        Hidden biases (zeros when omitted). A column (k, 1) is accepted too.
    c : array_like, shape (m,), optional
        Output biases (zeros when omitted). A column (m, 1) is accepted too.
    activation : str or Activation
        Rectified activation ``f`` (default ReLU). For compatibility it may also be
        the third positional argument: ``TwoLayerNetwork(U, V, "relu")`` (recognised
        by its type, a str or an :class:`Activation`); the biases are then keywords.

    Float input is stored as float64. An object array of exact rationals
    (``fractions.Fraction``) is kept exact, and evaluation on exact ``X`` is exact.
    The biases follow the weights: for an exact network (``U`` or ``V`` exact) float
    biases are converted to their exact rational values and absent ones are
    ``Fraction(0)``; for a float network exact biases are rounded to float64.

    Symmetries: permuting hidden units (with their biases ``b_i``), and for an
    activation homogeneous of degree ``p`` the rescaling ``(V_i, b_i) → λ (V_i, b_i)``,
    ``U_{:,i} → λ^{-p} U_{:,i}`` with ``λ > 0``; ``c`` is untouched by both.
    :meth:`canonical` picks one representative of each orbit.
    """

    def __init__(self, U, V, b=None, c=None, activation: str | Activation | None = None):
        if isinstance(b, (str, Activation)) or _not_numbers(b):
            # TwoLayerNetwork(U, V, activation), the historical form; something that is
            # not numbers there is a bad activation (get_activation says so), not a bad b
            if activation is not None:
                raise InvalidInputError("activation given twice (third argument and "
                                        "activation=)")
            b, activation = None, b
        if isinstance(c, (str, Activation)):
            raise InvalidInputError("c is the output bias vector; pass the activation "
                                    "as activation=")
        self.activation = get_activation("relu" if activation is None else activation)
        self.U = as_matrix(U, "U", allow_exact=True)
        self.V = as_matrix(V, "V", allow_exact=True)
        if self.U.shape[1] != self.V.shape[0]:
            raise InvalidInputError(
                f"U is {self.U.shape[0]}x{self.U.shape[1]} but V is "
                f"{self.V.shape[0]}x{self.V.shape[1]}: U must have k columns where "
                f"V has k rows")
        exact = self.U.dtype == object or self.V.dtype == object
        self.b = _bias_vector(b, "b (hidden biases)", self.V.shape[0], "k", exact)
        self.c = _bias_vector(c, "c (output biases)", self.U.shape[0], "m", exact)

    # --- shapes -------------------------------------------------------------------
    @property
    def m(self) -> int:
        """Number of outputs."""
        return self.U.shape[0]

    @property
    def k(self) -> int:
        """Number of hidden units."""
        return self.V.shape[0]

    @property
    def d(self) -> int:
        """Input dimension."""
        return self.V.shape[1]

    @property
    def exact(self) -> bool:
        """True when the weights are exact rationals (object arrays)."""
        return self.U.dtype == object or self.V.dtype == object

    @property
    def has_bias(self) -> bool:
        """True when some hidden bias ``b_i`` or output bias ``c_j`` is nonzero."""
        return self._has_hidden_bias or self._has_output_bias

    @property
    def _has_hidden_bias(self) -> bool:
        return any(x != 0 for x in self.b)

    @property
    def _has_output_bias(self) -> bool:
        return any(x != 0 for x in self.c)

    # --- evaluation ---------------------------------------------------------------
    def preactivation(self, X) -> np.ndarray:
        """``V X + b 1ᵀ`` (k×n)."""
        X = self._check_X(X)
        # Zero biases are not added, so the bias-free model computes what it always did.
        return self.V @ X + self.b[:, None] if self._has_hidden_bias else self.V @ X

    def hidden(self, X) -> np.ndarray:
        """``f(V X + b 1ᵀ)`` (k×n)."""
        return self.activation(self.preactivation(X))

    def __call__(self, X) -> np.ndarray:
        """``U f(V X + b 1ᵀ) + c 1ᵀ`` (m×n)."""
        return self.outputs_of(self.preactivation(X))

    def outputs_of(self, P: np.ndarray) -> np.ndarray:
        """``U f(P) + c 1ᵀ`` (m×n) for preactivations ``P`` (k×n) of this network: the one
        place the model is evaluated (a caller that also needs ``P``, such as a check of
        the activation pattern, computes it once)."""
        out = self.U @ self.activation(P)
        return out + self.c[:, None] if self._has_output_bias else out

    def mp_call(self, X, digits: int) -> np.ndarray:
        """``U f(V X + b 1ᵀ) + c 1ᵀ`` (m×n) as an object array of ``mpf`` computed at ``digits``
        decimal digits (mpmath, local precision): high-precision labels for
        certificates of activations whose values are irrational (``log(1+t)``).
        Float and exact weights and inputs are taken at their exact values.
        Cost O((m + d) k n) multiprecision operations.
        """
        import mpmath

        X = self._check_X(X)
        with mpmath.mp.workdps(digits):
            to_mp = np.vectorize(lambda a: mpmath.mpf(a) if not hasattr(a, "numerator")
                                 else mpmath.mpf(a.numerator) / a.denominator, otypes=[object])
            P = to_mp(self.V) @ to_mp(X) + to_mp(self.b)[:, None]
            g = self.activation.mp_positive_part
            H = np.array([[g(p) if p > 0 else mpmath.mpf(0) for p in row] for row in P],
                         dtype=object)
            return to_mp(self.U) @ H + to_mp(self.c)[:, None]

    def pattern(self, X) -> np.ndarray:
        """Activation pattern: boolean k×n matrix of ``V X + b 1ᵀ > 0``."""
        return np.asarray(self.preactivation(X) > 0, dtype=bool)

    def _check_X(self, X):
        allow_exact = isinstance(X, np.ndarray) and X.dtype == object
        X = as_matrix(X, "X", allow_exact=allow_exact)
        if X.shape[0] != self.d:
            raise InvalidInputError(
                f"X has {X.shape[0]} rows but the network expects d = {self.d} inputs "
                f"(X is d x n, one sample per column)")
        return X

    # --- symmetries ---------------------------------------------------------------
    def permuted(self, perm) -> "TwoLayerNetwork":
        """The same function with hidden units (and their biases ``b_i``) reordered:
        unit ``i`` ← unit ``perm[i]``."""
        perm = np.asarray(perm, dtype=int)
        if sorted(perm.tolist()) != list(range(self.k)):
            raise InvalidInputError(f"{perm.tolist()} is not a permutation of range({self.k})")
        return TwoLayerNetwork(self.U[:, perm], self.V[perm], b=self.b[perm], c=self.c,
                               activation=self.activation)

    def rescaled(self, lam) -> "TwoLayerNetwork":
        """The same function with ``(V_i, b_i) → λ_i (V_i, b_i)`` and
        ``U_i → λ_i^{-p} U_i`` (λ > 0)."""
        p = self.activation.degree
        if p is None:
            raise InvalidInputError(
                f"activation {self.activation.name!r} is not homogeneous: rescaling "
                f"hidden units changes the function")
        lam = np.asarray(lam, dtype=self.V.dtype if self.exact else float).reshape(-1)
        if lam.shape != (self.k,) or not all(x > 0 for x in lam):
            raise InvalidInputError("rescaling needs k positive factors")
        powers = np.array([x ** -p if p != 1 else 1 / x for x in lam],
                          dtype=lam.dtype)
        return TwoLayerNetwork(self.U * powers[None, :], self.V * lam[:, None],
                               b=self.b * lam, c=self.c, activation=self.activation)

    def canonical(self) -> "TwoLayerNetwork":
        """Canonical representative (float): unit-norm rows of the augmented matrix
        ``[V | b]`` (homogeneous ``f``), units sorted lexicographically by those rows
        (``b`` permuted with them); ``c`` is unchanged.

        Without hidden biases the augmented matrix is ``V`` itself, so a bias-free
        network has exactly the canonical form it would have without the bias option.

        Sorting uses the rows rounded to 12 digits after the point, relative to a power
        of two near the largest entry of ``[V | b]``, so that two networks equal to machine
        precision sort the same way at any scale. Row norms are taken on rows scaled by
        a power of two, so that rows near the ends of the float64 range (entries of
        1e-300 or 1e300, whose squares under- or overflow) keep their norm.

        Raises
        ------
        InvalidInputError
            A unit with ``V_i = 0`` and ``b_i = 0`` (homogeneous ``f``: it has no
            direction), or a canonical ``U`` beyond the float64 range.
        """
        net = self.astype_float()
        U, A = net.U, net._augmented()
        if self.activation.homogeneous:
            norms = _row_norms(A)
            if np.any(norms == 0):
                raise InvalidInputError("a hidden unit has V_i = 0 and b_i = 0; it has no "
                                        "direction")
            # Rows already of unit norm up to rounding stay as they are, so that the
            # canonical form of a canonical network is the same network, bit for bit.
            norms = np.where(np.abs(norms - 1) <= 4 * np.finfo(float).eps, 1.0, norms)
            A = A / norms[:, None]
            with np.errstate(over="ignore"):
                U = U * norms[None, :] ** self.activation.degree
            if not np.all(np.isfinite(U)):
                raise InvalidInputError(
                    "the canonical output weights (unit-norm rows of [V | b]) exceed the "
                    "float64 range: this network cannot be represented in canonical form")
            key = np.round(A, 12)
        else:
            peak = float(np.max(np.abs(A))) if A.size else 0.0
            key = np.round(np.ldexp(A, -int(np.frexp(peak)[1])), 12)
        order = np.lexsort(key.T[::-1])
        A = A[order]
        b = A[:, self.d] if A.shape[1] > self.d else net.b[order]
        return TwoLayerNetwork(U[:, order], A[:, :self.d], b=b, c=net.c,
                               activation=self.activation)

    def _augmented(self) -> np.ndarray:
        """``[V | b]`` (k×(d+1)), or ``V`` alone when ``b = 0`` (so that bias-free
        networks take exactly the same arithmetic as before biases existed)."""
        return np.hstack([self.V, self.b[:, None]]) if self._has_hidden_bias else self.V

    def astype_float(self) -> "TwoLayerNetwork":
        """A float64 copy (exact entries are rounded to nearest)."""
        return TwoLayerNetwork(*(np.asarray(A, dtype=float)
                                 for A in (self.U, self.V, self.b, self.c)),
                               activation=self.activation)

    # --- files --------------------------------------------------------------------
    def save(self, path, **extra) -> None:
        """Write ``U``, ``V``, ``b``, ``c`` (float64; the biases always, zeros for a
        bias-free network) and the activation name to the ``.npz`` file at
        exactly ``path`` (unlike ``np.savez``, no ``.npz`` is appended).

        ``extra`` arrays (e.g. standard errors ``U_se``, ``V_se``) are stored alongside.
        The write is atomic (:func:`recover._files.atomic_write`): readers see the old
        file or the new one, never a partial one, and a failed write leaves the old file
        untouched. An existing file is replaced; the command line refuses that without
        ``--force``.
        """
        from ._files import atomic_write

        clash = {"U", "V", "b", "c", "activation"} & set(extra)
        if clash:
            raise InvalidInputError(f"extra arrays may not be named {sorted(clash)}")
        net = self.astype_float()
        with atomic_write(path) as fh:
            np.savez(fh, U=net.U, V=net.V, b=net.b, c=net.c,
                     activation=np.array(self.activation.name),
                     **{name: np.asarray(value) for name, value in extra.items()})

    @classmethod
    def load(cls, path) -> "TwoLayerNetwork":
        """Read a network written by :meth:`save`.

        The file is checked before anything is allocated (:func:`recover._io.inspect_npz`:
        sizes, dtypes, no pickles); ``U`` and ``V`` must be real numbers and the optional
        ``activation`` a string of at most :data:`recover._io.MAX_ACTIVATION_CHARS`
        characters (default ``"relu"``). The optional biases ``b`` (shape (k,)) and
        ``c`` (shape (m,)) are zeros when absent (files written before biases existed).
        :class:`InvalidInputError` otherwise, also for an ``.npy`` file, which cannot
        hold a network.
        """
        import os

        from ._io import MAX_ACTIVATION_CHARS, inspect_npz, load_npz_arrays, numeric

        path = os.fspath(path)
        if _is_npy(path):
            raise InvalidInputError(f"{path}: an .npy array; expected an .npz network file "
                                    f"(U, V, activation)")
        headers = inspect_npz(path)
        if "activation" in headers:
            shape, dtype = headers["activation"]
            if shape != () or dtype.kind not in "US" or \
                    dtype.itemsize > 4 * MAX_ACTIVATION_CHARS:
                raise InvalidInputError(
                    f"{path}: 'activation' must be one string of at most "
                    f"{MAX_ACTIVATION_CHARS} characters, found dtype {dtype}, shape {shape}")
        arrays = load_npz_arrays(path, required=("U", "V"))
        activation = "relu"
        if "activation" in arrays:
            raw = arrays["activation"].item()
            activation = raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw)
        U, V = numeric(arrays["U"], f"{path}: U"), numeric(arrays["V"], f"{path}: V")
        biases = {}
        for name, length in (("b", V.shape[0] if V.ndim == 2 else None),
                             ("c", U.shape[0] if U.ndim == 2 else None)):
            if name in arrays:
                vec = numeric(arrays[name], f"{path}: {name}")
                if length is not None and vec.shape != (length,):
                    raise InvalidInputError(f"{path}: {name} has shape {vec.shape}, "
                                            f"expected ({length},)")
                biases[name] = vec
        return cls(U, V, activation=activation, **biases)

    # --- other libraries (optional extras, imported only when called) -----------------
    @classmethod
    def from_sklearn(cls, est) -> "TwoLayerNetwork":
        """The network of a fitted scikit-learn ``MLPRegressor`` with one hidden ReLU
        layer (:func:`recover.interop_sklearn.network_from_mlp`)."""
        from .interop_sklearn import network_from_mlp

        return network_from_mlp(est)

    def to_sklearn(self):
        """An ``MLPRegressor`` predicting ``self(X.T).T``, usable without ``fit``
        (:func:`recover.interop_sklearn.mlp_from_network`)."""
        from .interop_sklearn import mlp_from_network

        return mlp_from_network(self)

    @classmethod
    def from_torch(cls, module) -> "TwoLayerNetwork":
        """The network of ``nn.Sequential(nn.Linear(d, k), nn.ReLU(), nn.Linear(k, m))``
        (:func:`recover.interop_torch.network_from_sequential`)."""
        from .interop_torch import network_from_sequential

        return network_from_sequential(module)

    def to_torch(self, dtype=None):
        """That ``nn.Sequential`` with parameters of ``dtype`` (default
        ``torch.float64``) (:func:`recover.interop_torch.sequential_from_network`)."""
        from .interop_torch import sequential_from_network

        return sequential_from_network(self, dtype)

    def __repr__(self) -> str:
        kind = "exact" if self.exact else "float64"
        bias = ", with biases" if self.has_bias else ""
        return (f"TwoLayerNetwork(m={self.m}, k={self.k}, d={self.d}, "
                f"activation={self.activation.name!r}, {kind}{bias})")


def _bias_vector(a, name: str, length: int, symbol: str, exact: bool) -> np.ndarray:
    """``a`` as a 1-D vector of ``length`` entries (float64, or exact Fractions when
    ``exact``); zeros when ``a`` is None. Shape (length,) or a column (length, 1)."""
    if a is None:
        return np.array([Fraction(0)] * length, dtype=object) if exact else np.zeros(length)
    raw = a if isinstance(a, np.ndarray) else np.asarray(a)
    if raw.ndim == 1:
        raw = raw[:, None]
    if raw.ndim != 2 or raw.shape[1] != 1:
        raise InvalidInputError(f"{name} must be a vector of {symbol} = {length} entries, "
                                f"got shape {np.shape(a)}")
    vec = as_matrix(raw, name, allow_exact=True)[:, 0]
    if vec.shape != (length,):
        raise InvalidInputError(f"{name} must be a vector of {symbol} = {length} entries, "
                                f"got shape {np.shape(a)}")
    if exact and vec.dtype != object:
        return np.array([Fraction(float(x)) for x in vec], dtype=object)
    if not exact and vec.dtype == object:
        return np.array([float(x) for x in vec])
    return vec


def _not_numbers(a) -> bool:
    """True for an argument that cannot be a bias vector by its type: not None, not an
    array, and not a (nested) sequence of numbers (e.g. ``["relu"]`` or a dict)."""
    if a is None or isinstance(a, np.ndarray):
        return False
    try:
        flat = np.asarray(a, dtype=object).ravel()
    except (TypeError, ValueError):
        return True
    return not all(isinstance(x, numbers.Number) for x in flat)


def _is_npy(path: str) -> bool:
    """True if ``path`` starts with the ``.npy`` magic string (and exists)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(6) == b"\x93NUMPY"
    except OSError:
        return False


def _row_norms(V: np.ndarray) -> np.ndarray:
    """Euclidean norms of the rows of ``V``, exact in scale: each row is first divided
    by a power of two near its largest entry (so its squares neither under- nor
    overflow), and the norm multiplied back."""
    peaks = np.max(np.abs(V), axis=1)
    exps = np.frexp(peaks)[1]
    return np.ldexp(np.linalg.norm(np.ldexp(V, -exps[:, None]), axis=1), exps)
