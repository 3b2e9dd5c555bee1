import json

import networkx as nx
import pytest

from hardness import SetSplitting, enumerate_instances, random_instance
from recover import InvalidInputError


def test_solver_and_splittings():
    triangle = SetSplitting(3, [(0, 1), (1, 2), (0, 2)])
    assert triangle.solve() is None and not triangle.is_yes()
    path = SetSplitting(3, [(0, 1), (1, 2)])
    assert path.solve() == (0, 1, 0)
    assert path.is_splitting((1, 0, 1)) and not path.is_splitting((0, 0, 1))
    assert SetSplitting(2, [(0,)]).solve() is None  # a singleton is never split
    assert SetSplitting(2, []).solve() == (0, 0)


def test_incidence_graph_is_bipartite():
    inst = SetSplitting(4, [(0, 1, 2), (2, 3)])
    g = inst.graph
    assert nx.is_bipartite(g)
    assert g.number_of_nodes() == 6 and g.number_of_edges() == 5
    assert {d["bipartite"] for _, d in g.nodes(data=True)} == {0, 1}


@pytest.mark.parametrize("n, clauses, message", [
    (3, [(0, 3)], "out of range"),
    (3, [()], "empty"),
    (3, [(0, 0)], "repeats"),
    (3, [(0, 1), (1, 0)], "twice"),
    (3, [(0, 1.5)], "non-integer"),
    (3, [(0, True)], "non-integer"),
    (0, [], "n_elements"),
    ("3", [], "n_elements"),
    (3, "01", "sequence"),
])
def test_bad_instances_have_clear_errors(n, clauses, message):
    with pytest.raises(InvalidInputError, match=message):
        SetSplitting(n, clauses)


def test_bad_colourings():
    inst = SetSplitting(3, [(0, 1)])
    with pytest.raises(InvalidInputError, match="3 colours"):
        inst.is_splitting((0, 1))
    with pytest.raises(InvalidInputError, match="0 or 1"):
        inst.is_splitting((0, 2, 1))


def test_json_round_trip_and_validation(tmp_path):
    inst = SetSplitting(4, [(2, 0), (1, 2, 3)])
    path = tmp_path / "inst.json"
    inst.save(path)
    assert SetSplitting.load(path) == inst
    (tmp_path / "bad.json").write_text(json.dumps({"n_elements": 2, "clauses": [[0, 5]]}))
    with pytest.raises(InvalidInputError, match="out of range"):
        SetSplitting.load(tmp_path / "bad.json")
    (tmp_path / "junk.json").write_text("{not json")
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        SetSplitting.load(tmp_path / "junk.json")
    with pytest.raises(InvalidInputError, match="missing"):
        SetSplitting.from_dict({"clauses": []})
    with pytest.raises(InvalidInputError, match="no such file"):
        SetSplitting.load(tmp_path / "absent.json")


def test_enumeration_is_up_to_isomorphism():
    found = list(enumerate_instances(3, 2, clause_sizes=(2,)))
    for a in found:
        assert sum(a.is_isomorphic(b) for b in found) == 1
    # N=3, ≤2 clauses of size 2: {}, {01}, {01,12}, {01,02}≅{01,12} ... by hand:
    # N=1: {} ; N=2: {}, {01} ; N=3: {}, {01}, {01,12}
    assert len(found) == 6


def test_enumeration_counts_small():
    # N ≤ 2, ≤ 2 clauses, sizes 1..2: N=1: {}, {0}; N=2: {}, {0}, {01}, {0,1}, {0,01}
    found = list(enumerate_instances(2, 2, clause_sizes=(1, 2)))
    assert len(found) == 2 + 5  # {0}≅{1} and {0,01}≅{1,01} are merged
    assert sum(inst.n_elements == 1 for inst in found) == 2


@pytest.mark.parametrize("splittable", [True, False])
def test_generators_are_deterministic_and_planted(splittable):
    a = random_instance(5, 6, seed=3, splittable=splittable)
    assert a == random_instance(5, 6, seed=3, splittable=splittable)
    assert len(a.clauses) == 6
    assert a.is_yes() == splittable
