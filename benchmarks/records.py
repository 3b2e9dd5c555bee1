"""JSON records of benchmark runs: machine, versions, parameters, per-run outcomes."""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict


def environment() -> dict:
    import mpmath
    import numpy
    import scipy
    import sympy

    import relunet

    return {"python": platform.python_version(), "machine": platform.machine(),
            "processor": platform.processor(), "cpus": os.cpu_count(),
            "numpy": numpy.__version__, "scipy": scipy.__version__,
            "sympy": sympy.__version__, "mpmath": mpmath.__version__,
            "relunet": relunet.__version__,
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def write_record(path: str, suite: str, params: dict, rows: list) -> None:
    """Write ``rows`` (dicts or dataclasses) with the environment to ``path``."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    payload = {"suite": suite, "environment": environment(), "params": params,
               "rows": [asdict(r) if hasattr(r, "__dataclass_fields__") else r
                        for r in rows]}
    with open(path, "w") as fh:
        json.dump(payload, fh, indent=1, default=float)
