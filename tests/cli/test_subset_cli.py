"""``relunet recover`` on many samples: the summary says the facets were counted on the
spread subset and how the network was checked on all samples, or that the subset was
tried and the recovery ran on all of them."""

import pytest

from recover import _subset
from relunet.cli import main


@pytest.fixture
def planted(tmp_path):
    assert main(["plant", "--d", "8", "--k", "4", "--m", "6", "--n", "9000",
                 "--out", str(tmp_path / "data")]) == 0
    return tmp_path / "data"


def _summary(planted, tmp_path, capsys) -> str:
    capsys.readouterr()
    assert main(["recover", "--x", str(planted / "X.npy"), "--y", str(planted / "Y.npy"),
                 "--out", str(tmp_path / "net.npz")]) == 0
    return capsys.readouterr().out


def test_the_summary_of_a_subset_recovery(planted, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(_subset, "SUBSET_MIN", 2000)
    monkeypatch.setattr(_subset, "SUBSET_PER_UNIT", 100)
    out = _summary(planted, tmp_path, capsys)
    assert "(of the 2000 spread samples)" in out
    assert "passes over the data" in out and "1 (check" in out and "of n = 9000" in out


def test_the_summary_when_the_subset_found_nothing(planted, tmp_path, capsys,
                                                    monkeypatch):
    monkeypatch.setattr(_subset, "SUBSET_MIN", 8)
    monkeypatch.setattr(_subset, "SUBSET_PER_UNIT", 1)
    out = _summary(planted, tmp_path, capsys)
    assert "(of n = 9000)" in out
    assert "8 samples tried first" in out and "recovered on all n = 9000" in out
