"""verify — certification of recovered networks and comparison up to symmetries.

``certify(X, Y, network)`` proves (exact path, rational arithmetic) or measures
(precision path, mpmath) that a network reproduces the data; the result is a
:class:`Certificate`. ``compare_networks`` and ``match_units`` compare networks up to
permutation and positive scaling. ``certify_float(network, X, Y, precision="float64")``
proves that ``Y`` is a floating-point evaluation of a network up to rounding (a
:class:`FloatCertificate`; labels of trained models). :mod:`verify.strategies` holds
hypothesis strategies for property-testing recovery algorithms; it needs hypothesis
(``pip install 'relunet[test]'``) and is imported only when asked for (``from verify import strategies``
or ``import verify.strategies``), so ``import verify`` works on a plain install.
"""

import importlib

from .certificate import Certificate
from .certify import certify, recheck
from .compare import compare_networks, match_units, max_unit_error
from .float_certificate import FloatCertificate, certify_float

__all__ = ["Certificate", "FloatCertificate", "certify", "certify_float", "compare_networks",
           "match_units", "max_unit_error", "recheck"]


def __getattr__(name: str):
    """Import :mod:`verify.strategies` on first access (``verify.strategies``), with a
    message that names the missing extra when hypothesis is not installed."""
    if name != "strategies":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        return importlib.import_module(".strategies", __name__)
    except ModuleNotFoundError as err:
        if err.name != "hypothesis":
            raise
        raise ImportError("verify.strategies needs hypothesis: "
                          "pip install 'relunet[test]'") from err
