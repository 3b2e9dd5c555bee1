"""hardness — the k = 2 NP-hardness reduction (Bakshi, Jayaram, Woodruff, COLT 2019).

SET SPLITTING reduces to "does some ``U f(V X)`` with two ReLU units fit these labels
exactly?"; :func:`decide_fit` decides small fitting instances exactly (any number of
outputs), with rational witnesses for yes and Farkas certificates for no, which
:func:`save_certificate` / :func:`load_certificate` keep as JSON;
:func:`check_reductions` checks the equivalence on every small instance (with z3 as an
independent second opinion when asked); :func:`draw_exercise` draws exercises for a
course. See docs/hardness.md.

The public API is the names in ``__all__`` and the module :mod:`hardness.figures`
(matplotlib drawings, imported on request); every other module is internal.
``CertificateError`` is a deprecated alias of :class:`FitCertificateRejected` (it warns).
"""

import warnings

from ._certificate_io import load_certificate, save_certificate
from ._check import CheckReport, check_reductions
from ._decide import FitCertificate, FitCertificateRejected, FitDecision, decide_fit
from ._exercise import EXERCISE_SIZES, Exercise, Solution, draw_exercise
from ._exercise_render import render_latex, render_text
from ._reduction import Reduction, reduce_set_splitting
from ._set_splitting import SetSplitting, enumerate_instances, random_instance
from ._smt import z3_available

__all__ = ["SetSplitting", "enumerate_instances", "random_instance", "Reduction",
           "reduce_set_splitting", "decide_fit", "FitDecision", "FitCertificate",
           "FitCertificateRejected", "load_certificate", "save_certificate",
           "check_reductions", "CheckReport", "Exercise", "Solution", "draw_exercise",
           "EXERCISE_SIZES", "render_text", "render_latex", "z3_available"]


def __getattr__(name: str):
    """``CertificateError``: deprecated alias of :class:`FitCertificateRejected` (the old
    name read as if it concerned :class:`verify.Certificate`); warns on use."""
    if name == "CertificateError":
        warnings.warn("hardness.CertificateError is deprecated; use "
                      "hardness.FitCertificateRejected", DeprecationWarning, stacklevel=2)
        return FitCertificateRejected
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
