import json

import numpy as np
import pytest

from recover import TwoLayerNetwork, planted_instance
from relunet.cli import main
from verify import compare_networks


@pytest.fixture
def planted(tmp_path):
    assert main(["plant", "--d", "12", "--k", "5", "--m", "7", "--n", "800",
                 "--out", str(tmp_path)]) == 0
    return tmp_path


def test_plant_then_recover(planted, capsys):
    out = planted / "net.npz"
    code = main(["recover", "--x", str(planted / "X.npy"), "--y", str(planted / "Y.npy"),
                 "--out", str(out), "--truth", str(planted / "truth.npz"),
                 "--diagnostics", str(planted / "d.json"), "--quiet"])
    assert code == 0
    truth = TwoLayerNetwork.load(planted / "truth.npz")
    assert compare_networks(truth, TwoLayerNetwork.load(out)) < 1e-10
    assert json.loads((planted / "d.json").read_text())["k"] == 5
    assert "error vs truth" in capsys.readouterr().out


def test_demo_runs_small(capsys):
    assert main(["demo", "--d", "8", "--k", "4", "--m", "6", "--n", "400"]) == 0
    assert "error vs truth" in capsys.readouterr().out


@pytest.mark.parametrize("make,msg", [
    (lambda p: np.save(p, np.array([{"x": 1}], dtype=object), allow_pickle=True), "pickled"),
    (lambda p: p.write_text("not an array"), "not a valid .npy"),
    (lambda p: np.save(p, np.array([["a"]])), "expected numbers"),
    (lambda p: np.save(p, np.full((12, 800), np.nan)), "NaN"),
    (lambda p: np.save(p, np.ones((12, 799))), "same number of columns"),
])
def test_bad_files_exit_2_with_one_line(planted, capsys, make, msg):
    bad = planted / "bad.npy"
    make(bad)
    code = main(["recover", "--x", str(bad), "--y", str(planted / "Y.npy"),
                 "--out", str(planted / "n.npz"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert msg in err and "Traceback" not in err
    assert len(err.splitlines()) == 1


def test_k_too_large_exits_2(planted, capsys):
    code = main(["recover", "--x", str(planted / "X.npy"), "--y", str(planted / "Y.npy"),
                 "--k", "9", "--out", str(planted / "n.npz"), "--quiet"])
    assert code == 2
    assert "impossible" in capsys.readouterr().err


def test_noisy_labels_exit_1(tmp_path, capsys):
    inst = planted_instance(10, 4, 6, 500, seed=0, noise=0.01)
    np.save(tmp_path / "X.npy", inst.X)
    np.save(tmp_path / "Y.npy", inst.Y)
    code = main(["recover", "--x", str(tmp_path / "X.npy"), "--y", str(tmp_path / "Y.npy"),
                 "--k", "4", "--mode", "exact", "--out", str(tmp_path / "n.npz"), "--quiet"])
    assert code == 1
    assert "not exactly realizable" in capsys.readouterr().err
    assert not (tmp_path / "n.npz").exists()


def test_noisy_labels_auto_mode_reports_estimate_with_errors(tmp_path, capsys):
    inst = planted_instance(10, 4, 6, 2000, seed=0, snr_db=25)
    np.save(tmp_path / "X.npy", inst.X)
    np.save(tmp_path / "Y.npy", inst.Y)
    code = main(["recover", "--x", str(tmp_path / "X.npy"), "--y", str(tmp_path / "Y.npy"),
                 "--out", str(tmp_path / "n.npz"), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    assert "noisy (estimate)" in out and "standard errors of V" in out
    with np.load(tmp_path / "n.npz") as saved:
        assert saved["V_se"].shape == (4, 10)
