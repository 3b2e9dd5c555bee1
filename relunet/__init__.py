"""relunet — the application shell: command-line interface and demo, nothing else.

Public API: :func:`main` (the ``relunet`` command) and :class:`UsageError` (a bad flag,
an :class:`recover.InvalidInputError`). Every module below is internal.
"""

__version__ = "0.1.0"

from .cli import UsageError, main  # noqa: E402

__all__ = ["main", "UsageError", "__version__"]
