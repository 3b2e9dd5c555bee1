"""hardness — the k = 2 NP-hardness reduction (Bakshi, Jayaram, Woodruff, COLT 2019).

SET SPLITTING reduces to "does some ``u f(V x)`` with two ReLU units fit these labels
exactly?"; :func:`decide_fit` decides small fitting instances exactly, with rational
witnesses for yes and Farkas certificates for no; :func:`check_reductions` checks the
equivalence on every small instance. See docs/hardness.md.
"""

from .check import CheckReport, check_reductions
from .decide import CertificateError, FitCertificate, FitDecision, decide_fit
from .reduction import Reduction, reduce_set_splitting
from .set_splitting import SetSplitting, enumerate_instances, random_instance

__all__ = ["SetSplitting", "enumerate_instances", "random_instance", "Reduction",
           "reduce_set_splitting", "decide_fit", "FitDecision", "FitCertificate",
           "CertificateError", "check_reductions", "CheckReport"]
