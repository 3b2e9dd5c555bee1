"""SET SPLITTING instances are capped in size, and loading any bad file gives one
InvalidInputError line."""
import json

import pytest

from hardness._set_splitting import (MAX_CLAUSES, MAX_ELEMENTS, MAX_FILE_BYTES,
                                    MAX_INCIDENCES, SetSplitting)
from recover import InvalidInputError


def test_fifty_byte_instance_with_a_billion_elements(tmp_path):
    path = tmp_path / "inst.json"
    path.write_text('{"n_elements": 1000000000, "clauses": [[0, 1]]}')
    with pytest.raises(InvalidInputError, match=f"1..{MAX_ELEMENTS}.*100 MB"):
        SetSplitting.load(path)


def test_limits_are_inclusive():
    assert SetSplitting(MAX_ELEMENTS, [(0, MAX_ELEMENTS - 1)]).n_elements == MAX_ELEMENTS
    with pytest.raises(InvalidInputError, match="n_elements"):
        SetSplitting(MAX_ELEMENTS + 1, [])


def test_clause_count_and_total_size():
    pairs = [(i, j) for i in range(200) for j in range(i + 1, 200)][:MAX_CLAUSES + 1]
    with pytest.raises(InvalidInputError, match=f"at most {MAX_CLAUSES} accepted"):
        SetSplitting(200, pairs)
    wide = [tuple(range(c, c + 500)) for c in range(MAX_INCIDENCES // 500 + 1)]
    with pytest.raises(InvalidInputError, match=f"more than {MAX_INCIDENCES}"):
        SetSplitting(1000, wide)


def test_many_distinct_clauses_are_fast_enough():
    pairs = [(i, j) for i in range(200) for j in range(i + 1, 200)][:MAX_CLAUSES]
    assert len(SetSplitting(200, pairs).clauses) == MAX_CLAUSES


@pytest.mark.parametrize("content, fragment", [
    ("[" * 40 + "]" * 40, "40 deep"),
    ('{"n_elements": ' + "9" * 5000 + ', "clauses": []}', "number literal"),
    ('{"n_elements": 3, "clauses": [[0, 1]', "not valid JSON"),
    ('{"n_elements": 3.0, "clauses": []}', "must be an integer"),
    ('[1, 2]', "must be a JSON object"),
])
def test_bad_files(tmp_path, content, fragment):
    path = tmp_path / "inst.json"
    path.write_text(content)
    with pytest.raises(InvalidInputError, match=fragment):
        SetSplitting.load(path)


def test_oversized_file(tmp_path):
    path = tmp_path / "inst.json"
    path.write_text(json.dumps({"n_elements": 3, "clauses": [[0, 1]]}) + " " * MAX_FILE_BYTES)
    with pytest.raises(InvalidInputError, match=f"over the cap of {MAX_FILE_BYTES} bytes"):
        SetSplitting.load(path)


def test_directory_non_utf8_and_missing(tmp_path):
    with pytest.raises(InvalidInputError, match="is a folder, not a file"):
        SetSplitting.load(tmp_path)
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"n_elements": 3, "clauses": [], "x": "\xe9"}')
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        SetSplitting.load(bad)
    with pytest.raises(InvalidInputError, match="no such file"):
        SetSplitting.load(tmp_path / "missing.json")


def test_permission_denied(tmp_path, monkeypatch):
    """Faked: the tests may run as root, who reads files whatever their mode."""
    import recover._io as io

    def denied(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    (tmp_path / "inst.json").write_text('{"n_elements": 2, "clauses": [[0, 1]]}')
    monkeypatch.setattr(io, "open", denied, raising=False)
    with pytest.raises(InvalidInputError, match="cannot be read: Permission denied"):
        SetSplitting.load(tmp_path / "inst.json")


def test_long_bad_clause_message_stays_short():
    with pytest.raises(InvalidInputError) as info:
        SetSplitting(3, [list(range(3)) + ["x" * 10_000]])
    assert len(str(info.value)) < 200
