"""The Jacobian rank proof of local identifiability, for ReLU and for c*t^q."""

from fractions import Fraction

import numpy as np
import pytest

from recover import get_activation, planted_instance
from verify._exact import RationalMonomial
from verify._identifiability import identifiability_check

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

    from verify._identifiability import jacobian_rows_mod_p

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


# --- fewer outputs than hidden units (m < k, m = 1 included) ---------------------------
def _check(U, V, X, b=None):
    return identifiability_check(fractions(U), fractions(V), X,
                                 b=None if b is None else fractions(b))


@pytest.mark.parametrize("shape", [(10, 5, 1, 400), (20, 10, 1, 2000), (8, 4, 2, 400)])
def test_few_outputs_generic_instances_are_proven(shape):
    d, k, m, n = shape
    inst = planted_instance(*shape, seed=0, integer=True)
    check = _check(inst.network.U, inst.network.V, inst.X)
    assert check.status == "passed"
    assert check.numbers["rank"] == check.numbers["bound"] == m * k + k * d - k


def test_few_outputs_with_biases_is_proven():
    inst = planted_instance(8, 4, 2, 400, seed=0, integer=True, bias_std=1.0,
                            output_bias_std=1.0)
    net = inst.network
    check = _check(net.U, net.V, inst.X, b=net.b)
    assert check.status == "passed" and check.numbers["bound"] == 2 * 4 + 4 * 8 + 2


FEW = planted_instance(8, 4, 2, 400, seed=0, integer=True)


def test_parallel_units_are_not_proven():
    # v_2 = 2 v_1: relu(2 v_1 x) = 2 relu(v_1 x), the two units merge into one direction
    V = FEW.network.V.copy()
    V[1] = 2 * V[0]
    check = _check(FEW.network.U, V, FEW.X)
    assert check.status == "not proven" and not check.passed
    assert check.numbers["rank_lower_bound"] < check.numbers["bound"]


def test_opposite_units_with_biases_are_not_proven():
    # v_2 = -v_1, u_2 = -u_1, b_2 = -b_1: the pair is the affine map u_1 (v_1 x + b_1),
    # and b_1 trades with the output bias c: a continuous family of equal networks
    U, V = FEW.network.U.copy(), FEW.network.V.copy()
    V[1], U[:, 1] = -V[0], -U[:, 0]
    b = np.array([3.0, -3.0, 1.0, 2.0])
    check = _check(U, V, FEW.X, b=b)
    assert check.status == "not proven"
    assert check.numbers["rank_lower_bound"] == check.numbers["bound"] - 1


@pytest.mark.parametrize("m", [1, 2])
def test_opposite_units_without_biases_are_locally_identifiable(m):
    # relu(t) - relu(-t) = t makes the pair the linear map u_1 v_1^T x, but without biases
    # nothing trades with it continuously: the rank bound is met (local identifiability).
    # Global uniqueness is another matter (see test_certify_few_outputs.py::
    # test_the_pattern_is_unique_but_not_the_network).
    inst = planted_instance(8, 4, m, 400, seed=0, integer=True)
    U, V = inst.network.U.copy(), inst.network.V.copy()
    V[1], U[:, 1] = -V[0], -U[:, 0]
    assert _check(U, V, inst.X).status == "passed"


@pytest.mark.parametrize("shape", [(3, 6, 1), (3, 6, 2), (2, 5, 1)])
def test_more_units_than_inputs_is_still_proven(shape):
    # k > d does not break local identifiability of ReLU on Gaussian samples: every
    # unit's hyperplane separates two populated regions, and the jump of the gradient
    # across it fixes u_i v_i^T. (It does break V of full row rank, which the facet
    # method for m >= k and planted_instance assume.)
    d, k, m = shape
    rng = np.random.default_rng(0)
    X = np.rint(8 * rng.standard_normal((d, 600)))
    V = np.rint(12 * rng.standard_normal((k, d)))
    U = np.rint(4 * rng.standard_normal((m, k))) + 0.5
    check = _check(U, V, X)
    assert check.status == "passed" and check.numbers["bound"] == m * k + k * d - k


def test_a_unit_never_active_is_not_proven():
    V = FEW.network.V
    X = FEW.X[:, V[0] @ FEW.X < 0]
    check = _check(FEW.network.U, V, X)
    assert check.status == "not proven"
    # the dead unit's d + m - 1 directions are all lost
    assert check.numbers["rank_lower_bound"] <= check.numbers["bound"] - (8 + 2 - 1)


@pytest.mark.parametrize("m, n", [(1, 30), (2, 20)])
def test_too_few_samples_for_few_outputs_is_not_proven(m, n):
    inst = planted_instance(8, 4, m, n, seed=0, integer=True)  # n < k d = 32
    check = _check(inst.network.U, inst.network.V, inst.X)
    assert check.status == "not proven"


def test_always_active_units():
    # one always-active unit is linear on the samples but its rank-one U_i V_i is still
    # seen; with biases b_i trades with c (one direction lost); two such units show only
    # U_1 V_1 + U_2 V_2 (GL(2) mixing: two directions lost for m = 2)
    inst = planted_instance(8, 4, 2, 800, seed=0, integer=True)
    U, V, X = inst.network.U, inst.network.V, inst.X
    one = X[:, V[0] @ X > 0]
    assert _check(U, V, one).status == "passed"
    with_bias = _check(U, V, one, b=np.zeros(4))
    assert with_bias.numbers["rank_lower_bound"] == with_bias.numbers["bound"] - 1
    two = _check(U, V, X[:, (V[0] @ X > 0) & (V[1] @ X > 0)])
    assert two.numbers["rank_lower_bound"] == two.numbers["bound"] - 2
