"""The few-outputs benchmark (benchmarks.few_outputs): one shape at one n (``--at``) and
other activations with one output (``--activations``), and the ``bias=True`` cells
(``--bias``).

Tiny shapes and few seeds; the tests check the records' structure and internal
consistency and the rendered section, never a timing or a rate.
"""

import pytest

from benchmarks.baselines import EXACT
from benchmarks.doc_blocks import _algorithm_few_outputs_bias
from benchmarks.few_outputs import main, tally, versus_rows
from benchmarks.records import load_records
from benchmarks.render import _section_few_outputs


@pytest.fixture(scope="module")
def at_record(tmp_path_factory):
    out = tmp_path_factory.mktemp("at")
    assert main(["--quick", "--shape", "6,3,1", "--at", "100,200", "--seeds", "11",
                 "--baseline-seeds", "1", "--out", str(out)]) == 0
    return load_records(str(out))["few_outputs"]


@pytest.fixture(scope="module")
def activation_record(tmp_path_factory):
    out = tmp_path_factory.mktemp("act")
    assert main(["--quick", "--activations", "--out", str(out)]) == 0
    return load_records(str(out))["few_outputs"]


def test_at_n_records_the_probe_the_seeds_and_the_baselines(at_record):
    case, = at_record["summary"]["cases"]
    ours = [r for r in at_record["runs"] if r["method"] == "ours"]
    point = case["curve"][-1]
    at = [r for r in ours if r["n"] == point["n"]]
    assert tally(at) == {k: point[k] for k in tally(at)}
    assert point["n"] in (100, 200) and len(at) <= 11
    # the probe decides the n: all of its 10 seeds exact at 100, or the run moved on
    probe = [r for r in ours if r["n"] == 100][:10]
    assert (point["n"] == 100) == all(r["outcome"] == "exact" for r in probe)
    assert all(r["outcome"] in ("exact", "failed_loudly", "wrong_returned") for r in ours)
    claimed = point["seeds"] == 11 and point["exact"] >= 0.95 * 11
    assert case["n95"] == (point["n"] if claimed else None)
    fixed = at_record["params"]["fixed"]["(6, 3, 1)"]
    assert fixed["multistart_cap"] == 600.0 and fixed["seeds"] == 11
    theirs = [r for r in at_record["runs"] if r["method"] != "ours"]
    assert sorted(r["method"] for r in theirs) == ["lbfgs", "lbfgs_multistart"]
    assert all(r["seed"] == 0 and r["n"] == point["n"] for r in theirs)
    assert case["versus"]["lbfgs"]["seeds"] == case["versus"]["ours"]["seeds"] == 1


def test_the_multistart_budget_is_capped():
    rows = versus_rows((6, 3, 1), 100, seed=0, ours_seconds=100.0, cap=0.5)
    multi = next(r for r in rows if r["method"] == "lbfgs_multistart")
    assert multi["budget_seconds"] == pytest.approx(0.5)
    uncapped = versus_rows((6, 3, 1), 100, seed=0, ours_seconds=0.01)
    assert next(r for r in uncapped if r["method"] == "lbfgs_multistart")[
        "budget_seconds"] == pytest.approx(0.1)


def test_activations_record_a_rate_per_activation(activation_record):
    cells = activation_record["summary"]["activations"]
    assert [c["activation"] for c in cells] == ["relu2", "log(1+t)"]
    for cell in cells:
        rows = [r for r in activation_record["runs"]
                if r.get("activation") == cell["activation"] and r["n"] == cell["n"]]
        if cell["n"] is None:
            assert cell["ours"] is None
            continue
        assert tally(rows) == cell["ours"] and cell["ours"]["seeds"] == 2
        assert cell["tried"][-1]["n"] == cell["n"]


def test_the_page_shows_the_activations_and_the_fixed_shape(at_record, activation_record,
                                                           tmp_path):
    text, _ = _section_few_outputs(activation_record, figures=str(tmp_path))
    assert "| relu2 | (6, 3, 1) |" in text and "| log(1+t) | (6, 3, 1) |" in text
    text, pngs = _section_few_outputs(at_record, figures=str(tmp_path))
    assert "(6, 3, 1) at one n instead" in text and "capped at 600 s" in text
    assert pngs == [str(tmp_path / "bench_few_outputs.png")]
    assert f"](figures/bench_few_outputs.png)" in text
    assert (tmp_path / "bench_few_outputs.png").read_bytes()[:4] == b"\x89PNG"


@pytest.fixture(scope="module")
def bias_record(tmp_path_factory):
    out = tmp_path_factory.mktemp("bias")
    assert main(["--quick", "--bias", "2", "--out", str(out / "docs")]) == 0
    return out, load_records(str(out / "docs"))["few_outputs_bias"]


