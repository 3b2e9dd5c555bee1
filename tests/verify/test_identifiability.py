"""The Jacobian rank proof of local identifiability, for ReLU and for c*t^q."""

from fractions import Fraction

import numpy as np
import pytest

from recover import get_activation, planted_instance
from verify.exact import RationalMonomial
from verify.identifiability import identifiability_check

fractions = np.vectorize(Fraction, otypes=[object])


@pytest.mark.parametrize("act", ["relu", "relu2", "t**3", "2*t**2"])
def test_the_rank_bound_is_proven_on_planted_networks(act):
    inst = planted_instance(8, 4, 6, 400, seed=2, activation=act, integer=True)
    g = RationalMonomial.of(get_activation(act))
    check = identifiability_check(fractions(inst.network.U), fractions(inst.network.V),
                                  inst.X, g=g)
    assert check.status == "passed" and not check.required
    assert check.numbers["rank"] == check.numbers["bound"] == 6 * 4 + 4 * 8 - 4


@pytest.mark.parametrize("act", ["relu", "relu2"])
def test_too_few_samples_is_not_proven_never_refuted(act):
    # 2 outputs x 5 samples = 10 equations < mk + kd - k = 15 unknowns (up to symmetry)
    inst = planted_instance(4, 3, 2, 5, seed=0, activation=act, integer=True)
    g = RationalMonomial.of(get_activation(act))
    check = identifiability_check(fractions(inst.network.U), fractions(inst.network.V),
                                  inst.X, g=g)
    assert check.status == "not proven"
    assert "not a proof of non-identifiability" in check.detail
    assert check.numbers["rank_lower_bound"] <= 10


def test_a_duplicated_unit_is_not_proven():
    # Two units with the same V row: U_1 + U_2 is all the data can see, so the rank
    # drops below the bound however many samples there are.
    inst = planted_instance(6, 3, 5, 400, seed=1, activation="relu2", integer=True)
    V = fractions(inst.network.V)
    V[1] = V[0]
    check = identifiability_check(fractions(inst.network.U), V, inst.X,
                                  g=RationalMonomial.of(get_activation("relu2")))
    assert check.status == "not proven"


@pytest.mark.parametrize("act", ["relu", "relu2", "t**3", "2*t**2"])
def test_the_jacobian_mod_p_is_the_derivative_of_the_network(act):
    # Independent check of f and f' inside the rank proof: differentiate U f(V X)
    # symbolically (sympy) at the same point, reduce mod p, compare row by row.
    import sympy

    from verify.identifiability import jacobian_rows_mod_p

    inst = planted_instance(3, 2, 2, 12, seed=4, activation=act, integer=True)
    U, V, X = fractions(inst.network.U), fractions(inst.network.V), inst.X
    g = RationalMonomial.of(get_activation(act))
    p = 2147483647
    J, pairs, keep = jacobian_rows_mod_p(U, V, X, p, rows=10**6, seed=0, g=g)
    assert len(pairs) == 2 * len(keep) and len(keep) > 0
    u = sympy.Matrix(2, 2, sympy.symbols("u0:4"))
    v = sympy.Matrix(2, 3, sympy.symbols("v0:6"))
    point = {**dict(zip(u, U.ravel())), **dict(zip(v, V.ravel()))}
    c, q = sympy.Rational(str(g.c)), g.p
    for row, (r, j) in zip(J, pairs):
        x = sympy.Matrix([sympy.Rational(int(a)) for a in X[:, j]])
        pre = [(v[i, :] * x)[0] for i in range(2)]
        active = [pre_i.subs(point) > 0 for pre_i in pre]
        y = sum(u[r, i] * c * pre[i] ** q for i in range(2) if active[i])
        grad = [sympy.diff(y, s).subs(point) for s in list(u) + list(v)]
        want = [int(gr.p) * pow(int(gr.q), -1, p) % p for gr in grad]
        assert row.tolist() == want
