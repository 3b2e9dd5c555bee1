"""The teaching notebooks of docs/notebooks/ run from top to bottom, and are committed clean.

Each notebook is executed with nbclient on a ``python3`` kernel, which jupyter_client
starts with the interpreter running pytest (ipykernel must be installed in it: the
``test`` extra brings it); a cell appended to the in-memory copy checks that the kernel
is this interpreter and imports this checkout's packages. The kernel runs in a
temporary folder, so a notebook cannot write into the repository. Any cell raising fails
the test with the cell and its traceback. The notebooks assert their own claims (the
witness fits exactly, the certificates verify, hypothesis finds a counterexample), so a
notebook that runs is a notebook whose lesson still holds.

Execution times (printed with ``-s``; a 2-core machine shared with other jobs): 10–18 s
each, kernel start included. There is no time limit in the test, only a
per-cell timeout against a hung kernel.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the test extra installs nbformat")
nbclient = pytest.importorskip("nbclient", reason="the test extra installs nbclient")

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "docs" / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
#: The notebooks docs/hardness.md links to.
EXPECTED = {"hardness_reduction.ipynb", "exact_recovery.ipynb", "property_testing.ipynb"}
#: Seconds one cell may run before the kernel is considered hung (not a timing test).
CELL_TIMEOUT = 600

KERNEL_CHECK = """\
import sys, pathlib, hardness
print(sys.prefix)
print(pathlib.Path(hardness.__file__).resolve().parents[1])
"""


def test_the_notebooks_are_there():
    assert EXPECTED <= {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {i} of {path.name} has outputs"
            assert cell.execution_count is None, f"cell {i} of {path.name} has a count"
    assert nb.metadata.kernelspec.name == "python3"
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= len(nb.cells) // 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(KERNEL_CHECK))
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError if any cell raises
    seconds = time.perf_counter() - start
    print(f"\n{path.name}: executed in {seconds:.1f} s")
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    prefix, package_root = printed.split()
    assert prefix == sys.prefix, "the kernel is not the interpreter running the tests"
    assert Path(package_root) == ROOT, "the kernel imported another copy of relunet"
