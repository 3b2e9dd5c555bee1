"""Smoke test of the benchmark harness: a tiny scale of every suite, then the renderer.

It checks that the harness works — records with the expected fields, a markdown file
and PNG plots — never that a speed or accuracy number was reached.
"""

import json

import numpy as np
import pytest

from benchmarks.baselines import METHODS, Budget, run_lbfgs, run_methods, squared_loss
from benchmarks.records import load_records
from benchmarks.render import lp_floor, ratio_time_parts, render
from benchmarks.run import run_suites, thread_warning
from benchmarks.suites import SUITES, Scale, loglog_slope
from recover import planted_instance
from relunet.cli import main

TINY = Scale(
    name="tiny", exactness_cases=(((8, 4, 6, 400), {}),), exactness_seeds=2,
    efficiency_dims=(8, 4, 6), efficiency_grid=(100, 400), efficiency_seeds=2,
    gradient_grid=(400,), gradient_seeds=1, gradient_seconds=0.2,
    sizes=((6, 3, 4), (8, 4, 6)), size_n=500, size_gradient_seconds=0.2,
    speed_dims=(8, 4, 6, 500), speed_seeds=2, speed_seconds=0.2,
    ratio_dims=((6, 3, 4, 300), (8, 4, 6, 500)), ratio_seeds=2, ratio_seconds=0.2,
    scaling_dims=(8, 4, 6), scaling_grid=(500, 1000, 2000), memory_n=2000,
    k_dims=((6, 3, 4), (8, 4, 6)), k_n=500, k_lbfgs_seconds=0.2,
    noisy_dims=(8, 4, 6, 500), noisy_seeds=1,
)
RUN_FIELDS = {"method", "d", "k", "m", "n", "seed", "seconds", "error", "exact", "failed",
              "extra"}


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    out = tmp_path_factory.mktemp("records")
    paths = run_suites(TINY, str(out), list(SUITES))
    assert len(paths) == len(SUITES)
    return out


def test_every_suite_writes_a_record_with_environment(records):
    loaded = load_records(str(records))
    assert set(loaded) == set(SUITES)
    for record in loaded.values():
        assert record["scale"] == "tiny"
        assert {"params", "runs", "summary", "wall_seconds"} <= set(record)
        env = record["environment"]
        assert {"python", "numpy", "scipy", "cpus", "threads", "date"} <= set(env)
        assert "OPENBLAS_NUM_THREADS" in env["threads"]


def test_runs_carry_seed_timing_and_error(records):
    loaded = load_records(str(records))
    for name in ("exactness", "efficiency", "size", "speed", "ratios", "scaling"):
        for run in loaded[name]["runs"]:
            assert RUN_FIELDS <= set(run), name
            assert run["seconds"] >= 0
    methods = {run["method"] for run in loaded["speed"]["runs"]}
    assert methods == set(METHODS)
    assert "timings" in loaded["scaling"]["runs"][0]["extra"]


def test_summaries_have_the_headline_fields(records):
    loaded = load_records(str(records))
    assert {"ratio_lbfgs", "ratio_is_lower_bound", "relunet_in_data_passes"} <= \
        set(loaded["speed"]["summary"])
    assert "n95" in loaded["efficiency"]["summary"]["relunet"]
    assert np.isfinite(loaded["scaling"]["summary"]["slope"])
    k_scaling = loaded["k_scaling"]
    assert np.isfinite(k_scaling["summary"]["slope"])
    assert {r["method"] for r in k_scaling["runs"]} == {"relunet", "lbfgs"}
    assert sorted(r["k"] for r in k_scaling["runs"]) == [3, 3, 4, 4]
    cells = loaded["ratios"]["summary"]["cells"]
    assert [tuple(c["dims"]) for c in cells] == [(6, 3, 4, 300), (8, 4, 6, 500)]
    assert all(c["seeds"] == 2 and len(c["ratio_per_seed"]) == 2 for c in cells)
    assert {r["method"] for r in loaded["ratios"]["runs"]} == {"relunet", "lbfgs"}
    memory = loaded["memory"]["summary"]
    assert memory.get("failed") is None
    assert memory["traced_ratio"] >= 1 and memory["peak_rss_bytes"] > 0
    assert "available" in loaded["noisy_accuracy"]["summary"]


def test_render_writes_markdown_and_plots(records, tmp_path):
    doc = tmp_path / "docs" / "benchmarks.md"
    written = render(str(records), str(doc))
    text = doc.read_text()
    assert "## Goals" in text and "n₉₅" in text and "slope" in text
    # the goal rows of the ratios suite replace the speed suite's
    assert "speed ratio vs L-BFGS at (6, 3, 4, 300)" in text
    assert "speed ratio vs L-BFGS at (8, 4, 6, 500)" in text
    assert "largest step" in text and "`facets_cone`" in text
    assert "| HiGHS |" in text  # the floor column of the ratios section
    pngs = sorted((tmp_path / "docs" / "figures").glob("bench_*.png"))
    assert {p.name for p in pngs} == {"bench_efficiency.png", "bench_size.png",
                                      "bench_scaling.png", "bench_speed.png",
                                      "bench_k_scaling.png", "bench_ratios.png",
                                      "bench_ratio_steps.png"}
    assert all(p.stat().st_size > 1000 for p in pngs)
    assert len(written) == 1 + len(pngs)
    for png in pngs:
        assert f"figures/{png.name}" in text


