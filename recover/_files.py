"""Writing files without losing data: atomic replacement and output-path guarding.

Every file relunet writes goes through :func:`atomic_write` (or :func:`atomic_path`
for writers that need a file name): the bytes go to a temporary file in the same
folder, are flushed and fsync'ed, and only then ``os.replace`` puts them at the
destination. A failure at any point (disk full, Ctrl-C, an exception in the writer)
removes the temporary file and leaves the old file, if any, untouched.

:func:`guard_outputs` is the check the command line runs before any work: an output
may not be one of the command's inputs, nor another output, nor replace an existing
file unless the caller says so.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator, Mapping

from ._errors import InvalidInputError


@contextlib.contextmanager
def atomic_path(path) -> Iterator[str]:
    """Yield a temporary file name next to ``path``; on success it replaces ``path``.

    For writers that only accept a file name (e.g. ``Figure.savefig``). The temporary
    name keeps the extension of ``path`` so that writers choosing a format by it work.
    The file written there is fsync'ed before the replacement.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{base}.",
                               suffix=os.path.splitext(base)[1] or ".tmp")
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, _final_mode(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_write(path, mode: str = "wb", encoding: str | None = None):
    """Open a temporary file next to ``path`` for writing; on success it replaces
    ``path`` (flush, fsync, ``os.replace``), on any failure it is removed.

    Writes exactly ``path`` (no extension is added). ``mode`` is ``"wb"`` or ``"w"``;
    text mode defaults to UTF-8.
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write writes with mode 'wb' or 'w', not {mode!r}")
    if mode == "w" and encoding is None:
        encoding = "utf-8"
    with atomic_path(path) as tmp, open(tmp, mode, encoding=encoding) as fh:
        yield fh
        fh.flush()


def _final_mode(path: str) -> int:
    """Permissions of the file being replaced, or the usual ``0o666 & ~umask`` for a new
    one (``mkstemp`` creates files readable by their owner only)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def guard_outputs(outputs: Mapping[str, object], inputs: Mapping[str, object],
                  force: bool = False) -> None:
    """Refuse outputs that would destroy data, before any work is done.

    ``outputs`` and ``inputs`` map a label (a flag such as ``"--out"``) to a path; ``None``
    paths are skipped. Raises :class:`InvalidInputError` (one line naming both paths)
    when an output resolves (``os.path.realpath``, or is the same file through a hard
    link) to an input or to another output, is a folder, lies in a folder that does
    not exist, or already exists while ``force`` is False.
    """
    inputs = {label: os.fspath(p) for label, p in inputs.items() if p is not None}
    seen: dict[str, str] = {}
    for label, path in outputs.items():
        if path is None:
            continue
        path = os.fspath(path)
        if not path:
            raise InvalidInputError(f"{label}: empty file name")
        for other_label, other in [*inputs.items(), *seen.items()]:
            if same_file(path, other):
                kind = "input" if other_label in inputs else "output"
                raise InvalidInputError(
                    f"{label} ({path}) is the same file as the {kind} {other_label} "
                    f"({other}); refusing to overwrite it")
        seen[label] = path
        _check_writable(label, path, force)


def same_file(a, b) -> bool:
    """True if the paths resolve to the same file (``os.path.realpath``, or a hard link)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def _check_writable(label: str, path: str, force: bool) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise InvalidInputError(f"{label} ({path}) is a folder; give a file name")
    if not os.path.isdir(folder):
        raise InvalidInputError(f"{label} ({path}): the folder {folder} does not exist")
    if os.path.lexists(path) and not force:
        raise InvalidInputError(f"{label} ({path}) exists; pass --force to replace it")
