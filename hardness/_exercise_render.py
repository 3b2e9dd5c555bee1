"""An :class:`~hardness._exercise.Exercise` as text (terminal, hand-outs) or LaTeX (slides).

:func:`render_text` prints the instance, the reduced points with their labels (exact
integers), and with ``solution=True`` the splitting and witness network with its
pre-activation at every point, or the refutation of every colouring and the summary of
the Farkas certificate.

:func:`render_latex` writes a standalone document (``pdflatex`` compiles it; only the
``standalone`` class and TikZ are needed): a table of the points and labels, a TikZ
picture of the instance as its incidence graph, and a TikZ picture of the gadget line
``(1, 0, t)`` through ``p−, o, p+``; with the solution, the elements are coloured by the
splitting and the gadget picture shows the witness's two ReLU pieces. Each
``tabular``/``tikzpicture`` block can be copied into a slide as it is. Every string in
the output is built here from numbers and fixed words, so nothing needs escaping.

Internal module of :mod:`hardness`: use the names the package exports (``hardness.__all__``).
"""

from __future__ import annotations

from fractions import Fraction

from ._exercise import Exercise

#: Fill colours of the two colour classes (as in hardness/figures.py: blue, orange).
TIKZ_FILLS = ("blue!25", "orange!45")


# --- text ---------------------------------------------------------------------------------
def render_text(exercise: Exercise, solution: bool = False) -> str:
    """The exercise (and, with ``solution``, its solution) as plain text lines.

    Raises ValueError if ``solution`` is asked for but the exercise was drawn without it.
    """
    inst, red = exercise.instance, exercise.reduction
    n = inst.n_elements
    lines = [f"Exercise (seed {exercise.seed}): SET SPLITTING with N = {n} elements "
             f"{{{', '.join(map(str, range(n)))}}} and {len(inst.clauses)} clauses",
             "  " + ("  ".join(_set(c) for c in inst.clauses) or "(none)"),
             "Question: can the elements be coloured with two colours so that every",
             "clause gets both colours? Equivalently (the reduction): does some",
             "y = u1 relu(v1.x) + u2 relu(v2.x) fit these labelled points exactly?", "",
             f"Reduced data: {red.n_points} points in dimension {n + 2}, coordinates "
             f"(bias, x0..x{n - 1}, w), one per row:"]
    header = ["point", "bias"] + [f"x{i}" for i in range(n)] + ["w", "label"]
    rows = [[name] + [str(v) for v in red.X[:, j]] + [str(red.y[j])]
            for j, name in enumerate(red.names)]
    lines += _table(header, rows)
    if solution:
        lines += [""] + _solution_text(exercise)
    return "\n".join(lines) + "\n"


def _solution_text(exercise: Exercise) -> list[str]:
    sol = _require_solution(exercise)
    red = exercise.reduction
    if sol.feasible:
        s1 = [i for i, c in enumerate(sol.splitting) if c == 0]
        s2 = [i for i, c in enumerate(sol.splitting) if c == 1]
        U, V = sol.witness.U, sol.witness.V
        big = 2 * max(exercise.instance.max_clause_size, 1)
        lines = ["Solution: YES.",
                 f"  splitting: S1 = {_set(s1)} (colour 0), S2 = {_set(s2)} (colour 1); "
                 f"every clause meets both.",
                 f"  witness network (the forward map, 2M = {big}): u = ({_vec(U[0])})",
                 f"    v1 = ({_vec(V[0])})", f"    v2 = ({_vec(V[1])})",
                 "  checked exactly in rational arithmetic: u f(V x) = label at every point",
                 ""]
        header = ["point", "v1.x", "v2.x", "output", "label"]
        rows = []
        for j, name in enumerate(red.names):
            t = sol.preactivations[:, j]
            out = sum(u * max(v, Fraction(0)) for u, v in zip(U[0], t))
            rows.append([name, str(t[0]), str(t[1]), str(out), str(red.y[j])])
        return lines + _table(header, rows)
    summary = sol.certificate.summary()
    lines = ["Solution: NO.",
             f"  no splitting: each of the {len(sol.refutations)} colourings with element 0 "
             f"coloured 0 leaves",
             f"  a clause with one colour (swapping the colours covers the other "
             f"{len(sol.refutations)}):"]
    lines += [f"    {''.join(map(str, col))}: {_set(clause)}" for col, clause in sol.refutations]
    lines += [f"  By the theorem no two-ReLU network fits the {red.n_points} points.",
              "  Proof from the data alone (decide_fit, which knows nothing of the "
              "reduction):",
              f"  a Farkas certificate over the {summary['cases']} sign cases of u with "
              f"{summary['leaves']} leaves ({summary['label_rule_leaves']} by a label rule, "
              f"{summary['lp_leaves']} by LP multipliers),",
              "  every leaf re-verified exactly in rational arithmetic."]
    return lines


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[c]) for r in [header] + rows) for c in range(len(header))]
    return ["  " + "  ".join(cell.rjust(w) for cell, w in zip(row, widths)).rstrip()
            for row in [header] + rows]


