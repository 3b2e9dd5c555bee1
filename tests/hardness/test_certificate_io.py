"""Hardness certificates saved as JSON, reloaded, and re-checked exactly: a round trip
keeps every kind valid, and every edit of a stored certificate is rejected."""
import copy
import json
from fractions import Fraction

import numpy as np
import pytest

from hardness import SetSplitting, decide_fit, reduce_set_splitting
from hardness._search import Branch
from hardness._certificate_io import (MAX_DIGITS, certificate_from_json, certificate_to_json,
                                     load_certificate, save_certificate)
from recover import InvalidInputError

TRIANGLE = reduce_set_splitting(SetSplitting(3, [(0, 1), (1, 2), (0, 2)]))   # no
PATH = reduce_set_splitting(SetSplitting(3, [(0, 1), (1, 2)]))                # yes
LINE = np.array([[1, 1, 1, 1], [-1, 0, 1, 2]])
RANK3 = (LINE, np.array([[1, 0, 0, 1], [0, 1, 0, 1], [1, 1, 1, 1]]))   # no: rank 3 > k
PAIR_NO = (LINE, np.array([[1, 0, 0, 1], [0, 0, 1, 2]]))              # no: rank 2
PAIR_YES = (LINE, np.array([[2, 1, 0, 0], [0, 0, 1, 2]]))             # yes: rank 2
CASES = {"farkas": (TRIANGLE.X, TRIANGLE.y), "witness": (PATH.X, PATH.y), "rank": RANK3,
         "pair": PAIR_NO, "pair-witness": PAIR_YES}


@pytest.fixture(scope="module")
def stored():
    """kind -> (X, Y, JSON data of decide_fit's certificate)."""
    out = {}
    for name, (X, Y) in CASES.items():
        cert = decide_fit(X, Y).certificate
        assert cert.kind == name.split("-")[-1]
        out[name] = (X, Y, json.loads(json.dumps(certificate_to_json(cert))))
    return out


def reload_verifies(X, Y, data) -> bool:
    return certificate_from_json(copy.deepcopy(data)).verify(X, Y)


@pytest.mark.parametrize("name", sorted(CASES))
def test_round_trip_through_a_file(name, stored, tmp_path):
    X, Y, data = stored[name]
    cert = certificate_from_json(data)
    path = tmp_path / "c.json"
    save_certificate(cert, path)
    again = load_certificate(path)
    assert again.kind == cert.kind and again.verify(X, Y, raise_on_failure=True)
    assert certificate_to_json(again) == data
    assert again.n_leaves == cert.n_leaves


def _leaves(data):
    for tree in data["trees"]:
        for node in tree["nodes"]:
            if "leaf" in node and not node["rule"]:
                yield node


@pytest.mark.parametrize("name", ["farkas", "pair"])
def test_every_changed_multiplier_is_rejected(name, stored):
    """Farkas multipliers are not unique, so the edits are ones no valid certificate
    survives: a multiplier of a row whose coefficients are non-zero (every "unit" row
    here: each point has a bias coordinate 1) moved by 1/7 leaves Σ w_r a_r ≠ 0; a whole
    leaf negated makes Σ w_r b_r positive."""
    X, Y, data = stored[name]
    checked = 0
    for t, tree in enumerate(data["trees"]):
        for i, node in enumerate(tree["nodes"]):
            for e, (key, w) in enumerate(node.get("leaf", [])):
                edited = copy.deepcopy(data)
                leaf = edited["trees"][t]["nodes"][i]["leaf"]
                if key[0] in ("unit", "normal"):
                    leaf[e][1] = str(Fraction(w) + Fraction(1, 7))
                    assert not reload_verifies(X, Y, edited), key
                    checked += 1
                if e == 0:
                    edited = copy.deepcopy(data)
                    for entry in edited["trees"][t]["nodes"][i]["leaf"]:
                        entry[1] = str(-Fraction(entry[1]))
                    assert not reload_verifies(X, Y, edited)
                    checked += 1
            if checked >= 80:  # enough: each leaf is checked on its own
                return
    assert checked


def _branches(node):
    if isinstance(node, Branch):
        yield node
        for child in node.children.values():
            yield from _branches(child)


