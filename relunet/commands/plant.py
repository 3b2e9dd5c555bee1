"""``relunet plant``: write a planted instance (X.npy, Y.npy, truth.npz, params.json) to
a folder. The folder may exist; files already in it are not replaced without --force.

Internal module of the relunet command line (public: :func:`relunet.main`).
"""

from __future__ import annotations

import json
import os

import numpy as np

from recover import NOISE_KINDS, InvalidInputError, atomic_write, planted_instance

from .inputs import add_force, count, finite_float, guard, seed

#: Largest planted instance, in bytes of its float64 arrays (2 GiB), checked before
#: anything is drawn.
MAX_PLANT_BYTES = 2 * 2**30
FILES = ("X.npy", "Y.npy", "truth.npz", "params.json")


def register(sub) -> None:
    p = sub.add_parser("plant", help="draw a planted instance and write it to files",
                       description="Draw Y = U* f(V* X) + E with Gaussian X and write "
                                   "X.npy (d x n), Y.npy (m x n), truth.npz (U, V, b, c) and "
                                   "params.json to OUT.")
    p.add_argument("--d", type=count, default=20, help="input dimension (default 20)")
    p.add_argument("--k", type=count, default=10, help="hidden units (default 10)")
    p.add_argument("--m", type=count, default=15, help="outputs (default 15)")
    p.add_argument("--n", type=count, default=2000, help="samples (default 2000)")
    p.add_argument("--seed", type=seed, default=0, help="integer >= 0 (default 0)")
    p.add_argument("--activation", default="relu",
                   help="rectified activation: a name (relu, relu2, relu^p, step) or the "
                        "positive part as an expression in t, e.g. 'log(1+t)' (default relu)")
    noise = p.add_mutually_exclusive_group()
    noise.add_argument("--noise", type=finite_float, default=0.0, help="noise standard deviation")
    noise.add_argument("--snr-db", type=finite_float, default=None,
                       help="instead of --noise: signal-to-noise ratio in dB")
    p.add_argument("--noise-kind", default="gaussian", choices=sorted(NOISE_KINDS),
                   help="distribution of the mean-zero noise (default gaussian)")
    p.add_argument("--integer", action="store_true",
                   help="integer-valued X, U*, V* (exactly certifiable labels)")
    p.add_argument("--condition", type=finite_float, default=None, help="condition number of V*")
    p.add_argument("--correlation", type=finite_float, default=None,
                   help="pairwise cosine of the hidden units")
    p.add_argument("--bias-std", type=finite_float, default=0.0,
                   help="plant hidden biases b ~ N(0, s^2) (default 0: none)")
    p.add_argument("--output-bias-std", type=finite_float, default=0.0,
                   help="plant output biases c ~ N(0, s^2) (default 0: none)")
    p.add_argument("--out", required=True, help="output folder (created if missing)")
    add_force(p)
    p.set_defaults(run=run)


def run(args) -> int:
    check_size(args.d, args.k, args.m, args.n)
    paths = {name: os.path.join(args.out, name) for name in FILES}
    if os.path.lexists(args.out) and not os.path.isdir(args.out):
        raise InvalidInputError(f"--out ({args.out}) is a file; give a folder")
    if os.path.isdir(args.out):  # before the draw, which can take a while
        guard(args, {f"--out {name}": path for name, path in paths.items()}, {})
    inst = planted_instance(args.d, args.k, args.m, args.n, seed=args.seed,
                            noise=args.noise, snr_db=args.snr_db, noise_kind=args.noise_kind,
                            activation=args.activation, integer=args.integer,
                            condition=args.condition, correlation=args.correlation,
                            bias_std=args.bias_std, output_bias_std=args.output_bias_std)
    os.makedirs(args.out, exist_ok=True)
    for name in ("X", "Y"):
        with atomic_write(paths[f"{name}.npy"]) as fh:
            np.save(fh, getattr(inst, name))
    inst.network.save(paths["truth.npz"])
    with atomic_write(paths["params.json"], "w") as fh:
        json.dump(dict(inst.params, seed=inst.seed), fh, indent=2)
    print(f"wrote X.npy ({inst.X.shape[0]}x{inst.X.shape[1]}), Y.npy "
          f"({inst.Y.shape[0]}x{inst.Y.shape[1]}), truth.npz, params.json to {args.out}")
    return 0


def check_size(d: int, k: int, m: int, n: int) -> None:
    """Refuse an instance whose arrays (X, Y, noise, V X, weights; float64) would exceed
    :data:`MAX_PLANT_BYTES`, before allocating anything."""
    nbytes = 8 * ((d + 2 * m + 2 * k) * n + k * d + m * k)
    if nbytes > MAX_PLANT_BYTES:
        raise InvalidInputError(
            f"d={d}, k={k}, m={m}, n={n} needs about {nbytes / 2**30:.1f} GiB; the cap is "
            f"{MAX_PLANT_BYTES / 2**30:.0f} GiB")
