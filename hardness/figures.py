"""Figures of the reduction (PNG files, drawn headless).

The figures are built with matplotlib's object-oriented API (``matplotlib.figure.Figure``,
written by ``savefig``, which picks the Agg canvas for PNG), never through pyplot: no
window, no global figure registry, and importing this module leaves the user's matplotlib
backend as it was.

* :func:`plot_hypergraph` — the SET SPLITTING instance as its bipartite incidence graph,
  elements coloured by a splitting when one is given.
* :func:`plot_gadget_line` — the labels 1, 0, 1 at ``p−, o, p+`` on the line
  ``(1, 0, t)`` and the two ReLU pieces ``u_i f(V_i·(1, 0, t))`` of a fitting network
  whose sum passes through them.

A public module imported on request (``from hardness import figures``), so that
``import hardness`` does not load matplotlib.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from matplotlib.figure import Figure

from recover import TwoLayerNetwork

from ._set_splitting import SetSplitting

COLOURS = ("tab:blue", "tab:orange")


def plot_hypergraph(instance: SetSplitting, path, splitting=None, title: str | None = None):
    """Draw the incidence graph: elements as circles (coloured by ``splitting``),
    clauses as grey squares. Writes ``path`` (PNG) and returns it."""
    graph = instance.graph
    elements = [("e", i) for i in range(instance.n_elements)]
    clauses = [("c", j) for j in range(len(instance.clauses))]
    pos = {v: (0.0, -i) for i, v in enumerate(elements)}
    shift = (len(elements) - len(clauses)) / 2
    pos.update({v: (1.0, -j - shift) for j, v in enumerate(clauses)})
    fig = Figure(figsize=(5, 0.6 * max(len(elements), len(clauses), 3) + 1))
    ax = fig.subplots()
    nx.draw_networkx_edges(graph, pos, ax=ax, edge_color="0.6")
    colours = [COLOURS[splitting[i]] if splitting else "white" for i in range(len(elements))]
    nx.draw_networkx_nodes(graph, pos, nodelist=elements, node_color=colours,
                           edgecolors="black", node_size=600, ax=ax)
    nx.draw_networkx_nodes(graph, pos, nodelist=clauses, node_shape="s", node_color="0.85",
                           edgecolors="black", node_size=900, ax=ax)
    labels = {v: str(v[1]) for v in elements}
    labels.update({("c", j): "{" + ",".join(map(str, c)) + "}"
                   for j, c in enumerate(instance.clauses)})
    nx.draw_networkx_labels(graph, pos, labels, font_size=9, ax=ax)
    ax.set_title(title or _default_title(splitting), fontsize=10, pad=18)
    ax.text(0, 0.45, "elements", ha="center", va="bottom")
    ax.text(1, 0.45, "clauses", ha="center", va="bottom")
    ax.set_xlim(-0.5, 1.5)
    ax.axis("off")
    return _save(fig, path)


def _default_title(splitting) -> str:
    if splitting is None:
        return "SET SPLITTING instance (no splitting)"
    return "splitting: blue = S1 (colour 0), orange = S2 (colour 1)"


def plot_gadget_line(network: TwoLayerNetwork, path, title: str | None = None):
    """Plot ``t ↦ u_i f(V_i·(1, 0, …, 0, t))`` for both units and their sum on
    ``t ∈ [−1.5, 1.5]``, with the labels of ``p− (t=−1)``, ``o (t=0)``, ``p+ (t=1)``.
    ``network`` must have ``k = 2`` and ``d = N + 2`` (first output row is drawn).
    Writes ``path`` (PNG) and returns it."""
    U = np.asarray(network.U, dtype=float)[0]
    V = np.asarray(network.V, dtype=float)
    t = np.linspace(-1.5, 1.5, 301)
    pieces = [U[i] * np.maximum(V[i, 0] + V[i, -1] * t, 0) for i in range(2)]
    fig = Figure(figsize=(6, 3.6))
    ax = fig.subplots()
    ax.plot(t, pieces[0] + pieces[1], color="0.75", lw=6, label="output (sum)")
    for i, piece in enumerate(pieces):
        ax.plot(t, piece, "--", color=COLOURS[i], lw=2,
                label=f"unit {i + 1}: {U[i]:g}·relu({V[i, 0]:g} {V[i, -1]:+g} t)")
    ax.scatter([-1, 0, 1], [1, 0, 1], s=80, color="tab:red", zorder=5, label="labels")
    for x, name in ((-1, "p−"), (0, "o"), (1, "p+")):
        ax.annotate(name, (x, 1 if x else 0), textcoords="offset points", xytext=(6, 8))
    ax.set_xlabel("t   (point (bias=1, x=0, w=t))")
    ax.set_ylabel("value")
    ax.set_title(title or "gadget line: labels 1, 0, 1 need two positive ReLU pieces",
                 fontsize=10)
    ax.legend(fontsize=8, loc="upper center")
    ax.set_ylim(-0.3, 2.2)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def _save(fig: Figure, path):
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path
