"""Progress reports of long library calls, without printing anything.

Protocol (the same for every long call of the project): the caller passes
``progress(stage: str, done: int, total: int)`` or None (silent). Within a stage ``done``
never decreases; it is reported at most about once per percent, and exactly once with
``done == total`` when the stage ends. What the stages are is documented by each call.

Internal module of :mod:`verify`: use the names the package exports (``verify.__all__``).
"""

from __future__ import annotations

from recover import InvalidInputError


def check_progress(progress):
    """``progress`` itself if it is None or callable, else :class:`InvalidInputError`."""
    if progress is not None and not callable(progress):
        raise InvalidInputError(
            f"progress must be None or a callable progress(stage, done, total), "
            f"not {type(progress).__name__}")
    return progress


class Stage:
    """One stage of ``total`` steps reported to ``progress`` (None: nothing is done).

    Entering a ``with`` block reports ``done = 0``; :meth:`advance` counts steps and
    reports when the whole percentage grows; :meth:`finish` (or leaving the ``with``
    block normally) reports ``done == total`` once, also when the stage ended early (a
    search that found its answer, a solve stopped at a failing step).
    """

    def __init__(self, progress, name: str, total: int):
        self.progress, self.name, self.total = progress, name, max(int(total), 0)
        self.done, self._percent, self._finished = 0, -1, False

    def advance(self, steps: int = 1) -> None:
        self.update(self.done + steps)

    def update(self, done: int) -> None:
        """Set ``done`` (clipped to ``[self.done, total]``) and report if a percent passed."""
        self.done = min(max(int(done), self.done), self.total)
        if self.progress is None or self._finished:
            return
        if self.done == self.total:
            self.finish()
            return
        percent = 100 * self.done // self.total
        if percent > self._percent:
            self._percent = percent
            self.progress(self.name, self.done, self.total)

    def finish(self) -> None:
        if self.progress is not None and not self._finished:
            self._finished = True
            self.done = self.total
            self.progress(self.name, self.total, self.total)

    def __enter__(self) -> "Stage":
        self.update(0)  # announce the stage: done = 0
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.finish()
