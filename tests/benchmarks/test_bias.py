"""The bias benchmark (benchmarks.bias) and the bias-aware L-BFGS baseline.

The suite runs in its ``--quick`` form on 2 seeds; the tests check the records'
structure and internal consistency and the rendered sections, never a timing or a rate.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.baselines import (Budget, random_start, run_lbfgs, squared_loss,
                                  squared_loss_bias, unpack)
from benchmarks.bias import QUICK, cell_of_ours, lbfgs_sizes, main
from benchmarks.records import load_records
from benchmarks.render import render
from recover import planted_instance

RUN_FIELDS = {"method", "dims", "n", "bias_std", "seed", "seconds", "error", "exact",
              "failed", "extra"}
TALLY_FIELDS = {"seeds", "exact", "rate", "failed_loudly", "wrong_returned",
                "max_error_of_returned", "median_seconds", "max_seconds", "capped"}


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    out = tmp_path_factory.mktemp("bias")
    for suite in ("exactness", "n95"):
        assert main([suite, "--quick", "--seeds", "2", "--out", str(out)]) == 0
    return out


def test_both_suites_write_records_in_the_harness_format(records):
    loaded = load_records(str(records))
    assert set(loaded) == {"bias_exactness", "bias_n95"}
    for record in loaded.values():
        assert record["scale"] == "quick" and record["title"].startswith(
            "Exact recovery with biases")
        assert {"params", "runs", "summary", "wall_seconds", "environment"} <= set(record)
        assert record["params"]["seeds"] == record["params"]["n95_seeds"] == 2
        assert record["params"]["command"].startswith("python -m benchmarks.bias ")
        for run in record["runs"]:
            assert RUN_FIELDS <= set(run)
            assert run["exact"] == (run["error"] <= 1e-10)


def test_exactness_cases_count_every_seed(records):
    record = load_records(str(records))["bias_exactness"]
    cases = record["summary"]["cases"]
    assert [(tuple(c["dims"]), c["bias_std"]) for c in cases] == \
        [(shape, sigma) for shape in QUICK.shapes for sigma in QUICK.sigmas]
    for case in cases:
        assert TALLY_FIELDS <= set(case)
        assert case["exact"] + case["failed_loudly"] + case["wrong_returned"] == 2
        assert case["n"] == case["tried"][-1]["n"]
        assert case["n"] in QUICK.candidates[tuple(case["dims"])]
    assert len(record["runs"]) == sum(t["seeds"] for c in cases for t in c["tried"])


def test_n95_cases_have_a_curve_and_lbfgs_on_the_same_instances(records):
    record = load_records(str(records))["bias_n95"]
    for case in record["summary"]["cases"]:
        ns = [point["n"] for point in case["curve"]]
        assert ns == list(QUICK.grid[:len(ns)])
        if case["n95"] is not None:
            assert case["n95"] in ns
            assert [v["n"] for v in case["lbfgs"]] == lbfgs_sizes(QUICK.grid, case["n95"])
        for versus in case["lbfgs"]:
            assert TALLY_FIELDS <= set(versus["ours"]) and \
                TALLY_FIELDS <= set(versus["lbfgs"])
            lbfgs = [r for r in record["runs"] if r["method"] == "lbfgs"
                     and r["n"] == versus["n"] and r["dims"] == case["dims"]]
            ours = [r for r in record["runs"] if r["method"] == "relunet"
                    and r["n"] == versus["n"] and r["dims"] == case["dims"]]
            assert sorted(r["seed"] for r in lbfgs) == sorted(r["seed"] for r in ours) \
                == [0, 1]
            assert all(r["extra"]["cap_seconds"] == QUICK.lbfgs_seconds for r in lbfgs)


def test_render_writes_both_bias_sections(records, tmp_path):
    doc = tmp_path / "benchmarks.md"
    render(str(records), str(doc))
    text = doc.read_text()
    assert "## Exact recovery with biases\n" in text
    assert "## Exact recovery with biases: samples needed (n₉₅) and L-BFGS-B" in text
    assert "L-BFGS exact" in text and "wrong returned" in text


def test_lbfgs_sizes():
    grid = (50, 100, 150, 300, 500, 1000)
    assert lbfgs_sizes(grid, 100) == [100, 500]
    assert lbfgs_sizes(grid, 300) == [300, 1000]  # capped at the end of the grid
    assert lbfgs_sizes(grid, 1000) == [1000]
    assert lbfgs_sizes(grid, None) == []


def test_a_grid_point_is_left_at_the_first_failure_too_many():
    rows = cell_of_ours((6, 3, 3), 20, 1.0, seeds=5, allowed_failures=0)
    assert len(rows) == 1  # 20 samples are too few for 3 units with biases in 6 dims
    assert rows[0]["failed"].startswith("RecoveryFailed") and not rows[0]["exact"]


def test_cli_rejects_a_non_positive_number_of_seeds(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["n95", "--quick", "--seeds", "0"])
    assert exit_.value.code == 2
    assert "positive number of seeds" in capsys.readouterr().err


# ------------------------------------------------------------------ the L-BFGS with biases

def test_loss_with_biases_is_zero_at_the_truth_and_the_network_matches():
    inst = planted_instance(5, 3, 4, 300, seed=2, bias_std=1.0, output_bias_std=1.0)
    net = inst.network
    theta = np.concatenate([net.U.ravel(), net.V.ravel(), net.b, net.c])
    loss, grad = squared_loss_bias(theta, inst.X, inst.Y, 3)
    assert loss == pytest.approx(0.0, abs=1e-28) and np.abs(grad).max() < 1e-13
    assert np.allclose(unpack(inst, theta, bias=True)(inst.X), inst.Y, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31), d=st.integers(1, 6), k=st.integers(1, 4),
       m=st.integers(1, 5))
def test_loss_with_biases_gradient_matches_finite_differences(seed, d, k, m):
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((d, 50)), rng.standard_normal((m, 50))
    theta = rng.standard_normal(m * k + k * d + k + m)
    _, grad = squared_loss_bias(theta, X, Y, k)
    direction = rng.standard_normal(theta.size)
    h = 1e-6
    plus, _ = squared_loss_bias(theta + h * direction, X, Y, k)
    minus, _ = squared_loss_bias(theta - h * direction, X, Y, k)
    # a kink of relu between θ ± h·direction is possible but has probability ~1e-5
    assert (plus - minus) / (2 * h) == pytest.approx(grad @ direction, rel=1e-5, abs=1e-8)


def test_loss_with_zero_biases_is_the_bias_free_loss():
    inst = planted_instance(5, 3, 4, 200, seed=1)
    theta = np.random.default_rng(0).standard_normal(4 * 3 + 3 * 5)
    loss, grad = squared_loss(theta, inst.X, inst.Y, 3)
    loss_b, grad_b = squared_loss_bias(np.concatenate([theta, np.zeros(3 + 4)]),
                                       inst.X, inst.Y, 3)
    assert loss_b == pytest.approx(loss, rel=1e-14)
    assert np.allclose(grad_b[:theta.size], grad, rtol=1e-13, atol=1e-15)


def test_biased_start_extends_the_bias_free_start_unchanged():
    inst = planted_instance(5, 3, 4, 100, seed=0)
    free = random_start(inst, 7)
    assert np.array_equal(free, np.random.default_rng([7, 7919]).standard_normal(27))
    biased = random_start(inst, 7, bias=True)
    assert biased.size == free.size + 3 + 4
    assert np.array_equal(biased[:free.size], free)


def test_lbfgs_with_biases_recovers_a_small_network():
    inst = planted_instance(4, 2, 3, 400, seed=0, bias_std=1.0, output_bias_std=1.0)
    out = run_lbfgs(inst, 0, Budget(seconds=5.0), bias=True)
    assert out.method == "lbfgs" and out.error <= 1e-10
