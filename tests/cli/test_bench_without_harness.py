"""``relunet bench`` where the harness is not installed (a plain ``pip install``): the rest
of the CLI works, and bench itself fails with exit 2 and one line naming the reason."""

import sys

import pytest

from relunet.cli import main
from relunet.commands import bench


@pytest.fixture
def no_harness(monkeypatch):
    monkeypatch.setattr(bench, "_checkout", lambda: None)
    for name in [m for m in sys.modules if m == "benchmarks" or m.startswith("benchmarks.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "benchmarks", None)  # import benchmarks fails


@pytest.mark.parametrize("argv", [["bench"], ["bench", "--suite", "quick", "--out", "b"],
                                  ["bench", "--help"]])
def test_bench_without_the_harness_exits_2_with_one_line(no_harness, argv, capsys, tmp_path,
                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "runs from a source checkout" in err and "not installed" in err
    assert not (tmp_path / "b").exists()


def test_help_lists_every_command_without_the_harness(no_harness, capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("demo", "plant", "recover", "certify", "hardness", "bench"):
        assert command in out


def test_the_checkout_is_found_from_the_relunet_package():
    # The dev setup (editable install, pytest) runs from the source tree.
    root = bench._checkout()
    assert root is not None and (root / "benchmarks" / "run.py").is_file()
    assert bench._harness() is not None
