"""Normalisation of answer strings and exact reading of plain numbers (the path without sympy)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from verifiers.math.compare import numbers_equal
from verifiers.math.normalize import normalize_answer, parse_plain_number


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("1,234,567", "1234567"),
        ("1{,}234{,}567", "1234567"),  # LaTeX {,} separator
        ("10\\,000", "10000"),  # thin space as thousands separator
        ("1, 2", "1, 2"),  # a list, not a thousands separator
        ("\u22125", "-5"),  # unicode minus
        ("\u20135", "-5"),  # en dash
        ("\\dfrac{1}{2}", "\\frac{1}{2}"),
        ("\\tfrac12", "\\frac{1}{2}"),
        ("\\frac 34", "\\frac{3}{4}"),  # TeX shorthand with a space
        ("\\left( 1, 2 \\right]", "( 1, 2 ]"),
        ("$\\$18.50$", "18.50"),  # currency inside math delimiters
        ("12\\text{ cm}^2", "12"),  # a unit with its exponent
        ("90\\text{ degrees}", "90"),
        ("30^\\circ", "30"),
        ("45\u00b0", "45"),
        ("12.5\\%", "12.5%"),  # one canonical percent mark; compare applies the percent rule
        ("25 percent", "25%"),
        ("28 pct", "28%"),
        ("4 4/9percentage", "4 4/9%"),
        ("2.5 km/h", "2.5"),
        ("60 mph", "60"),
        ("12\\\\", "12"),  # trailing TeX line break
        ("5.", "5"),  # trailing period
        ("x \\in [2, 5]", "[2, 5]"),
        ("2 \\text{ and } 1", "2, 1"),
        ("3m", "3m"),  # a single-letter unit needs a space: 3m may be 3 times m
    ],
)
def test_normalize_answer(raw: str, normalized: str) -> None:
    assert normalize_answer(raw) == normalized


@pytest.mark.parametrize(
    ("text", "value", "sig_figs"),
    [
        ("42", Fraction(42), None),
        ("-1.50", Fraction(-3, 2), 3),  # trailing zero is significant
        ("0.0833", Fraction(833, 10000), 3),  # leading zeros are not
        ("4.2E5", Fraction(420000), 2),
        ("3e8", Fraction(300000000), None),  # an integer mantissa reads as an exact integer
        ("1.5 \\times 10^{3}", Fraction(1500), 2),
        ("\\frac{-1}{2}", Fraction(-1, 2), None),
        ("-\\frac{3}{2}", Fraction(-3, 2), None),
        ("3/7", Fraction(3, 7), None),
        ("7 1/2", Fraction(15, 2), None),  # plain-text mixed number
        ("2\\frac{1}{2}", Fraction(5, 2), None),  # LaTeX mixed number
        ("-2\\frac{1}{2}", Fraction(-5, 2), None),
    ],
)
def test_parse_plain_number(text: str, value: Fraction, sig_figs: int | None) -> None:
    number = parse_plain_number(text)
    assert number is not None
    assert (number.value, number.sig_figs) == (value, sig_figs)


@pytest.mark.parametrize("text", ["x+1", "\\sqrt{2}", "1/0", "2^{10}", "1e999", "9" * 500])
def test_not_a_plain_number(text: str) -> None:
    assert parse_plain_number(text) is None


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        ("0.5", "1/2", True),
        ("0.333333", "1/3", True),  # 6 significant figures
        ("0.33333", "1/3", False),  # 5 are too few
        ("0.166667", "1/6", True),  # rounded
        ("0.166666", "1/6", False),  # truncated: 1/6 rounds to 0.166667 at this precision
        ("0.166668", "1/6", False),  # off by more than half a unit in the last place
        ("12.0001", "12", False),  # a decimal matches only what it rounds to
        ("0.5000001", "1/2", False),
        ("12.0000", "12", True),
        ("0.0833333333", "1/12", True),
        ("99.99", "99.98", False),
        ("10.1", "10", False),
        ("18.50", "18.5", True),
        ("1e-8", "2e-8", False),  # tiny values compare relatively, never to absolute decimals
    ],
)
def test_numbers_equal(a: str, b: str, equal: bool) -> None:
    first, second = parse_plain_number(a), parse_plain_number(b)
    assert first is not None and second is not None
    assert numbers_equal(first, second) is equal
    assert numbers_equal(second, first) is equal
