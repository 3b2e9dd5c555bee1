"""``relunet plant``: write a planted instance (X.npy, Y.npy, truth.npz) to a folder."""

from __future__ import annotations

import json
import os

import numpy as np

from recover import planted_instance
from recover.instances import NOISE_KINDS


def register(sub) -> None:
    p = sub.add_parser("plant", help="draw a planted instance and write it to files",
                       description="Draw Y = U* f(V* X) + E with Gaussian X and write "
                                   "X.npy (d x n), Y.npy (m x n), truth.npz (U, V) and "
                                   "params.json to OUT.")
    p.add_argument("--d", type=int, default=20, help="input dimension (default 20)")
    p.add_argument("--k", type=int, default=10, help="hidden units (default 10)")
    p.add_argument("--m", type=int, default=15, help="outputs (default 15)")
    p.add_argument("--n", type=int, default=2000, help="samples (default 2000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--activation", default="relu",
                   help="rectified activation: a name (relu, relu2, relu^p, step) or the "
                        "positive part as an expression in t, e.g. 'log(1+t)' (default relu)")
    noise = p.add_mutually_exclusive_group()
    noise.add_argument("--noise", type=float, default=0.0, help="noise standard deviation")
    noise.add_argument("--snr-db", type=float, default=None,
                       help="instead of --noise: signal-to-noise ratio in dB")
    p.add_argument("--noise-kind", default="gaussian", choices=sorted(NOISE_KINDS),
                   help="distribution of the mean-zero noise (default gaussian)")
    p.add_argument("--integer", action="store_true",
                   help="integer-valued X, U*, V* (exactly certifiable labels)")
    p.add_argument("--condition", type=float, default=None, help="condition number of V*")
    p.add_argument("--correlation", type=float, default=None,
                   help="pairwise cosine of the hidden units")
    p.add_argument("--out", required=True, help="output folder")
    p.set_defaults(run=run)


def run(args) -> int:
    inst = planted_instance(args.d, args.k, args.m, args.n, seed=args.seed,
                            noise=args.noise, snr_db=args.snr_db, noise_kind=args.noise_kind,
                            activation=args.activation, integer=args.integer,
                            condition=args.condition, correlation=args.correlation)
    os.makedirs(args.out, exist_ok=True)
    np.save(os.path.join(args.out, "X.npy"), inst.X)
    np.save(os.path.join(args.out, "Y.npy"), inst.Y)
    inst.network.save(os.path.join(args.out, "truth.npz"))
    with open(os.path.join(args.out, "params.json"), "w") as fh:
        json.dump(dict(inst.params, seed=inst.seed), fh, indent=2)
    print(f"wrote X.npy ({inst.X.shape[0]}x{inst.X.shape[1]}), Y.npy "
          f"({inst.Y.shape[0]}x{inst.Y.shape[1]}), truth.npz, params.json to {args.out}")
    return 0
