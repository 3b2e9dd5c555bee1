"""Hardness certificates (:class:`~hardness._decide.FitCertificate`) as JSON, and back.

The file holds the whole proof, so that anyone can re-check a :func:`decide_fit` answer
from the data alone (``relunet hardness verify``, or :meth:`FitCertificate.verify`):

    {"format": "relunet-fit-certificate", "version": 1, "kind": ..., "k": 2,
     "witness": {"U": [["p/q", ...], ...], "V": [...]},          # kind "witness"
     "row": 0,                                                   # kind "farkas"
     "minor": {"rows": [...], "cols": [...]},                    # kind "rank"
     "normal": ["p/q", "p/q"],                                   # kind "pair"
     "trees": [{"case": [1, -1], "nodes": [node, ...]}, ...]}    # "farkas", "pair"

A tree is a flat list of nodes, the root first (so the JSON nesting stays shallow however
deep the tree): ``{"branch": j, "children": [[[true, false], i], ...]}`` with each child
index ``i`` after its parent and used once, or ``{"leaf": [[key, "p/q"], ...],
"rule": false}`` with row keys ``["label", j]``, ``["unit", j, q]``, ``["bound", j, q]``,
``["normal"]``. A tree's ``case`` is its sign case (``"farkas"``) or direction ``±1``
(``"pair"``).

Reading is strict and bounded: every number is an integer or a ``"p/q"`` string matched
by :data:`RATIONAL` (at most :data:`MAX_DIGITS` digits) and converted with
:class:`fractions.Fraction` — nothing is evaluated; files are at most
:data:`MAX_FILE_BYTES`, with at most :data:`MAX_NODES` nodes. Anything else raises
:class:`~recover._errors.InvalidInputError` with one line. Reading does not check the
proof: :meth:`FitCertificate.verify` does, in exact rational arithmetic.

Internal module of :mod:`hardness`: use the names the package exports (``hardness.__all__``).
"""

from __future__ import annotations

import json
import re
from fractions import Fraction

import numpy as np

from recover import InvalidInputError, TwoLayerNetwork, atomic_write, load_bounded

from ._decide import KINDS, FitCertificate
from ._search import Branch, Leaf

FORMAT, VERSION = "relunet-fit-certificate", 1
#: Longest numerator or denominator, in decimal digits.
MAX_DIGITS = 1000
#: An exact rational as text: an integer or p/q, no sign on q, no leading zeros.
RATIONAL = re.compile(r"-?(0|[1-9][0-9]{0,%d})(/[1-9][0-9]{0,%d})?" % (MAX_DIGITS - 1,
                                                                        MAX_DIGITS - 1))
#: Largest certificate file read.
MAX_FILE_BYTES = 256 * 2 ** 20
#: Most nodes over all trees of a certificate.
MAX_NODES = 2_000_000
_ROW_KEYS = {"label": 1, "unit": 2, "bound": 2, "normal": 0}


# --- writing ------------------------------------------------------------------------------
def certificate_to_json(cert: FitCertificate) -> dict:
    """JSON-ready data of the whole certificate (see the module docstring)."""
    out = {"format": FORMAT, "version": VERSION, "kind": cert.kind, "k": cert.k}
    if cert.kind == "witness":
        out["witness"] = {"U": _matrix_text(cert.witness.U), "V": _matrix_text(cert.witness.V)}
    elif cert.kind == "rank":
        out["minor"] = {"rows": [int(i) for i in cert.minor[0]],
                        "cols": [int(j) for j in cert.minor[1]]}
    else:
        if cert.kind == "farkas":
            out["row"] = int(cert.row)
        else:
            out["normal"] = [_text(v) for v in cert.normal]
        out["trees"] = [{"case": list(case) if isinstance(case, tuple) else int(case),
                         "nodes": _flatten(tree)} for case, tree in cert.cases.items()]
    return out


def save_certificate(cert: FitCertificate, path) -> None:
    """Write ``cert`` as JSON to ``path`` (atomically)."""
    with atomic_write(path, "w") as fh:
        json.dump(certificate_to_json(cert), fh, separators=(",", ":"))


