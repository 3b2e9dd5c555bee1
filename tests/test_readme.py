"""The README, run as written on a plain ``pip install`` of the checkout.

A fresh venv (in a temporary folder) gets ``pip install <copy of the checkout>`` with no
extras, as a user would run it. Then:

* every ```python block of README.md runs, in order, as one script (one session);
* every command of every ```sh block runs with that venv's ``relunet`` first on PATH, in
  an empty temporary folder, and must exit 0 — or N where its comment says ``# exit N``;
* any other block, and any block that is not meant to run, must be preceded by
  ``<!-- not run: REASON -->``; a block with neither fails the test, so the README cannot
  grow a snippet that CI does not run;
* the plain install imports, ``relunet --help`` works, ``benchmarks`` is not installed,
  and ``import verify`` pulls in neither hypothesis nor pyplot.

Needs the package index (pip's cache makes it quick); if pip cannot install, the test
fails with pip's message — it never skips.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

#: Fence languages that run; every other block needs a "not run" marker.
RUN = {"python", "sh"}
NOT_RUN = re.compile(r"^<!--\s*not run:\s*(?P<reason>.*?)\s*-->$")
EXPECTED_EXIT = re.compile(r"#\s*exit (\d+)\b")
#: Left out of the copy that is installed: what a fresh clone does not have.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info",
                                    "__pycache__", ".pytest_cache", ".hypothesis",
                                    "results", "out")
#: The top-level packages a plain install may add (fixed by the project's layout).
PACKAGES = {"recover", "verify", "hardness", "relunet"}


@dataclass
class Block:
    language: str
    line: int          # 1-based line of the opening fence
    text: str
    skip_reason: str | None


def readme_blocks(markdown: str) -> list[Block]:
    """The fenced blocks of ``markdown``; raises ValueError for a block that neither runs
    (``python``, ``sh``) nor carries a ``<!-- not run: REASON -->`` line right above it,
    for an empty reason, and for an unclosed fence."""
    lines = markdown.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        if not lines[i].startswith("```"):
            i += 1
            continue
        start, language = i, lines[i][3:].strip()
        end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), None)
        if end is None:
            raise ValueError(f"README line {start + 1}: unclosed ``` fence")
        marker = NOT_RUN.match(lines[start - 1].strip()) if start else None
        reason = marker.group("reason") if marker else None
        if marker and not reason:
            raise ValueError(f"README line {start}: 'not run' marker without a reason")
        if reason is None and language not in RUN:
            raise ValueError(f"README line {start + 1}: ```{language} block is neither run "
                             f"({', '.join(sorted(RUN))}) nor marked "
                             f"'<!-- not run: REASON -->' on the line above")
        blocks.append(Block(language, start + 1, "\n".join(lines[start + 1:end]), reason))
        i = end + 1
    return blocks


def shell_commands(text: str) -> list[tuple[str, int]]:
    """The commands of a shell block — backslash continuations joined — each with the
    exit code its comment promises (``# exit N``), 0 by default."""
    joined = re.sub(r"\s*\\\n\s*", " ", text)
    commands = []
    for line in joined.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        expected = EXPECTED_EXIT.search(line)
        commands.append((line.strip(), int(expected.group(1)) if expected else 0))
    return commands


def runnable(language: str) -> list[Block]:
    return [b for b in readme_blocks(README.read_text(encoding="utf-8"))
            if b.language == language and b.skip_reason is None]


# ------------------------------------------------------------ the README's own rules

def test_every_readme_block_runs_or_says_why_not():
    blocks = readme_blocks(README.read_text(encoding="utf-8"))
    assert runnable("python") and runnable("sh")
    assert all(b.skip_reason for b in blocks if b.language not in RUN)


@pytest.mark.parametrize("markdown,problem", [
    ("text\n```\nls\n```\n", "neither run"),
    ("```text\nrecover/\n```\n", "neither run"),
    ("<!-- not run: -->\n```sh\nmake\n```\n", "without a reason"),
    ("```python\nprint(1)\n", "unclosed"),
])
def test_a_block_that_neither_runs_nor_says_why_fails_loudly(markdown, problem):
    with pytest.raises(ValueError, match=problem):
        readme_blocks(markdown)


def test_shell_commands_join_continuations_and_read_expected_exits():
    text = "relunet a --x 1 \\\n   --y 2   # note\n# comment\nrelunet b  # exit 1: negative\n"
    assert shell_commands(text) == [("relunet a --x 1 --y 2   # note", 0),
                                    ("relunet b  # exit 1: negative", 1)]


# ------------------------------------------------------------ a plain install

@dataclass
class PlainVenv:
    root: Path
    env: dict

    @property
    def python(self) -> str:
        return str(self.root / "bin" / "python")

    def run(self, args, cwd, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=cwd, env=self.env, capture_output=True, text=True,
                              **kw)


def _child_env(venv_dir: Path) -> dict:
    """This process's environment with the venv's bin first on PATH; no PYTHONPATH (the
    checkout must not leak in), and bytecode written, so that each command does not
    recompile sympy."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "VIRTUAL_ENV",
                        "PYTHONHOME")}
    env["PATH"] = f"{venv_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv_dir)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> PlainVenv:
    """A fresh venv with ``pip install <checkout>``, no extras. The checkout is copied
    first (as a fresh clone would be), so no build/ or egg-info of the dev tree leaks
    into the wheel. ``--no-compile`` only skips byte-compiling all of sympy up front;
    modules are compiled as they are first imported."""
    base = tmp_path_factory.mktemp("plain")
    source = base / "relunet-src"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    venv_dir = base / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
    env = _child_env(venv_dir)
    pip = subprocess.run([str(venv_dir / "bin" / "python"), "-m", "pip", "install",
                          "--no-compile", "--disable-pip-version-check", str(source)],
                         cwd=base, env=env, capture_output=True, text=True)
    if pip.returncode != 0:
        pytest.fail(f"plain `pip install` of the checkout into a fresh venv failed "
                    f"(exit {pip.returncode}); this test needs the package index. pip "
                    f"said:\n{pip.stderr[-3000:]}", pytrace=False)
    return PlainVenv(venv_dir, env)


def _check(result: subprocess.CompletedProcess, expected: int, what: str) -> None:
    assert result.returncode == expected, (
        f"{what}: exit {result.returncode}, expected {expected}\n"
        f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}")


def test_plain_install_has_the_four_packages_and_no_extras(plain, tmp_path):
    probe = ("import importlib.metadata as md, importlib.util as u\n"
             "print(sorted(md.distribution('relunet').read_text('top_level.txt').split()))\n"
             "print([m for m in ('hypothesis', 'flint', 'pytest', 'z3', 'torch', "
             "'sklearn', 'benchmarks') if u.find_spec(m)])\n")
    out = plain.run([plain.python, "-c", probe], cwd=tmp_path)
    _check(out, 0, "listing the installed packages")
    top_level, present = out.stdout.splitlines()
    assert top_level == repr(sorted(PACKAGES))
    assert present == "[]"  # a plain install, and no top-level 'benchmarks'


def test_plain_install_imports_and_the_cli_answers(plain, tmp_path):
    _check(plain.run([plain.python, "-c", "import recover, verify, hardness, relunet"],
                     cwd=tmp_path), 0, "import recover, verify, hardness, relunet")
    help_ = plain.run(["relunet", "--help"], cwd=tmp_path)
    _check(help_, 0, "relunet --help")
    assert "certify" in help_.stdout and "bench" in help_.stdout
    no_bench = plain.run([plain.python, "-c", "import benchmarks"], cwd=tmp_path)
    assert no_bench.returncode == 1 and "No module named 'benchmarks'" in no_bench.stderr
    bench = plain.run(["relunet", "bench", "--suite", "quick", "--out", "b"], cwd=tmp_path)
    _check(bench, 2, "relunet bench outside a checkout")
    assert bench.stderr.count("\n") == 1 and "source checkout" in bench.stderr


def test_import_verify_loads_neither_hypothesis_nor_pyplot(plain, tmp_path):
    probe = ("import sys, verify\n"
             "print(sorted(m for m in ('hypothesis', 'matplotlib.pyplot', 'verify.strategies')"
             " if m in sys.modules))\n"
             "try:\n    from verify import strategies\n"
             "except ImportError as e:\n    print(e)\n")
    out = plain.run([plain.python, "-c", probe], cwd=tmp_path)
    _check(out, 0, "import verify")
    loaded, message = out.stdout.splitlines()
    assert loaded == "[]"
    assert message == "verify.strategies needs hypothesis: pip install 'relunet[test]'"


def test_readme_python_blocks_run_as_one_session(plain, tmp_path):
    blocks = runnable("python")
    script = "\n\n".join(f"# --- README.md line {b.line}\n{b.text}" for b in blocks)
    (tmp_path / "readme_session.py").write_text(script, encoding="utf-8")
    out = plain.run([plain.python, "readme_session.py"], cwd=tmp_path, timeout=600)
    _check(out, 0, "the README's python blocks")
    print(out.stdout)  # shown with -s or on failure: what a reader would see


def test_readme_shell_commands_run_with_the_installed_relunet(plain, tmp_path):
    commands = [c for b in runnable("sh") for c in shell_commands(b.text)]
    assert any(expected == 1 for _, expected in commands)  # a documented negative result
    for command, expected in commands:
        # only the installed tools: the venv's relunet and python come first on PATH
        assert command.startswith(("relunet ", "python ")), \
            f"README shell line runs neither relunet nor python: {command}"
        out = plain.run(["bash", "-c", command], cwd=tmp_path, timeout=600)
        _check(out, expected, f"README: {command}")
        print(f"$ {command}\n(exit {out.returncode})")
