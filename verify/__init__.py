"""verify — certification of recovered networks and comparison up to symmetries.

``certify(X, Y, network)`` proves (exact path, rational arithmetic) or measures
(precision path, mpmath) that a network reproduces the data; the result is a
:class:`Certificate`. ``compare_networks`` and ``match_units`` compare networks up to
permutation and positive scaling. :mod:`verify.strategies` holds hypothesis strategies
for property-testing recovery algorithms.
"""

from . import strategies
from .certificate import Certificate
from .certify import certify
from .compare import compare_networks, match_units, max_unit_error

__all__ = ["Certificate", "certify", "compare_networks", "match_units", "max_unit_error",
           "strategies"]
