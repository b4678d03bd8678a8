"""Exact, bounded arithmetic for checking the equations a chain writes.

Values are :class:`~fractions.Fraction` while they stay rational, ``float`` once an irrational
enters (``sqrt(2)``, ``pi``), and ``None`` when the expression has no real value or would be too
big to be worth computing (``0^-1``, ``(-8)^0.5``, ``2^(2^(2^20))``, ``400!``). Nothing raises and
nothing grows without bound: results are capped at :data:`MAX_BITS` bits.
"""

from __future__ import annotations

import math
from fractions import Fraction

__all__ = [
    "MAX_BITS",
    "UNDEFINED",
    "undefined",
    "Value",
    "apply",
    "binomial",
    "close",
    "factorial",
    "power",
    "square_root",
]

Value = Fraction | float | None
UNDEFINED = math.nan  # no real value (0^-1, (-8)^0.5, 1/0); None means "too big to compute"
MAX_BITS = 4096
MAX_FACTORIAL = 200
MAX_BINOMIAL = 1000


def _fits(value: Fraction) -> bool:
    return value.numerator.bit_length() <= MAX_BITS and value.denominator.bit_length() <= MAX_BITS


def undefined(value: Value) -> bool:
    """True for :data:`UNDEFINED` (NaN)."""
    return isinstance(value, float) and math.isnan(value)


def _checked(value: Value) -> Value:
    if value is None or undefined(value):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value if _fits(value) else None


def _unknown(*values: Value) -> Value | bool:
    """None if any value is None, UNDEFINED if any is undefined, else False (all known)."""
    if any(v is None for v in values):
        return None
    return UNDEFINED if any(undefined(v) for v in values) else False


def _as_float(value: Fraction | float) -> float | None:
    try:
        return float(value)
    except OverflowError:
        return None


def power(base: Value, exponent: Value) -> Value:
    """``base ** exponent`` over the reals, or None (undefined, or too big to compute)."""
    if (unknown := _unknown(base, exponent)) is not False:
        return unknown
    if isinstance(exponent, Fraction) and exponent.denominator == 1:
        n = exponent.numerator
        if base == 0 and n < 0:
            return UNDEFINED
        if isinstance(base, Fraction):
            bits = max(base.numerator.bit_length(), base.denominator.bit_length())
            return _checked(base**n) if bits * abs(n) <= MAX_BITS else None
        if base == 0:
            return 0.0 if n > 0 else 1.0
        return _checked(base**n) if abs(n * math.log2(abs(base))) <= 1000 else None
    if base < 0:
        return UNDEFINED  # a fractional power of a negative number has no real value
    b, e = _as_float(base), _as_float(exponent)
    if b is None or e is None:
        return None
    if b == 0 and e < 0:
        return UNDEFINED
    if b > 1 and e * math.log2(b) > 1000:
        return None
    return _checked(b**e)


def square_root(value: Value) -> Value:
    """The non-negative square root: exact for perfect squares of rationals."""
    if (unknown := _unknown(value)) is not False:
        return unknown
    if value < 0:
        return UNDEFINED
    if isinstance(value, Fraction):
        top, bottom = math.isqrt(value.numerator), math.isqrt(value.denominator)
        if top * top == value.numerator and bottom * bottom == value.denominator:
            return Fraction(top, bottom)
    as_float = _as_float(value)
    return None if as_float is None else math.sqrt(as_float)


def factorial(value: Value) -> Value:
    """``n!`` for a whole 0 <= n <= :data:`MAX_FACTORIAL`; None when bigger, UNDEFINED when not whole."""
    if (unknown := _unknown(value)) is not False:
        return unknown
    if not isinstance(value, Fraction) or value.denominator != 1 or value < 0:
        return UNDEFINED
    if value > MAX_FACTORIAL:
        return None
    return Fraction(math.factorial(value.numerator))


def binomial(n: Value, k: Value) -> Value:
    """``C(n, k)`` for whole numbers (None beyond n = 1000, UNDEFINED when not whole)."""
    if (unknown := _unknown(n, k)) is not False:
        return unknown
    whole = [isinstance(v, Fraction) and v.denominator == 1 for v in (n, k)]
    if not all(whole):
        return UNDEFINED
    if not 0 <= k <= n <= MAX_BINOMIAL:  # type: ignore[operator]
        return Fraction(0) if 0 <= n <= MAX_BINOMIAL and (k < 0 or k > n) else None  # C(n, k) = 0 for k > n
    return _checked(Fraction(math.comb(int(n), int(k))))  # type: ignore[arg-type]


def apply(operator: str, left: Value, right: Value) -> Value:
    """``left operator right`` for + - * / ^, or None when either side is None or the result is undefined."""
    if (unknown := _unknown(left, right)) is not False:
        return unknown
    if operator == "^":
        return power(left, right)
    if operator == "/":
        return UNDEFINED if right == 0 else _checked(left / right)
    if isinstance(left, float) or isinstance(right, float):
        left_f, right_f = _as_float(left), _as_float(right)
        if left_f is None or right_f is None:
            return None
        left, right = left_f, right_f
    result = left + right if operator == "+" else left - right if operator == "-" else left * right
    return _checked(result)


def close(a: Value, b: Value, decimals: int | None = None) -> bool:
    """Equal (exactly, for two rationals), or equal to the ``decimals`` a written number shows."""
    if _unknown(a, b) is not False:
        return False
    if isinstance(a, Fraction) and isinstance(b, Fraction) and decimals is None:
        return a == b
    a_f, b_f = _as_float(a), _as_float(b)
    if a_f is None or b_f is None:
        return False
    slack = 1e-9 * max(1.0, abs(a_f), abs(b_f))
    if decimals is not None:
        slack += 0.5 * 10.0 ** (-decimals) * (1 + 1e-6)
    return abs(a_f - b_f) <= slack
