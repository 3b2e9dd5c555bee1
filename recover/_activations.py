"""Rectified activations ``f``: ``f(t) = 0`` for ``t <= 0`` and ``f(t) > 0`` for ``t > 0``.

An activation is fixed by its *positive part* ``g`` (``f(t) = g(t)`` for ``t > 0``), kept
as a sympy expression in the positive symbol ``t``. From it :class:`Activation` derives,
once, everything the toolkit needs:

* fast float evaluation (``sympy.lambdify`` to numpy, with ``log1p``/``expm1`` rewrites),
  exact evaluation on rationals when ``g`` is a polynomial with rational coefficients,
  and mpmath evaluation at any precision (:meth:`Activation.mp_positive_part`);
* the derivative ``g'`` (used by :mod:`recover._refine`) and the inverse ``g^{-1}`` on
  the range of ``g`` — symbolic (``sympy.solve``) when a branch round-trips, otherwise
  safeguarded bisection/Newton (numpy) or ``mpmath.findroot`` (high precision);
* positive homogeneity: ``t g'(t) / g(t)`` simplifies to a constant ``p`` exactly when
  ``g = c t^p``; then ``V_i → λ V_i``, ``U_i → λ^{-p} U_i`` is a symmetry of networks;
* injectivity (``g`` strictly increasing on ``(0, ∞)``) and the supremum of ``g``;
* Gaussian Hermite coefficients ``E[f(σz) He_p(z)]`` (:meth:`Activation.hermite`).

Validation (:func:`get_activation`): a string is parsed without evaluating anything
(:mod:`recover._expression`: a whitelist of syntax, with caps); one that does not parse,
depends on symbols other than ``t``, is not real, or is not positive on ``(0, ∞)``
raises :class:`~recover._errors.InvalidInputError` naming the property. Properties are decided
symbolically where sympy can (``solveset``); otherwise by sampling, with a warning.

Names: ``"relu"`` (``t``), ``"relu2"`` (``t²``), ``"relu^p"`` (``t^p``, ``p > 0``),
``"step"`` (``1``), or any expression in ``t`` such as ``"log(1+t)"``, ``"1-exp(-t)"``,
``"tanh(t)"``. Expressions equal to one of the named ones get that name.

Internal module of :mod:`recover`: use the names the package exports (``recover.__all__``).
"""

from __future__ import annotations

import functools
import numbers
import pickle
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import mpmath
import numpy as np
import scipy.special
import sympy
from sympy.codegen.rewriting import optimize, optims_c99

from ._errors import InvalidInputError, RelunetWarning
from ._tolerances import current
from ._expression import MAX_EXPONENT, parse_expression

#: The variable of every positive part (``t > 0``).
T = sympy.Symbol("t", positive=True)
_Y = sympy.Symbol("y", positive=True)
_Z = sympy.Symbol("z", positive=True)
#: Points of ``(0, ∞)`` used when a property can only be checked by sampling.
SAMPLE_POINTS = np.geomspace(1e-6, 1e6, 241)
#: Relative round-trip error accepted for a symbolic inverse branch.
INVERSE_RTOL = 1e-9


class ActivationWarning(RelunetWarning):
    """A property of an activation was checked by sampling, not proven symbolically."""


