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

The public API is the names in ``__all__``: the certifiers (:func:`certify`,
:func:`recheck`, :func:`certify_float`) and their results (:class:`Certificate`,
:class:`FloatCertificate`, each made of :class:`Check` objects), the comparisons
(:func:`compare_networks`, :func:`match_units`, :func:`max_unit_error`), exact positive
parts (:class:`RationalMonomial`), and the progress protocol other packages report
through (:class:`Stage`, :func:`check_progress`). Public modules: :mod:`verify.strategies`
(above) and :mod:`verify.relu_audit`, a standalone stdlib-only script that checks an exact
ReLU certificate without importing relunet. Every other module is internal.
"""

import importlib

from ._certificate import Certificate
from ._certify import certify, recheck
from ._checks import Check
from ._compare import compare_networks, match_units, max_unit_error
from ._exact import RationalMonomial
from ._float_certificate import FloatCertificate, certify_float
from ._progress import Stage, check_progress

__all__ = ["Certificate", "FloatCertificate", "Check", "certify", "recheck", "certify_float",
           "compare_networks", "match_units", "max_unit_error", "RationalMonomial", "Stage",
           "check_progress"]


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
