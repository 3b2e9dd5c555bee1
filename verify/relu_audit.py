"""Check an exact ReLU certificate of relunet without trusting relunet (stdlib only).

    python relu_audit.py CERT.json X.npy Y.npy

Confirms the central claim of a certificate written by ``Certificate.to_json()`` with
``"mode": "exact"`` and activation ``relu``: for its rational ``U`` (m x k), ``V``
(k x d) and biases ``b`` (k) and ``c`` (m) (zeros when the certificate has none),
``U relu(V X + b 1') + c 1' = Y`` holds exactly on every entry, where ``X`` (d x n) and ``Y``
(m x n) are the float64 data given, each float taken as the exact rational it is, and
the data are those the certificate was issued for (SHA-256 of the little-endian float64
bytes of each array in row-major order, as relunet's ``data_digest`` hashes them on a
little-endian machine). Exit 0: confirmed; 1: refuted or nothing to confirm; 2: bad input
(unreadable or malformed files, or not an exact ReLU certificate).

It does NOT check identifiability, agreement with a candidate or planted network, or the
intermediate steps (rank, facets, pattern): those remain relunet's word.
"""

import argparse
import hashlib
import json
import re
import struct
import sys
from fractions import Fraction
from math import isfinite, lcm
from operator import mul

SCHEMA = "relunet.certificate/1"
NOT_CHECKED = ("Not checked here (relunet's word only): identifiability (uniqueness up "
               "to permutation and scaling), agreement with the candidate or a planted "
               "network, the rank/facet/pattern steps, timings and versions.")
_MAGIC = b"\x93NUMPY"
_HEADER = re.compile(r"\{'descr': '<f8', 'fortran_order': (True|False), "
                     r"'shape': \(([0-9]+), ([0-9]+)\), \} *\n")
_RATIONAL = re.compile(r"-?[0-9]+(/[1-9][0-9]*)?")


class BadInput(Exception):
    """Exit 2: a file cannot be read, or is not what this script checks."""


class NotConfirmed(Exception):
    """Exit 1: the claim is false, or there is no claim to confirm."""


def read_npy(path):
    """``(shape, values, sha256)`` of a 2-D little-endian float64 ``.npy`` file (format
    1.0, 2.0 or 3.0, C or Fortran order); ``values`` row-major; the digest is of the
    row-major little-endian bytes."""
    with open(path, "rb") as fh:
        raw = fh.read()
    if raw[:6] != _MAGIC or raw[6:8] not in (b"\x01\x00", b"\x02\x00", b"\x03\x00"):
        raise BadInput(f"{path}: not a .npy file of format version 1, 2 or 3")
    size, start = ((struct.unpack("<H", raw[8:10])[0], 10) if raw[6] == 1
                   else (struct.unpack("<I", raw[8:12])[0], 12))
    match = _HEADER.fullmatch(raw[start:start + size].decode("latin-1"))
    if match is None:
        raise BadInput(f"{path}: only 2-D '<f8' (little-endian float64) arrays are read")
    rows, cols = int(match[2]), int(match[3])
    body = raw[start + size:]
    if len(body) != 8 * rows * cols or rows * cols == 0:
        raise BadInput(f"{path}: {len(body)} data bytes for a {rows}x{cols} float64 array")
    values = struct.unpack(f"<{rows * cols}d", body)
    if not all(map(isfinite, values)):
        raise BadInput(f"{path}: the data contain NaN or Inf")
    if match[1] == "True":  # column-major on disk: reorder to row-major
        values = tuple(values[c * rows + r] for r in range(rows) for c in range(cols))
        body = struct.pack(f"<{rows * cols}d", *values)
    return (rows, cols), values, hashlib.sha256(body).hexdigest()


def matrix(rows, name):
    """A certificate's list of ``"p/q"`` strings as a rectangular list of Fractions."""
    if (not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows)
            or len({len(r) for r in rows}) != 1 or not rows[0]):
        raise BadInput(f"network {name} is not a non-empty rectangular list of lists")
    if not all(isinstance(a, str) and _RATIONAL.fullmatch(a) for r in rows for a in r):
        raise BadInput(f"network {name} holds entries that are not 'p/q' strings")
    return [[Fraction(a) for a in r] for r in rows]


def vector(entries, name, length):
    """A certificate's list of ``length`` ``"p/q"`` strings as Fractions (zeros if absent)."""
    if entries is None:
        return [Fraction(0)] * length
    if not isinstance(entries, list) or len(entries) != length:
        raise BadInput(f"network {name} is not a list of {length} entries")
    return matrix([entries], name)[0]


def network_of(cert):
    """``(U, V, b, c)`` of a certificate that claims something; else the reason there is
    none."""
    if not isinstance(cert, dict) or cert.get("schema") != SCHEMA:
        raise BadInput(f"not a relunet certificate (schema {SCHEMA!r})")
    net = cert.get("network")
    if cert.get("mode") != "exact":
        raise BadInput("not an exact ReLU certificate (mode is not 'exact')")
    if cert.get("holds") is not True or net is None:
        raise NotConfirmed("nothing to confirm: the certificate does not hold "
                           "(holds is not true, or there is no network)")
    if not isinstance(net, dict) or net.get("kind") != "exact" or net.get("activation") != "relu":
        raise BadInput("not an exact ReLU certificate (network kind/activation)")
    checks = cert.get("checks")
    if not isinstance(checks, list) or not all(isinstance(c, dict) for c in checks):
        raise BadInput("malformed 'checks'")
    required = {c.get("name"): c.get("status") for c in checks if c.get("required") is True}
    if required.get("reproduction") != "passed" or set(required.values()) != {"passed"}:
        raise NotConfirmed("the certificate contradicts itself: holds is true but the "
                           "required checks are not all passed (or none is 'reproduction')")
    U, V = matrix(net.get("U"), "U"), matrix(net.get("V"), "V")
    if len(U[0]) != len(V):
        raise BadInput(f"U has {len(U[0])} columns but V has {len(V)} rows")
    return U, V, vector(net.get("b"), "b", len(V)), vector(net.get("c"), "c", len(U))


