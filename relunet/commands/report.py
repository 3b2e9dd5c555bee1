"""Plain-text and JSON rendering of recovery diagnostics, shared by the commands."""

from __future__ import annotations

import numpy as np


def diagnostics_table(diag: dict) -> list[tuple[str, str]]:
    """Rows ``(name, value)`` summarising :attr:`RecoveryResult.diagnostics`."""
    counts = diag.get("facet_counts", [])
    n = diag.get("n", 0)
    rows = [
        ("mode", f"{diag.get('mode')} ({'verified exact fit' if diag.get('exact') else 'estimate'})"),
        ("hidden units k", str(diag.get("k"))),
        ("rank tail σ_(k+1)/σ_1", f"{diag.get('rank_tail', float('nan')):.1e}"),
        ("method", str(diag.get("method"))),
        ("attempts", str(len(diag.get("attempts", [])))),
    ]
    if counts:
        rows.append(("samples on each facet",
                     f"min {min(counts)}, median {int(np.median(counts))}, max {max(counts)}"
                     f" (of n = {n})"))
    if "residual" in diag:
        rows.append(("residual ‖U f(VX) − Y‖/‖Y‖", f"{diag['residual']:.1e}"))
    if diag.get("identifiable") is False:
        rows.append(("identifiable", "no: each V_i only up to a cone of weights with the "
                                     "same activation pattern (cones in --diagnostics); "
                                     "the network holds max-margin representatives"))
    if diag.get("mode") == "noisy":
        rows += _noisy_rows(diag)
    total = diag.get("timings", {}).get("total")
    if total is not None:
        rows.append(("time", f"{total:.3f} s"))
    return rows


def _noisy_rows(diag: dict) -> list[tuple[str, str]]:
    rows = [("estimated SNR", f"{diag['snr_estimate_db']:.1f} dB"),
            ("refinement", f"{diag['iterations']} steps, "
                           f"{'converged' if diag['converged'] else 'NOT converged'}")]
    se = diag.get("standard_errors")
    if se is not None:
        rows.append(("standard errors of V (unit rows)",
                     f"median {np.median(se['V']):.1e}, max {np.max(se['V']):.1e}"))
        rows.append(("standard errors of U", f"median {np.median(se['U']):.1e}, "
                                             f"max {np.max(se['U']):.1e}"))
    rows += [("WARNING", w) for w in diag.get("warnings", [])]
    return rows


def json_ready(obj):
    """Convert numpy scalars and arrays inside ``obj`` to plain JSON types."""
    if isinstance(obj, dict):
        return {str(key): json_ready(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_ready(value) for value in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if hasattr(obj, "to_dict"):  # e.g. recover.weight_cones.WeightCone
        return json_ready(obj.to_dict())
    return obj


class ProgressPrinter:
    """Progress messages on stderr: one overwritten line on a terminal, otherwise only
    messages whose text changed category (``"cone: 3/10 facets"`` → printed at every
    tenth of the way)."""

    def __init__(self, stream=None):
        import sys

        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_fraction = -1.0

    def __call__(self, message: str) -> None:
        if self.tty:
            self.stream.write("\r  " + message.ljust(60))
            self.stream.flush()
            return
        fraction = _fraction(message)
        if fraction is None or fraction >= self._last_fraction + 0.1 or fraction == 1.0:
            self.stream.write(f"  {message}\n")
            if fraction is not None:
                self._last_fraction = fraction

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


def _fraction(message: str) -> float | None:
    import re

    match = re.search(r"(\d+)/(\d+)", message)
    if not match or int(match.group(2)) == 0:
        return None
    return int(match.group(1)) / int(match.group(2))