def _text(v) -> str:
    return str(Fraction(v))


def _matrix_text(M) -> list:
    return [[_text(v) for v in row] for row in M]


def _flatten(tree) -> list:
    nodes, stack = [], [(tree, None)]
    while stack:
        node, slot = stack.pop()
        if slot is not None:
            slot[1] = len(nodes)
        if isinstance(node, Leaf):
            nodes.append({"leaf": [[list(key), _text(w)] for key, w in node.multipliers.items()],
                          "rule": node.rule})
            continue
        children = [[list(p), None] for p in node.children]
        nodes.append({"branch": int(node.point), "children": children})
        for entry, child in zip(reversed(children), reversed(list(node.children.values()))):
            stack.append((child, entry))
    return nodes


# --- reading ------------------------------------------------------------------------------
def load_certificate(path) -> FitCertificate:
    """Read a certificate written by :func:`save_certificate`, strictly validated (not
    yet checked against data: call :meth:`FitCertificate.verify`)."""
    return certificate_from_json(load_bounded(path, "certificate", MAX_FILE_BYTES,
                                              max_depth=8, max_number_chars=20))


def certificate_from_json(data) -> FitCertificate:
    """The :class:`FitCertificate` of :func:`certificate_to_json` data; every
    malformation raises :class:`InvalidInputError`."""
    data = _dict(data, "certificate", {"format", "version", "kind", "k", "witness", "row",
                                       "minor", "normal", "trees"})
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise InvalidInputError(f"not a {FORMAT} version {VERSION} file")
    kind, k = data.get("kind"), _int(data.get("k"), "k")
    if kind not in KINDS or k not in (1, 2):
        raise InvalidInputError(f"certificate kind {kind!r} / k {k!r} not supported")
    expected = {"witness": {"witness"}, "rank": {"minor"}, "farkas": {"row", "trees"},
                "pair": {"normal", "trees"}}[kind]
    present = set(data) - {"format", "version", "kind", "k"}
    if present != expected:
        raise InvalidInputError(f"a {kind} certificate has the fields {sorted(expected)}, "
                                f"not {sorted(present)}")
    if kind == "witness":
        w = _dict(data["witness"], "witness", {"U", "V"})
        U, V = _matrix(w.get("U"), "witness U"), _matrix(w.get("V"), "witness V")
        try:
            net = TwoLayerNetwork(U, V)
        except (ValueError, TypeError) as exc:
            raise InvalidInputError(f"witness: {exc}") from None
        return FitCertificate("witness", k, witness=net)
    if kind == "rank":
        m = _dict(data["minor"], "minor", {"rows", "cols"})
        rows, cols = (tuple(_int(i, "minor index") for i in _list(m.get(name), "minor"))
                      for name in ("rows", "cols"))
        return FitCertificate("rank", k, minor=(rows, cols))
    budget = [MAX_NODES]
    trees = _list(data["trees"], "trees")
    cases = {}
    for entry in trees:
        entry = _dict(entry, "tree", {"case", "nodes"})
        case = _case(entry.get("case"), kind, k)
        if case in cases:
            raise InvalidInputError(f"case {case} appears twice")
        cases[case] = _tree(_list(entry.get("nodes"), "nodes"), budget)
    if kind == "farkas":
        return FitCertificate("farkas", k, cases=cases, row=_int(data["row"], "row"))
    normal = tuple(_rational(v, "normal") for v in _list(data["normal"], "normal"))
    return FitCertificate("pair", k, cases=cases, normal=normal)


def _case(value, kind, k):
    if kind == "pair":
        case = _int(value, "direction")
        if case not in (1, -1):
            raise InvalidInputError(f"direction must be 1 or -1, got {case}")
        return case
    signs = tuple(_int(s, "sign") for s in _list(value, "case"))
    if len(signs) != k or not all(s in (-1, 0, 1) for s in signs):
        raise InvalidInputError(f"sign case {signs} is not {k} signs in -1, 0, 1")
    return signs


