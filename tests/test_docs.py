"""The docs say what the code does: numbers in docs/*.md that are constants of the code
are checked against those constants, docs/benchmarks.md is exactly what rendering the
records in benchmarks/records gives, and every generated block inside a hand-written page
is exactly its rendering (no measured number typed by hand). The scan for numbers that are
none of these is tests/test_doc_numbers.py."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import benchmarks.doc_blocks as doc_blocks
import benchmarks.render as render_module
import recover._bounded_json as bounded_json
import recover._cone as cone
import verify._certificate as certificate
from recover import Tolerances

# the module, not the function ``verify.certify`` that the package exports under its name
certify_module = importlib.import_module("verify._certify")

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
WORDS = {"three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}


def _number(text: str) -> float:
    text = text.replace(" ", "")
    return float(WORDS.get(text, text))


#: The documented defaults.
TOL = Tolerances()

#: (page, pattern with one group: the number as the page states it, the code's value).
CLAIMS = [
    ("algorithm.md", r"a facet must also hold 1/(\d+) of the", lambda: TOL.sparse_factor),
    ("algorithm.md", r"HiGHS solves it on `(\d+)k` random constraints",
     lambda: TOL.initial_per_unit),
    ("algorithm.md", r"When (\w+) programs in a row find nothing new", lambda: TOL.stall),
    ("algorithm.md", r"`σ_\(k\+1\)/σ_1 > (1e-\d+)`", lambda: TOL.rank_rtol),
    ("algorithm.md", r"lie on it to\s+`(1e-\d+)` relative", lambda: TOL.on_facet_rtol),
    ("algorithm.md", r"`σ_\(k−1\)/σ_1 ≥ (1e-\d+)`", lambda: TOL.rank_gap_min),
    ("algorithm.md", r"relative residual `‖U f\(VX\) − Y‖/‖Y‖ ≤ (1e-\d+)`",
     lambda: TOL.residual_rtol),
    ("certification.md", r"Samples within `(1e-\d+)` \(relative\) of a kink",
     lambda: TOL.hypothesis_rtol),
    ("certification.md", r"`candidate_rtol = (1e-\d+)`",
     lambda: TOL.candidate_rtol_relu),
    ("activations.md", r"candidate tolerance defaults to (1e-\d+) for non-ReLU",
     lambda: TOL.candidate_rtol_other),
    ("certification.md", r"at most (\d+) MiB of text",
     lambda: certificate.MAX_CERTIFICATE_CHARS / 2 ** 20),
    ("certification.md", r"nested at most (\d+) deep", lambda: bounded_json.MAX_DEPTH),
    ("certification.md", r"each integer of a weight string at most (\d+)\s+digits",
     lambda: certificate.MAX_NUMBER_DIGITS),
    ("certification.md", r"`digits` at most ([\d ]+\d),", lambda: certificate.MAX_PRECISION_DIGITS),
]


@pytest.mark.parametrize("page, pattern, value", CLAIMS, ids=[c[1][:40] for c in CLAIMS])
def test_a_number_in_the_docs_is_the_constant_of_the_code(page, pattern, value):
    found = re.findall(pattern, (DOCS / page).read_text())
    assert found, f"docs/{page} no longer states {pattern!r}: update this test"
    assert all(_number(f) == value() for f in found), (found, value())


def test_no_page_states_a_different_facet_share():
    """The share rule once read 1/8 in algorithm.md while the code used 1/16."""
    shares = re.findall(r"(?:hold|below the) 1/(\d+)", (DOCS / "algorithm.md").read_text())
    assert shares and {float(s) for s in shares} == {float(TOL.sparse_factor)}


def test_benchmarks_page_is_the_rendering_of_the_records(tmp_path, monkeypatch):
    """Every table (and every number) of docs/benchmarks.md comes from the JSON records:
    rendering benchmarks/records gives the page exactly. The figures are not drawn here
    (only their paths enter the page)."""
    monkeypatch.setattr(render_module, "_save",
                        lambda fig, ax, figures, name, **axes: f"{figures}/bench_{name}.png")
    monkeypatch.chdir(ROOT)  # the page names the records folder as given: relative
    doc = tmp_path / "benchmarks.md"
    render_module.render("benchmarks/records", str(doc))
    assert doc.read_text() == (DOCS / "benchmarks.md").read_text()


def test_every_doc_reference_to_a_repository_file_exists():
    """Paths the pages cite (``recover/_cone.py``, ``tests/...``, ``docs/...``) are in the
    repository: nothing points at a document outside it."""
    missing = []
    for page in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for path in re.findall(r"`((?:recover|verify|hardness|relunet|benchmarks|tests|docs)"
                               r"/[\w/.-]+\.(?:py|md|json))`", page.read_text()):
            if not (ROOT / path).exists():
                missing.append(f"{page.name}: {path}")
    assert missing == []


def _pages_with_blocks() -> list[str]:
    return sorted({block.page for block in doc_blocks.BLOCKS.values()})


def _slow_pages() -> set[str]:
    return {doc_blocks.BLOCKS[name].page for name in doc_blocks.SLOW_BLOCKS}


@pytest.mark.parametrize("page", [pytest.param(page, marks=pytest.mark.slow)
                                  if page in _slow_pages() else page
                                  for page in _pages_with_blocks()])
def test_every_generated_block_is_the_rendering_of_its_record(page):
    """A measured table or sentence inside a hand-written page sits between
    ``<!-- generated by benchmarks.render:NAME -->`` and ``<!-- end generated -->`` and
    equals what its record renders to: a number that drifts from the record fails here
    (fix: ``python -m benchmarks.render``)."""
    text = (DOCS / page).read_text()
    assert doc_blocks.render_text(text) == text


def test_every_registered_block_appears_once_on_its_page():
    for name, block in doc_blocks.BLOCKS.items():
        names = [found for found, _ in doc_blocks.blocks_in((DOCS / block.page).read_text())]
        assert names.count(name) == 1, (name, block.page)


def test_no_page_names_an_unknown_block():
    for page in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for name, _ in doc_blocks.blocks_in(page.read_text()):
            assert doc_blocks.BLOCKS[name].page == page.name, (page.name, name)


def test_render_pages_rewrites_a_stale_block_and_nothing_else(tmp_path):
    """``python -m benchmarks.render`` restores a block whose number was edited by hand
    and leaves the text around it as it was."""
    for page in set(_pages_with_blocks()) - _slow_pages():
        (tmp_path / page).write_text((DOCS / page).read_text())
    page = doc_blocks.BLOCKS["hardness-decide-grid"].page
    fresh = (tmp_path / page).read_text()
    stale = fresh.replace("| after | 0.11 s |", "| after | 0.09 s |")
    assert stale != fresh
    (tmp_path / page).write_text(stale.replace("## Statement", "## Statement (edited)"))
    assert doc_blocks.render_pages(tmp_path) == [tmp_path / page]
    assert (tmp_path / page).read_text() == fresh.replace("## Statement",
                                                          "## Statement (edited)")
    assert doc_blocks.render_pages(tmp_path) == []


def test_render_pages_writes_nothing_when_a_renderer_fails(tmp_path, monkeypatch):
    """All pages are rendered before any is written: a record that cannot be read leaves
    every page as it was, also a page whose own block was stale."""
    (tmp_path / "a.md").write_text("<!-- generated by benchmarks.render:a -->\nold\n"
                                   "<!-- end generated -->\n")
    (tmp_path / "b.md").write_text("<!-- generated by benchmarks.render:b -->\n"
                                   "<!-- end generated -->\n")

    def broken(records):
        raise FileNotFoundError("no record")

    monkeypatch.setattr(doc_blocks, "BLOCKS", {
        "a": doc_blocks.Block("a.md", lambda records: "new"),
        "b": doc_blocks.Block("b.md", broken)})
    with pytest.raises(FileNotFoundError):
        doc_blocks.render_pages(tmp_path)
    assert "old" in (tmp_path / "a.md").read_text()
    monkeypatch.setitem(doc_blocks.BLOCKS, "b", doc_blocks.Block("b.md", lambda r: "b"))
    assert doc_blocks.render_pages(tmp_path) == [tmp_path / "a.md", tmp_path / "b.md"]
    assert (tmp_path / "a.md").read_text() == ("<!-- generated by benchmarks.render:a -->"
                                               "\n\nnew\n\n<!-- end generated -->\n")


def test_no_record_or_page_names_a_directory_of_the_machine_it_ran_on():
    # A record's command is what a reader re-runs: an output directory of the machine
    # that ran it (a scratch folder) means nothing elsewhere; `DIR` or the records
    # folder stands in for it.
    machine = re.compile(r"/work/|/root/|/home/")
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    records = sorted((ROOT / "benchmarks" / "records").rglob("*.json"))
    named = [str(path.relative_to(ROOT)) for path in pages + records
             if machine.search(path.read_text())]
    assert not named
