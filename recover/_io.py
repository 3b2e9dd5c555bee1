"""Reading inputs from files safely: bounded sizes, no pickles, clear errors.

Nothing is allocated before the file has been checked:

* ``.npy``: the header is read first (``numpy.lib.format``, whose header parser is
  ``ast.literal_eval``, never ``eval``); object and structured dtypes are refused, and
  the shape times the item size must match the bytes the file holds and stay below
  :data:`MAX_ARRAY_BYTES`.
* ``.npz`` (a zip archive): at most :data:`MAX_NPZ_MEMBERS` members, each checked like an
  ``.npy`` against its declared uncompressed size (``zipfile`` never inflates a member
  past that size, so a zip bomb stops at the cap).
* ``.csv`` / ``.txt``: at most :data:`MAX_TEXT_BYTES` bytes.
* JSON: at most :data:`MAX_JSON_BYTES` bytes of UTF-8 (:func:`read_text`), parsed with
  caps on nesting, container count and number length by :mod:`recover._bounded_json`.

Numeric arrays must be integer or real floating point: complex (whose imaginary part
would be dropped), boolean, string, object and structured arrays are refused. Every
failure is an :class:`~recover._errors.InvalidInputError` naming the file and the problem.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import math
import os
import stat
import warnings
import zipfile

import numpy as np
from numpy.lib import format as npy_format

from ._errors import InvalidInputError
from ._validation import check_real_dtype

#: Largest array a file may hold, in bytes once decompressed (4 GiB).
MAX_ARRAY_BYTES = 4 * 2**30
#: Largest ``.csv`` / ``.txt`` file (256 MiB; parsed text costs several times more).
MAX_TEXT_BYTES = 256 * 2**20
#: Most arrays one ``.npz`` may hold.
MAX_NPZ_MEMBERS = 64
#: Largest JSON file (certificates, SET SPLITTING instances): 64 MiB.
MAX_JSON_BYTES = 64 * 2**20
#: Longest activation name or expression stored in a network file.
MAX_ACTIVATION_CHARS = 1000

_HEADER_KINDS = "biufcSU"  # what a header may declare; numbers are checked after loading


def load_array(path, name: str | None = None, *, mmap: bool = False) -> np.ndarray:
    """Load one real numeric array (float64) from ``.npy``, a single-array ``.npz``, or
    ``.csv`` / ``.txt``, after the checks of the module docstring.

    With ``mmap`` (``.npy`` only): a read-only memory map of the file (its own dtype, any
    real one), after the same header checks but without the size cap, since nothing is
    read into memory until used; the file is never written.
    """
    path = os.fspath(path)
    label = f"{name} ({path})" if name else path
    size = _regular_file_size(path, label)
    if mmap:
        return _map_npy(path, label, size)
    if path.endswith(".npz"):
        arrays = load_npz_arrays(path, label=label)
        if len(arrays) != 1:
            raise InvalidInputError(
                f"{label}: holds {len(arrays)} arrays ({sorted(arrays)}); "
                f"expected exactly one")
        arr = next(iter(arrays.values()))
    elif path.endswith(".csv") or path.endswith(".txt"):
        arr = _load_text(path, label, size)
    else:
        arr = _load_npy(path, label, size)
    return numeric(arr, label)


def load_npz_arrays(path, required: tuple[str, ...] = (), *,
                    label: str | None = None) -> dict[str, np.ndarray]:
    """Load every array of an ``.npz`` file into a dict (``allow_pickle=False``), after
    checking every member's header against its size and the caps. Arrays keep their
    dtype (string arrays included); use :func:`numeric` on those meant to be numbers."""
    path = os.fspath(path)
    label = label or path
    headers = inspect_npz(path, label)
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except ValueError as exc:
        raise InvalidInputError(f"{label}: not a valid .npz file: {exc}") from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise InvalidInputError(f"{label}: cannot read as .npz: {exc}") from None
    missing = [key for key in required if key not in arrays]
    if missing:
        raise InvalidInputError(f"{label}: lacks the arrays {missing}; it has {sorted(headers)}")
    return arrays


def inspect_npz(path, label: str | None = None) -> dict[str, tuple[tuple, np.dtype]]:
    """``{name: (shape, dtype)}`` of every member of an ``.npz``, read from the headers
    only, after checking the member count, sizes and dtypes (nothing is inflated past
    :data:`MAX_ARRAY_BYTES`)."""
    path = os.fspath(path)
    label = label or path
    _regular_file_size(path, label)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_NPZ_MEMBERS:
                raise InvalidInputError(f"{label}: holds {len(infos)} members; at most "
                                        f"{MAX_NPZ_MEMBERS} are accepted")
            total = sum(info.file_size for info in infos)
            if total > MAX_ARRAY_BYTES:
                raise InvalidInputError(
                    f"{label}: its members inflate to {total} bytes, over the cap of "
                    f"{MAX_ARRAY_BYTES} bytes")
            headers = {}
            for info in infos:
                if not info.filename.endswith(".npy"):
                    raise InvalidInputError(f"{label}: member {info.filename!r} is not an "
                                            f".npy array; not an .npz written by numpy")
                with zf.open(info) as fh:
                    shape, _, dtype = _read_header(fh, info.file_size,
                                                   f"{label} member {info.filename!r}")
                headers[info.filename[:-4]] = (shape, dtype)
            return headers
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError,
            RuntimeError) as exc:  # RuntimeError: encrypted member
        raise InvalidInputError(f"{label}: not a valid .npz (zip) file: {exc}") from None


def numeric(arr: np.ndarray, label: str) -> np.ndarray:
    """``arr`` as float64 if it holds integers or reals; :class:`InvalidInputError`
    naming the dtype otherwise (:func:`recover._validation.check_real_dtype`)."""
    check_real_dtype(arr, label)
    return arr.astype(float, copy=False)


def read_text(path, label: str, max_bytes: int = MAX_JSON_BYTES) -> str:
    """The UTF-8 text of a regular file of at most ``max_bytes`` bytes."""
    path = os.fspath(path)
    size = _regular_file_size(path, label)
    if size > max_bytes:
        raise InvalidInputError(f"{label}: {size} bytes, over the cap of {max_bytes} bytes")
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:  # permission denied, I/O error, removed since stat
        raise InvalidInputError(f"{label}: cannot be read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # the file grew, or its size was not what stat said
        raise InvalidInputError(f"{label}: over the cap of {max_bytes} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{label}: not UTF-8 text: {exc}") from None


# --- internals ---------------------------------------------------------------------
def _regular_file_size(path: str, label: str) -> int:
    """Size of ``path``; refuses a missing path, a folder and special files (a FIFO or
    ``/dev/urandom`` would be read forever)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InvalidInputError(f"{label}: no such file") from None
    except NotADirectoryError:
        raise InvalidInputError(f"{label}: no such file (a part of the path is a file)") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise InvalidInputError(f"{label}: cannot read: "
                                f"{getattr(exc, 'strerror', None) or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InvalidInputError(f"{label}: is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise InvalidInputError(f"{label}: not a regular file")
    return st.st_size


def _load_npy(path: str, label: str, size: int) -> np.ndarray:
    with open(path, "rb") as fh:
        shape, fortran, dtype = _read_header(fh, size, label)
        try:
            arr = np.fromfile(fh, dtype=dtype, count=math.prod(shape))
        except (ValueError, OSError) as exc:
            raise InvalidInputError(f"{label}: cannot read the .npy data: {exc}") from None
    return arr.reshape(shape, order="F" if fortran else "C")


def _map_npy(path: str, label: str, size: int) -> np.ndarray:
    if not path.endswith(".npy"):
        raise InvalidInputError(f"{label}: only .npy files can be memory-mapped or read in chunks")
    with open(path, "rb") as fh:
        _read_header(fh, size, label, cap=None)
    try:
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise InvalidInputError(f"{label}: cannot map the .npy data: {exc}") from None
    check_real_dtype(arr, label)
    return arr


def _read_header(fh, size: int, label: str, cap: int | None = MAX_ARRAY_BYTES):
    """``(shape, fortran_order, dtype)`` of the ``.npy`` stream ``fh`` holding ``size``
    bytes in all; checks the dtype, the cap (None: none, for a memory map) and that the
    data fills the rest exactly."""
    try:
        version = npy_format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = npy_format.read_array_header_1_0(fh)
        elif version == (2, 0):
            shape, fortran, dtype = npy_format.read_array_header_2_0(fh)
        else:
            raise InvalidInputError(f"{label}: .npy format version {version} is not "
                                    f"supported (1.0 and 2.0 are)")
    except (ValueError, EOFError, SyntaxError, TypeError) as exc:
        raise InvalidInputError(f"{label}: not a valid .npy file: "
                                f"{str(exc).splitlines()[0] if str(exc) else exc!r}") from None
    if dtype.hasobject:
        raise InvalidInputError(f"{label}: holds pickled Python objects; refused "
                                f"(only plain numeric .npy files are accepted)")
    if dtype.fields is not None or dtype.subdtype is not None or dtype.kind not in _HEADER_KINDS:
        raise InvalidInputError(f"{label}: dtype {dtype} is not a plain numeric array")
    count = math.prod(shape)
    nbytes = count * dtype.itemsize
    held = size - fh.tell()
    if cap is not None and nbytes > cap:
        raise InvalidInputError(f"{label}: header claims {count} elements ({nbytes} bytes), "
                                f"over the cap of {cap} bytes")
    if nbytes != held:
        raise InvalidInputError(f"{label}: header claims {count} elements ({nbytes} bytes) "
                                f"but the file holds {held} bytes of data")
    return shape, fortran, dtype


def _load_text(path: str, label: str, size: int) -> np.ndarray:
    if size > MAX_TEXT_BYTES:
        raise InvalidInputError(f"{label}: {size} bytes, over the cap of {MAX_TEXT_BYTES} "
                                f"bytes for text files (save large arrays as .npy)")
    try:
        with warnings.catch_warnings():  # an empty file warns; as_matrix refuses it
            warnings.simplefilter("ignore", UserWarning)
            return np.loadtxt(path, delimiter="," if path.endswith(".csv") else None,
                              ndmin=2)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{label}: not numeric text: "
                                f"{str(exc).splitlines()[0] if str(exc) else exc!r}") from None
