"""``relunet certify``: prove (or measure) that a network reproduces the data.

    relunet certify --x X.npy --y Y.npy --net net.npz [--truth truth.npz]
                    [--exact | --digits N | --float [float64|float32]]
                    [--out cert.json [--force]]
    relunet certify --x X.npy --y Y.npy --recheck cert.json [--truth truth.npz]
                    [--out fresh.json [--force]]

``--recheck`` re-derives a stored certificate from the data and the network it holds
(same mode and digits) and reports the fresh one. ``--float`` checks instead that Y is
a float64 (or float32) evaluation of the network up to rounding (labels of a trained
model; :func:`verify.certify_float`). Exit code 0 if the (fresh) certificate holds, 1
if it does not, 2 on bad input.

Internal module of the relunet command line (public: :func:`relunet.main`).
"""

from __future__ import annotations

import sys

from recover import InvalidInputError, TwoLayerNetwork, atomic_write, load_array, read_text

from .inputs import add_force, digits, finite_float, guard
from .report import Progress


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "certify", help="certify that a network reproduces Y = U f(V X + b) + c exactly",
        description="Derive the activation pattern from the candidate network, solve the "
                    "pattern-fixed systems exactly over Q (default) or at --digits N "
                    "decimal digits (mpmath), and write a JSON certificate. With --recheck, "
                    "re-derive a stored certificate instead.")
    p.add_argument("--x", required=True, help="inputs X (d x n), .npy/.npz/.csv")
    p.add_argument("--y", required=True, help="labels Y (m x n), .npy/.npz/.csv")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--net", help="candidate network .npz (U, V; biases b, c if any)")
    source.add_argument("--recheck", metavar="CERT",
                        help="a certificate JSON to re-derive from X, Y and its network")
    p.add_argument("--truth", help="planted network .npz to compare with")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--exact", action="store_true",
                      help="rational arithmetic, a proof (default)")
    mode.add_argument("--digits", type=digits,
                      help="mpmath path at N >= 16 digits (precision, not a proof)")
    mode.add_argument("--float", nargs="?", const="float64", choices=("float64", "float32"),
                      dest="float_precision",
                      help="prove Y is a float64 (default) or float32 evaluation of the "
                           "network up to rounding (networks with biases too)")
    p.add_argument("--weight-rtol", type=finite_float, default=0.0, metavar="DELTA",
                   help="with --float: the network that produced Y may differ from --net "
                        "by DELTA per weight, relative to its unit's scale (about 1e-14 for "
                        "a recovered network: it matches the model's weights to a few ulp); "
                        "default 0")
    p.add_argument("--out", help="write the (fresh) certificate JSON here")
    add_force(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args) -> int:
    if args.recheck is not None and (args.exact or args.digits is not None
                                     or args.float_precision is not None):
        raise InvalidInputError("--recheck uses the mode and digits stored in the "
                                "certificate; drop --exact/--digits/--float")
    if args.float_precision is not None and args.truth is not None:
        raise InvalidInputError("--float checks the labels against --net only; drop --truth")
    if args.weight_rtol and args.float_precision is None:
        raise InvalidInputError("--weight-rtol applies to --float only")
    guard(args, {"--out": args.out}, {"--x": args.x, "--y": args.y, "--net": args.net,
                                      "--recheck": args.recheck, "--truth": args.truth})
    stored = _load_certificate(args.recheck) if args.recheck is not None else None
    X, Y = load_array(args.x, "--x"), load_array(args.y, "--y")
    net = TwoLayerNetwork.load(args.net) if args.net is not None else None
    truth = TwoLayerNetwork.load(args.truth) if args.truth is not None else None
    if args.float_precision is not None:
        return _certify_float(X, Y, net, args.float_precision, args.out, args.weight_rtol)
    progress = Progress(enabled=not args.quiet)
    try:
        cert = (_recheck(stored, X, Y, truth) if stored is not None
                else _certify(X, Y, net, truth, args.digits, progress))
    finally:
        progress.close()
    if args.out is not None:
        with atomic_write(args.out, "w") as fh:
            fh.write(cert.to_json())
    print(cert.summary(max_entries=400 if cert.mode == "exact" else 0), file=sys.stdout)
    if args.out is not None:
        print(f"wrote {args.out}")
    return 0 if cert.holds else 1


def _certify(X, Y, net, truth, n_digits, progress):
    from verify import certify

    options = {} if n_digits is None else {"exact": False, "digits": n_digits}
    return certify(X, Y, net, truth=truth, **options, progress=progress)


def _recheck(stored, X, Y, truth):
    from verify import recheck

    return recheck(stored, X, Y, truth)


def _certify_float(X, Y, net, precision, out, weight_rtol=0.0) -> int:
    from verify import certify_float

    cert = certify_float(net, X, Y, precision=precision, weight_rtol=weight_rtol)
    if out is not None:
        with atomic_write(out, "w") as fh:
            fh.write(cert.to_json())
    print(cert.summary())
    if out is not None:
        print(f"wrote {out}")
    return 0 if cert.holds else 1


def _load_certificate(path):
    """A :class:`verify.Certificate` from a size-capped JSON file."""
    from verify import Certificate

    text = read_text(path, f"--recheck ({path})")
    try:
        return Certificate.from_json(text)
    except InvalidInputError as exc:
        raise InvalidInputError(f"--recheck ({path}): {exc}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidInputError(f"--recheck ({path}): invalid certificate: "
                                f"{type(exc).__name__}: {exc}") from None
