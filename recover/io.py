"""Reading arrays from files safely: ``allow_pickle=False`` always, clear errors.

A pickled ``.npy`` could run arbitrary code when loaded; it is refused. Every failure
becomes an :class:`~recover.errors.InvalidInputError` naming the file and the problem.
"""

from __future__ import annotations

import os
import zipfile

import numpy as np

from .errors import InvalidInputError


def load_array(path, name: str | None = None) -> np.ndarray:
    """Load one numeric array from ``.npy`` (or a single-array ``.npz``, or ``.csv``)."""
    path = os.fspath(path)
    label = f"{name} ({path})" if name else path
    if not os.path.exists(path):
        raise InvalidInputError(f"{label}: no such file")
    if path.endswith(".npz"):
        arrays = load_npz_arrays(path)
        if len(arrays) != 1:
            raise InvalidInputError(
                f"{label}: holds {len(arrays)} arrays ({sorted(arrays)}); "
                f"expected exactly one")
        arr = next(iter(arrays.values()))
    elif path.endswith(".csv") or path.endswith(".txt"):
        try:
            arr = np.loadtxt(path, delimiter="," if path.endswith(".csv") else None,
                             ndmin=2)
        except ValueError as exc:
            raise InvalidInputError(f"{label}: not numeric text: {exc}") from None
    else:
        with open(path, "rb") as fh:
            magic = fh.read(6)
        if magic != b"\x93NUMPY":
            raise InvalidInputError(f"{label}: not a valid .npy file (no NumPy header)")
        try:
            arr = np.load(path, allow_pickle=False)
        except ValueError as exc:
            if "pickle" in str(exc).lower():
                raise InvalidInputError(
                    f"{label}: holds pickled Python objects; refused "
                    f"(only plain numeric .npy files are accepted)") from None
            raise InvalidInputError(f"{label}: not a valid .npy file: {exc}") from None
        except (OSError, EOFError) as exc:
            raise InvalidInputError(f"{label}: cannot read as .npy: {exc}") from None
    return _numeric(arr, label)


def load_npz_arrays(path, required: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Load every array of an ``.npz`` file into a dict (``allow_pickle=False``)."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise InvalidInputError(f"no such file {path!r}")
    try:
        with np.load(path, allow_pickle=False) as data:
            if not isinstance(data, np.lib.npyio.NpzFile):
                raise InvalidInputError(f"{path!r} is not an .npz archive")
            arrays = {key: data[key] for key in data.files}
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise InvalidInputError(
                f"{path!r} holds pickled Python objects; refused") from None
        raise InvalidInputError(f"{path!r} is not a valid .npz file: {exc}") from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise InvalidInputError(f"cannot read {path!r} as .npz: {exc}") from None
    missing = [key for key in required if key not in arrays]
    if missing:
        raise InvalidInputError(f"{path!r} lacks the arrays {missing}; it has {sorted(arrays)}")
    return arrays


def _numeric(arr: np.ndarray, label: str) -> np.ndarray:
    if arr.dtype.kind not in "biuf":
        raise InvalidInputError(
            f"{label}: expected numbers, found dtype {arr.dtype} ({arr.dtype.kind!r})")
    return arr.astype(float, copy=False)
