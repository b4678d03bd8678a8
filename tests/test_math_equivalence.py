"""Equivalence per category, through the `math` verifier (fast path and sympy workers), plus the dev pairs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verifiers.math.verifier import MathVerifier

DATA = Path(__file__).parent / "data" / "math_pairs.jsonl"


@pytest.fixture(scope="module")
def math_verifier():
    with MathVerifier(timeout=10) as verifier:
        yield verifier


def check(verifier: MathVerifier, gold: str, pred: str) -> bool | None:
    return verifier.verify(f"\\boxed{{{pred}}}", gold).passed


@pytest.mark.parametrize(
    ("gold", "pred", "equal"),
    [
        ("72", "72", True),
        ("1200", "600", False),
        ("1234567", "1,234,567", True),
        ("\\frac{3}{4}", "0.75", True),
        ("\\frac{1}{3}", "0.33", False),  # too coarse
        ("\\frac{1}{12}", "0.0833333333", True),
        ("0.1", "\\frac{1}{9}", False),
        ("\\frac{5}{2}", "2\\frac{1}{2}", True),  # mixed number
        ("7\\frac{1}{2}", "7.5", True),
        ("50\\%", "50", True),  # percent is a unit
        ("50", "0.5", False),  # ... and never a conversion
        ("1500", "1.5 \\times 10^{3}", True),
        ("2.5 \\times 10^{-4}", "0.00025", True),
        ("1 \\times 10^{-8}", "2 \\times 10^{-8}", False),
        ("17", "-17", False),
        ("30^\\circ", "30", True),
        ("5", "500 \\text{ cm}", False),  # units are stripped, never converted
        ("-\\frac{1}{2}", "\\frac{1}{-2}", True),
        ("\\{1,2,3,4\\}", "\\{4,3,2,1\\}", True),  # sets are unordered
        ("1, 2, 3", "1, 2", False),
        ("(3, -2)", "(-2, 3)", False),  # tuples are ordered
        ("(1, 2]", "\\left( 1, 2 \\right]", True),
        ("[2, \\infty)", "(2, \\infty)", False),
        ("(2, 5)", "2 < x < 5", True),  # an interval equals the inequality
        ("x \\ge 2", "[2, \\infty)", True),
        ("x < 1", "x > 1", False),
        ("3", "x=3", True),
        ("-2", "x=2", False),
        ("E", "D", False),  # multiple-choice letters
        ("\\text{(B)}", "B", True),
        ("\\text{Yes}", "\\text{yes}", True),
        ("\\frac{1}{6}", "0.1\\overline{6}", True),  # repeating decimal
        ("1500", "1.5 \u00d7 10\u00b3", True),  # unicode times and superscript
        ("\\{1,2\\}", "{1, 2}", True),  # set braces without backslashes
        ("1, 2", "x = 1 \\text{ or } x = 2", True),
        ("(-\\infty, 2) \\cup (3, \\infty)", "x < 2 \\text{ or } x > 3", True),  # a union written as 'or'
        ("5", "\\text{5 dollars}", True),
    ],
)
def test_fast_categories(math_verifier: MathVerifier, gold: str, pred: str, equal: bool) -> None:
    verdict = math_verifier.verify(f"\\boxed{{{pred}}}", gold)
    assert verdict.passed is equal
    assert verdict.details["path"] == "fast"  # plain numbers, their sets, tuples and intervals need no sympy


@pytest.mark.parametrize(
    ("gold", "pred", "equal"),
    [
        ("2\\sqrt{2}", "\\sqrt{8}", True),
        ("\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}", True),
        ("\\sqrt{2}", "1.41421356", True),  # a decimal to >= 6 significant figures
        ("\\sqrt{2}", "1.41", False),
        ("12\\pi", "12", False),
        ("\\frac{9\\pi}{4}", "\\frac{9}{4}\\pi", True),
        ("\\frac{1}{2^{99}}", "\\frac{1}{2^{98}}", False),  # Math-Verify accepts this one
        ("10^{100}", "10^{100}+1", False),
        ("\\frac{1}{3^{50}}", "\\frac{1}{3^{49}}", False),  # tiny values differ by 3x
        ("2^{2^{2}}", "16", True),
        ("x^2+2x+1", "(x+1)^2", True),
        ("(x-1)^3", "(1-x)^3", False),
        ("1", "\\sin^2 x + \\cos^2 x", True),  # an identity
        ("x+1", "y+1", False),
        ("\\frac{x^2-4}{x-2}", "x+2", True),  # equal where defined
        ("y = -\\frac{1}{2}x + 3", "x + 2y = 6", True),  # the same line
        ("y = 3x - 2", "y = 3x + 2", False),
        ("3+4i", "4i+3", True),
        ("i", "\\sqrt{-1}", True),
        ("\\pm 2", "2, -2", True),
        ("-1, \\frac{1}{2}", "\\frac12, -1", True),
        ("(-\\infty, -1) \\cup (1, \\infty)", "(1,\\infty) \\cup (-\\infty,-1)", True),  # union order
        ("(-\\infty, -1) \\cup (1, \\infty)", "(-1, 1)", False),
        ("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}", True),
        ("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix} 1 & 3 \\\\ 2 & 4 \\end{pmatrix}", False),
        ("\\left(\\frac{1}{2}, 4\\right)", "(0.5, 4)", True),
        ("256", "2^7", False),
        ("2\\pi", "\\pi", False),
        ("e^2", "e^{2}", True),
        ("\\pm 2", "x = \\pm 2", True),
        ("10^{100}", "1e100", True),
        ("10^{100}", "1e99", False),
        ("\\sqrt{3}", "1.732", False),  # four figures are too few for an irrational value
    ],
)
def test_symbolic_categories(math_verifier: MathVerifier, gold: str, pred: str, equal: bool) -> None:
    assert check(math_verifier, gold, pred) is equal


def _dev_rows() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("row", _dev_rows(), ids=lambda row: f"{row['id']}-{row['category']}")
def test_dev_pairs(math_verifier: MathVerifier, row: dict) -> None:
    verdict = math_verifier.verify(row["pred"], row["gold"])
    assert verdict.passed is row["equal"], (row["note"], verdict.reason, verdict.details)
