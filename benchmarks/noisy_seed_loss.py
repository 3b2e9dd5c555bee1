"""Our noisy m < k estimate against the oracle on one seed, in error AND in loss.

``python benchmarks/noisy_seed_loss.py SEED``: (20, 10, 1) at 20 dB, n = 20 000, as in
``benchmarks.few_outputs --noisy-only``. Prints both errors against the truth and both
squared-error losses ``½‖net(X) − Y‖²``: when ours is farther from the truth but fits the
data better, the oracle (Levenberg–Marquardt started at the truth) stopped in a worse
minimum, not ours.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from recover import TwoLayerNetwork, get_activation, planted_instance, recover_network, refine
from verify import compare_networks


def main(seed: int) -> dict:
    inst = planted_instance(20, 10, 1, 20_000, seed=seed, snr_db=20.0)
    t0 = time.perf_counter()
    ours = recover_network(inst.X, inst.Y, k=10, mode="noisy", seed=seed).network
    fit = refine(inst.network.U, inst.network.V, inst.X, inst.Y, get_activation("relu"))
    oracle = TwoLayerNetwork(fit.U, fit.V)

    def loss(net):
        return 0.5 * float(np.sum((net(inst.X) - inst.Y) ** 2))

    out = {"seed": seed, "ours_error": compare_networks(inst.network, ours),
           "oracle_error": compare_networks(inst.network, oracle),
           "ours_loss": loss(ours), "oracle_loss": loss(oracle),
           "seconds": time.perf_counter() - t0}
    print(", ".join(f"{k} {v:.6g}" for k, v in out.items()))
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
