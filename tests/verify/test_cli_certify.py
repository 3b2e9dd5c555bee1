import json

import numpy as np

from recover import planted_instance
from relunet.cli import main


def _files(tmp_path, inst, Y=None):
    np.save(tmp_path / "X.npy", inst.X)
    np.save(tmp_path / "Y.npy", inst.Y if Y is None else Y)
    inst.network.canonical().save(tmp_path / "net.npz")
    inst.network.save(tmp_path / "truth.npz")
    return [f"--x={tmp_path / 'X.npy'}", f"--y={tmp_path / 'Y.npy'}",
            f"--net={tmp_path / 'net.npz'}"]


def test_certify_exit_codes(tmp_path, capsys):
    inst = planted_instance(6, 3, 4, 200, seed=0, integer=True)
    args = _files(tmp_path, inst)
    out = tmp_path / "cert.json"
    assert main(["certify", *args, f"--truth={tmp_path / 'truth.npz'}", "--exact",
                 f"--out={out}"]) == 0
    assert json.loads(out.read_text())["holds"] is True
    assert "HOLDS" in capsys.readouterr().out
    assert main(["certify", *args, "--digits", "30"]) == 0
    Y = inst.Y.copy()
    Y[1, 1] += 1
    assert main(["certify", *_files(tmp_path, inst, Y), f"--out={out}", "--force"]) == 1
    assert json.loads(out.read_text())["holds"] is False


def test_certify_bad_input(tmp_path, capsys):
    inst = planted_instance(6, 3, 4, 50, seed=0, integer=True)
    args = _files(tmp_path, inst)
    assert main(["certify", *args, "--digits", "10"]) == 2
    assert "digits" in capsys.readouterr().err
    assert main(["certify", f"--x={tmp_path / 'missing.npy'}", *args[1:]]) == 2
    np.save(tmp_path / "X.npy", inst.X[:3])
    assert main(["certify", *args]) == 2


def test_certify_fewer_outputs_than_units(tmp_path, capsys):
    inst = planted_instance(6, 3, 1, 300, seed=0, integer=True)
    args = _files(tmp_path, inst)
    assert main(["certify", *args, f"--truth={tmp_path / 'truth.npz'}", "--exact"]) == 0
    assert "blocks" in capsys.readouterr().out
    Y = inst.Y.copy()
    Y[0, 3] += 1
    assert main(["certify", *_files(tmp_path, inst, Y), "--exact"]) == 1
