"""recover — numeric recovery of two-layer rectified networks ``Y = U f(V X)``.

The public API is the names in ``__all__`` below, in five groups:

* **recovery**: :class:`TwoLayerNetwork`, :func:`recover_network` and its
  :class:`RecoveryResult`, planted data (:func:`planted_instance`,
  :class:`PlantedInstance`, :func:`misspecified_instance`, :data:`NOISE_KINDS`), and the
  activations (:class:`Activation`, :func:`get_activation`, :data:`RELU`, and :data:`T`,
  the symbol of an activation's positive part);
* **tolerances**: :class:`Tolerances` (every tolerance of the algorithms, a parameter of
  ``recover_network`` and ``verify.certify``; docs/tolerances.md), and
  :func:`current_tolerances` (the ones in force), :func:`using_tolerances` (a context
  that puts some in force) and :func:`check_tolerances` (validation at the door);
* **steps** other packages build on: :func:`label_span` (the label span),
  :func:`robust_start` and :func:`refine` (noisy start and Levenberg–Marquardt),
  :func:`solve_scale`, :func:`weight_cone` and :func:`fit_in_cone` (one hidden unit's
  scale and weight cone), and :func:`silent_highs` (the linear-program solver, quiet);
* **input at the door**: :func:`check_data`, :func:`check_positive_int`,
  :func:`is_sympy_rational`, bounded readers (:func:`load_array`,
  :func:`load_npz_arrays`, :func:`numeric`, :func:`read_text`, :func:`loads_bounded`,
  :func:`load_bounded`; :func:`npy_as_dask`, a ``.npy`` file as a dask array read in
  chunks of samples, with the optional extra ``dask``) and atomic writers
  (:func:`atomic_write`, :func:`atomic_path`, :func:`guard_outputs`, :func:`same_file`);
* **errors and warnings**: the one hierarchy rooted at :class:`RelunetError` and
  :class:`RelunetWarning` (see :mod:`recover._errors` and docs/errors.md).

Public modules that need an optional dependency and are imported only on request:
:mod:`recover.estimator` (scikit-learn estimator), :mod:`recover.interop_sklearn`,
:mod:`recover.interop_torch`. Every other module of this package is internal: use the
names above, not the modules that define them.
"""

from ._activations import RELU, Activation, ActivationWarning, T, get_activation
from ._bounded_json import load_bounded, loads_bounded
from ._dask import npy_as_dask
from ._errors import InvalidInputError, RecoveryFailed, RelunetError, RelunetWarning
from ._files import atomic_path, atomic_write, guard_outputs, same_file
from ._highs import silent_highs
from ._instances import NOISE_KINDS, PlantedInstance, misspecified_instance, planted_instance
from ._io import load_array, load_npz_arrays, numeric, read_text
from ._network import TwoLayerNetwork
from ._noisy import robust_start
from ._refine import refine
from ._solve import solve_scale
from ._span import label_span
from ._tolerances import Tolerances
from ._tolerances import checked as check_tolerances
from ._tolerances import current as current_tolerances
from ._tolerances import using as using_tolerances
from ._validation import check_data, check_positive_int, is_sympy_rational
from ._weight_cones import fit_in_cone, weight_cone

__all__ = [
    # recovery
    "TwoLayerNetwork", "PlantedInstance", "planted_instance", "misspecified_instance",
    "NOISE_KINDS", "Activation", "get_activation", "RELU", "T",
    # tolerances
    "Tolerances", "current_tolerances", "using_tolerances", "check_tolerances",
    # steps
    "label_span", "robust_start", "refine", "solve_scale", "weight_cone", "fit_in_cone",
    "silent_highs",
    # input at the door
    "check_data", "check_positive_int", "is_sympy_rational", "load_array",
    "load_npz_arrays", "numeric", "read_text", "loads_bounded", "load_bounded",
    "npy_as_dask",
    "atomic_write", "atomic_path", "guard_outputs", "same_file",
    # errors and warnings
    "RelunetError", "InvalidInputError", "RecoveryFailed", "RelunetWarning",
    "ActivationWarning",
]

from ._recovery import RecoveryResult, recover_network  # noqa: E402

__all__ += ["RecoveryResult", "recover_network"]