@dataclass(frozen=True, eq=False)
class Activation:
    """A rectified activation, built from its positive part ``expr`` (see module doc).

    Attributes
    ----------
    name : str
        Canonical name (``"relu"``, ``"relu2"``, ``"relu^3"``, ``"step"``, or the
        sympy form of the expression); :func:`get_activation` maps it back.
    expr : sympy.Expr
        Positive part ``g(t)`` in the symbol :data:`T`.
    positive_part : callable
        ``g`` on float arrays of positive numbers.
    inverse : callable or None
        ``g^{-1}`` on float arrays in the range of ``g``; None if ``g`` is not injective.
    degree : float or None
        Degree ``p`` of positive homogeneity (``g = c t^p``), None if not homogeneous.
    exact_positive_part : callable or None
        ``g`` on exact rationals (``Fraction``) when ``g`` maps ℚ to ℚ (polynomials with
        rational coefficients), else None.
    derivative : callable
        ``g'`` on float arrays of positive numbers.
    injective : bool
        True when ``g`` is strictly increasing on ``(0, ∞)``.
    supremum : float
        ``lim_{t→∞} g(t)`` (``inf`` when unbounded, or when sympy cannot decide): the
        supremum of ``g`` when ``g`` is increasing, the bound of the range used by the
        scale solve.
    """

    name: str
    positive_part: Callable[[np.ndarray], np.ndarray]
    inverse: Callable[[np.ndarray], np.ndarray] | None
    degree: float | None
    exact_positive_part: Callable | None = None
    expr: sympy.Expr = field(default=T)
    derivative: Callable[[np.ndarray], np.ndarray] | None = None
    injective: bool = True
    supremum: float = float("inf")
    _mp_g: Callable | None = field(default=None, repr=False)
    _mp_inverse: Callable | None = field(default=None, repr=False)

    def __call__(self, t):
        """Evaluate ``f`` entrywise. Float input → float64; object input stays exact."""
        t = np.asarray(t)
        if t.dtype == object:
            if self.exact_positive_part is None:
                raise InvalidInputError(
                    f"activation {self.name!r} has no exact evaluation on rationals")
            g = self.exact_positive_part
            return np.vectorize(lambda s: g(s) if s > 0 else 0 * s, otypes=[object])(t)
        t = np.asarray(t, dtype=float)
        pos = t > 0
        # g on every entry (1 where t <= 0: g is finite on t > 0), then 0 where t <= 0:
        # whole-array operations, several times faster than g on t[pos] (a gather and a
        # scatter) on the k×n preactivations of a large data set.
        return np.where(pos, self.positive_part(np.where(pos, t, 1.0)), 0.0)

    def __eq__(self, other) -> bool:
        return isinstance(other, Activation) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __reduce__(self):
        """Pickled as its name, rebuilt by :func:`get_activation` (the compiled
        callables are closures that pickle cannot carry): networks, fitted estimators
        and chunks of work sent to other processes (multiprocessing, joblib, Dask) then
        carry their activation. An activation whose name does not map back to it
        refuses to be pickled rather than come back as another one."""
        if get_activation(self.name).expr != self.expr:
            raise pickle.PicklingError(
                f"activation {self.name!r} is not rebuilt by its name; it cannot be pickled")
        return get_activation, (self.name,)

    @property
    def homogeneous(self) -> bool:
        """True when ``g = c t^p`` (rescaling hidden units is a symmetry)."""
        return self.degree is not None

    @property
    def constant(self) -> bool:
        """True when ``g`` is constant (the step): the activations reveal only the
        pattern, and no weights are point-identifiable."""
        return bool(self.expr.is_number)

    @property
    def maps_rationals(self) -> bool:
        """True when ``g`` maps rationals to rationals (exact certificates possible)."""
        return self.exact_positive_part is not None

    # --- high precision -----------------------------------------------------------
    def mp_positive_part(self, t):
        """``g(t)`` as an ``mpf`` at the current mpmath precision (use ``mp.workdps``)."""
        return self._mp_g(mpmath.mpf(t))

    def mp_inverse(self, y):
        """``g^{-1}(y)`` at the current mpmath precision; ``y`` in the range of ``g``."""
        if not self.injective:
            raise InvalidInputError(f"activation {self.name!r} is not injective on (0, ∞)")
        if self._mp_inverse is not None:
            return self._mp_inverse(mpmath.mpf(y))
        return _mp_numeric_inverse(self._mp_g, mpmath.mpf(y), float(self.inverse(
            np.array([float(y)]))[0]))

    # --- Gaussian moments -----------------------------------------------------------
    def hermite(self, p: int, sigma=1, digits: int = 30):
        """``E[f(σz) He_p(z)]`` for ``z ~ N(0, 1)`` (probabilists' Hermite ``He_p``).

        Closed form (sympy) when :meth:`hermite_closed_form` finds one, evaluated to
        ``digits`` digits; mpmath quadrature on ``(0, ∞)`` otherwise. Returns an ``mpf``
        with ``digits`` significant digits.
        """
        p = _nonnegative_int(p, "p")
        closed = self.hermite_closed_form(p, sigma)
        # Ten guard digits: the closed forms and quadratures cancel a few digits.
        with mpmath.mp.workdps(digits + 10):
            if closed is not None:
                value = mpmath.mpf(sympy.N(closed, digits + 10))
            else:
                value = self.hermite_quadrature(p, sigma, digits + 10)
        return +value

    def hermite_closed_form(self, p: int, sigma=1) -> sympy.Expr | None:
        """Exact ``E[f(σz) He_p(z)]`` by sympy, or None.

        Attempted only for positive parts built from powers of ``t`` and ``exp`` of
        linear functions (Gaussian integrals sympy closes quickly); sympy's ``integrate``
        can run for minutes on others, which then use :meth:`hermite_quadrature`.
        """
        return _hermite_closed_form(self.expr, _nonnegative_int(p, "p"), _exact_sigma(sigma))

    def hermite_quadrature(self, p: int, sigma=1, digits: int = 30):
        """``E[f(σz) He_p(z)]`` by mpmath ``quad`` at ``digits`` digits (``mpf``)."""
        p = _nonnegative_int(p, "p")
        with mpmath.mp.workdps(digits):
            s = mpmath.mpf(sympy.N(_exact_sigma(sigma), digits + 5))
            norm = 1 / mpmath.sqrt(2 * mpmath.pi)

            def integrand(z):
                return self._mp_g(s * z) * mpmath.hermite(p, z / mpmath.sqrt(2)) \
                    * mpmath.mpf(2) ** (-mpmath.mpf(p) / 2) * mpmath.exp(-z * z / 2) * norm

            value = mpmath.quad(integrand, [0, 1, 4, 10, mpmath.inf])
        return value

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


