"""Units on both sides are compared in one unit; a unit on one side only is not asked for."""

from __future__ import annotations

from fractions import Fraction

import pytest

from plugins.registry import make_verifier
from verifiers.math.units import parse_unit, read_quantity


@pytest.fixture(scope="module")
def math_verifier():
    verifier = make_verifier("math")
    yield verifier
    verifier.close()


@pytest.mark.parametrize(
    ("pred", "gold", "passed"),
    [
        ("\\boxed{4500 cm}", "45 m", True),
        ("\\boxed{45 cm}", "45 m", False),  # was a match while units were stripped from both sides
        ("\\boxed{45\\,\\mathrm{cm}}", "45\\text{ m}", False),
        ("\\boxed{3 hours}", "180 minutes", True),
        ("\\boxed{43.2 km/h}", "12 m/s", True),
        ("\\boxed{12 km/h}", "12 m/s", False),
        ("The answer is 45 s.", "45 m", False),  # another dimension: "units differ"
        ("\\boxed{0.5 km}", "500 m", True),
        ("\\boxed{\\frac{1}{2} km}", "500 m", True),
        ("\\boxed{2000 \\text{cm}^2}", "0.2 m^2", True),  # squared units scale squared
        ("\\boxed{1500 ml}", "1.5 L", True),
        ("\\boxed{12 inches}", "1 ft", True),
        ("\\boxed{333.3 m}", "1/3 km", False),  # a decimal still matches only at its own precision
        ("\\boxed{45}", "45 m", True),  # one side only: the unit is not asked for
        ("\\boxed{45 m}", "45", True),
        ("\\boxed{12 apples}", "12", True),  # a count word, not a unit we convert: stripped as before
    ],
)
def test_units_on_both_sides(math_verifier, pred, gold, passed):
    verdict = math_verifier.verify(pred, gold)
    assert verdict.passed is passed, verdict
    assert verdict.status == "ok"


def test_a_mismatch_of_dimension_says_so(math_verifier):
    verdict = math_verifier.verify("\\boxed{45 s}", "45 m")
    assert verdict.reason == "units differ (s -> m)" and verdict.details["units"] == "s -> m"


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("45\\text{ m}", "45", "m"),
        ("5\\,\\mathrm{m/s^{2}}", "5", "m/s^{2}"),
        ("1,500 m", "1500", "m"),
        ("3 mph", "3", "mi/h"),
        ("5 square feet", "5", "square feet"),
        ("2m", None, None),  # a single letter glued to a number is an expression in m
        ("x m", None, None),
        ("1,2 m", None, None),  # not a thousands group: a list or a decimal comma, not read as 12
        ("12 apples", None, None),
        ("9" * 300 + " m", None, None),  # too long to be a stated quantity
    ],
)
def test_read_quantity(text, value, unit):
    quantity = read_quantity(text)
    assert (quantity.value, quantity.unit.text) == (value, unit) if value else quantity is None


@pytest.mark.parametrize(
    ("unit", "factor"),
    [("km/h", Fraction(5, 18)), ("cm^2", Fraction(1, 10**4)), ("ml", Fraction(1, 10**6)), ("min", 60)],
)
def test_unit_factors_in_si(unit, factor):
    assert parse_unit(unit).factor == factor
