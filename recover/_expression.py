"""Parsing activation expressions from untrusted text, without evaluating anything.

An activation string comes from files (a network ``.npz``, a certificate JSON) and from
command-line flags, so it is data, never code. :func:`parse_expression` reads it with
:func:`ast.parse` and builds the sympy expression node by node from a whitelist:

* decimal number literals (``2``, ``0.5``, ``1e-3``; no complex, hex or ``_``),
* the variable ``t`` and the constants ``pi`` and ``E``,
* ``+ - * / **`` and ``^`` (a power, with the precedence of ``**``), unary ``-`` and ``+``,
* calls of the functions in :data:`FUNCTIONS` with positional arguments.

Everything else (attribute access, subscripts, strings, lambdas, comprehensions, keyword
arguments, other names, ...) raises :class:`~recover._errors.InvalidInputError` naming
the construct. Caps keep hostile text cheap: at most :data:`MAX_CHARS` characters,
bracket depth and syntax-tree depth at most :data:`MAX_DEPTH`, at most :data:`MAX_NODES`
tree nodes, numbers at most ``10**MAX_NUMBER_DIGITS`` in size (numerator and
denominator), and numeric exponents between ``1/MAX_EXPONENT`` and :data:`MAX_EXPONENT`
in absolute value, so that sympy never builds a gigantic number (``9**9**9**9``) or
polynomial (``(1+t)**(10**9)``).

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from decimal import Decimal

import sympy

from ._errors import InvalidInputError

#: Longest accepted expression text.
MAX_CHARS = 1000
#: Deepest accepted nesting of brackets and of the syntax tree.
MAX_DEPTH = 50
#: Most syntax-tree nodes accepted.
MAX_NODES = 500
#: Largest number of decimal digits of a literal, or of the numerator or denominator of
#: a number computed from literals (``2**100`` is fine, ``10**(10**3)`` is not).
MAX_NUMBER_DIGITS = 100
#: Numeric exponents lie in ``[1/MAX_EXPONENT, MAX_EXPONENT]`` in absolute value (or are
#: 0): ``t**100`` and ``t**0.01`` are fine, ``t**1000`` and ``t**1e-9`` are not.
MAX_EXPONENT = 100

#: Function names accepted in an expression, with their sympy functions (one argument).
FUNCTIONS = {
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "sqrt": sympy.sqrt,
    "cbrt": sympy.cbrt, "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh,
    "asinh": sympy.asinh, "arcsinh": sympy.asinh, "atan": sympy.atan, "arctan": sympy.atan,
    "erf": sympy.erf, "abs": sympy.Abs, "Abs": sympy.Abs,
}
#: Constants accepted by name.
CONSTANTS = {"pi": sympy.pi, "E": sympy.E}

ALLOWED = ("allowed: decimal numbers, t, pi, E, + - * / ** ^, parentheses, and the "
           "functions " + ", ".join(sorted(FUNCTIONS, key=str.lower)))

_OPERATORS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
              ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b}
_INT = re.compile(r"\d+")
_FLOAT = re.compile(r"(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
#: What each refused node type is called in an error message.
_REFUSED = {
    ast.Attribute: "attribute access is", ast.Subscript: "subscripts are",
    ast.Slice: "slices are", ast.Lambda: "lambdas are", ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are", ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are", ast.JoinedStr: "f-strings are",
    ast.FormattedValue: "f-strings are", ast.NamedExpr: "assignment expressions (:=) are",
    ast.Compare: "comparisons are", ast.BoolOp: "'and'/'or' are",
    ast.IfExp: "conditional expressions are", ast.List: "lists are", ast.Tuple: "tuples are",
    ast.Set: "sets are", ast.Dict: "dicts are", ast.Starred: "starred arguments are",
    ast.Await: "'await' is", ast.Yield: "'yield' is", ast.YieldFrom: "'yield' is",
}


def parse_expression(text: str, variable: sympy.Symbol | None,
                     what: str = "activation") -> sympy.Expr:
    """The sympy expression written in ``text`` (see module doc for the grammar).

    The name ``t`` stands for ``variable``; ``variable=None`` accepts numbers only (no
    names, constants or functions), e.g. the ``p`` of ``relu^p``. ``what`` names the text
    in error messages. Nothing in ``text`` is ever evaluated as Python.

    Raises :class:`InvalidInputError` (one line naming the problem) on anything outside
    the grammar or the caps.
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"{what} must be a string, not {type(text).__name__}")
    shown = text if len(text) <= 60 else text[:57] + "..."
    fail = _Failure(f"{what} {shown!r}")
    _check_characters(text, fail)
    parsed = _powers_as_double_star(text, fail)
    tree = _syntax_tree(parsed, fail)
    _check_size(tree, fail)
    return _Builder(parsed, fail, variable).build(tree.body)


