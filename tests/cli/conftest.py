"""Shared small data for the command-line tests: one planted integer instance on disk."""

import hashlib
import json

import numpy as np
import pytest

from recover import planted_instance


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A folder with X.npy (6x120), Y.npy (4x120), truth.npz, net.npz (canonical truth),
    inst.json (SET SPLITTING), reduced.npz (X, y of a k = 2 instance) and cert.json."""
    from verify import certify

    root = tmp_path_factory.mktemp("data")
    inst = planted_instance(6, 3, 4, 120, seed=0, integer=True)
    np.save(root / "X.npy", inst.X)
    np.save(root / "Y.npy", inst.Y)
    inst.network.save(root / "truth.npz")
    inst.network.canonical().save(root / "net.npz")
    (root / "inst.json").write_text(json.dumps({"n_elements": 3, "clauses": [[0, 1], [1, 2]]}))
    np.savez(root / "reduced.npz", X=np.array([[1, 1]]), y=np.array([1, 2]))
    (root / "cert.json").write_text(certify(inst.X, inst.Y, inst.network).to_json())
    return root


@pytest.fixture
def digest():
    """``digest(folder)``: SHA-256 of every file under ``folder``."""
    return _digest


@pytest.fixture
def error_line(capsys):
    """``error_line()``: the single stderr line of a refused command (asserts there is
    exactly one, and no traceback)."""
    return lambda: one_error_line(capsys)


def _digest(folder) -> dict:
    """SHA-256 of every file under ``folder`` (to show that nothing was changed)."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def one_error_line(capsys) -> str:
    """The single stderr line of a refused command (asserts there is exactly one)."""
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]