def test_a_missed_ratio_names_the_highs_floor(records):
    # Each shape's floor: what HiGHS alone spent, and the ratio left if every other
    # step were free — never below the ratio measured (HiGHS is part of relunet's time).
    rec = load_records(str(records))["ratios"]
    for cell in rec["summary"]["cells"]:
        floor = lp_floor(rec, cell)
        assert floor["seconds"] > 0 and floor["iterations"] > 0
        assert 0 < floor["share"] <= 1
        assert floor["cap"] >= cell["ratio_lbfgs"]
        assert floor["cap_per_unit"] > 0
        assert floor["cap_rest"] >= cell["ratio_lbfgs"]
        parts = ratio_time_parts(rec, cell)  # in units of L-BFGS's time, all ≥ 0
        assert min(parts.values()) >= 0
        assert parts["HiGHS (facet programs)"] == pytest.approx(1 / floor["cap"])
    old = {**rec, "runs": [{**r, "extra": {k: v for k, v in r["extra"].items()
                                           if k != "lp_seconds"}} for r in rec["runs"]]}
    assert lp_floor(old, rec["summary"]["cells"][0]) is None  # records from before


def test_lbfgs_time_leaves_out_the_benchmarks_error_checks():
    # The error against the truth is the benchmark's measurement, not L-BFGS's work:
    # with a check at every iteration it would weigh on L-BFGS's time.
    inst = planted_instance(6, 3, 4, 300, seed=0)
    out = run_lbfgs(inst, 0, Budget(seconds=5.0, target=1e-9, check_every=1))
    extra = out.extra
    assert extra["check_seconds"] > 0 and extra["target"] == 1e-9
    assert extra["wall_seconds"] == pytest.approx(out.seconds + extra["check_seconds"])


def test_the_ratios_judge_lbfgs_at_the_goals_target(records):
    rec = load_records(str(records))["ratios"]
    target = rec["params"]["lbfgs_target"]
    assert target == 1e-9 and rec["params"]["check_every"] == 5
    for run in rec["runs"]:
        if run["method"] == "lbfgs":
            assert run["exact"] == (run["error"] <= target)
            assert run["extra"]["target"] == target


def test_cli_render_only(records, tmp_path, capsys):
    doc = tmp_path / "b.md"
    assert main(["bench", "--render-only", "--out", str(records), "--doc", str(doc)]) == 0
    assert doc.exists() and "wrote" in capsys.readouterr().out


def test_cli_rejects_unknown_suite(tmp_path, capsys):
    assert main(["bench", "--only", "nonsense", "--out", str(tmp_path)]) == 2
    assert "unknown suite" in capsys.readouterr().err


def test_thread_warning(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    assert "OPENBLAS_NUM_THREADS" in thread_warning()
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert thread_warning() is None


def test_squared_loss_gradient_matches_finite_differences():
    inst = planted_instance(5, 3, 4, 200, seed=1)
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(4 * 3 + 3 * 5)
    _, grad = squared_loss(theta, inst.X, inst.Y, 3)
    direction = rng.standard_normal(theta.size)
    h = 1e-6
    plus, _ = squared_loss(theta + h * direction, inst.X, inst.Y, 3)
    minus, _ = squared_loss(theta - h * direction, inst.X, inst.Y, 3)
    assert (plus - minus) / (2 * h) == pytest.approx(grad @ direction, rel=1e-5)


def test_multistart_budget_is_ten_times_ours():
    inst = planted_instance(8, 4, 6, 300, seed=0)
    ours, multi = run_methods(inst, 0, ("relunet", "lbfgs_multistart"),
                              Budget(seconds=0.2, target=0.0))
    assert multi.extra["budget_seconds"] == pytest.approx(10 * ours.seconds)
    assert multi.extra["starts"] >= 1


def test_loglog_slope():
    n = np.array([1e4, 1e5, 1e6])
    assert loglog_slope(n, 3e-6 * n**1.05) == pytest.approx(1.05)


def test_records_are_plain_json(records):
    for path in records.glob("*.json"):
        json.loads(path.read_text())


@pytest.mark.slow
def test_quick_suite_end_to_end(tmp_path):
    """The real ``quick`` scale through the CLI (under a minute here; < 5 min budget)."""
    assert main(["bench", "--suite", "quick", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "benchmarks.md").exists()
    assert set(load_records(str(tmp_path))) == set(SUITES)
