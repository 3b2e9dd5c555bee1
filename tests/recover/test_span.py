"""Step 1 alone (recover._span): the label span is the span of U*, to machine precision."""

import numpy as np
import pytest

from recover import InvalidInputError, label_span, planted_instance

EPS = np.finfo(float).eps


@pytest.mark.parametrize("shape", [(10, 4, 6, 500),     # wide Y: the QR route
                                   (10, 4, 6, 9),       # n <= 2m: the direct SVD
                                   (20, 10, 15, 2000)])
def test_basis_spans_the_labels_and_the_output_weights(shape):
    inst = planted_instance(*shape, seed=3)
    Y, U = inst.Y, inst.network.U
    span = label_span(Y)
    P = span.P
    assert span.k == shape[1]                                   # rank detected
    assert np.abs(P.T @ P - np.eye(span.k)).max() < 10 * EPS    # orthonormal
    # Y's columns lie in span(P) to machine precision, and so do U*'s: the same space
    assert np.linalg.norm(Y - P @ (P.T @ Y)) <= 50 * EPS * np.linalg.norm(Y)
    assert np.linalg.norm(U - P @ (P.T @ U)) <= 50 * EPS * np.linalg.norm(U)
    assert np.allclose(span.Z, P.T @ Y, rtol=0, atol=10 * EPS * np.abs(Y).max())
    assert span.tail_ratio < 1e-13 and span.rank_gap > 1e-3


def test_the_requested_k_is_kept():
    inst = planted_instance(10, 4, 6, 500, seed=1)
    assert label_span(inst.Y, k=3).k == 3
    assert label_span(inst.Y).first(2).P.shape == (6, 2)


def test_rank_deficient_labels_are_reported():
    """U* with two equal columns: rank k−1, so k units cannot be read from the labels."""
    inst = planted_instance(10, 4, 6, 500, seed=2)
    U = inst.network.U.copy()
    U[:, 3] = U[:, 2]
    Y = U @ np.maximum(inst.network.V @ inst.X, 0)
    assert label_span(Y).k == 3
    with pytest.raises(InvalidInputError, match="rank of Y is 3 .* k = 4"):
        label_span(Y, k=4)


def test_zero_labels_are_reported():
    with pytest.raises(InvalidInputError, match="Y is zero"):
        label_span(np.zeros((3, 50)))
