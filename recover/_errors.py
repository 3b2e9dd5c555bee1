"""The one exception and warning hierarchy of relunet.

Every error that relunet raises on purpose derives from :class:`RelunetError`, so a
caller can catch the whole family with one ``except``. Errors about the caller's input
also derive from :class:`ValueError`, so code written against numpy conventions keeps
working. Every warning derives from :class:`RelunetWarning` (a ``UserWarning``)::

    RelunetError                       recover
    ├── InvalidInputError (ValueError) recover      bad input of any kind
    │   └── UsageError                 relunet.cli  a bad command-line flag
    ├── RecoveryFailed                 recover      a negative result of recovery
    └── FitCertificateRejected         hardness     a FitCertificate failed its re-check
    RelunetWarning (UserWarning)       recover      a result not to be trusted blindly
    └── ActivationWarning              recover      an activation property only sampled

Each class is exported by the package named (``hardness.CertificateError`` is a
deprecated alias of ``hardness.FitCertificateRejected``). docs/errors.md lists them too.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations


class RelunetError(Exception):
    """Root of every error raised on purpose by relunet."""


class InvalidInputError(RelunetError, ValueError):
    """The input is malformed: wrong shape, NaN/Inf, an impossible ``k``, a bad file."""


class RecoveryFailed(RelunetError):
    """Recovery could not produce a network that passed its own checks.

    Raised instead of returning an answer that may be wrong (Las Vegas behaviour).
    ``diagnostics`` holds what was measured before giving up.
    """

    def __init__(self, message: str, diagnostics: dict | None = None):
        super().__init__(message)
        self.diagnostics = dict(diagnostics or {})


class RelunetWarning(UserWarning):
    """A result was produced but should not be trusted blindly (e.g. very noisy data)."""