# --- construction ----------------------------------------------------------------------
def from_expression(expr: sympy.Expr, name: str | None = None) -> Activation:
    """Validate the positive part ``expr`` (in :data:`T`) and build its :class:`Activation`.

    Raises :class:`InvalidInputError` if ``expr`` depends on other symbols, is not real,
    or is not strictly positive on ``(0, ∞)``.
    """
    g = _check_expression(expr)
    degree = _homogeneous_degree(g)
    injective = _strictly_increasing(g)
    inverse_expr = _symbolic_inverse(g, degree) if injective else None
    g_num = _numpy_function(g)
    inverse = None
    if injective:
        inverse = (_numpy_function(inverse_expr, _Y) if inverse_expr is not None
                   else functools.partial(_numeric_inverse, g_num))
    return Activation(
        name=name or canonical_name(g), positive_part=g_num, inverse=inverse,
        degree=None if degree is None else float(degree),
        exact_positive_part=_exact_function(g), expr=g,
        derivative=_numpy_function(sympy.diff(g, T)), injective=injective,
        supremum=_supremum(g),
        _mp_g=sympy.lambdify(T, g, "mpmath"),
        _mp_inverse=None if inverse_expr is None else sympy.lambdify(_Y, inverse_expr, "mpmath"))


def canonical_name(g: sympy.Expr) -> str:
    """``"relu"``, ``"relu2"``, ``"relu^p"``, ``"step"`` for those, else ``str(g)``."""
    if g == 1:
        return "step"
    if g == T:
        return "relu"
    if g.is_Pow and g.base == T and g.exp.is_number and g.exp > 0:
        return "relu2" if g.exp == 2 else f"relu^{g.exp}"
    return str(g)


def parse_positive_part(text: str) -> sympy.Expr:
    """Parse ``text`` (an expression in ``t``; ``^`` means power) into a sympy expression.

    Safe on untrusted text: nothing is evaluated (:func:`recover._expression.parse_expression`
    builds the expression from a whitelist of syntax). Raises :class:`InvalidInputError`
    when the text is outside that grammar.
    """
    return parse_expression(text, T)


def _named_expression(key: str) -> sympy.Expr | None:
    if key == "relu":
        return T
    if key == "relu2":
        return T ** 2
    if key == "step":
        return sympy.Integer(1)
    if key.startswith("relu^"):
        try:
            p = parse_expression(key[len("relu^"):], None, what=f"the p of {key!r}")
        except InvalidInputError as exc:
            raise InvalidInputError(f"activation {key!r}: relu^p needs a number p > 0 "
                                    f"({exc})") from None
        if not p.is_Number or not sympy.Rational(1, MAX_EXPONENT) <= p <= MAX_EXPONENT:
            raise InvalidInputError(f"activation {key!r}: relu^p needs a number p > 0 "
                                    f"(between 1/{MAX_EXPONENT} and {MAX_EXPONENT})")
        return T ** sympy.nsimplify(p, rational=True)  # a sympy number, never text
    return None


