import json
from fractions import Fraction

import numpy as np

from hardness import SetSplitting, reduce_set_splitting
from relunet.cli import main


def test_build_then_decide(tmp_path, capsys):
    inst = tmp_path / "inst.json"
    inst.write_text(json.dumps({"n_elements": 3, "clauses": [[0, 1], [1, 2]]}))
    out = tmp_path / "reduced.npz"
    assert main(["hardness", "build", "--instance", str(inst), "--out", str(out)]) == 0
    with np.load(out, allow_pickle=False) as data:
        assert data["X"].shape == (5, 8) and data["y"].tolist() == [0, 1, 1, 1, 0, 0, 1, 1]
    assert main(["hardness", "decide", "--x", str(out)]) == 0
    assert "YES" in capsys.readouterr().out


def test_decide_no_and_certificate_file(tmp_path, capsys):
    np.save(tmp_path / "X.npy", np.array([[1, 1]]))
    np.save(tmp_path / "y.npy", np.array([1, 2]))
    cert = tmp_path / "cert.json"
    code = main(["hardness", "decide", "--x", str(tmp_path / "X.npy"),
                 "--y", str(tmp_path / "y.npy"), "--certificate", str(cert)])
    assert code == 1 and "NO" in capsys.readouterr().out
    assert json.loads(cert.read_text())["kind"] == "farkas"


def test_saved_certificates_verify_and_edits_do_not(tmp_path, capsys):
    red = reduce_set_splitting(SetSplitting(3, [(0, 1), (1, 2), (0, 2)]))
    np.savez(tmp_path / "tri.npz", X=red.X, y=red.y)
    cert = tmp_path / "c.json"
    assert main(["hardness", "decide", "--x", str(tmp_path / "tri.npz"), "--quiet",
                 "--certificate", str(cert)]) == 1
    data = json.loads(cert.read_text())
    assert data["kind"] == "farkas" and len(data["trees"]) == 6  # the whole proof
    verify = ["hardness", "verify", "--certificate", str(cert), "--x", str(tmp_path / "tri.npz")]
    assert main(verify) == 0
    assert "HOLDS: no fit exists with k = 2" in capsys.readouterr().out
    assert main(verify + ["--k", "1"]) == 1
    leaf = next(n for t in data["trees"] for n in t["nodes"] if "leaf" in n and not n["rule"])
    leaf["leaf"] = [[key, str(-Fraction(w))] for key, w in leaf["leaf"]]
    cert.write_text(json.dumps(data))
    assert main(verify) == 1
    assert "DOES NOT HOLD" in capsys.readouterr().out
    cert.write_text(json.dumps(data).replace('"1/2"', '"eval(1)"', 1).replace('"-1/2"', '"x"'))
    assert main(verify) == 2
    err = capsys.readouterr().err
    assert "not an exact rational" in err and err.count("\n") == 1


def test_decide_several_outputs_from_the_command_line(tmp_path, capsys):
    np.save(tmp_path / "X.npy", np.array([[1, 1, 1, 1], [-1, 0, 1, 2]]))
    np.save(tmp_path / "Y.npy", np.array([[2, 1, 0, 0], [0, 0, 1, 2], [2, 1, 1, 2]]))
    args = ["--x", str(tmp_path / "X.npy"), "--y", str(tmp_path / "Y.npy")]
    cert = tmp_path / "c.json"
    assert main(["hardness", "decide", *args, "--quiet", "--certificate", str(cert)]) == 0
    assert "YES" in capsys.readouterr().out
    assert main(["hardness", "verify", "--certificate", str(cert), *args]) == 0
    assert main(["hardness", "decide", *args, "--k", "1", "--quiet"]) == 1
    assert "rank certificate" in capsys.readouterr().out


def test_bad_input_exits_2_with_one_line(tmp_path, capsys):
    inst = tmp_path / "bad.json"
    inst.write_text(json.dumps({"n_elements": 2, "clauses": [[]]}))
    assert main(["hardness", "build", "--instance", str(inst), "--out", "x.npz"]) == 2
    err = capsys.readouterr().err
    assert "clause 0 is empty" in err and err.count("\n") == 1
    np.save(tmp_path / "X.npy", np.array([[0.5, 1.0]]))
    np.save(tmp_path / "y.npy", np.array([1.0, 2.0]))
    assert main(["hardness", "decide", "--x", str(tmp_path / "X.npy"),
                 "--y", str(tmp_path / "y.npy")]) == 2
    assert "not an integer" in capsys.readouterr().err


def test_check_and_demo(tmp_path, capsys):
    assert main(["hardness", "check", "--max-elements", "2", "--max-clauses", "2"]) == 0
    assert "agreement 7/7 (100.0%)" in capsys.readouterr().out
    assert main(["hardness", "demo", "--out-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "yes-instance" in out and "no-instance" in out
    assert (tmp_path / "gadget_line.png").stat().st_size > 0
    assert (tmp_path / "hypergraph_no.png").stat().st_size > 0
