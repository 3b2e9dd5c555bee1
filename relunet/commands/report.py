"""Plain-text and JSON rendering of recovery diagnostics, shared by the commands.

Internal module of the relunet command line (public: :func:`relunet.main`).
"""

from __future__ import annotations

import numpy as np


def diagnostics_table(diag: dict) -> list[tuple[str, str]]:
    """Rows ``(name, value)`` summarising a :class:`RecoveryResult` given as
    :meth:`RecoveryResult.as_dict` (its attributes and extras in one dict)."""
    counts = diag.get("facet_counts", [])
    n = diag.get("n", 0)
    rows = [
        ("mode", f"{diag.get('mode')} ({'verified exact fit' if diag.get('exact') else 'estimate'})"),
        ("hidden units k", str(diag.get("k"))),
        ("rank tail σ_(k+1)/σ_1", f"{diag.get('rank_tail', float('nan')):.1e}"),
        ("method", str(diag.get("method"))),
        ("attempts", str(len(diag.get("attempts", [])))),
    ]
    subset = diag.get("subset")
    # the network was found on a spread subset and checked on all n samples: dask inputs,
    # or numpy inputs with many samples (recover._subset) unless that attempt failed
    checked = diag.get("dask") or (subset if subset and "failed" not in subset else None)
    if counts:
        of = f"of the {checked['subset']} spread samples" if checked else f"of n = {n}"
        rows.append(("samples on each facet",
                     f"min {min(counts)}, median {int(np.median(counts))}, max {max(counts)}"
                     f" ({of})"))
    if "residual" in diag:
        rows.append(("residual ‖U f(VX) − Y‖/‖Y‖", f"{diag['residual']:.1e}"))
    if checked:
        seconds = ", ".join(f"{name} {t:.2f} s" for name, t in checked["pass_seconds"].items())
        chunks = f" over {checked['chunks']} chunks" if "chunks" in checked else ""
        rows.append(("passes over the data", f"{checked['passes']} ({seconds}){chunks} of "
                                             f"n = {n}"))
    elif subset:
        rows.append(("spread subset", f"{subset['subset']} samples tried first, no exact "
                                      f"network confirmed there; recovered on all n = {n}"))
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
    if hasattr(obj, "to_dict"):  # e.g. recover._weight_cones.WeightCone
        return json_ready(obj.to_dict())
    return obj


class Progress:
    """Progress bars on stderr through tqdm, for both progress protocols of the library.

    * ``progress(message)`` (``recover_network``: ``"cone: 3/10 facets"``) sets the text
      of one bar that shows the message and the elapsed time;
    * ``progress(stage, done, total)`` (certification, hardness) drives one bar per
      stage, closed when ``done == total``.

    Disabled by ``enabled=False`` (``--quiet``). When stderr is not a terminal the bar
    is redrawn at most every :attr:`LOG_INTERVAL` seconds, so that logs stay short.
    """

    #: Seconds between redraws when stderr is a log file rather than a terminal.
    LOG_INTERVAL = 10.0

    def __init__(self, enabled: bool = True, stream=None):
        import sys

        self.enabled = enabled
        self.stream = stream or sys.stderr
        tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._interval = 0.2 if tty else self.LOG_INTERVAL
        self._bar = None
        self._stage = None

    def __call__(self, *args) -> None:
        if not self.enabled:
            return
        if len(args) == 1:
            self._message(str(args[0]))
        elif len(args) == 3:
            self._step(str(args[0]), int(args[1]), int(args[2]))
        else:
            raise TypeError("progress takes (message) or (stage, done, total)")

    def _message(self, message: str) -> None:
        if self._bar is None or self._stage is not None:
            self._open(None, desc=message, bar_format="  {desc} [{elapsed}]")
        self._bar.set_description_str(message, refresh=False)
        self._bar.update(1)  # redraws at most every interval; the count is not shown

    def _step(self, stage: str, done: int, total: int) -> None:
        if self._bar is None or self._stage != stage:
            self._open(stage, desc=f"  {stage}", total=total)
        self._bar.update(done - self._bar.n)
        if done >= total:
            self.close()

    def _open(self, stage, **options) -> None:
        from tqdm import tqdm

        self.close()
        self._stage = stage
        self._bar = tqdm(file=self.stream, mininterval=self._interval, leave=True,
                         dynamic_ncols=True, **options)

    def close(self) -> None:
        """Finish the current bar (call when the work is done or failed)."""
        if self._bar is not None:
            self._bar.close()
        self._bar = self._stage = None
