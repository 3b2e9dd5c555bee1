"""``relunet plant --bias-std/--output-bias-std`` and ``relunet recover --bias``."""

import json

import numpy as np
import pytest

from recover import TwoLayerNetwork
from relunet.cli import main
from verify import compare_networks


@pytest.fixture
def biased(tmp_path):
    assert main(["plant", "--d", "10", "--k", "4", "--m", "4", "--n", "1500",
                 "--bias-std", "1", "--output-bias-std", "1", "--out", str(tmp_path)]) == 0
    return tmp_path


def test_recover_with_bias_at_m_equal_k(biased, capsys):
    out = biased / "net.npz"
    code = main(["recover", "--x", str(biased / "X.npy"), "--y", str(biased / "Y.npy"),
                 "--bias", "--out", str(out), "--truth", str(biased / "truth.npz"),
                 "--diagnostics", str(biased / "d.json"), "--quiet"])
    assert code == 0
    truth, net = TwoLayerNetwork.load(biased / "truth.npz"), TwoLayerNetwork.load(out)
    assert truth.has_bias and net.has_bias
    assert compare_networks(truth, net) < 1e-10
    diagnostics = json.loads((biased / "d.json").read_text())
    assert diagnostics["k"] == 4 and diagnostics["bias"] is True and diagnostics["exact"]


def test_noisy_recovery_with_bias_saves_bias_standard_errors(tmp_path):
    assert main(["plant", "--d", "8", "--k", "3", "--m", "5", "--n", "3000", "--snr-db", "20",
                 "--bias-std", "1", "--output-bias-std", "1", "--out", str(tmp_path)]) == 0
    out = tmp_path / "net.npz"
    assert main(["recover", "--x", str(tmp_path / "X.npy"), "--y", str(tmp_path / "Y.npy"),
                 "--bias", "--k", "3", "--out", str(out), "--quiet"]) == 0
    with np.load(out) as f:
        assert f["b_se"].shape == (3,) and f["c_se"].shape == (5,)
        assert np.all(f["b_se"] > 0)


def test_negative_bias_std_exits_2(tmp_path, error_line):
    assert main(["plant", "--bias-std", "-1", "--out", str(tmp_path)]) == 2
    assert "bias_std" in error_line()