@functools.lru_cache(maxsize=64)
def _from_string(key: str) -> Activation:
    named = _named_expression(key)
    expr = named if named is not None else parse_positive_part(key)
    try:
        return from_expression(expr)
    except (ArithmeticError, TypeError, ValueError, NotImplementedError,
            RecursionError) as exc:  # sympy or numpy gave up on a parseable expression
        if isinstance(exc, InvalidInputError):
            raise
        raise InvalidInputError(f"activation {key!r} could not be analysed "
                                f"({type(exc).__name__}: {exc})") from None


def get_activation(activation: str | Activation) -> Activation:
    """Resolve an activation given by name, by an expression string, or as an object.

    Parsed activations are cached: the same string returns the same object.
    """
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        key = activation.strip()
        if not key:
            raise InvalidInputError("activation is an empty string; e.g. 'relu' or 'log(1+t)'")
        lowered = key.lower()
        return _from_string(lowered if _named_expression_safe(lowered) else key)
    raise InvalidInputError(
        f"activation must be a name, an expression in t, or an Activation, not "
        f"{type(activation).__name__}")


def _named_expression_safe(key: str) -> bool:
    return key in ("relu", "relu2", "step") or key.startswith("relu^")


# --- validation --------------------------------------------------------------------------
def _check_expression(expr) -> sympy.Expr:
    if not isinstance(expr, sympy.Expr):
        raise InvalidInputError(f"positive part must be a sympy expression, got {expr!r}")
    expr = expr.subs({s: T for s in expr.free_symbols if s.name == "t" and s != T})
    others = sorted(str(s) for s in expr.free_symbols - {T})
    if others:
        raise InvalidInputError(
            f"activation {str(expr)!r} depends on symbols other than t: {', '.join(others)}")
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise InvalidInputError(f"activation {str(expr)!r} is not finite")
    _check_real(expr)
    _check_positive(expr)
    return expr


def _sample_values(g: sympy.Expr) -> list:
    f = sympy.lambdify(T, g, "mpmath")
    with mpmath.mp.workdps(30):  # twice float64's digits: rounding cannot fake a sign
        out = []
        for s in SAMPLE_POINTS:
            try:
                out.append(mpmath.mpmathify(f(mpmath.mpf(s))))
            except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                out.append(mpmath.mpc(0, 1))  # undefined there: treated as not real
        return out


def _check_real(g: sympy.Expr) -> None:
    if g.is_real is False or g.is_extended_real is False:
        raise InvalidInputError(f"activation {str(g)!r} is not real on t > 0")
    if g.is_real:
        return
    # An imaginary part above 1e-25 relative is no rounding of the 30-digit evaluation.
    bad = [s for s, v in zip(SAMPLE_POINTS, _sample_values(g))
           if isinstance(v, mpmath.mpc) and abs(v.imag) > 1e-25 * max(1, abs(v.real))]
    if bad:
        raise InvalidInputError(
            f"activation {str(g)!r} is not real on t > 0 (complex at t = {bad[0]:.3g})")


def _check_positive(g: sympy.Expr) -> None:
    """``g(t) > 0`` on ``(0, ∞)``: solveset when it decides, else sampling (warning)."""
    if g.is_positive:
        return
    try:
        bad = sympy.solveset(g <= 0, T, sympy.Interval.open(0, sympy.oo))
    except Exception:  # solveset raises NotImplementedError and others on hard input
        bad = None
    if bad is sympy.S.EmptySet:
        return
    if bad is not None and not isinstance(bad, sympy.ConditionSet):
        raise InvalidInputError(
            f"activation {str(g)!r} is not rectified: its positive part is <= 0 for t in "
            f"{bad} (a rectified f has f(t) > 0 for every t > 0)")
    values = _sample_values(g)
    low = [s for s, v in zip(SAMPLE_POINTS, values) if not mpmath.re(v) > 0]
    if low:
        raise InvalidInputError(
            f"activation {str(g)!r} is not rectified: its positive part is <= 0 at "
            f"t = {low[0]:.3g}")
    warnings.warn(f"activation {str(g)!r}: positivity on t > 0 checked by sampling "
                  f"{len(SAMPLE_POINTS)} points, not proven", ActivationWarning, stacklevel=3)