def _set(items) -> str:
    return "{" + ",".join(map(str, items)) + "}"


def _vec(values) -> str:
    return ", ".join(str(v) for v in values)


def _require_solution(exercise: Exercise):
    if exercise.solution is None:
        raise ValueError("the exercise was drawn without its solution "
                         "(draw_exercise(..., solve=True))")
    return exercise.solution


# --- LaTeX --------------------------------------------------------------------------------
def render_latex(exercise: Exercise, solution: bool = False) -> str:
    """A standalone LaTeX document: the points/labels table, the incidence graph and the
    gadget line as TikZ pictures, and with ``solution`` the answer (see module
    docstring). Raises ValueError if ``solution`` is asked for but was not drawn."""
    sol = _require_solution(exercise) if solution else None
    inst = exercise.instance
    title = (f"SET SPLITTING, seed {exercise.seed}: $N = {inst.n_elements}$, clauses "
             + (", ".join(_tex_set(c) for c in inst.clauses) or "none"))
    body = [r"\begin{tabular}{c}", title + r" \\[1ex]",
            _latex_table(exercise) + r" \\[2ex]",
            _latex_hypergraph(exercise, sol) + "\n" + r"\qquad" + "\n"
            + _latex_gadget(sol) + r" \\[1ex]"]
    body += [line + r" \\" for line in _latex_solution_lines(exercise, sol)]
    body.append(r"\end{tabular}")
    cmd = (f"relunet hardness exercise --seed {exercise.seed} --elements {inst.n_elements} "
           f"--clauses {len(inst.clauses)} --format latex" + (" --solution" if solution else ""))
    return "\n".join([f"% {cmd}",
                      "% Compile with pdflatex. Each tabular and tikzpicture block can be "
                      "copied into a slide (needs \\usepackage{tikz}).",
                      r"\documentclass[border=6pt]{standalone}", r"\usepackage{tikz}",
                      r"\begin{document}", *body, r"\end{document}", ""])


def _tex_set(items) -> str:
    return r"$\{" + ",".join(map(str, items)) + r"\}$"


def _tex_name(name: str) -> str:
    """Point names of Reduction.names as math: o, e_{i}, x_{\\{0,1\\}}, p_{+}, p_{-}."""
    if name in ("p+", "p-"):
        return f"$p_{{{name[1]}}}$"
    if name.startswith("x"):
        return r"$x_{\{" + name[2:-1] + r"\}}$"
    if name.startswith("e"):
        return f"$e_{{{name[1:]}}}$"
    return f"${name}$"


def _tex_number(value) -> str:
    value = Fraction(value)
    if value.denominator == 1:
        return f"${value.numerator}$"
    sign = "-" if value < 0 else ""
    return f"${sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}$"


def _latex_table(exercise: Exercise) -> str:
    red, n = exercise.reduction, exercise.instance.n_elements
    spec = "l|c|" + "c" * n + "|c|c"
    lines = [rf"\begin{{tabular}}{{{spec}}}",
             r"point & bias & \multicolumn{" + str(n) + r"}{c|}{element coordinates} & "
             r"$w$ & label \\",
             " & & " + " & ".join(f"${i}$" for i in range(n)) + r" & & \\ \hline"]
    for j, name in enumerate(red.names):
        cells = [_tex_name(name)] + [_tex_number(v) for v in red.X[:, j]] + [_tex_number(red.y[j])]
        lines.append(" & ".join(cells) + r" \\")
    lines.append(r"\end{tabular}")
    return "\n".join(lines)


