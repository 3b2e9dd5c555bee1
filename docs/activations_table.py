"""Regenerate the table of docs/activations.md from the code (never typed by hand).

    python docs/activations_table.py          # rewrites the table in docs/activations.md

The table is the generated block ``activations-table`` of that page
(:mod:`benchmarks.doc_blocks`): ``python -m benchmarks.render`` rewrites it too, and
``tests/test_docs.py`` checks that the page holds exactly this rendering.

Every number comes from :class:`recover._activations.Activation`: degree, injectivity,
supremum, and the Gaussian Hermite coefficients ``c_p = E[f(z) He_p(z)]`` (sympy closed
form where it exists, marked ``=``; mpmath quadrature otherwise, marked ``≈``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import mpmath

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recover import get_activation  # noqa: E402
from verify import RationalMonomial  # noqa: E402

ACTIVATIONS = ["relu", "relu2", "relu^3", "relu^3/2", "log(1+t)", "1-exp(-t)", "tanh(t)",
               "step", "t*exp(-t)"]


def symmetries(act) -> str:
    if act.degree is None:
        return "permutations only"
    p = f"{act.degree:g}"
    return f"perm.; V_i→λV_i, U_i→λ^-{p}U_i" if act.degree else "perm.; V_i→λV_i (U fixed)"


def guarantee(act) -> str:
    if act.name == "relu":
        return "exact recovery; exact rational and 50-digit certificates; identifiability proof"
    if act.injective and RationalMonomial.of(act) is not None:
        return ("exact recovery up to scaling; exact rational certificate (rational data) "
                "and 50-digit certificate (mpf labels); identifiability proof")
    if act.injective and act.homogeneous:
        return "exact recovery up to scaling; 50-digit certificate (mpf labels)"
    if act.injective:
        return "exact recovery incl. the scale of V; 50-digit certificate (mpf labels)"
    if act.constant:
        return "pattern, U exact; V only up to a cone (LP), max-margin representative; no certificate"
    return ("exact fit inside each unit's pattern cone (uniqueness not proven); cones "
            "returned as outer bounds; 50-digit certificate (mpf labels)")


def coefficient(act, p: int) -> str:
    mark = "=" if act.hermite_closed_form(p) is not None else "≈"
    with mpmath.mp.workdps(30):
        return f"{mark}{mpmath.nstr(act.hermite(p), 6)}"


def table() -> str:
    head = ("| activation | g(t), t > 0 | degree | injective | sup g | symmetries | "
            "c0 | c1 | c2 | c3 | c4 | what relunet guarantees |")
    rows = [head, "|" + "---|" * 12]
    for name in ACTIVATIONS:
        act = get_activation(name)
        degree = "—" if act.degree is None else f"{act.degree:g}"
        coeffs = " | ".join(coefficient(act, p) for p in range(5))
        rows.append(f"| `{act.name}` | `{act.expr}` | {degree} | {'yes' if act.injective else 'no'} "
                    f"| {f'{act.supremum:g}' if act.injective else '—'} | {symmetries(act)} | {coeffs} | {guarantee(act)} |")
    return "\n".join(rows)


def main() -> int:
    from benchmarks.doc_blocks import render_pages

    render_pages()
    print(table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
