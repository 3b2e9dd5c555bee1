"""JSON records of benchmark runs: machine, versions, thread settings, every outcome.

One file per suite, ``OUT/<suite>.json``::

    {"suite": ..., "scale": "quick"|"full"|..., "environment": {...},
     "params": {...}, "runs": [one dict per (instance, method) run],
     "summary": {...}, "wall_seconds": ...}

``runs`` holds every run (seed, sizes, seconds, error, failure reason, extras such as the
per-step timings of relunet), so that tables and plots are regenerated from data, never
typed by hand. :func:`load_records` reads a folder of them back.
"""

from __future__ import annotations

import glob
import json
import math
import os
import platform
import subprocess
import time
from dataclasses import asdict, is_dataclass
from importlib import metadata

from recover import atomic_write

#: Environment variables that decide how many threads BLAS uses; recorded in every run.
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def environment() -> dict:
    """Machine, versions, BLAS thread settings, load and git commit at the time of a run."""
    import mpmath
    import numpy
    import scipy
    import sympy

    env = {"python": platform.python_version(), "platform": platform.platform(),
           "machine": platform.machine(), "processor": platform.processor(),
           "cpus": os.cpu_count(), "load_average": list(os.getloadavg()),
           "numpy": numpy.__version__, "scipy": scipy.__version__,
           "sympy": sympy.__version__, "mpmath": mpmath.__version__,
           "torch": _torch_version(), "git_commit": _git_commit(),
           "threads": {name: os.environ.get(name) for name in THREAD_VARIABLES},
           "relunet": _relunet_version(), "date": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    return env


def _relunet_version() -> str:
    """The installed relunet's version (read from the distribution's metadata: the
    benchmarks sit below the CLI package and do not import it)."""
    try:
        return metadata.version("relunet")
    except metadata.PackageNotFoundError:
        return "not installed"


def _torch_version() -> str | None:
    try:
        import torch
    except ImportError:
        return None
    return torch.__version__


def _git_commit() -> str | None:
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        out = subprocess.run(["git", "-C", here, "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def plain(obj):
    """``obj`` with dataclasses, numpy scalars/arrays and tuples turned into JSON types;
    non-finite floats become the strings ``"inf"``, ``"-inf"``, ``"nan"``."""
    if is_dataclass(obj):
        return plain(asdict(obj))
    if isinstance(obj, dict):
        return {str(key): plain(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(value) for value in obj]
    if hasattr(obj, "tolist"):
        return plain(obj.tolist())
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    return obj


#: The environment of each record's first write in this process. Long runs rewrite their
#: record after every cell (nothing is lost if they are stopped); the commit and date of
#: the last write would name whatever the checkout holds by then, not the code that ran
#: (loaded when the process started).
_FIRST_WRITE: dict[str, dict] = {}


def write_record(out: str, record: dict, env: dict | None = None) -> str:
    """Write ``record`` with ``env`` (default: :func:`environment` at this record's first
    write in this process) to ``out/<suite>.json``; returns the path."""
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"{record['suite']}.json")
    if env is None:
        key = os.path.abspath(path)
        if key not in _FIRST_WRITE:
            _FIRST_WRITE[key] = environment()
        env = _FIRST_WRITE[key]
    payload = dict(record, environment=env)
    # atomically: a run stopped mid-write leaves the previous record, not half a file
    with atomic_write(path, "w", encoding="utf-8") as fh:
        json.dump(plain(payload), fh, indent=1)
        fh.write("\n")
    return path


def load_records(folder: str) -> dict[str, dict]:
    """All records in ``folder``, by suite name (non-finite strings back to floats)."""
    records = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path) as fh:
            record = json.load(fh, object_hook=_floats)
        if "suite" in record:
            records[record["suite"]] = record
    return records


def _floats(obj: dict) -> dict:
    return {key: float(value) if value in ("inf", "-inf", "nan") else value
            for key, value in obj.items()}
