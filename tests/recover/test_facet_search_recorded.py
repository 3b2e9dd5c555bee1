"""The facet search gives the same facets, in the same order, with the same counts of
programs, as the code it was refactored from (recorded before the refactoring).

Each case drives a different strategy of the search: sample anchors, anchors in the
residual span, searches inside found facets (edges), and the subsample rounds. The
record (tests/recover/data/cone_facets_recorded.json) was written by :func:`_record`
from the single-function ``cone_facets`` of before, and regenerated once for an intended
change of behaviour: anchors drawn from the complement of the found normals after the
first facet (the same facets in every case, in another order, with fewer programs or
the same number). Regenerate it only for such a change.
"""

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from recover import planted_instance
from recover._cone import cone_facets
from recover._span import label_span

RECORD = Path(__file__).parent / "data" / "cone_facets_recorded.json"
#: (d, k, m, n), seed, activation — chosen because their stats show every strategy at work.
CASES = {
    "residual anchors (step)": ((12, 6, 8, 1500), 42, "step"),
    "edges and subsample (relu)": ((6, 6, 6, 40), 0, "relu"),
    "subsample found (relu)": ((8, 8, 8, 60), 7, "relu"),
    "edges found (relu)": ((10, 10, 10, 90), 1, "relu"),
}


def _record(dims, seed, activation) -> dict:
    inst = planted_instance(*dims, seed=seed, activation=activation)
    k = dims[1]
    Z = label_span(inst.Y, k).Z
    facets, stats = cone_facets(Z, k, np.random.default_rng(seed), (k - 1) + max(3, k // 5))
    supports = b"".join(np.packbits(f.support).tobytes() for f in facets)
    return {"counts": [f.count for f in facets],
            "supports_sha256": hashlib.sha256(supports).hexdigest(),
            "stats": stats}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_facets_as_recorded(name):
    recorded = json.loads(RECORD.read_text())[name]
    assert _record(*CASES[name]) == recorded


if __name__ == "__main__":  # write the record (only for an intended change of behaviour)
    RECORD.write_text(json.dumps({name: _record(*case) for name, case in CASES.items()},
                                 indent=1, sort_keys=True) + "\n")
