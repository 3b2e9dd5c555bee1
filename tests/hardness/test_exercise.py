"""``hardness._exercise`` and ``relunet hardness exercise``: seeded exercises whose
solutions are checked exactly, as text and as LaTeX."""

import itertools
import re
import shutil
import subprocess
from fractions import Fraction

import numpy as np
import pytest

from hardness._exercise import MAX_CLAUSES, MAX_ELEMENTS, draw_exercise, monochromatic_clauses
from hardness._exercise_render import render_latex, render_text
from recover._errors import InvalidInputError
from relunet.cli import main

#: With the defaults (4 elements, 4 clauses): seed 0 draws a yes-, seed 3 a no-instance.
YES_SEED, NO_SEED = 0, 3


@pytest.fixture
def error_line(capsys):
    """The single stderr line of a refused command (no traceback)."""
    def line():
        err = capsys.readouterr().err
        assert "Traceback" not in err and "internal error" not in err, err
        assert len(err.splitlines()) == 1, err
        return err.strip()
    return line


@pytest.fixture(scope="module")
def yes():
    return draw_exercise(YES_SEED, solve=True)


@pytest.fixture(scope="module")
def no():
    return draw_exercise(NO_SEED, solve=True)


def test_same_seed_same_exercise():
    a, b = draw_exercise(7, 5, 6), draw_exercise(7, 5, 6)
    assert a.instance == b.instance and a.instance.clauses == b.instance.clauses
    assert np.array_equal(a.reduction.X, b.reduction.X)
    assert render_text(a) == render_text(b) and render_latex(a) == render_latex(b)
    assert draw_exercise(8, 5, 6).instance != a.instance


def test_yes_and_no_both_occur_over_seeds():
    answers = [draw_exercise(s).instance.is_yes() for s in range(12)]
    assert answers[YES_SEED] and not answers[NO_SEED]
    assert 0 < sum(answers) < len(answers)


def test_sizes_are_as_asked():
    ex = draw_exercise(1, 5, 6)
    assert ex.instance.n_elements == 5 and len(ex.instance.clauses) == 6
    assert all(len(c) in (2, 3) for c in ex.instance.clauses)
    assert ex.reduction.X.shape == (7, 5 + 6 + 3) and ex.solution is None
    smallest = draw_exercise(0, 2, 0, solve=True)   # no clause: every colouring splits
    assert smallest.instance.clauses == () and smallest.solution.splitting == (0, 0)
    assert draw_exercise(0, 2, 1).instance.clauses == ((0, 1),)


def test_yes_solution_is_checked_exactly(yes):
    sol, red = yes.solution, yes.reduction
    assert sol.feasible and yes.instance.is_splitting(sol.splitting)
    # recompute u f(V x) by hand in Fractions, independently of Reduction.fits
    U, V = sol.witness.U, sol.witness.V
    assert all(isinstance(v, Fraction) for v in list(U.flat) + list(V.flat))
    for j in range(red.n_points):
        x = [Fraction(int(v)) for v in red.X[:, j]]
        pre = [sum(V[i][r] * x[r] for r in range(len(x))) for i in range(2)]
        assert pre == list(sol.preactivations[:, j])
        assert sum(U[0][i] * max(pre[i], 0) for i in range(2)) == red.y[j]
    assert sol.certificate is None and sol.refutations == ()


def test_no_solution_is_proved_both_ways(no):
    sol, red, inst = no.solution, no.reduction, no.instance
    assert not sol.feasible and sol.witness is None
    assert sol.certificate.verify(red.X, red.y, k=2)
    assert not sol.certificate.verify(red.X, 1 - red.y, k=2)  # about these labels only
    colourings = [col for col, _ in sol.refutations]
    assert colourings == [(0,) + r for r in itertools.product((0, 1), repeat=inst.n_elements - 1)]
    for col, clause in sol.refutations:
        assert clause in inst.clauses and len({col[i] for i in clause}) == 1


def test_monochromatic_clauses_of_a_yes_instance_skip_its_splittings(yes):
    listed = {col for col, _ in monochromatic_clauses(yes.instance)}
    assert yes.solution.splitting not in listed
    assert len(listed) < 2 ** (yes.instance.n_elements - 1)


def test_text_shows_points_labels_and_solution(yes, no):
    text = render_text(yes)
    for j, name in enumerate(yes.reduction.names):
        cells = [name] + [str(v) for v in yes.reduction.X[:, j]] + [str(yes.reduction.y[j])]
        assert re.search(r"^\s*" + r"\s+".join(map(re.escape, cells)) + r"$", text, re.M)
    assert "Solution" not in text
    solved = render_text(yes, solution=True)
    assert solved.startswith(text) and "Solution: YES." in solved
    assert "v1 = (" + ", ".join(str(v) for v in yes.solution.witness.V[0]) + ")" in solved
    no_text = render_text(no, solution=True)
    assert "Solution: NO." in no_text and "re-verified exactly" in no_text
    assert f"{no.solution.certificate.n_leaves} leaves" in no_text


def test_solution_must_have_been_drawn():
    with pytest.raises(ValueError, match="without its solution"):
        render_text(draw_exercise(YES_SEED), solution=True)


@pytest.mark.parametrize("args", [dict(seed=-1), dict(seed=True), dict(seed=1.5),
                                  dict(seed=0, n_elements=MAX_ELEMENTS + 1),
                                  dict(seed=0, n_elements=1),
                                  dict(seed=0, n_clauses=MAX_CLAUSES + 1),
                                  dict(seed=0, n_elements=2, n_clauses=2)])