@pytest.mark.parametrize("name", ["farkas", "pair"])
def test_dropped_pattern_or_tree_is_rejected(name, stored):
    X, Y, data = stored[name]
    dropped = 0
    for case in certificate_from_json(data).cases:
        cert = certificate_from_json(data)
        branch = next(_branches(cert.cases[case]), None)  # None: the root is a leaf
        if branch is not None:
            branch.children.pop(next(iter(branch.children)))  # a well-formed file, one
            dropped += 1                                       # pattern short
            assert not reload_verifies(X, Y, certificate_to_json(cert))
    assert dropped
    edited = copy.deepcopy(data)  # cut out of the file by hand: its subtree is orphaned
    node = next(n for n in edited["trees"][0]["nodes"] if "branch" in n)
    del node["children"][0]
    with pytest.raises(InvalidInputError, match="belong to no branch"):
        certificate_from_json(edited)
    edited = copy.deepcopy(data)
    del edited["trees"][0]
    assert not reload_verifies(X, Y, edited)


def test_dropped_multiplier_row_is_rejected(stored):
    X, Y, data = stored["farkas"]
    edited = copy.deepcopy(data)
    leaf = next(_leaves(edited))
    del leaf["leaf"][0]
    assert not reload_verifies(X, Y, edited)


@pytest.mark.parametrize("name", ["witness", "pair-witness"])
def test_changed_witness_weight_is_rejected(name, stored):
    X, Y, data = stored[name]
    for matrix in ("U", "V"):
        edited = copy.deepcopy(data)
        entry = edited["witness"][matrix][0]
        entry[0] = str(Fraction(entry[0]) + Fraction(1, 1000))
        assert not reload_verifies(X, Y, edited)


def test_changed_rank_minor_and_normal_are_rejected(stored):
    X, Y, data = stored["rank"]
    edited = copy.deepcopy(data)
    edited["minor"]["cols"] = [0, 0, 1]
    assert not reload_verifies(X, Y, edited)
    X, Y, data = stored["pair"]
    edited = copy.deepcopy(data)
    edited["normal"] = [str(Fraction(v) + 1) for v in edited["normal"]]
    assert not reload_verifies(X, Y, edited)


@pytest.mark.parametrize("name", sorted(CASES))
def test_changed_labels_are_rejected(name, stored):
    """A witness fits only its labels; a "no" certificate must fail on labels that some
    network fits (those of a planted one), or it would be unsound."""
    X, Y, data = stored[name]
    assert reload_verifies(X, Y, data)
    Y = np.atleast_2d(Y)
    if name.endswith("witness"):
        changed = Y.copy()
        changed[0, 1] += 1
    else:
        rng = np.random.default_rng(0)
        V = rng.integers(-2, 3, (2, X.shape[0]))
        changed = rng.integers(-2, 3, (Y.shape[0], 2)) @ np.maximum(V @ X, 0)
        assert decide_fit(X, changed).feasible
    assert not reload_verifies(X, changed, data)


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.update(k=3), "not supported"),
    (lambda d: d.update(format="other"), "not a relunet-fit-certificate"),
    (lambda d: d.update(extra=1), "unknown field"),
    (lambda d: d["trees"][0]["nodes"][-1]["leaf"][0].__setitem__(1, "__import__('os')"),
     "not an exact rational"),
    (lambda d: d["trees"][0]["nodes"][-1]["leaf"][0].__setitem__(1, "1.5"), "not an exact"),
    (lambda d: d["trees"][0]["nodes"][-1]["leaf"][0].__setitem__(1, "1/-2"), "not an exact"),
    (lambda d: d["trees"][0]["nodes"][-1]["leaf"][0].__setitem__(1, "1/0"), "not an exact"),
    (lambda d: d["trees"][0]["nodes"][-1]["leaf"][0].__setitem__(1, "9" * (MAX_DIGITS + 1)),
     "at most"),
    (lambda d: d["trees"][0]["nodes"][-1]["leaf"][0].__setitem__(0, ["os", 1]), "row key"),
    (lambda d: d["trees"][0]["nodes"][0]["children"][0].__setitem__(1, 0), "later, unused"),
    (lambda d: d["trees"][0].update(case=[1, 2]), "sign case"),
    (lambda d: d["trees"].append(d["trees"][0]), "appears twice"),
])
def test_malformed_files_are_refused(edit, message, stored):
    data = copy.deepcopy(stored["farkas"][2])
    edit(data)
    with pytest.raises(InvalidInputError, match=message):
        certificate_from_json(data)


def test_deep_or_huge_files_are_refused(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100 + "]" * 100)
    with pytest.raises(InvalidInputError, match="deep"):
        load_certificate(path)
    path.write_text('{"k": ' + "9" * 100 + "}")
    with pytest.raises(InvalidInputError):
        load_certificate(path)
