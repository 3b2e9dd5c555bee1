"""Activation text is data: hostile strings are refused with a useful message, and
nothing in them is ever evaluated (no eval/exec, no shell, no file created)."""

import builtins
import os
import subprocess
import warnings

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recover import InvalidInputError, TwoLayerNetwork, get_activation
from recover._activations import T, parse_positive_part
from recover._expression import MAX_CHARS, parse_expression


@pytest.fixture
def no_evaluation(monkeypatch):
    """Fail the test if anything evaluates code or runs a process while it runs."""
    calls = []

    def refuse(name, real=None):
        def trap(*args, **kwargs):
            if real is not None and not isinstance(args[0], (str, bytes)):
                return real(*args, **kwargs)  # a code object: an import, not text
            calls.append(name)
            raise AssertionError(f"{name} was called")
        return trap

    for name in ("eval", "exec"):  # not compile: ast.parse uses it, without running code
        monkeypatch.setattr(builtins, name, refuse(name, getattr(builtins, name)))
    monkeypatch.setattr(os, "system", refuse("os.system"))
    monkeypatch.setattr(os, "popen", refuse("os.popen"))
    monkeypatch.setattr(subprocess, "Popen", refuse("subprocess.Popen"))
    monkeypatch.setattr(sympy.parsing.sympy_parser, "parse_expr", refuse("parse_expr"))
    monkeypatch.setattr(sympy.parsing.sympy_parser, "eval_expr", refuse("eval_expr"))
    yield calls
    assert calls == []


# (payload family, text, fragment of the message)
PAYLOADS = [
    ("dunder chain", "().__class__.__bases__[0].__subclasses__()", "attribute access"),
    ("dunder chain", "t.__class__", "attribute access"),
    ("chr trick", "getattr(t, chr(95)*2+'class'+chr(95)*2)", "unknown function 'getattr'"),
    ("chr trick", "eval(chr(116))", "unknown function 'eval'"),
    ("chr trick", "exp(chr(95))", "unknown function 'chr'"),
    ("lambda", "(lambda: t)()", "lambdas"),
    ("lambda", "lambda: t", "lambdas"),
    ("attribute", "t.func", "attribute access"),
    ("attribute", "exp(t).func(t)", "attribute access"),
    ("subscript", "t[0]", "subscripts"),
    ("comprehension", "[t for t in (1,)]", "comprehensions"),
    ("comprehension", "sum(t for t in (1,))", "unknown function 'sum'"),
    ("string", "'t'", "strings"),
    ("string", "b't'", "bytes"),
    ("keyword argument", "exp(t=1)", "keyword arguments"),
    ("starred argument", "exp(*[t])", "one argument"),
    ("import", "__import__('os').system('touch X')", "attribute access"),
    ("import", "__import__('os')", "unknown function '__import__'"),
    ("f-string", "f'{t}'", "f-strings"),
    ("walrus", "(x:=t)", "assignment expressions"),
    ("conditional", "t if t else 1", "conditional expressions"),
    ("comparison", "t < 1", "comparisons"),
    ("boolean", "t or 1", "'and'/'or'"),
    ("operator", "t % 2", "'%'"),
    ("operator", "t // 2", "'//'"),
    ("operator", "~t", "'~'"),
    ("container", "(t, t)", "tuples"),
    ("container", "{t: 1}", "dicts"),
    ("constant", "None", "None"),
    ("constant", "True", "True"),
    ("call of a call", "exp(t)(t)", "only named functions"),
    ("sympy name", "Symbol('t')", "unknown function 'Symbol'"),
    ("sympy name", "sympify('t')", "unknown function 'sympify'"),
    ("statement", "t; t", "invalid syntax"),
    ("comment", "t # ^", "comments"),
    ("deep nesting", "(" * 100_000 + "t" + ")" * 100_000, "characters"),
    ("deep nesting", "(" * 60 + "t" + ")" * 60, "brackets nested 60 deep"),
    ("deep nesting", "-" * 200 + "t", "nested more than"),
    ("deep nesting", "t" + "**t" * 100, "nested more than"),
    ("megabyte string", "t+" * 500_000 + "t", "characters"),
    ("huge power", "9**9**9**9", "exponent 387420489 is out of range"),
    ("huge power", "t**(10**100)", "more than 100 digits"),
    ("huge power", "(t**60)**2", "exponent 120 is out of range"),
    ("huge power", "t**60*t**60", "exponent 120 is out of range"),
    ("huge power", "t**1e-9", "out of range"),
    ("huge number", "1e400*t", "too large or too small"),
    ("huge number", "9" * 150 + "*t", "number literal of 150 characters"),
    ("number form", "0x10*t", "write decimal numbers"),
    ("number form", "1_000*t", "write decimal numbers"),
    ("complex", "1j", "not real"),
    ("complex", "1j*t", "not real"),
    ("complex", "I*t", "not real"),
    ("non-ASCII", "t+\u0661", "not printable ASCII"),  # Arabic-Indic digit one
    ("non-ASCII", "\uff54", "not printable ASCII"),  # fullwidth t (NFKC would make it t)
    ("non-ASCII", "\uff3f\uff3fimport\uff3f\uff3f('os')", "not printable ASCII"),
    ("NUL byte", "t\x00", "not printable ASCII"),
    ("control", "t\nt", "not printable ASCII"),
    ("unknown name", "t + x", "symbols other than t: x"),
    ("implicit product", "2t", "'2*t' not '2t'"),
]


