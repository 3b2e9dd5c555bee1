"""The worked extraction of a trained scikit-learn model (``benchmarks.extraction``), at
its ``--quick`` scale: k = 5 hidden units, 100 and 200 Gaussian queries."""

import json

import pytest

pytest.importorskip("sklearn")

import benchmarks.extraction as extraction  # noqa: E402
from benchmarks.extraction import EXACT, QUICK, main, run  # noqa: E402


@pytest.fixture(scope="module")
def quick():
    return run(QUICK)


def test_queries_recover_the_trained_model_exactly(quick):
    (model,) = quick["models"]
    assert (model["k"], model["d"], model["m"], model["parameters"]) == (5, 30, 30, 335)
    for r in model["query"]["runs"]:
        assert r["outcome"] == "exact", r.get("reason")
        assert r["max_unit_relative"] <= EXACT
        assert r["relative_frobenius"] <= EXACT
        # Outputs on fresh inputs agree to far better than 1e-10 (standardised outputs).
        assert r["output_error"] <= 1e-10
    assert model["query"]["smallest_exact_n"] == QUICK.grid[0]


def test_oracle_answers_are_certified_float64_evaluations(quick):
    """The model's own weights, converted by hand, pass the float certificate on its
    answers; the recovered network is within a small multiple of the rounding bound
    (its weights carry a few ulp of error, comparable with that bound: measured ratios
    0.5-41 across the full grid), far from a weight off by 1e-10 (ratio ~1e5)."""
    for r in quick["models"][0]["query"]["runs"]:
        assert r["certificate_of_model"]["holds"]
        assert r["certificate_of_model"]["max_ratio"] <= 1
        # The recovered weights match the model's to a few ulp: certified as an
        # evaluation of a network within 1e-14 per weight, not of these exact floats.
        assert r["certificate"]["holds"] and r["certificate"]["weight_rtol"] == 1e-14


def test_training_inputs_determine_the_small_model(quick):
    data = quick["models"][0]["data"]
    assert data["n"] == 569
    assert data["outcome"] == "exact", data.get("reason")
    assert data["max_unit_relative"] <= EXACT
    assert min(data["active"]) > 0 and data["facet_ranks"] == [5] * 5


def test_cli_prints_tables_and_writes_json(quick, tmp_path, capsys, monkeypatch):
    # The quick result is reused: the command line is under test, not a second run.
    monkeypatch.setattr(extraction, "run", lambda scale: quick if scale is QUICK else None)
    out = tmp_path / "extraction.json"
    assert main(["--quick", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "| 5 | 335 | 100 | exact |" in text
    assert json.loads(out.read_text())["scale"] == "quick"
