"""benchmarks.memory: the child's peak resident set is its own."""

import numpy as np

from benchmarks.memory import _rss_bytes, measure_peak_memory


def test_the_childs_peak_is_not_the_parents():
    """ru_maxrss survives exec on Linux: a child forked from a large parent reported the
    parent's peak. The child's VmHWM starts with its own program."""
    ballast = np.ones(400 * 2**20 // 8)  # 400 MiB resident in this process
    assert _rss_bytes() > ballast.nbytes
    result = measure_peak_memory((6, 3, 4, 2000), seed=0)
    assert result.get("failed") is None
    assert 0 < result["rss_before_bytes"] <= result["peak_rss_bytes"] < ballast.nbytes
    del ballast