@pytest.mark.parametrize("family, text, fragment", PAYLOADS,
                         ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(PAYLOADS)])
def test_payload_is_refused_without_evaluation(family, text, fragment, no_evaluation):
    with pytest.raises(InvalidInputError, match="activation") as info:
        get_activation(text)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message and len(message) < 1000  # one line, CLI-friendly


#: Ran a shell command through the old parser: no "__" and no ";" in the text.
BYPASS = "eval(chr(95)*2+'import'+chr(95)*2+'(\"os\").system(\"touch {p}\")')"


@pytest.mark.parametrize("payload", [
    BYPASS,
    "__import__('os').system('touch {p}')",
    "getattr(__import__('os'), 'system')('touch {p}')",
    "exec(\"import os; os.system('touch {p}')\")",
    "(lambda: __import__('os').system('touch {p}'))()",
    "relu^__import__('os').system('touch {p}')",
    "RELU^(__import__('os').system('touch {p}') or 2)",
])
def test_shell_payloads_create_nothing(tmp_path, payload):
    sentinel = tmp_path / "pwned"
    with pytest.raises(InvalidInputError):
        get_activation(payload.format(p=sentinel))
    assert not sentinel.exists()


@pytest.mark.parametrize("text, want", [
    ("2*t^2", 2 * T ** 2), ("t/(1+t^2)", T / (1 + T ** 2)), ("t^2^1", T ** 2),
    ("t^-1 + 1", 1 / T + 1), ("-t^2 + 3", 3 - T ** 2), ("2^t", 2 ** T),
    ("t**3", T ** 3), ("1-exp(-t)", 1 - sympy.exp(-T)), ("log(1+t)", sympy.log(1 + T)),
    ("t*exp(-t)", T * sympy.exp(-T)), ("+t", T), ("pi*t", sympy.pi * T), ("E**t", sympy.exp(T)),
    ("0.5*t", sympy.Float("0.5") * T), ("t**(3/2)", T ** sympy.Rational(3, 2)),
    ("sqrt(t)", sympy.sqrt(T)), ("abs(t)", T), ("arctan(t)", sympy.atan(T)),
])
def test_caret_is_a_power_with_its_precedence(text, want):
    """``^`` means ``**`` with the precedence of ``**`` (not Python's xor precedence)."""
    assert parse_positive_part(text) == want


