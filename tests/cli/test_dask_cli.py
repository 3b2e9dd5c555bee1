"""``relunet recover --mmap`` and ``--dask``: the same network from memory-mapped or
chunked inputs, the inputs never written, bad flags and a missing dask refused on one
line with exit 2."""

import json
import re
import subprocess
import sys

import pytest

from recover import TwoLayerNetwork
from relunet.cli import main
from verify import compare_networks


@pytest.fixture
def planted(tmp_path):
    assert main(["plant", "--d", "8", "--k", "4", "--m", "6", "--n", "3000",
                 "--out", str(tmp_path / "data")]) == 0
    return tmp_path / "data"


def _recover(planted, out, *flags) -> int:
    return main(["recover", "--x", str(planted / "X.npy"), "--y", str(planted / "Y.npy"),
                 "--out", str(out), "--quiet", *flags])


def test_mmap_round_trip_leaves_the_inputs_alone(planted, tmp_path, digest):
    before = digest(planted)
    assert _recover(planted, tmp_path / "net.npz", "--mmap") == 0
    truth = TwoLayerNetwork.load(planted / "truth.npz")
    assert compare_networks(truth, TwoLayerNetwork.load(tmp_path / "net.npz")) < 1e-10
    assert digest(planted) == before


def test_dask_round_trip_counts_the_passes(planted, tmp_path, digest, capsys):
    pytest.importorskip("dask.array")
    before = digest(planted)
    assert _recover(planted, tmp_path / "net.npz", "--dask", "--chunk", "700",
                    "--diagnostics", str(tmp_path / "d.json")) == 0
    truth = TwoLayerNetwork.load(planted / "truth.npz")
    assert compare_networks(truth, TwoLayerNetwork.load(tmp_path / "net.npz")) < 1e-10
    info = json.loads((tmp_path / "d.json").read_text())["dask"]
    assert info["passes"] == 2 and info["chunks"] == 5  # 3000 samples by 700
    assert re.search(r"passes over the data +2 \(scan", capsys.readouterr().out)
    assert digest(planted) == before


@pytest.mark.parametrize("flags, message", [
    (["--chunk", "100"], "--chunk sets the chunks of --dask"),
    (["--dask", "--mode", "noisy"], "mode='noisy' is not supported for dask arrays"),
])
def test_bad_flag_combinations_exit_2(planted, tmp_path, error_line, flags, message):
    if "--dask" in flags:
        pytest.importorskip("dask.array")
    assert _recover(planted, tmp_path / "net.npz", *flags) == 2
    assert message in error_line()
    assert not (tmp_path / "net.npz").exists()


def test_dask_missing_exits_2_saying_what_to_install(planted, tmp_path, error_line,
                                                      monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)  # import dask raises ImportError
    assert _recover(planted, tmp_path / "net.npz", "--dask") == 2
    assert "pip install 'relunet[dask]'" in error_line()


def test_recover_and_the_cli_work_without_dask():
    """dask is an optional extra: nothing imports it unless asked to."""
    code = ("import sys; sys.modules['dask'] = None\n"
            "import recover, relunet.cli\n"
            "inst = recover.planted_instance(6, 3, 4, 400, seed=1)\n"
            "assert recover.recover_network(inst.X, inst.Y).exact\n"
            "assert 'dask.array' not in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
