import numpy as np
import pytest

from recover import InvalidInputError
from recover._io import load_array


def test_loads_plain_npy(tmp_path):
    np.save(tmp_path / "a.npy", np.arange(6.0).reshape(2, 3))
    assert load_array(tmp_path / "a.npy").shape == (2, 3)


def test_refuses_pickled_npy(tmp_path):
    np.save(tmp_path / "p.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(InvalidInputError, match="pickled"):
        load_array(tmp_path / "p.npy")


def test_refuses_non_numeric(tmp_path):
    np.save(tmp_path / "s.npy", np.array(["a", "b"]))
    with pytest.raises(InvalidInputError, match="is not numeric: dtype <U1"):
        load_array(tmp_path / "s.npy")
    (tmp_path / "t.npy").write_text("hello")
    with pytest.raises(InvalidInputError, match="not a valid .npy"):
        load_array(tmp_path / "t.npy")


def test_missing_file(tmp_path):
    with pytest.raises(InvalidInputError, match="no such file"):
        load_array(tmp_path / "nope.npy")
