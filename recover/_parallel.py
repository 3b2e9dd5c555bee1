"""Threads for the independent pieces of the exact pipeline (``n_jobs``).

The pieces — the hidden-unit solves of :mod:`recover._solve` and a batch of facet
programs with their exact steps (:mod:`recover._cone`) — spend their time in LAPACK and
HiGHS, which release the GIL, so a :class:`concurrent.futures.ThreadPoolExecutor`
overlaps them without shipping ``X`` and ``Z`` to other processes.

Determinism: :meth:`Workers.map` returns results in the order of its items whatever the
number of threads, every task draws its random numbers from a generator handed to it
(never a shared one), and the tasks run inside a copy of the caller's
:mod:`contextvars` context, so they see the tolerances in force
(:func:`recover._tolerances.current`; a pool thread would otherwise see the defaults).

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import contextlib
import contextvars
import numbers
import os
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

from ._errors import InvalidInputError

T = TypeVar("T")


def check_n_jobs(n_jobs) -> int:
    """``n_jobs`` as given when it is an integer ``>= 1`` or ``-1`` (all cores);
    :class:`InvalidInputError` otherwise (0, ``< -1``, a bool, a float, a string)."""
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or \
            not (n_jobs >= 1 or n_jobs == -1):
        raise InvalidInputError(f"n_jobs must be an integer >= 1, or -1 for every core, "
                                f"got {n_jobs!r}")
    return int(n_jobs)


def thread_count(n_jobs: int) -> int:
    """Threads for a checked ``n_jobs``: ``os.cpu_count()`` for -1, else ``n_jobs``."""
    return (os.cpu_count() or 1) if n_jobs == -1 else n_jobs


class Workers:
    """Runs independent calls, on a thread pool or (without one) one after the other.

    ``parallel`` tells callers whether to take their batched path; the sequential
    :data:`SEQUENTIAL` keeps every caller on the code path of one core.
    """

    def __init__(self, executor: Executor | None = None):
        self.executor = executor

    @property
    def parallel(self) -> bool:
        return self.executor is not None

    def map(self, fn: Callable[..., T], *iterables: Iterable) -> list[T]:
        """``[fn(*args) for args in zip(*iterables)]``, in that order. On the pool each
        call runs in its own copy of the caller's context (a context cannot be entered
        by two threads at once); an exception is raised when its result is reached, so
        the first failing item in order raises, as in the sequential loop."""
        calls = list(zip(*iterables))
        if self.executor is None:
            return [fn(*args) for args in calls]
        futures = [self.executor.submit(contextvars.copy_context().run, fn, *args)
                   for args in calls]
        return [future.result() for future in futures]


SEQUENTIAL = Workers()


@contextlib.contextmanager
def workers(n_jobs: int) -> Iterator[Workers]:
    """:class:`Workers` for a checked ``n_jobs``: :data:`SEQUENTIAL` for ``n_jobs = 1``,
    else a pool of :func:`thread_count` threads, shut down when the block ends.

    The path is chosen by ``n_jobs``, not by the threads it gives: ``n_jobs = -1`` on a
    machine of one core takes the batched path on one thread, so its result is that of
    every ``n_jobs != 1`` on any machine."""
    if n_jobs == 1:
        yield SEQUENTIAL
        return
    with ThreadPoolExecutor(max_workers=thread_count(n_jobs),
                            thread_name_prefix="relunet") as pool:
        yield Workers(pool)
