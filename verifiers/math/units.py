"""Units of a stated quantity: when the reference and the answer both carry one, compare in the same unit.

With a unit on one side only, the normaliser strips it (``45`` against ``45 m``: a unit the answer key
states is not asked for). With a unit on both sides the units count: ``4500 cm`` equals ``45 m``,
``45 cm`` does not, and ``12 km/h`` is not ``12 m/s``. A unit is read only from an answer that is one
number followed by it; a single-letter unit needs a space or a ``\\text{}`` before it, so ``2m`` stays an
expression in ``m``.

Example:
    >>> gold, pred = read_quantity("45\\\\text{ m}"), read_quantity("4500 cm")
    >>> gold.unit.dimension == pred.unit.dimension, pred.unit.factor / gold.unit.factor
    (True, Fraction(1, 100))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from verifiers.math.normalize import PlainNumber, parse_plain_number, strip_math_delimiters

__all__ = ["Quantity", "Unit", "convert_answer", "read_quantity"]

Dimension = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Unit:
    """A unit as its dimension (base symbol to power) and its size in SI base units."""

    text: str
    dimension: Dimension
    factor: Fraction


@dataclass(frozen=True)
class Quantity:
    value: str
    unit: Unit


def _base(symbol: str, power: int, factor: Fraction | int | str, *names: str) -> dict[str, tuple[str, int, Fraction]]:
    """Unit names of ``symbol ** power`` (``L`` length, ``T`` time, ``M`` mass, ``$`` money) and their SI size."""
    return {name: (symbol, power, Fraction(factor)) for name in names}


_BASES: dict[str, tuple[str, int, Fraction]] = {
    **_base("L", 1, "0.001", "mm", "millimeter", "millimeters", "millimetre", "millimetres"),
    **_base("L", 1, "0.01", "cm", "centimeter", "centimeters", "centimetre", "centimetres"),
    **_base("L", 1, 1, "m", "meter", "meters", "metre", "metres"),
    **_base("L", 1, 1000, "km", "kilometer", "kilometers", "kilometre", "kilometres"),
    **_base("L", 1, "0.0254", "in", "inch", "inches"),
    **_base("L", 1, "0.3048", "ft", "foot", "feet"),
    **_base("L", 1, "0.9144", "yd", "yard", "yards"),
    **_base("L", 1, "1609.344", "mi", "mile", "miles"),
    **_base("L", 3, "0.001", "l", "liter", "liters", "litre", "litres"),
    **_base("L", 3, "0.000001", "ml", "milliliter", "milliliters", "millilitre", "millilitres"),
    **_base("T", 1, 1, "s", "sec", "secs", "second", "seconds"),
    **_base("T", 1, 60, "min", "mins", "minute", "minutes"),
    **_base("T", 1, 3600, "h", "hr", "hrs", "hour", "hours"),
    **_base("T", 1, 86400, "day", "days"),
    **_base("T", 1, 604800, "week", "weeks"),
    **_base("M", 1, "0.000001", "mg", "milligram", "milligrams"),
    **_base("M", 1, "0.001", "g", "gram", "grams"),
    **_base("M", 1, 1, "kg", "kilogram", "kilograms"),
    **_base("M", 1, "0.45359237", "lb", "lbs", "pound", "pounds"),
    **_base("M", 1, "0.028349523125", "oz", "ounce", "ounces"),
    **_base("$", 1, 1, "dollar", "dollars"),
    **_base("$", 1, "0.01", "cent", "cents"),
}
_ALIASES = {"mph": "mi/h", "kph": "km/h", "kmh": "km/hr", "miles per hour": "mi/h", "kilometers per hour": "km/h",
            "meters per second": "m/s", "metres per second": "m/s", "kilometres per hour": "km/h"}
_SINGLE_LETTER = {"m", "s", "h", "g", "l"}
_WRAPPER = re.compile(
    r"\\(?:text|mathrm|textnormal|mbox|textrm|textit|mathit|operatorname)\s*\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}"
)
_TERM = re.compile(r"(?:(square|sq\.?|cubic)\s+)?([a-z]+)(?:\s*\^\s*\{?\s*(-?[123])\s*\}?)?")
_QUANTITY = re.compile(
    r"(?P<value>[-+]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:\s*/\s*\d+)?|[-+]?\\frac\{\d+\}\{\d+\})(?P<gap>\s*)(?P<unit>[A-Za-z].*)"
)


def _term(text: str) -> tuple[dict[str, int], Fraction] | None:
    """One unit term (``cm^2``, ``square feet``, ``ml``) as its dimension powers and SI factor."""
    match = _TERM.fullmatch(text.strip())
    if match is None:
        return None
    prefix, name, power = match.groups()
    exponent = int(power) if power else 2 if prefix in ("square", "sq", "sq.") else 3 if prefix == "cubic" else 1
    if name not in _BASES:
        return None
    symbol, power, factor = _BASES[name]
    return {symbol: power * exponent}, factor**exponent


def parse_unit(text: str) -> Unit | None:
    """A unit such as ``cm``, ``m/s^2``, ``km/h``, ``square feet`` or ``mph``; None when it is not one we know."""
    spelled = re.sub(r"\s*\^\s*", "^", re.sub(r"\s+", " ", text.strip().lower()))
    spelled = _ALIASES.get(spelled, spelled)
    parts = re.split(r"\s*/\s*|\s+per\s+", spelled)
    if not 1 <= len(parts) <= 2:
        return None
    powers: dict[str, int] = {}
    factor = Fraction(1)
    for sign, part in zip((1, -1), parts, strict=False):
        term = _term(part)
        if term is None:
            return None
        for symbol, power in term[0].items():
            powers[symbol] = powers.get(symbol, 0) + sign * power
        factor = factor * term[1] if sign == 1 else factor / term[1]
    dimension = tuple(sorted((symbol, power) for symbol, power in powers.items() if power))
    return Unit(spelled, dimension, factor)


def read_quantity(answer: str) -> Quantity | None:
    """The number and unit of an answer that is one number followed by a unit we know, else None."""
    text = strip_math_delimiters(answer.strip())
    if len(text) > 200:
        return None
    text = _WRAPPER.sub(lambda m: " " + m.group(1).strip() + " ", text)
    text = re.sub(r"\\[,;:! ]|~", " ", text).replace("\\%", "%").strip()
    match = _QUANTITY.fullmatch(text)
    if match is None:
        return None
    unit_text = match.group("unit")
    if not match.group("gap") and unit_text.strip().lower() in _SINGLE_LETTER:
        return None  # 2m is an expression in m
    unit = parse_unit(unit_text)
    return None if unit is None else Quantity(match.group("value").replace(",", ""), unit)


def _number_text(number: PlainNumber) -> str:
    value = number.value
    if value.denominator == 1:
        return str(value.numerator)
    if number.is_decimal:
        scaled = value
        for places in range(1, 40):
            scaled *= 10
            if scaled.denominator == 1:
                return f"{'-' if value < 0 else ''}{abs(scaled.numerator) // 10**places}." \
                       f"{abs(scaled.numerator) % 10**places:0{places}d}"
    return f"{value.numerator}/{value.denominator}"


def convert_answer(reference: Quantity | None, answer: str) -> tuple[str | None, str] | None:
    """Where the reference (read once by :func:`read_quantity`) and ``answer`` both carry a unit: (the answer's
    number in the reference's unit, or None when the dimensions differ, and a note ``"cm -> m"``); None when
    either side has no unit we know or the answer's number is not a plain one."""
    pred = None if reference is None else read_quantity(answer)
    if reference is None or pred is None:
        return None
    note = f"{pred.unit.text} -> {reference.unit.text}"
    if reference.unit.dimension != pred.unit.dimension:
        return None, note
    number = parse_plain_number(pred.value)
    if number is None:
        return None
    ratio = pred.unit.factor / reference.unit.factor
    ulp = None if number.ulp is None else number.ulp * abs(ratio)
    return _number_text(PlainNumber(number.value * ratio, number.sig_figs, ulp)), note