def test_bad_arguments_are_refused(args):
    with pytest.raises(InvalidInputError):
        draw_exercise(**args)


# --- LaTeX -------------------------------------------------------------------------------
def assert_balanced(tex: str) -> None:
    """Braces balanced (escaped ``\\{``, ``\\}`` aside) and \\begin/\\end properly nested."""
    depth = 0
    for ch in re.sub(r"\\[{}]", "", tex):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0, "a } closes nothing"
    assert depth == 0, "unclosed {"
    stack = []
    for kind, env in re.findall(r"\\(begin|end)\{(\w+)\}", tex):
        if kind == "begin":
            stack.append(env)
        else:
            assert stack and stack.pop() == env, f"\\end{{{env}}} does not match"
    assert not stack, f"unclosed environments {stack}"


def test_balance_check_catches_errors():
    for bad in (r"\begin{a}{x}", r"\begin{a}\end{b}", r"{\end{a}}", r"}{"):
        with pytest.raises(AssertionError):
            assert_balanced(bad)


@pytest.mark.parametrize("which", ["yes", "no"])
def test_latex_is_balanced_and_holds_every_point(which, request):
    ex = request.getfixturevalue(which)
    for solution in (False, True):
        tex = render_latex(ex, solution=solution)
        assert_balanced(tex)
        assert tex.count(r"\documentclass") == 1 and tex.rstrip().endswith(r"\end{document}")
        assert tex.count(r"\begin{tikzpicture}") == 2
        rows = [line for line in tex.splitlines() if line.endswith(r" \\")]
        for j in range(ex.reduction.n_points):
            numbers = [f"${v}$" for v in ex.reduction.X[:, j]] + [f"${ex.reduction.y[j]}$"]
            assert any(line.split(" & ")[1:] == numbers[:-1] + [numbers[-1] + r" \\"]
                       for line in rows), f"point {ex.reduction.names[j]} missing"
        for j in range(len(ex.instance.clauses)):
            assert all(f"(e{i}) -- (c{j})" in tex for i in ex.instance.clauses[j])
        answer = "Yes:" if which == "yes" else "No:"
        assert (answer in tex) == solution


def test_latex_colours_the_splitting(yes):
    tex = render_latex(yes, solution=True)
    for i, colour in enumerate(yes.solution.splitting):
        assert re.search(rf"fill={('blue', 'orange')[colour]}!\d+, minimum size=6mm\] "
                         rf"\(e{i}\)", tex)
    assert "fill=blue" not in render_latex(yes)


def _latex_ready() -> bool:
    if shutil.which("pdflatex") is None or shutil.which("kpsewhich") is None:
        return False
    found = subprocess.run(["kpsewhich", "standalone.cls", "tikz.sty"],
                           capture_output=True, text=True).stdout.split()
    return len(found) == 2


@pytest.mark.skipif(not _latex_ready(), reason="pdflatex with standalone and TikZ not found")
@pytest.mark.parametrize("which", ["yes", "no"])
def test_latex_compiles(which, request, tmp_path):
    (tmp_path / "ex.tex").write_text(render_latex(request.getfixturevalue(which), True))
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                          "ex.tex"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout[-3000:]
    assert (tmp_path / "ex.pdf").stat().st_size > 0


# --- the command -------------------------------------------------------------------------
def test_cli_prints_the_exercise_and_its_solution(capsys, yes):
    assert main(["hardness", "exercise", "--seed", str(YES_SEED)]) == 0
    assert capsys.readouterr().out == render_text(draw_exercise(YES_SEED))
    assert main(["hardness", "exercise", "--seed", str(YES_SEED), "--solution"]) == 0
    assert capsys.readouterr().out == render_text(yes, solution=True)
    assert main(["hardness", "exercise", "--seed", "2", "--elements", "3", "--clauses", "2",
                 "--format", "latex"]) == 0
    assert capsys.readouterr().out == render_latex(draw_exercise(2, 3, 2))


def test_cli_out_is_written_once_unless_forced(tmp_path, capsys, error_line):
    out = tmp_path / "ex.tex"
    args = ["hardness", "exercise", "--seed", "5", "--format", "latex", "--out", str(out)]
    assert main(args) == 0 and f"wrote {out}" in capsys.readouterr().out
    assert out.read_text() == render_latex(draw_exercise(5))
    out.write_text("mine")
    assert main(args) == 2 and "--out" in error_line()
    assert out.read_text() == "mine"
    assert main(args + ["--force"]) == 0 and out.read_text() == render_latex(draw_exercise(5))
    assert [p.name for p in tmp_path.iterdir()] == ["ex.tex"]  # no temporary file left


@pytest.mark.parametrize("flags", [[], ["--seed", "-1"], ["--seed", "x"],
                                   ["--seed", "0", "--format", "pdf"],
                                   ["--seed", "0", "--elements", "1"],
                                   ["--seed", "0", "--elements", str(MAX_ELEMENTS + 1)],
                                   ["--seed", "0", "--clauses", str(MAX_CLAUSES + 1)],
                                   ["--seed", "0", "--elements", "2", "--clauses", "3"],
                                   ["--seed", "0", "--out", "/nonexistent-folder/ex.txt"]])
def test_cli_bad_flags_exit_2_with_one_line(flags, error_line):
    assert main(["hardness", "exercise", *flags]) == 2
    assert error_line()