def _strictly_increasing(g: sympy.Expr) -> bool:
    from sympy.calculus.singularities import is_strictly_increasing

    try:
        return bool(is_strictly_increasing(g, sympy.Interval.open(0, sympy.oo), T))
    except Exception:  # undecidable for sympy: sample the derivative
        pass
    slope = _numpy_function(sympy.diff(g, T))(SAMPLE_POINTS)
    warnings.warn(f"activation {str(g)!r}: monotonicity checked by sampling, not proven",
                  ActivationWarning, stacklevel=3)
    return bool(np.all(slope > 0))


def _homogeneous_degree(g: sympy.Expr):
    """``p`` with ``g = c t^p`` (``t g'/g`` constant), else None."""
    ratio = sympy.simplify(T * sympy.diff(g, T) / g)
    return ratio if not ratio.has(T) and ratio.is_number and ratio.is_real else None


def _supremum(g: sympy.Expr) -> float:
    try:
        sup = sympy.limit(g, T, sympy.oo)
        return float(sup) if sup.is_number and sup.is_real else float("inf")
    except Exception:  # limit not decided: no finite bound is assumed
        return float("inf")


# --- evaluators ----------------------------------------------------------------------------
def _numpy_function(expr: sympy.Expr, symbol=T) -> Callable[[np.ndarray], np.ndarray]:
    # numpy has no erf: scipy's vectorised ones (math.erf fails on arrays)
    raw = sympy.lambdify(symbol, optimize(expr, optims_c99),
                         [{"erf": scipy.special.erf, "erfinv": scipy.special.erfinv}, "numpy"])

    def evaluate(a):
        a = np.asarray(a, dtype=float)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            return np.broadcast_to(np.asarray(raw(a), dtype=float), a.shape).copy()

    return evaluate


def _exact_function(g: sympy.Expr) -> Callable | None:
    """``g`` on Fractions when it is a polynomial in ``t`` with rational coefficients."""
    if not g.is_polynomial(T):
        return None
    poly = sympy.Poly(g, T)
    if not all(c.is_Rational for c in poly.all_coeffs()):
        return None
    if poly.is_monomial and poly.LC() == 1:  # t^p: keeps the type (Fraction, int, ...)
        p = poly.degree()
        return (lambda s: s) if p == 1 else (lambda s: s ** p)
    coeffs = [Fraction(int(c.p), int(c.q)) for c in poly.all_coeffs()]

    def horner(s):
        s = Fraction(s)
        out = Fraction(0)
        for c in coeffs:
            out = out * s + c
        return out

    return horner


def _symbolic_inverse(g: sympy.Expr, degree=None) -> sympy.Expr | None:
    """A branch of ``solve(g(t) = y, t)`` that round-trips on sample points, or None.

    For ``g = c t^p`` (``degree`` p) the branch is ``(y/c)^(1/p)``, written directly:
    ``solve`` can take minutes on ``t^(99/100)`` checking its hundred roots of unity.
    """
    try:
        branches = ([(_Y / sympy.simplify(g / T ** degree)) ** (1 / degree)]
                    if degree is not None and degree != 0
                    else sympy.solve(sympy.Eq(g, _Y), T, check=False))
    except Exception:  # no closed form: numeric inversion
        return None
    g_num = _numpy_function(g)
    ts = SAMPLE_POINTS[(SAMPLE_POINTS > 1e-3) & (SAMPLE_POINTS < 5)]  # well conditioned
    ys = g_num(ts)
    keep = np.isfinite(ys) & (ys > 0)
    best, best_err = None, INVERSE_RTOL
    for form in (f for branch in branches for f in _inverse_forms(branch, _supremum(g))):
        if form.has(sympy.I, sympy.zoo, sympy.nan, sympy.oo):  # unchecked solve branches
            continue
        back = _numpy_function(form, _Y)(ys[keep])
        err = float(np.max(np.abs(back - ts[keep]) / ts[keep]))
        if err <= best_err:  # the most accurate form wins (log1p over log(1/(1-y)))
            best, best_err = form, err
    return best