def check_data(cert, name, shape, digest):
    data = cert.get("data")
    entry = data.get(name) if isinstance(data, dict) else None
    if not isinstance(entry, dict):
        raise BadInput(f"the certificate has no data digest for {name}")
    if entry.get("shape") != list(shape) or entry.get("sha256") != digest:
        raise NotConfirmed(f"{name} is not the data this certificate was issued for "
                           f"(shape {list(shape)} vs {entry.get('shape')}, or the SHA-256 "
                           f"differs)")


def integer_columns(values, rows, cols):
    """Column ``j`` of a row-major float matrix as integers ``a`` and an exponent ``s``
    with ``column = a / 2**s`` exactly (every finite float64 is such a dyadic rational)."""
    ratios = [v.as_integer_ratio() for v in values]
    out = []
    for j in range(cols):
        col = ratios[j::cols]
        s = max(q for _, q in col).bit_length() - 1
        out.append(([p << (s - q.bit_length() + 1) for p, q in col], s))
    return out


def mismatches(U, V, b, c, X, Y):
    """Entries ``(r, j)`` where ``U relu(V X + b 1') + c 1' != Y``, in integer
    arithmetic: row ``i`` of ``[V | b]`` is ``A_i / L_i``, row ``r`` of ``U diag(1/L)`` is
    ``B_r / M_r``, and with ``x = a / 2^s`` the preactivation is
    ``(A_i[:d] a + A_i[d] 2^s) / (L_i 2^s)``."""
    n, xs = X[0][1], integer_columns(X[1], *X[0])
    m, ys = Y[0][0], Y[1]
    W = [row + [bi] for row, bi in zip(V, b)]
    L = [lcm(*(a.denominator for a in row)) for row in W]
    A = [[int(a * l) for a in row] for row, l in zip(W, L)]
    C = [[u / l for u, l in zip(row, L)] for row in U]
    M = [lcm(*(c.denominator for c in row)) for row in C]
    B = [[int(c * mr) for c in row] for row, mr in zip(C, M)]
    bad = []
    for j, (x, s) in enumerate(xs):
        h = [max(sum(map(mul, a, x)) + (a[-1] << s), 0) for a in A]
        for r in range(m):
            p, q = ys[r * n + j].as_integer_ratio()  # y = p/q, out = lhs/(M_r 2^s) + c_r
            cn, cd = c[r].numerator, c[r].denominator
            lhs = sum(map(mul, B[r], h)) * cd + ((cn * M[r]) << s)
            if lhs * q != (p * M[r] * cd) << s:
                bad.append((r, j))
    return bad


def audit(cert_path, x_path, y_path):
    """The verdict as ``(exit code, message)``."""
    try:
        try:
            with open(cert_path, encoding="utf-8") as fh:
                cert = json.load(fh)
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise BadInput(f"{cert_path}: cannot read the certificate JSON ({exc})") from None
        try:
            X, Y = read_npy(x_path), read_npy(y_path)
        except OSError as exc:
            raise BadInput(f"cannot read the data: {exc}") from None
        U, V, b, c = network_of(cert)
        check_data(cert, "X", *X[::2])
        check_data(cert, "Y", *Y[::2])
        (d, n), (m, n_y) = X[0], Y[0]
        if (len(V[0]), len(U)) != (d, m) or n != n_y:
            raise NotConfirmed(f"shapes do not fit: V is {len(V)}x{len(V[0])}, U is "
                               f"{len(U)}x{len(U[0])}, X is {d}x{n}, Y is {m}x{n_y}")
        bad = mismatches(U, V, b, c, X[:2], Y[:2])
        if bad:
            r, j = bad[0]
            raise NotConfirmed(f"REFUTED: U relu(V X + b) + c != Y at {len(bad)} of "
                               f"{m * n} entries (first: output {r}, sample {j})")
    except BadInput as exc:
        return 2, f"bad input: {exc}"
    except NotConfirmed as exc:
        return 1, f"NOT CONFIRMED: {exc}\n{NOT_CHECKED}"
    return 0, (f"CONFIRMED: U relu(V X + b) + c = Y exactly on all {m}x{n} entries for "
               f"the certificate's rational U ({m}x{len(V)}), V ({len(V)}x{d}), b and c "
               f"(zeros if absent), on the data it was issued for (SHA-256 match)."
               f"\n{NOT_CHECKED}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("certificate", help="certificate JSON (Certificate.to_json())")
    parser.add_argument("X", help="inputs, d x n, .npy little-endian float64")
    parser.add_argument("Y", help="labels, m x n, .npy little-endian float64")
    args = parser.parse_args(argv)
    code, message = audit(args.certificate, args.X, args.Y)
    print(message, file=sys.stderr if code == 2 else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main())