def test_bias_at_one_n_records_one_cell_apart(tmp_path):
    out = str(tmp_path / "docs")
    assert main(["--bias", "2", "--shape", "6,3,1", "--bias-n", "200", "--out", out]) == 0
    records = load_records(out)
    assert set(records) == {"few_outputs_bias_at"}  # the two-point record is left alone
    rec = records["few_outputs_bias_at"]
    assert [(c["dims"], c["n"], c["seeds"]) for c in rec["summary"]["cells"]] == [
        ([6, 3, 1], 200, 2)]
    assert rec["params"]["command"].endswith("--bias 2 --shape 6,3,1 --bias-n 200 --out " + out)


def test_bias_records_every_run_and_a_tally_per_cell(bias_record):
    _, rec = bias_record
    assert [(c["dims"], c["n"]) for c in rec["summary"]["cells"]] == [
        ([6, 3, 1], 200), ([6, 3, 1], 400)]
    for cell in rec["summary"]["cells"]:
        rows = [r for r in rec["runs"] if r["n"] == cell["n"]]
        assert tally(rows) == {k: v for k, v in cell.items() if k not in ("dims", "n")}
        assert all((r["outcome"] == "exact") == (float(r["error"]) <= EXACT) for r in rows)
    assert rec["params"]["command"].endswith("--bias 2 --quick --out " + str(bias_record[0]
                                                                            / "docs"))


def test_the_bias_block_renders_the_record(bias_record):
    folder, rec = bias_record
    text = _algorithm_few_outputs_bias(folder)
    for cell in rec["summary"]["cells"]:
        assert f"| (6, 3, 1) | {cell['n']} | {cell['exact']}/{cell['seeds']} |" in text
    assert "record `benchmarks/records/docs/few_outputs_bias.json`" in text
    assert "The last row only" not in text  # no one-n record beside it


def test_the_bias_block_adds_the_shape_run_at_one_n(bias_record, tmp_path):
    import shutil
    folder, _ = bias_record
    shutil.copytree(folder / "docs", tmp_path / "docs")
    assert main(["--bias", "2", "--shape", "6,3,1", "--bias-n", "300", "--out",
                 str(tmp_path / "docs")]) == 0
    text = _algorithm_few_outputs_bias(tmp_path)
    at = load_records(str(tmp_path / "docs"))["few_outputs_bias_at"]
    (cell,) = at["summary"]["cells"]
    assert f"| (6, 3, 1) | 300 | {cell['exact']}/{cell['seeds']} |" in text
    assert "The last row only at one n: `python -m benchmarks.few_outputs --bias 2" in text


@pytest.mark.parametrize("exact, ran, says", [
    (48, 50, "96 % exact, so n₉₅ ≤ 10000."),
    (46, 50, "92 % exact, below 95 %: n₉₅ is *not* reached at n = 10000 (every miss loud)."),
    (10, 10, "n₉₅ ≤ 10000 is *not* claimed, 40 seeds are left to run."),
])
def test_the_fixed_shape_claims_n95_only_when_every_seed_ran_and_95_percent_are_exact(
        exact, ran, says):
    from benchmarks.doc_blocks import _fixed_outcome

    done = [{"seconds": 1.0, "outcome": "exact" if i < exact else "failed_loudly"}
            for i in range(ran)]
    text = _fixed_outcome({"seeds": 50, "n": 10000}, done)
    assert text.endswith(says) and f"{exact} exact, {ran - exact} failed loudly" in text


def test_the_default_scan_and_the_noisy_ratio_run(tmp_path):
    # The plain call (no --at, --activations or --bias) scans the grid of each shape and
    # measures the noisy ratio; it once lost its entry point and failed with a NameError.
    assert main(["--quick", "--out", str(tmp_path)]) == 0
    record = load_records(str(tmp_path))["few_outputs"]
    (case,) = record["summary"]["cases"]
    assert case["dims"] == [6, 3, 1] and case["curve"]
    for point in case["curve"]:
        assert point["exact"] + point["failed_loudly"] + point["wrong_returned"] == point["seeds"]
    noisy = record["summary"]["noisy"]
    assert noisy["seeds"] == 1 and noisy["median_ratio"] > 0
    assert {r["method"] for r in record["runs"]} >= {"ours", "noisy"}


def test_the_record_keeps_the_commit_and_date_of_the_start(tmp_path, monkeypatch):
    # The record is rewritten after every cell; it must name the code that ran (loaded at
    # the start), not whatever the checkout holds at the last write.
    import benchmarks.records as records
    stamps = iter(["start", "later", "later", "later", "later", "later", "later"])

    def fake_environment():
        return {"date": next(stamps), "git_commit": "x", "load_average": [0.0]}
    monkeypatch.setattr(records, "environment", fake_environment)
    monkeypatch.setattr(records, "_FIRST_WRITE", {})
    assert main(["--quick", "--bias", "2", "--out", str(tmp_path)]) == 0  # two cells
    assert load_records(str(tmp_path))["few_outputs_bias"]["environment"]["date"] == "start"
