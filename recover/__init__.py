"""recover — numeric recovery of two-layer rectified networks ``Y = U f(V X)``.

Public names: :class:`TwoLayerNetwork`, :func:`planted_instance`,
:func:`recover_network` and its :class:`RecoveryResult`, :class:`Tolerances` (every
tolerance of the algorithms, a parameter of ``recover_network`` and ``verify.certify``),
and the exception hierarchy rooted at :class:`RelunetError`.
"""

from .activations import Activation, get_activation
from .errors import InvalidInputError, RecoveryFailed, RelunetError
from .instances import PlantedInstance, planted_instance
from .network import TwoLayerNetwork
from .tolerances import Tolerances

__all__ = [
    "Activation", "get_activation", "InvalidInputError", "RecoveryFailed", "RelunetError",
    "PlantedInstance", "planted_instance", "TwoLayerNetwork", "Tolerances",
]

from .recovery import RecoveryResult, recover_network  # noqa: E402

__all__ += ["RecoveryResult", "recover_network"]
