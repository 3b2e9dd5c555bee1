"""The rank step chooses its k×k block by float pivoting but proves it exactly: a bad
float choice falls back to exact elimination, and rank(Y) < k is reported, never guessed."""
import numpy as np

from recover import TwoLayerNetwork, planted_instance
from verify import _exact as exact, certify
from verify._exact import exact_span, qq_matrix

INST = planted_instance(6, 3, 5, 300, seed=4, integer=True)


def test_dependent_float_choice_of_rows_falls_back_to_exact_rows(monkeypatch):
    U = INST.network.U.copy()
    U[1] = U[0]  # rows 0 and 1 of Y are equal: any choice containing both is singular
    net = TwoLayerNetwork(U, INST.network.V)
    Y = net(INST.X)
    real = exact.propose_columns
    calls = []

    def propose(Af, r, among=None, seed=0):
        if Af.shape == Y.T.shape and among is None:  # the float choice of rows of Y
            calls.append(r)
            return np.array([0, 1, 2])
        return real(Af, r, among, seed)

    monkeypatch.setattr(exact, "propose_columns", propose)
    span, check = exact_span(qq_matrix(Y), Y, 3)
    assert calls == [3] and check.status == "passed"
    R, C = span
    assert not {0, 1} <= set(R.tolist())
    assert certify(INST.X, Y, net, identifiability=False).holds


def test_rank_below_k_is_not_proven_with_the_exact_rank():
    U = INST.network.U.copy()
    U[:, 2] = U[:, 0] + U[:, 1]  # three units seen through a rank-2 output map
    net = TwoLayerNetwork(U, INST.network.V)
    Y = net(INST.X)
    span, check = exact_span(qq_matrix(Y), Y, 3)
    assert span is None and check.status == "not proven"
    assert check.numbers == {"rank": 2, "k": 3}
    cert = certify(INST.X, Y, net, identifiability=False)
    assert not cert.holds and cert.check("rank").status == "not proven"


def test_differences_are_exact_whatever_the_matrix_format():
    A = qq_matrix(np.array([[0.5, 0.0], [3.0, -1.0]]))
    B = qq_matrix(np.array([[0.5, 2.0**-60], [3.0, -1.0]]))
    assert exact.differences(A, A.to_sparse()) == {}
    assert exact.differences(A, B) == {(0, 1): -exact.QQ(1, 2**60)}
    assert exact.differences(A.to_sparse(), B) == {(0, 1): -exact.QQ(1, 2**60)}
