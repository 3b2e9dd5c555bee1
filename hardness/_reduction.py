"""The k = 2 reduction SET SPLITTING → fitting ``y = u f(V x)`` exactly.

Source: Bakshi, Jayaram, Woodruff, *Learning Two Layer Rectified Neural Networks in
Polynomial Time*, COLT 2019, NP-hardness for two hidden units. Points live in
``R^{N+2}`` with coordinates ``(bias, x_1..x_N, w)``:

* ``o   = (1, 0,   0)``   label 0
* ``e_i = (1, e_i, 0)``   label 1, one per element
* ``x_c = (1, 1_c, 0)``   label 0, one per clause
* ``p±  = (1, 0,  ±1)``   label 1

so ``X`` is the ``(N+2) × n`` integer matrix with ``n = N + |C| + 3`` columns in the order
``o, e_0..e_{N-1}, x_c (clause order), p+, p-``. The instance has a splitting iff some
network with ``k = 2`` ReLU units fits the labels exactly (for every ``m ≥ 1``, the labels
being repeated on each output). Building ``X`` is O(N·n); :meth:`Reduction.forward` and
:meth:`Reduction.backward` are O(n·N) exact rational operations.

Internal module of :mod:`hardness`: use the names the package exports (``hardness.__all__``).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from recover import InvalidInputError, RelunetError, TwoLayerNetwork, check_positive_int

from ._rational import exact_matrix
from ._set_splitting import SetSplitting


class Reduction:
    """The reduced instance of a :class:`SetSplitting` instance.

    Attributes
    ----------
    instance : SetSplitting
    X : ndarray of int, shape (N+2, n)
        One point per column, coordinates ``(bias, x_1..x_N, w)``.
    y : ndarray of int, shape (n,)
        Labels (0 or 1).
    Y : ndarray of int, shape (m, n)
        ``y`` repeated on ``m`` outputs.
    names : list of str
        Name of each column: ``"o"``, ``"e0"``…, ``"x{0,1}"``…, ``"p+"``, ``"p-"``.
    """

    def __init__(self, instance: SetSplitting, m: int = 1):
        if not isinstance(instance, SetSplitting):
            raise InvalidInputError("reduce_set_splitting needs a SetSplitting instance")
        self.instance = instance
        self.m = check_positive_int(m, "m")
        self.X, self.y, self.names = _build_points(instance)
        self.Y = np.tile(self.y, (self.m, 1))

    @property
    def n_points(self) -> int:
        return self.X.shape[1]

    def index(self, name: str) -> int:
        """Column of the point called ``name``."""
        return self.names.index(name)

    # --- forward: splitting → network ------------------------------------------------
    def forward(self, splitting) -> TwoLayerNetwork:
        """The network of a splitting ``S1 ⊔ S2`` (colours 0 and 1), ``M = max|c|``:
        ``V_1 = (−1, 2·1_{S1} − 2M·1_{S2}, 2)``, ``V_2 = (−1, 2·1_{S2} − 2M·1_{S1}, −2)``,
        ``U = 1`` (m × 2), with exact rational weights.

        Raises :class:`InvalidInputError` if ``splitting`` is not a splitting, and
        :class:`RelunetError` if the network fails the exact check ``U f(V X) = Y``
        (which would be a bug in the construction).
        """
        colours = self.instance.check_colouring(splitting)
        if not self.instance.is_splitting(colours):
            raise InvalidInputError(f"{list(colours)} is not a splitting: some clause is "
                                    f"monochromatic")
        big = 2 * max(self.instance.max_clause_size, 1)
        one = Fraction(1)
        row1 = [-one] + [2 * one if c == 0 else -big * one for c in colours] + [2 * one]
        row2 = [-one] + [2 * one if c == 1 else -big * one for c in colours] + [-2 * one]
        V = np.array([row1, row2], dtype=object)
        U = np.full((self.m, 2), one, dtype=object)
        net = TwoLayerNetwork(U, V)
        if not self.fits(net):
            raise RelunetError("forward map produced a network that does not fit the "
                               "reduced instance (construction bug)")
        return net

    def fits(self, network: TwoLayerNetwork) -> bool:
        """Exact check ``U f(V X) == Y`` in rational arithmetic (float weights are
        converted exactly)."""
        if not isinstance(network, TwoLayerNetwork):
            raise InvalidInputError("expected a TwoLayerNetwork")
        if network.activation.name != "relu":
            raise InvalidInputError("the reduction is about ReLU networks, got activation "
                                    f"{network.activation.name!r}")
        if network.d != self.X.shape[0] or network.m != self.m or network.k != 2:
            raise InvalidInputError(
                f"network has (m, k, d) = {(network.m, network.k, network.d)}; the reduced "
                f"instance needs ({self.m}, 2, {self.X.shape[0]})")
        exact = TwoLayerNetwork(exact_matrix(network.U), exact_matrix(network.V))
        out = exact(exact_matrix(self.X))
        return bool(np.all(out == self.Y))

    # --- backward: network → splitting -----------------------------------------------
    def backward(self, network: TwoLayerNetwork) -> tuple[int, ...]:
        """The splitting read from a network that fits the reduced instance exactly.

        Following the ⇒ direction of the proof (docs/hardness.md): in a fit both output
        weights of every row are positive, and the colour of element ``i`` is 0 iff unit
        1 is active on ``e_i`` (``V_1·e_i > 0``). The result is checked to be a
        splitting.

        Raises :class:`InvalidInputError` if the network does not fit exactly, and
        :class:`RelunetError` if the read colouring is not a splitting (impossible by
        the proof; it would be a bug).
        """
        if not self.fits(network):
            raise InvalidInputError("the network does not fit the reduced instance exactly; "
                                    "no splitting can be read from it")
        U = exact_matrix(network.U)
        if not all(u > 0 for u in U.flat):
            raise RelunetError("a fitting network with a non-positive output weight "
                               "contradicts the proof (bug)")
        V = exact_matrix(network.V)
        n = self.instance.n_elements
        E = exact_matrix(self.X[:, 1:1 + n])
        active = (V[0] @ E) > 0
        colours = tuple(0 if a else 1 for a in active)
        if not self.instance.is_splitting(colours):
            raise RelunetError(f"backward map read {list(colours)}, not a splitting (bug)")
        return colours


def reduce_set_splitting(instance: SetSplitting, m: int = 1) -> Reduction:
    """Reduce a SET SPLITTING instance to an exact-fit instance with ``k = 2``, ``m``
    outputs (see :class:`Reduction`). Polynomial: O(N·(N + |C|)) integers."""
    return Reduction(instance, m=m)


def _build_points(instance: SetSplitting):
    n = instance.n_elements
    columns, labels, names = [], [], []

    def add(name, x, w, label):
        columns.append([1] + list(x) + [w])
        labels.append(label)
        names.append(name)

    add("o", [0] * n, 0, 0)
    for i in range(n):
        add(f"e{i}", [int(j == i) for j in range(n)], 0, 1)
    for clause in instance.clauses:
        add("x{" + ",".join(map(str, clause)) + "}", [int(j in clause) for j in range(n)], 0, 0)
    add("p+", [0] * n, 1, 1)
    add("p-", [0] * n, -1, 1)
    return (np.array(columns, dtype=np.int64).T, np.array(labels, dtype=np.int64), names)