def _inverse_forms(branch: sympy.Expr, sup: float) -> list[sympy.Expr]:
    """Equivalent forms of an inverse branch; with ``y = sup − u`` (``u > 0``) sympy can
    expand ``log(-1/(y-1))`` to ``-log(1-y)``, which prints as ``-log1p(-y)``."""
    forms = [branch, sympy.expand_log(branch, force=True)]
    if np.isfinite(sup):
        u = sympy.Symbol("u", positive=True)
        top = sympy.nsimplify(sup)
        forms.append(sympy.expand_log(branch.subs(_Y, top - u), force=True).subs(u, top - _Y))
    return forms


def _numeric_inverse(g: Callable, y: np.ndarray) -> np.ndarray:
    """``g^{-1}(y)`` for increasing ``g`` by bracketing, bisection and Newton-free polish.

    Vectorised: O(100) evaluations of ``g`` on arrays of the size of ``y``.
    """
    y = np.asarray(y, dtype=float)
    lo, hi = np.zeros_like(y), np.ones_like(y)
    tol = current()
    for _ in range(tol.inverse_bracket_doublings):
        grow = g(hi) < y
        if not grow.any():
            break
        lo = np.where(grow, hi, lo)
        hi = np.where(grow, 2 * hi, hi)
    for _ in range(tol.inverse_bisections):
        mid = 0.5 * (lo + hi)
        below = g(mid) < y
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        if np.all(hi - lo <= 4 * np.finfo(float).eps * np.maximum(hi, 1e-300)):
            break
    return 0.5 * (lo + hi)


def _mp_numeric_inverse(g: Callable, y, start: float):
    """``g^{-1}(y)`` at the current precision for increasing ``g``: a bracket around
    the float estimate ``start`` (widened until it holds the root), then
    ``mpmath.findroot`` with the bracketing Anderson–Björk solver. The bracket starts
    2^-20 around ``start`` (float64 is good to 2^-52, so it usually holds at once)."""
    lo = mpmath.mpf(start) * (1 - mpmath.mpf(2) ** -20) if start > 0 else mpmath.mpf(0)
    hi = mpmath.mpf(max(start, 1e-300)) * (1 + mpmath.mpf(2) ** -20)
    while lo > 0 and g(lo) > y:
        lo /= 2
    while g(hi) < y:
        hi *= 2
    return mpmath.findroot(lambda s: g(s) - y, (lo, hi), solver="anderson")


# --- Hermite coefficients ----------------------------------------------------------------
def _closable(g: sympy.Expr) -> bool:
    """Powers of t and exp(linear) only: Gaussian integrals sympy closes quickly."""
    for fn in g.atoms(sympy.Function):
        if not isinstance(fn, sympy.exp) or not sympy.Poly(fn.args[0], T).degree() <= 1:
            return False
    return True


@functools.lru_cache(maxsize=256)
def _hermite_closed_form(g: sympy.Expr, p: int, sigma: sympy.Expr):
    if not _closable(g):
        return None
    integrand = g.subs(T, sigma * _Z) * sympy.hermite_prob(p, _Z) \
        * sympy.exp(-_Z ** 2 / 2) / sympy.sqrt(2 * sympy.pi)
    value = sympy.integrate(sympy.expand(integrand), (_Z, 0, sympy.oo))
    if value.has(sympy.Integral) or not value.is_number:
        return None
    return sympy.simplify(value)


def _exact_sigma(sigma) -> sympy.Expr:
    """``sigma > 0`` as an exact sympy number; a number, never text (``nsimplify`` of a
    string would evaluate it)."""
    if isinstance(sigma, (bool, str, bytes)) or not isinstance(
            sigma, (numbers.Real, sympy.Number)) or not sigma > 0:
        raise InvalidInputError(f"sigma must be a real number > 0, got {sigma!r}")
    return sympy.nsimplify(sigma)


def _nonnegative_int(p, name: str) -> int:
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 0:
        raise InvalidInputError(f"{name} must be an integer >= 0, got {p!r}")
    return int(p)


RELU = get_activation("relu")
