"""relunet benchmarks: the competitors, the suites, and their records.

Every suite runs relunet and its competitors on the same seeded planted instances in the
same process, and writes one JSON record per run (machine, versions, seed, timings,
errors) so that tables and plots are regenerated from data, never typed by hand.
"""
