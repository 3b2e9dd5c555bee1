"""``relunet certify``: prove (or measure) that a network reproduces the data.

    relunet certify --x X.npy --y Y.npy --net net.npz [--truth truth.npz]
                    [--exact | --digits N] --out cert.json

Exit code 0 if the certificate holds, 1 if it does not, 2 on bad input.
"""

from __future__ import annotations

import sys

from recover.io import load_array
from recover.network import TwoLayerNetwork


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "certify", help="certify that a network reproduces Y = U f(V X) exactly",
        description="Derive the activation pattern from the candidate network, solve the "
                    "pattern-fixed systems exactly over Q (default) or at --digits N "
                    "decimal digits (mpmath), and write a JSON certificate.")
    p.add_argument("--x", required=True, help="inputs X (d x n), .npy/.npz/.csv")
    p.add_argument("--y", required=True, help="labels Y (m x n), .npy/.npz/.csv")
    p.add_argument("--net", required=True, help="candidate network .npz (U, V)")
    p.add_argument("--truth", help="planted network .npz to compare with")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--exact", action="store_true",
                      help="rational arithmetic, a proof (default)")
    mode.add_argument("--digits", type=int, help="mpmath path at N >= 16 digits")
    p.add_argument("--out", help="write the certificate JSON here")
    p.set_defaults(run=run)


def run(args) -> int:
    from verify import certify

    X, Y = load_array(args.x, "--x"), load_array(args.y, "--y")
    net = TwoLayerNetwork.load(args.net)
    truth = TwoLayerNetwork.load(args.truth) if args.truth else None
    exact = args.digits is None
    cert = certify(X, Y, net, exact=exact, digits=args.digits or 50, truth=truth)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(cert.to_json())
    print(cert.summary(max_entries=0 if not exact else 400), file=sys.stdout)
    return 0 if cert.holds else 1