def _tree(nodes: list, budget: list):
    if not nodes:
        raise InvalidInputError("a tree has no nodes")
    budget[0] -= len(nodes)
    if budget[0] < 0:
        raise InvalidInputError(f"more than {MAX_NODES} certificate nodes")
    built: list = [None] * len(nodes)
    parent_of = [None] * len(nodes)
    for index in range(len(nodes) - 1, -1, -1):  # children come after their parent
        node = nodes[index]
        if isinstance(node, dict) and "leaf" in node:
            node = _dict(node, "leaf node", {"leaf", "rule"})
            rule = node.get("rule")
            if not isinstance(rule, bool):
                raise InvalidInputError("a leaf's rule must be true or false")
            built[index] = Leaf(_multipliers(node["leaf"]), rule=rule)
            continue
        node = _dict(node, "branch node", {"branch", "children"})
        branch = Branch(_int(node.get("branch"), "branch point"))
        for child in _list(node.get("children"), "children"):
            pattern, target = _pair(child)
            if not index < target < len(nodes) or parent_of[target] is not None:
                raise InvalidInputError(f"node {index}: child index {target} is not a later, "
                                        f"unused node")
            if pattern in branch.children:
                raise InvalidInputError(f"node {index}: pattern {pattern} appears twice")
            parent_of[target] = index
            branch.children[pattern] = built[target]
        built[index] = branch
    orphans = [i for i in range(1, len(nodes)) if parent_of[i] is None]
    if orphans:
        raise InvalidInputError(f"tree nodes {orphans[:5]} belong to no branch")
    return built[0]


def _pair(child):
    child = _list(child, "child")
    if len(child) != 2:
        raise InvalidInputError("a child is [pattern, node index]")
    pattern = _list(child[0], "pattern")
    if not all(isinstance(a, bool) for a in pattern) or len(pattern) > 2:
        raise InvalidInputError(f"a pattern is at most two booleans, got {pattern!r}")
    return tuple(pattern), _int(child[1], "node index")


def _multipliers(entries) -> dict:
    out = {}
    for entry in _list(entries, "leaf"):
        entry = _list(entry, "multiplier")
        if len(entry) != 2:
            raise InvalidInputError("a multiplier is [row key, \"p/q\"]")
        key = tuple(_list(entry[0], "row key"))
        if not key or key[0] not in _ROW_KEYS or len(key) != 1 + _ROW_KEYS[key[0]]:
            raise InvalidInputError(f"unknown row key {list(key)!r}")
        key = (key[0],) + tuple(_int(i, "row key index") for i in key[1:])
        if key in out:
            raise InvalidInputError(f"row key {list(key)} appears twice in a leaf")
        out[key] = _rational(entry[1], "multiplier")
    return out


def _matrix(value, what) -> np.ndarray:
    rows = [[_rational(v, what) for v in _list(row, what)] for row in _list(value, what)]
    if not rows or len({len(r) for r in rows}) != 1 or not rows[0]:
        raise InvalidInputError(f"{what} must be a non-empty rectangular matrix")
    return np.array(rows, dtype=object).reshape(len(rows), len(rows[0]))


def _rational(value, what) -> Fraction:
    if isinstance(value, int) and not isinstance(value, bool):
        return Fraction(value)
    if not isinstance(value, str) or RATIONAL.fullmatch(value) is None:
        raise InvalidInputError(f"{what}: {str(value)[:40]!r} is not an exact rational "
                                f"\"p/q\" (at most {MAX_DIGITS} digits each)")
    return Fraction(value)


def _int(value, what) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInputError(f"{what} must be an integer, got {str(value)[:40]!r}")
    return value


def _list(value, what) -> list:
    if not isinstance(value, list):
        raise InvalidInputError(f"{what} must be a JSON array")
    return value


def _dict(value, what, allowed: set) -> dict:
    if not isinstance(value, dict):
        raise InvalidInputError(f"{what} must be a JSON object")
    extra = set(value) - allowed
    if extra:
        raise InvalidInputError(f"{what}: unknown field(s) {sorted(extra)}")
    return value