class _Failure:
    """Raises :class:`InvalidInputError` with the text named and the grammar listed."""

    def __init__(self, label: str):
        self.label = label

    def __call__(self, problem: str, hint: str = ALLOWED):
        raise InvalidInputError(f"{self.label} is not parseable as an expression in t: "
                                f"{problem}" + (f"; {hint}" if hint else ""))


def _check_characters(text: str, fail: _Failure) -> None:
    if len(text) > MAX_CHARS:
        fail(f"{len(text)} characters, more than the {MAX_CHARS} accepted", hint="")
    for i, ch in enumerate(text):
        if not " " <= ch <= "~":  # printable ASCII: no NUL, controls, lookalike letters
            fail(f"character {ch!r} at position {i} is not printable ASCII", hint="")
    depth = deepest = 0
    for ch in text:  # ast.parse itself can overflow on deeply nested brackets
        depth += (ch in "([{") - (ch in ")]}")
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        fail(f"brackets nested {deepest} deep, more than {MAX_DEPTH}", hint="")


def _powers_as_double_star(text: str, fail: _Failure) -> str:
    """``text`` with every ``^`` operator token written ``**``.

    Done on tokens, not on the tree: Python's ``^`` binds more loosely than ``+`` and
    ``*``, so reading it as a power in the tree would turn ``2*t^2`` into ``(2*t)**2``
    and ``t/(1+t^2)`` into ``t/(1+t)**2``. On tokens, a ``^`` inside a string or comment
    is left alone (and refused later anyway).
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError) as exc:
        fail(f"{type(exc).__name__}: {exc.args[0] if exc.args else exc}")
    out, last = [], 0
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            fail("comments ('#') are not allowed")
        if tok.type == tokenize.OP and tok.string == "^":
            col = tok.start[1]
            out += [text[last:col], "**"]
            last = col + 1
    return "".join(out) + text[last:]


def _syntax_tree(text: str, fail: _Failure) -> ast.Expression:
    try:
        return ast.parse(text, mode="eval")
    except SyntaxError as exc:
        hint = ("write products with '*', e.g. '2*t' not '2t'"
                if re.search(r"(\d|\))\s*[A-Za-z_(]", text) else ALLOWED)
        fail(f"invalid syntax ({exc.msg})", hint=hint)
    except (ValueError, RecursionError, MemoryError) as exc:
        fail(f"{type(exc).__name__}: {exc}", hint="")


def _check_size(tree: ast.AST, fail: _Failure) -> None:
    """Node count and depth, iteratively (the builder below recurses)."""
    stack, count = [(tree, 1)], 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            fail(f"more than {MAX_NODES} syntax nodes", hint="")
        if depth > MAX_DEPTH:
            fail(f"nested more than {MAX_DEPTH} deep", hint="")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


class _Builder:
    """Builds the sympy expression of a checked syntax tree, node type by node type."""

    def __init__(self, text: str, fail: _Failure, variable: sympy.Symbol | None):
        self.text, self.fail, self.variable = text, fail, variable

    def build(self, node: ast.AST) -> sympy.Expr:
        if isinstance(node, ast.Constant):
            return self._number(node)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node)
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        self.fail(_REFUSED.get(type(node), f"{type(node).__name__} nodes are") + " not allowed")

    def _number(self, node: ast.Constant) -> sympy.Expr:
        value = node.value
        if isinstance(value, complex):
            raise InvalidInputError(f"{self.fail.label} is not real: complex numbers "
                                    f"are not allowed")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kind = {str: "strings", bytes: "bytes"}.get(type(value), repr(value))
            self.fail(f"{kind} are not allowed" if kind in ("strings", "bytes")
                      else f"{kind} is not allowed")
        literal = ast.get_source_segment(self.text, node) or ""
        if len(literal) > MAX_NUMBER_DIGITS:
            self.fail(f"number literal of {len(literal)} characters (at most "
                      f"{MAX_NUMBER_DIGITS})", hint="")
        if isinstance(value, int) and _INT.fullmatch(literal):
            return self._checked(sympy.Integer(value))
        if isinstance(value, float) and _FLOAT.fullmatch(literal):
            if abs(Decimal(literal).adjusted()) > MAX_NUMBER_DIGITS:
                self.fail(f"number {literal} is too large or too small (at most "
                          f"{MAX_NUMBER_DIGITS} decimal digits either way)", hint="")
            return sympy.Float(literal)  # as parse_expr did: keeps canonical names
        self.fail(f"number literal {literal!r} is not allowed; write decimal numbers",
                  hint="")

    def _name(self, name: str) -> sympy.Expr:
        if self.variable is None:
            self.fail(f"a number is needed, not the name {name!r}",
                      hint="e.g. 2, 1.5 or 3/2")
        if name == "t":
            return self.variable
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in ("I", "j", "J"):
            raise InvalidInputError(f"{self.fail.label} is not real: the imaginary unit "
                                    f"is not allowed")
        if name in FUNCTIONS:
            self.fail(f"function {name!r} needs an argument, e.g. {name}(t)")
        raise InvalidInputError(f"{self.fail.label} depends on symbols other than t: "
                                f"{name} ({ALLOWED})")

    def _unary(self, node: ast.UnaryOp) -> sympy.Expr:
        if isinstance(node.op, ast.USub):
            return self._checked(-self.build(node.operand))
        if isinstance(node.op, ast.UAdd):
            return self.build(node.operand)
        self.fail(f"the operator {_SYMBOL.get(type(node.op), type(node.op).__name__)!r} "
                  f"is not allowed")

    def _binary(self, node: ast.BinOp) -> sympy.Expr:
        kind = type(node.op)
        if kind is not ast.Pow and kind not in _OPERATORS:
            self.fail(f"the operator {_SYMBOL.get(kind, kind.__name__)!r} is not allowed")
        left, right = self.build(node.left), self.build(node.right)
        if kind is ast.Pow:
            return self._power(left, right)
        return self._checked(_OPERATORS[kind](left, right))

    def _power(self, base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
        self._check_exponent(exponent)
        return self._checked(base ** exponent)

    def _check_exponent(self, exponent: sympy.Expr) -> None:
        if exponent.is_Number and exponent != 0 and not (
                sympy.Rational(1, MAX_EXPONENT) <= abs(exponent) <= MAX_EXPONENT):
            self.fail(f"exponent {exponent} is out of range (a numeric exponent lies "
                      f"between 1/{MAX_EXPONENT} and {MAX_EXPONENT} in absolute value)",
                      hint="")

    def _call(self, node: ast.Call) -> sympy.Expr:
        if not isinstance(node.func, ast.Name):
            self.build(node.func)  # names the refused construct (attribute, lambda, ...)
            self.fail("only named functions can be called")
        name = node.func.id
        if name not in FUNCTIONS or self.variable is None:
            self.fail(f"unknown function {name!r}")
        if node.keywords:
            self.fail("keyword arguments are not allowed")
        if len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            self.fail(f"{name}() takes exactly one argument")
        return self._checked(FUNCTIONS[name](self.build(node.args[0])))

    def _checked(self, value: sympy.Expr) -> sympy.Expr:
        """``value`` once its numbers and numeric exponents are within the caps (sympy
        merges ``(t**60)**2`` into ``t**120``, so the result is checked, not the text)."""
        for atom in value.atoms(sympy.Rational):
            if max(abs(atom.p), atom.q) >= 10 ** MAX_NUMBER_DIGITS:
                self.fail(f"a number has more than {MAX_NUMBER_DIGITS} digits", hint="")
        for atom in value.atoms(sympy.Float):
            if abs(atom) >= sympy.Float(10) ** MAX_NUMBER_DIGITS:
                self.fail(f"a number exceeds 1e{MAX_NUMBER_DIGITS}", hint="")
        for power in value.atoms(sympy.Pow):
            self._check_exponent(power.exp)
        return value


_SYMBOL = {ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitAnd: "&",
           ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>",
           ast.Not: "not", ast.Invert: "~"}
