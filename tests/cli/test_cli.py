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
    (lambda p: np.save(p, np.array([["a"]])), "is not numeric"),
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
                 "--k", "13", "--out", str(planted / "n.npz"), "--quiet"])
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


def test_plant_recover_certify_squared_relu(tmp_path, capsys):
    d = str(tmp_path)
    assert main(["plant", "--d", "8", "--k", "4", "--m", "6", "--n", "600", "--integer",
                 "--activation", "relu2", "--out", d]) == 0
    assert json.loads((tmp_path / "params.json").read_text())["activation"] == "relu2"
    assert main(["recover", "--x", f"{d}/X.npy", "--y", f"{d}/Y.npy", "--activation",
                 "relu2", "--out", f"{d}/net.npz", "--truth", f"{d}/truth.npz",
                 "--quiet"]) == 0
    assert TwoLayerNetwork.load(tmp_path / "net.npz").activation.name == "relu2"
    assert main(["certify", "--x", f"{d}/X.npy", "--y", f"{d}/Y.npy", "--net",
                 f"{d}/net.npz", "--truth", f"{d}/truth.npz", "--out", f"{d}/c.json"]) == 0
    assert "HOLDS" in capsys.readouterr().out


def test_step_recovery_writes_the_cones(tmp_path, capsys):
    d = str(tmp_path)
    assert main(["plant", "--d", "8", "--k", "4", "--m", "6", "--n", "600",
                 "--activation", "step", "--out", d]) == 0
    assert main(["recover", "--x", f"{d}/X.npy", "--y", f"{d}/Y.npy", "--activation",
                 "step", "--out", f"{d}/net.npz", "--diagnostics", f"{d}/diag.json",
                 "--quiet"]) == 0
    assert "identifiable" in capsys.readouterr().out
    cones = json.loads((tmp_path / "diag.json").read_text())["cones"]
    X = np.load(tmp_path / "X.npy")
    truth = TwoLayerNetwork.load(tmp_path / "truth.npz")
    patterns = [set(c["active_samples"]) for c in cones]
    for v in truth.V:  # each true unit's pattern is one of the stored cones
        assert set(np.flatnonzero(v @ X > 0).tolist()) in patterns


def test_plant_noise_options(tmp_path):
    assert main(["plant", "--d", "6", "--k", "3", "--m", "4", "--n", "300", "--snr-db", "20",
                 "--noise-kind", "laplace", "--out", str(tmp_path)]) == 0
    params = json.loads((tmp_path / "params.json").read_text())
    assert params["snr_db"] == 20 and params["noise_kind"] == "laplace" and params["noise"] > 0


@pytest.mark.parametrize("act, word", [("sin(t)", "rectified"), ("t +", "parse"),
                                       ("sqrt(t-2)", "real")])
def test_bad_activation_exits_2_naming_the_property(planted, capsys, act, word):
    code = main(["recover", "--x", str(planted / "X.npy"), "--y", str(planted / "Y.npy"),
                 "--activation", act, "--out", str(planted / "n.npz"), "--quiet"])
    assert code == 2
    assert word in capsys.readouterr().err.lower()
