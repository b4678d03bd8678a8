"""Normalise a math answer string, and read plain numbers exactly without sympy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["PlainNumber", "normalize_answer", "parse_plain_number", "strip_math_delimiters"]

_UNICODE = {
    "\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u00d7": r"\times ", "\u22c5": r"\cdot ",
    "\u00b7": r"\cdot ", "\u00f7": r"\div ", "\u03c0": r"\pi ", "\u221e": r"\infty ", "\u221a": r"\sqrt",
    "\u2264": r"\le ", "\u2265": r"\ge ", "\u2260": r"\ne ", "\u222a": r"\cup ", "\u00b1": r"\pm ",
    "\u00b0": r"^\circ", "\u00b2": "^2", "\u00b3": "^3",
    "\u2009": r"\,", "\u202f": r"\,", "\u00a0": " ", "\u2032": "'", "\uff0c": ",",
}
_SPACING = re.compile(r"\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big|displaystyle|textstyle|limits)(?![a-zA-Z])")
_SPACES = re.compile(r"\\(?:;|:|!|quad|qquad)|~")
_FRAC_ALIAS = re.compile(r"\\[dt]frac(?![a-zA-Z])")
_FRAC_SHORT = re.compile(r"\\frac\s*([0-9a-zA-Z])\s*([0-9a-zA-Z])")
_FRAC_HALF = re.compile(r"\\frac\s*(\{[^{}]*\})\s*([0-9a-zA-Z])")
_SQRT_SHORT = re.compile(r"\\sqrt\s*([0-9a-zA-Z])")
# a thousands separator: bare comma, TeX thin space, {,} or {, }, ",\!" or a space; never after a lone 0
_THOUSANDS = re.compile(
    r"(?<![\d.])([1-9]\d{0,2})((?:(?:,\s*\\!\s*|,|\\,|\s*\{\s*,\s*\}\s*|\\ |\s)\d{3})+)(?![\d])"
)
_BARE_COMMA_GROUPS = re.compile(r"\d{1,3}(?:,\d{3})+")
_DEGREES = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|\\degree(?![a-zA-Z])|\\circ(?![a-zA-Z])")
_PERCENT = re.compile(r"\s*(?:\\?%|(?<![A-Za-z])(?:percentage|percent|per\s+cent|pct)\b)")
_NOT_EQUAL = re.compile(r"\\neq(?![a-zA-Z])|!=|\\ne(?![a-zA-Z])")
_DOUBLED = re.compile(
    r"(?<!\\)\\\\(?=(?:left|right|frac|dfrac|tfrac|sqrt|boxed|text|cdot|times|pi|infty|le|ge|neq?|circ|mathrm)(?![a-zA-Z]))"
)
_TRIG_DEGREES = re.compile(
    r"\\(sin|cos|tan|cot|sec|csc)\s*(\(?)\s*(-?\d+(?:\.\d+)?)\s*(?:\^\s*\{?\s*\\circ\s*\}?|\\degree)\s*(\)?)"
)
_EMPTY_SET = re.compile(r"\\varnothing(?![a-zA-Z])|\\emptyset(?![a-zA-Z])|^\\\{\s*\\\}$|^\{\s*\}$")
_REALS = re.compile(r"\\mathbb\s*\{?\s*R\s*\}?|\\R(?![a-zA-Z])")
_LATEX_MIXED = re.compile(r"(?<![\d.}^_{])(\d+)\s*\\frac\{(\d+)\}\{(\d+)\}(?=\s*[\\a-zA-Z(])")
_WRAPPED_ENV = re.compile(r"^[\[(]\s*(\\begin\{(\w+)\}.*\\end\{\2\})\s*[\])]$", re.S)
_TRAILING_CURRENCY = re.compile(r"(?<=\d)\s*(?:\\\$|\$|€|£|¥)\s*$")
_OPERATOR_NAME = re.compile(r"\\(?:operatorname|mathrm|text)\s*\{\s*(gcd|lcm|max|min|log|ln|sin|cos|tan)\s*\}")
_QUOTES = "\"'“”"
_TEXT_CMD = re.compile(r"\\(?:text|textbf|textit|mathrm|mathbf|mbox|operatorname|mathit|textnormal)\s*\{([^{}]*)\}")
_UNIT_WORDS = (
    "dollars|dollar|cents|cent|percent|degrees|degree|units|unit|square|sq|cubic|meters|meter|metres|metre|cm|mm|"
    "km|kg|mg|lb|lbs|pounds|pound|ounces|oz|feet|foot|ft|inches|inch|yards|yd|miles|mile|hours|hour|hr|hrs|"
    "minutes|minute|min|mins|seconds|second|sec|days|day|weeks|week|months|month|years|year|mph|kmh|km/h|m/s|"
    "liters|liter|litres|litre|ml|gallons|gallon|(?<=\\s)(?:m|s|h|l|g|in|mi)|cups|cup|people|persons|students|apples|items|marbles|points|"
    "times|ways|euros|euro|yuan|rupees|coins|books|pages|miles/hour|mpg|sq\\.?\\s*units|cm\\^?2|m\\^?2|ft\\^?2"
)
_TRAILING_UNIT = re.compile(rf"(?<=[\d}}.)])\s*(?:\\,)?\s*(?:{_UNIT_WORDS})(?:\s*\^\s*\{{?[23]\}}?)?\s*$", re.I)
# a \text{unit} after a number (after a thin space too: 45\,\mathrm{m}), with an optional exponent inside or
# after it (\mathrm{m/s^2}, \text{cm}^3)
_TEXT_UNIT = re.compile(
    r"(?<=[\d}.)])\s*(?:\\[,;:! ]\s*|~\s*)?\\(?:text|mbox|mathrm|textbf|textnormal|textit|mathit|textrm)\s*"
    r"\{\s*[A-Za-z][A-Za-z .\/]*(?:\^\s*(?:-?\d|\{-?\d\}))?[A-Za-z .\/]*\}(?:\s*\^\s*\{?[23]\}?)?\s*$"
)
_MEMBERSHIP = re.compile(r"^[A-Za-z]\s*\\in\s*(?=[\[(\\{])")  # x \in [2, 5] is [2, 5]
_JOINED = re.compile(
    r"\s*,?\s*\\text\s*\{\s*(?:and|or)\s*\}\s*|,\s*(?:and|or)\s+|(?<=[\d}])\s+(?:and|or)\s+(?=[-\d\\(a-z])|(?<=\))\s*(?:and|or)\s*(?=\()"
)
_CURRENCY = re.compile(r"^\s*(?:\\\$|\$|USD|US\$|€|£|¥|Rs\.?)\s*")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SCI = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))\s*(?:\\times|\\cdot|\*|x)\s*10\s*\^\s*\{?\s*([+-]?\d+)\s*\}?")
_FRACTION = re.compile(r"([+-]?)\s*\\frac\{\s*([+-]?\d+)\s*\}\{\s*([+-]?\d+)\s*\}|([+-]?\d+)\s*/\s*([+-]?\d+)")
_SIMPLE_NUMBER = re.compile(r"-?(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)(?:\.\d+)?")
_REPEATING = re.compile(r"([+-]?)(\d*)\.(\d*)\\overline\{?(\d{1,50})\}?")
_MIXED = re.compile(
    r"([+-]?\d+)\s*(?:\s|\\ )\s*(?:\\frac\{(\d+)\}\{(\d+)\}|(\d+)/(\d+))|([+-]?\d+)\\frac\{(\d+)\}\{(\d+)\}"
)


def strip_math_delimiters(text: str) -> str:
    """Remove one layer of $…$, $$…$$, \\(…\\) or \\[…\\] around the whole string."""
    text = text.strip()
    for left, right in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        if text.startswith(left) and text.endswith(right) and len(text) >= len(left) + len(right):
            return text[len(left) : len(text) - len(right)].strip()
    return text


def _strip_units(text: str) -> str:
    text = _CURRENCY.sub("", text)
    for _ in range(3):
        before = text
        text = _TEXT_UNIT.sub("", text)
        text = _TRAILING_UNIT.sub("", text).strip()
        if text == before:
            break
    return text


def _depth_at(text: str, index: int) -> int:
    return sum((char in "([") - (char in ")]") for char in text[:index])


def _thousands(match: re.Match[str]) -> str:
    """Drop a thousands separator; a bare comma inside brackets separates items: (12,102) is a pair."""
    if _BARE_COMMA_GROUPS.fullmatch(match.group(0)) and _depth_at(match.string, match.start()) > 0:
        return match.group(0)
    return match.group(1) + re.sub(r"\D", "", match.group(2))


def _semicolons(text: str) -> str:
    """``(0;1;2)`` and ``-12;-11`` use semicolons for commas; where both occur at one depth, they stay apart."""
    if ";" not in text:
        return text
    depth, depths = 0, {",": set(), ";": set()}
    for char in text:
        depth += (char in "([{") - (char in ")]}")
        if char in depths:
            depths[char].add(depth > 0)
    return text if depths[","] & depths[";"] else text.replace(";", ",")


def _approximation(text: str) -> str:
    """``x = 1/3 \\approx 0.33`` states the exact value first: keep it (or the estimate if only a name precedes)."""
    if "\\approx" not in text:
        return text
    exact, _, estimate = text.partition("\\approx")
    exact = exact.strip()
    return estimate.strip() if re.fullmatch(r"[A-Za-z](?:_\{?\w+\}?)?|", exact) else exact


def _tex_forms(text: str) -> str:
    """LaTeX spellings of one thing made one: fractions, sets, relations, degrees inside trig, mixed numbers."""
    text = _DOUBLED.sub(r"\\", text)
    text = _SPACING.sub("", text)
    text = re.sub(r"\\\\\s*$", "", text).strip()  # a trailing TeX line break
    text = text.replace("\\\\", "\\cr ")  # row breaks survive the spacing rules below
    text = text.rstrip(" .;,").strip().strip(_QUOTES).strip()
    text = _WRAPPED_ENV.sub(r"\1", text)
    text = _FRAC_ALIAS.sub(r"\\frac", text)
    text = _FRAC_SHORT.sub(r"\\frac{\1}{\2}", text)
    text = _FRAC_HALF.sub(r"\\frac\1{\2}", text)
    text = _SQRT_SHORT.sub(r"\\sqrt{\1}", text)
    text = _NOT_EQUAL.sub(r" \\ne ", text)
    text = _OPERATOR_NAME.sub(r"\\\1", text)
    text = _EMPTY_SET.sub(r"\\emptyset", text)
    text = _REALS.sub(r"(-\\infty, \\infty)", text)
    text = _TRIG_DEGREES.sub(lambda m: f"\\{m.group(1)}({m.group(3)}\\pi/180)", text)
    text = _LATEX_MIXED.sub(lambda m: f"({m.group(1)}+\\frac{{{m.group(2)}}}{{{m.group(3)}}})"
                            if int(m.group(2)) < int(m.group(3)) else m.group(0), text)
    return _approximation(text)


def normalize_answer(text: str) -> str:
    """Canonical string form of an answer: delimiters, spacing, units, separators and LaTeX aliases.

    A percentage keeps one trailing ``%`` (``28\\%``, ``28 percent`` and ``28 pct`` all read ``28%``);
    :func:`verifiers.math.compare.equivalent` decides what it equals.
    """
    text = text.strip()
    if _SIMPLE_NUMBER.fullmatch(text):  # the common GSM8K case, without the rules below
        return text.replace(",", "")
    for char, replacement in _UNICODE.items():
        text = text.replace(char, replacement)
    text = _tex_forms(strip_math_delimiters(text))
    text = _THOUSANDS.sub(_thousands, text)
    text = _DEGREES.sub("", text)
    text = _PERCENT.sub("%", text)
    wrapped = _TEXT_CMD.fullmatch(text)
    if wrapped and re.match(r"\s*[-\d.]", wrapped.group(1)):
        text = wrapped.group(1).strip()  # \text{5 dollars} is the number 5 with a unit
    text = _TRAILING_CURRENCY.sub("", _strip_units(text))
    text = _SPACES.sub(" ", text)
    text = _MEMBERSHIP.sub("", text)
    text = _JOINED.sub(", ", text)
    text = text.replace("\\,", " ").replace("\\ ", " ")
    text = _semicolons(re.sub(r"\s+", " ", text).strip())
    return text


@dataclass(frozen=True)
class PlainNumber:
    """An exactly read number; ``decimals`` is the count of significant figures of a decimal, else None."""

    value: Fraction
    sig_figs: int | None = None
    ulp: Fraction | None = None

    @property
    def is_decimal(self) -> bool:
        return self.sig_figs is not None


def _decimal(mantissa: str, exponent: int = 0) -> PlainNumber:
    sign = -1 if mantissa.startswith("-") else 1
    digits = mantissa.lstrip("+-")
    whole, _, frac = digits.partition(".")
    value = Fraction(int(whole or "0") * 10 ** len(frac) + int(frac or "0"), 10 ** len(frac)) * sign
    value *= Fraction(10) ** exponent
    if not frac and exponent >= 0 and "." not in digits:
        return PlainNumber(value)
    significant = (whole + frac).lstrip("0") or "0"
    return PlainNumber(value, len(significant), Fraction(10) ** (exponent - len(frac)))


def parse_plain_number(text: str) -> PlainNumber | None:
    """Read an integer, decimal, fraction, mixed number or scientific form exactly; None for anything else."""
    text = text.strip().replace("{", "").replace("}", "") if "\\frac" not in text else text.strip()
    if len(text) > 400:
        return None
    if _NUMBER.fullmatch(text):
        mantissa, _, exponent = text.lower().partition("e")
        if exponent and abs(int(exponent)) > 400:
            return None
        if exponent or "." in mantissa:
            return _decimal(mantissa, int(exponent or "0"))
        return PlainNumber(Fraction(int(text)))
    match = _REPEATING.fullmatch(text)
    if match:  # 0.1\overline{6} is 1/6
        sign, whole, fixed, cycle = match.groups()
        value = int(whole or "0") + Fraction(int(fixed or "0"), 10 ** len(fixed))
        value += Fraction(int(cycle), 10 ** len(fixed) * (10 ** len(cycle) - 1))
        return PlainNumber(-value if sign == "-" else value)
    match = _SCI.fullmatch(text)
    if match and abs(int(match.group(2))) <= 400:
        return _decimal(match.group(1), int(match.group(2)))
    match = _FRACTION.fullmatch(text)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        num, den = (match.group(2), match.group(3)) if match.group(2) else (match.group(4), match.group(5))
        return None if int(den) == 0 else PlainNumber(sign * Fraction(int(num), int(den)))
    match = _MIXED.fullmatch(text)
    if match:
        groups = [g for g in match.groups() if g is not None]
        whole, num, den = int(groups[0]), int(groups[1]), int(groups[2])
        if den == 0 or num >= den:
            return None
        part = Fraction(num, den)
        return PlainNumber(whole - part if groups[0].startswith("-") else whole + part)
    return None
