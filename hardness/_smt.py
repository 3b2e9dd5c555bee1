"""Optional cross-check of :func:`~hardness._decide.decide_fit` with the z3 SMT solver.

Encodes ``Σ_i u_i max(v_i·x_j, 0) = y_j`` over the reals. With one output row,
``u_i ∈ {+1, −1, 0}`` (the homogeneity argument of docs/hardness.md), each product
written as an ``If``, so the formula is in linear real arithmetic with integer case
variables. With ``m > 1`` rows ``U`` is a matrix of real unknowns and the formula is
polynomial (z3's complete procedure for non-linear real arithmetic); it knows nothing
of the rank argument that :func:`~hardness._decide.decide_fit` uses. Needs the ``smt`` extra
(``pip install z3-solver``); :func:`z3_available` says whether it is installed.
This is an independent second opinion, not a certificate: z3's answer is trusted as is.

Internal module of :mod:`hardness`: use the names the package exports (``hardness.__all__``).
"""

from __future__ import annotations

import importlib.util

from recover import RelunetError

from ._decide import validate_fit_labels


def z3_available() -> bool:
    return importlib.util.find_spec("z3") is not None


def z3_decide_fit(X, y, k: int = 2, *, exact_floats: bool = False) -> bool:
    """Whether z3 finds ``U``, ``V ∈ Q^{k×d}`` with ``U f(V X) = Y`` (``y`` of shape
    (n,) or (m, n); for one row ``U = u ∈ {−1, 0, 1}^k``).

    Raises :class:`RelunetError` if z3 is not installed or answers "unknown".
    """
    if not z3_available():
        raise RelunetError("z3 is not installed (pip install 'relunet[smt]')")
    import z3

    X, Y = validate_fit_labels(X, y, exact_floats)
    if Y.shape[0] > 1:
        return _check(z3, _matrix_formula(z3, X, Y, k))
    y = Y[0]
    d, n = X.shape
    solver = z3.Solver()
    u = [z3.Int(f"u{i}") for i in range(k)]
    V = [[z3.Real(f"v{i}_{c}") for c in range(d)] for i in range(k)]
    for ui in u:
        solver.add(ui >= -1, ui <= 1)
    for j in range(n):
        pre = [z3.Sum([V[i][c] * z3.RealVal(str(X[c, j])) for c in range(d)]) for i in range(k)]
        out = z3.Sum([z3.If(p > 0, z3.If(u[i] == 1, p, z3.If(u[i] == -1, -p, z3.RealVal(0))),
                            z3.RealVal(0)) for i, p in enumerate(pre)])
        solver.add(out == z3.RealVal(str(y[j])))
    return _check(z3, solver)


def _matrix_formula(z3, X, Y, k: int):
    (d, n), m = X.shape, Y.shape[0]
    solver = z3.Solver()
    U = [[z3.Real(f"u{r}_{i}") for i in range(k)] for r in range(m)]
    V = [[z3.Real(f"v{i}_{c}") for c in range(d)] for i in range(k)]
    for j in range(n):
        pre = [z3.Sum([V[i][c] * z3.RealVal(str(X[c, j])) for c in range(d)]) for i in range(k)]
        act = [z3.If(p > 0, p, z3.RealVal(0)) for p in pre]
        for r in range(m):
            solver.add(z3.Sum([U[r][i] * act[i] for i in range(k)]) == z3.RealVal(str(Y[r, j])))
    return solver


def _check(z3, solver) -> bool:
    verdict = solver.check()
    if verdict == z3.unknown:
        raise RelunetError(f"z3 answered unknown: {solver.reason_unknown()}")
    return verdict == z3.sat