def _latex_hypergraph(exercise: Exercise, sol) -> str:
    """Elements (circles, label 1) on the left, clauses (squares, label 0) on the right,
    an edge when the element lies in the clause; coloured by the splitting if any."""
    inst = exercise.instance
    n, c = inst.n_elements, len(inst.clauses)
    shift = (n - c) / 2
    lines = [r"\begin{tikzpicture}[yscale=0.8, every node/.style={font=\small}]",
             r"\node at (0,1) {elements (label 1)};",
             r"\node at (3.2,1) {clauses (label 0)};"]
    for i in range(n):
        fill = TIKZ_FILLS[sol.splitting[i]] if sol is not None and sol.feasible else "white"
        lines.append(rf"\node[circle, draw, fill={fill}, minimum size=6mm] (e{i}) at "
                     rf"(0,{-i}) {{$e_{{{i}}}$}};")
    for j, clause in enumerate(inst.clauses):
        lines.append(rf"\node[rectangle, draw, fill=black!10, minimum size=6mm] (c{j}) at "
                     rf"(3.2,{_num(-j - shift)}) {{$x_{{\{{{','.join(map(str, clause))}\}}}}$}};")
    for j, clause in enumerate(inst.clauses):
        for i in clause:
            lines.append(rf"\draw (e{i}) -- (c{j});")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)


def _latex_gadget(sol) -> str:
    """The line (1, 0, t): labels 1, 0, 1 at t = -1, 0, 1, and with a yes-solution the
    two pieces u_i relu(V_i0 + V_iw t) of the witness (dashed) and their sum."""
    lines = [r"\begin{tikzpicture}[scale=1.2, every node/.style={font=\small}]",
             r"\draw[->] (-1.7,0) -- (1.8,0) node[right] {$t$};",
             r"\draw[->] (0,-0.2) -- (0,2.3) node[above] {value};"]
    if sol is not None and sol.feasible:
        U, V = sol.witness.U[0], sol.witness.V
        pieces = [lambda t, i=i: U[i] * max(V[i][0] + V[i][-1] * t, 0) for i in range(2)]
        kinks = sorted(set(_breakpoints(V[0][0], V[0][-1]) + _breakpoints(V[1][0], V[1][-1])))
        lines.append(r"\draw[black!25, line width=4pt] "
                     + _polyline(kinks, lambda t: pieces[0](t) + pieces[1](t)) + ";")
        for i, colour in enumerate(("blue", "orange")):
            lines.append(rf"\draw[{colour}, dashed, thick] "
                         + _polyline(_breakpoints(V[i][0], V[i][-1]), pieces[i]) + ";")
        lines.append(r"\node[below] at (0,-0.3) {grey: output, dashed: "
                     r"$u_i f(v_i\cdot(1, 0, t))$};")
    for t, y, name in ((-1, 1, "p_{-}"), (0, 0, "o"), (1, 1, "p_{+}")):
        lines.append(rf"\fill[red] ({t},{y}) circle (2pt) node[above right] {{${name}$}};")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)


def _breakpoints(a, b) -> list:
    """t in [-1.5, 1.5] where a + b t changes sign (if inside), and the two ends."""
    ts = {Fraction(-3, 2), Fraction(3, 2)}
    if b != 0 and -Fraction(3, 2) < -Fraction(a) / b < Fraction(3, 2):
        ts.add(-Fraction(a) / b)
    return sorted(ts)


def _polyline(ts, g) -> str:
    """TikZ path through (t, g(t)): exact for g piecewise linear with kinks among ts."""
    return " -- ".join(f"({_num(t)},{_num(g(t))})" for t in ts)


def _num(value) -> str:
    """A TikZ coordinate: exact value printed to 4 decimals, trailing zeros dropped."""
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _latex_solution_lines(exercise: Exercise, sol) -> list[str]:
    if sol is None:
        return [r"Is there a splitting? Equivalently: does $u_1 f(v_1\cdot x) + u_2 f(v_2\cdot x)$ "
                r"fit the labels exactly?"]
    if sol.feasible:
        s1 = [i for i, c in enumerate(sol.splitting) if c == 0]
        s2 = [i for i, c in enumerate(sol.splitting) if c == 1]
        U, V = sol.witness.U, sol.witness.V
        return [rf"Yes: $S_1 = $ {_tex_set(s1)} (blue), $S_2 = $ {_tex_set(s2)} (orange).",
                r"Witness $u = (" + ", ".join(_tex_number(v).strip("$") for v in U[0])
                + r")$, $v_1 = ("
                + ", ".join(_tex_number(v).strip("$") for v in V[0]) + r")$, $v_2 = ("
                + ", ".join(_tex_number(v).strip("$") for v in V[1]) + r")$, checked exactly."]
    summary = sol.certificate.summary()
    return [rf"No: each of the {len(sol.refutations)} colourings with $e_0$ blue leaves a "
            r"clause with one colour.",
            rf"Farkas certificate: {summary['cases']} sign cases, {summary['leaves']} leaves, "
            r"every leaf verified exactly."]
