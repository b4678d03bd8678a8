"""Symbolic leaf comparison with sympy: exact first, then numeric probes, then simplify."""

from __future__ import annotations

import random
from fractions import Fraction

import sympy

from verifiers.math.compare import numbers_equal
from verifiers.math.latex import LatexParseError, latex_to_sympy
from verifiers.math.normalize import parse_plain_number
from verifiers.math.structure import Equation

__all__ = ["SympyComparer", "parse_expression"]

_PROBE_DIGITS = 40


def _probe_points(symbols: list[sympy.Symbol], seed: int) -> list[dict[sympy.Symbol, sympy.Rational]]:
    rng = random.Random(seed)
    return [{s: sympy.Rational(rng.randint(13, 97), rng.randint(7, 31)) for s in symbols} for _ in range(3)]


def _numeric(expr: sympy.Expr, point: dict | None = None) -> complex | None:
    try:
        value = expr.evalf(_PROBE_DIGITS, subs=point) if point else expr.evalf(_PROBE_DIGITS)
        result = complex(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError):
        return None
    return None if result != result else result  # NaN


def _close(a: complex, b: complex) -> bool:
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


def parse_expression(text: str) -> sympy.Expr:
    """Our own parser first (eval-free, size-guarded); where it gives up, latex2sympy2_extended (the
    maintained LaTeX parser Math-Verify uses), which this worker's hard timeout and memory cap contain."""
    try:
        return latex_to_sympy(text)
    except LatexParseError as own_error:
        fallback = _fallback(text)
        if fallback is None:
            raise own_error from None
        return fallback


def _fallback(text: str) -> sympy.Expr | sympy.MatrixBase | None:
    try:
        from latex2sympy2_extended import latex2sympy
    except ImportError:  # the fallback is optional: without it our parser's verdict stands
        return None
    try:
        expr = latex2sympy(text.replace("\\cr ", "\\\\ "))  # normalisation's row breaks back to TeX
    except Exception:  # noqa: BLE001 - a third-party parser's failure on a sample is "unparseable"
        return None
    if isinstance(expr, sympy.MatrixExpr):
        expr = sympy.Matrix(expr.doit())  # A + B written out: evaluate it
    if not isinstance(expr, sympy.Expr | sympy.MatrixBase) or expr.has(sympy.zoo, sympy.nan):
        return None  # a division by zero (12:00 read as 12/0) is a misreading, not a value
    return expr


class SympyComparer:
    """Compares leaf expressions with sympy; used only in worker processes."""

    def __init__(self, min_sig_figs: int = 6, rel_tol: float = 1e-9):
        self.min_sig_figs = min_sig_figs
        self.rel_tol = rel_tol

    def _decimal_rule(self, gold: str, pred: str, a: sympy.Expr, b: sympy.Expr) -> bool | None:
        """A lone decimal against a numeric constant: compare to the decimal's precision."""
        decimals = [(parse_plain_number(text), expr) for text, expr in ((gold, b), (pred, a))]
        for number, other in decimals:
            if number is not None and number.is_decimal and not other.free_symbols:
                value = other.evalf(60)
                if not value.is_real:
                    return False
                return numbers_equal(number, Fraction(str(value)), self.min_sig_figs, self.rel_tol)
        return None

    def values_equal(self, gold: str, pred: str) -> bool:
        a, b = parse_expression(gold), parse_expression(pred)
        if isinstance(a, sympy.MatrixBase) or isinstance(b, sympy.MatrixBase):
            return self._matrices_equal(a, b)
        decided = self._decimal_rule(gold, pred, a, b)
        if decided is not None:
            return decided
        if a == b:
            return True
        if a.has(sympy.oo, -sympy.oo, sympy.zoo) or b.has(sympy.oo, -sympy.oo, sympy.zoo):
            return False
        return self._expressions_equal(a, b)

    def _matrices_equal(self, a: sympy.Basic, b: sympy.Basic) -> bool:
        """Matrices (a sum or product the answer wrote out, evaluated) compare entry by entry."""
        if not (isinstance(a, sympy.MatrixBase) and isinstance(b, sympy.MatrixBase)) or a.shape != b.shape:
            return False
        return all(x == y or self._expressions_equal(x, y) for x, y in zip(a, b, strict=True))

    def _expressions_equal(self, a: sympy.Expr, b: sympy.Expr) -> bool:
        difference = a - b
        if difference == 0 or (a.is_Rational and b.is_Rational):
            return difference == 0
        symbols = sorted(difference.free_symbols, key=str)
        if not symbols:
            value = _numeric(difference)
            if value is not None and abs(value) < 1e-30:
                return True
            if value is not None and abs(value) > 1e-25 * max(1.0, abs(_numeric(a) or 0)):
                return False
            return bool(sympy.simplify(difference) == 0)
        for point in _probe_points(symbols, seed=len(symbols)):
            left, right = _numeric(a, point), _numeric(b, point)
            if left is not None and right is not None and not _close(left, right):
                return False
        if sympy.expand(difference) == 0 or sympy.cancel(difference) == 0:
            return True
        return sympy.simplify(difference) == 0 or self._probes_agree(a, b, symbols)

    def _probes_agree(self, a: sympy.Expr, b: sympy.Expr, symbols: list[sympy.Symbol]) -> bool:
        checked = 0
        for point in _probe_points(symbols, seed=97):
            left, right = _numeric(a, point), _numeric(b, point)
            if left is None or right is None:
                continue
            if not _close(left, right):
                return False
            checked += 1
        return checked >= 2

    def equations_equal(self, gold: Equation, pred: Equation) -> bool:
        first = parse_expression(gold.lhs.text) - parse_expression(gold.rhs.text)
        second = parse_expression(pred.lhs.text) - parse_expression(pred.rhs.text)
        if first == 0 or second == 0:
            return first == second
        ratio = sympy.cancel(first / second)
        if ratio.is_number:
            return ratio != 0
        symbols = sorted((first + second).free_symbols, key=str)
        values = [_numeric(ratio, point) for point in _probe_points(symbols, seed=7)]
        values = [v for v in values if v is not None]
        return len(values) >= 2 and all(_close(v, values[0]) for v in values) and abs(values[0]) > 0
