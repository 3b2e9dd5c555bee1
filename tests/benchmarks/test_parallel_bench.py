"""The n_jobs benchmark (benchmarks.parallel): a smoke run of its record, never a timing."""

from benchmarks.parallel import main
from benchmarks.records import load_records


def test_quick_run_records_both_job_counts_on_the_same_instances(tmp_path):
    assert main(["--quick", "--out", str(tmp_path)]) == 0
    rec = load_records(str(tmp_path))["parallel"]
    assert rec["params"]["n_jobs"] == [1, 2]
    for row in rec["runs"]:
        one, two = row["runs"]
        assert (one["n_jobs"], two["n_jobs"]) == (1, 2)
        assert one["exact"] and two["exact"] and one["failure"] is None
        assert one["batches"] == 0 and two["batches"] >= 1  # only n_jobs=2 batches
        assert row["speedup"] == one["seconds"] / two["seconds"]
    (summary,) = rec["summary"].values()
    assert summary["compared"] == len(rec["runs"]) == 2
    assert summary["n_jobs"]["2"]["exact"] == 2
