"""hardness — the k = 2 NP-hardness reduction (Bakshi, Jayaram, Woodruff, COLT 2019).

SET SPLITTING reduces to "does some ``U f(V X)`` with two ReLU units fit these labels
exactly?"; :func:`decide_fit` decides small fitting instances exactly (any number of
outputs), with rational witnesses for yes and Farkas certificates for no, which
:func:`save_certificate` / :func:`load_certificate` keep as JSON;
:func:`check_reductions` checks the equivalence on every small instance. See
docs/hardness.md.
"""

from .certificate_io import load_certificate, save_certificate
from .check import CheckReport, check_reductions
from .decide import CertificateError, FitCertificate, FitDecision, decide_fit
from .reduction import Reduction, reduce_set_splitting
from .set_splitting import SetSplitting, enumerate_instances, random_instance

__all__ = ["SetSplitting", "enumerate_instances", "random_instance", "Reduction",
           "reduce_set_splitting", "decide_fit", "FitDecision", "FitCertificate",
           "CertificateError", "load_certificate", "save_certificate", "check_reductions",
           "CheckReport"]