@pytest.mark.parametrize("text", ["relu", "relu2", "relu^3", "relu^1.5", "relu^3/2", "t^2",
                                  "2*t^2", "log(1+t)", "1-exp(-t)", "tanh(t)", "t*exp(-t)",
                                  "t/(1+t^2)", "t**3", "1", "0.5*t", "1e3*t", "erf(t)"])
def test_legit_names_round_trip(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        act = get_activation(text)
        assert get_activation(act.name) == act


def test_relu_p_uses_the_number_parser():
    assert get_activation("relu^0.5").name == "relu^1/2"
    with pytest.raises(InvalidInputError, match="relu\\^p needs a number p > 0.*name 'x'"):
        get_activation("relu^x")
    with pytest.raises(InvalidInputError, match="between 1/100 and 100"):
        get_activation("relu^1000")
    with pytest.raises(InvalidInputError, match="p > 0"):
        get_activation("relu^(1/0)")


def test_number_mode_refuses_names_and_functions():
    assert parse_expression("3/2", None) == sympy.Rational(3, 2)
    for text in ("t", "pi", "exp(1)"):
        with pytest.raises(InvalidInputError):
            parse_expression(text, None)


def test_length_cap_is_exact():
    ok = "+".join(["t"] * 10)
    assert parse_positive_part(ok) == 10 * T
    with pytest.raises(InvalidInputError, match=f"more than the {MAX_CHARS}"):
        parse_positive_part("t" + " " * MAX_CHARS)


def test_non_string_is_refused():
    with pytest.raises(InvalidInputError, match="must be a name"):
        get_activation(b"relu")
    with pytest.raises(InvalidInputError, match="must be a string"):
        parse_positive_part(3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=40))
def test_arbitrary_text_is_an_activation_or_invalid_input(text):
    real_eval, real_system = builtins.eval, os.system
    builtins.eval = os.system = _evaluation_trap
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            act = get_activation(text)
        assert act.name
    except InvalidInputError:
        pass
    finally:
        builtins.eval, os.system = real_eval, real_system


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="t0123456789.+-*/^()e ,'[]:_xj", max_size=30))
def test_expression_like_text_parses_or_is_invalid_input(text):
    """Text close to the grammar (hypothesis finds more valid parses here)."""
    real_eval = builtins.eval
    builtins.eval = _evaluation_trap
    try:
        expr = parse_positive_part(text)
        assert isinstance(expr, sympy.Expr) and expr.free_symbols <= {T}
    except InvalidInputError:
        pass
    finally:
        builtins.eval = real_eval


def _evaluation_trap(*args, **kwargs):
    raise AssertionError("text was evaluated")


def test_network_file_with_payload_activation(tmp_path, no_evaluation):
    sentinel = tmp_path / "pwned"
    path = tmp_path / "net.npz"
    payload = f"__import__('os').system('touch {sentinel}')"
    np.savez(path, U=np.ones((1, 1)), V=np.ones((1, 2)), activation=np.array(payload))
    with pytest.raises(InvalidInputError, match="not parseable"):
        TwoLayerNetwork.load(path)
    assert not sentinel.exists()


def test_network_file_with_chr_bypass(tmp_path):
    """The filter on '__' in the old parser was bypassed by building it with chr(95)."""
    sentinel = tmp_path / "pwned"
    path = tmp_path / "net.npz"
    payload = BYPASS.format(p=sentinel)
    assert "__" not in payload and ";" not in payload
    np.savez(path, U=np.ones((1, 1)), V=np.ones((1, 2)), activation=np.array(payload))
    with pytest.raises(InvalidInputError):
        TwoLayerNetwork.load(path)
    assert not sentinel.exists()


def test_hermite_sigma_must_be_a_number():
    with pytest.raises(InvalidInputError, match="sigma must be a real number"):
        get_activation("relu").hermite(1, sigma="__import__('os')")
