"""The symbolic components of the coherence score: equations, numbers, answer, copying."""

from __future__ import annotations

import pytest

from verifiers.coherence.checks import check_numbers, copied_fraction, extract_final_answer
from verifiers.coherence.equations import extract_equations, extract_numbers
from verifiers.coherence.suspects import find_suspects

QUESTION = "Maya has 12 apples. She gives 4 to her brother and buys 7 more. How many apples does she have now?"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She has 12 - 4 = 8 apples.", [("valid", [8.0])]),
        ("She has 12 - 4 = 9 apples.", [("invalid", [9.0])]),
        ("It covers 60 x 3 = 180 miles.", [("valid", [180.0])]),  # a spaced x multiplies
        ("It covers 60x3=180 miles.", [("valid", [180.0])]),  # so does an x between digits
        ("0.25 × 40 = $10 and 2 * (14 + 9) = 46", [("valid", [10.0]), ("valid", [46.0])]),
        ("So the cost is $50 / 3 = $16.67.", [("valid", [16.67])]),  # equal to the decimals shown
        ("So the cost is $50 / 3 = $16.6.", [("invalid", [16.6])]),
        ("Because 3 + 5 = 8, the red ones are 40 - 8 = 32.", [("valid", [8.0]), ("valid", [32.0])]),
        ("Together h + 3h = 4h = 48 books.", [("valid", [4.0])]),  # an identity in h; 4h = 48 is a constraint
        ("So h = 48 / 4 = 12.", [("valid", [12.0])]),  # "h = 48 / 4" is a constraint
        ("It is 25% x 60 = 15.", [("valid", [15.0])]),  # a percentage is a fraction in arithmetic
        ("The answer is 15. Nothing to check here.", []),
        ("Then x = 5, a plain assignment.", []),
    ],
)
def test_extract_equations(text: str, expected: list[tuple[str, list[float]]]) -> None:
    found = [e for e in extract_equations(text) if e.status != "constraint"]
    assert [(e.status, [n.value for n in e.results]) for e in found] == expected


def test_extract_numbers_reads_amounts_and_percentages() -> None:
    numbers = extract_numbers("It costs $1,200.50, a 25% rise, over 3 days.")
    assert [(n.value, n.percent) for n in numbers] == [(1200.5, False), (25.0, True), (3.0, False)]
    assert numbers[1].values == (25.0, 0.25)


@pytest.mark.parametrize(
    ("steps", "grounding", "unsupported"),
    [
        (["She gives 4 away: 12 - 4 = 8.", "She buys 7 more: 8 + 7 = 15."], [1.0, 1.0], []),
        # 30 appears from nowhere, and stays unsupported when reused
        (["Maya has 12 apples.", "Then she has 30 apples.", "So 30 it is."], [1.0, 0.0, 0.0], [30.0]),
        # 8 is one operation away from the givens: implied, half credit
        # (step 2: 8 implied, 7 given, 15 as grounded as its weakest operand)
        (["She has 8 apples after the gift.", "Then 8 + 7 = 15."], [0.5, pytest.approx(2 / 3)], []),
        # a valid equation built on an unsupported number grounds nothing
        (["A full basket holds 360 apples.", "So 360 - 12 = 348."], [0.0, pytest.approx(1 / 3)], [360.0, 348.0]),
        (["She thinks hard.", "It is done now."], [None, None], []),  # no numbers: nothing to judge
    ],
)
def test_numeric_grounding(steps: list[str], grounding: list[float | None], unsupported: list[float]) -> None:
    report = check_numbers(QUESTION, steps)
    assert report.step_grounding == grounding
    assert report.unsupported == unsupported


@pytest.mark.parametrize(
    ("steps", "derivation"),
    [
        (["She gives 4 away: 12 - 4 = 8.", "8 + 7 = 15.", "The answer is 15."], 1.0),
        (["She gives some away.", "The answer is 15."], 0.0),  # 15 is never computed
        (["She has 8 apples.", "The answer is 8."], 0.5),  # only implied (12 - 4)
        (["She gives 4 away.", "The answer is 12."], 0.0),  # a given restated is not derived
        (["12 - 4 = 8.", "The answer is 0."], 0.0),  # 0 is never implied by a - a
        (["Compute 12 - 4 = 8.", "Then 8 + 7 = 15 apples."], 1.0),  # no marker: the last number
    ],
)
def test_answer_derivation(steps: list[str], derivation: float) -> None:
    assert check_numbers(QUESTION, steps).answer_derivation == derivation


@pytest.mark.parametrize(
    ("steps", "coverage"),
    [
        (["12 - 4 = 8.", "8 + 7 = 15."], 1.0),
        (["12 - 4 = 8.", "The answer is 8."], 2 / 3),  # 7 is never used
        (["The shirt costs 30% less."], 1.0),  # no question numbers below
    ],
)
def test_coverage(steps: list[str], coverage: float) -> None:
    question = QUESTION if "shirt" not in steps[0] else "What does the shirt cost?"
    assert check_numbers(question, steps).coverage == pytest.approx(coverage)


@pytest.mark.parametrize(
    ("steps", "answer"),
    [
        (["x", "The answer is $85."], 85.0),
        (["x", "#### 1,234"], 1234.0),
        (["x", "so \\boxed{42}"], 42.0),
        (["The answer is 7.", "We double-check 3 + 4 = 7 and 9."], 7.0),  # the marker wins over the last number
        (["We get 3 + 4 = 7 apples."], 7.0),
        (["No numbers here."], None),
    ],
)
def test_extract_final_answer(steps: list[str], answer: float | None) -> None:
    found = extract_final_answer(steps)
    assert (found.value if found else None) == answer


@pytest.mark.parametrize(
    ("step", "low", "high"),
    [
        ("Maya has 12 apples.", 1.0, 1.0),  # a question sentence copied verbatim
        ("She gives 4 to her brother and buys 7 more.", 1.0, 1.0),
        ("Maya starts with 12 apples.", 0.0, 0.5),  # a restatement in new words
        ("After giving 4 away she has 12 - 4 = 8.", 0.0, 0.3),
    ],
)
def test_copied_fraction(step: str, low: float, high: float) -> None:
    assert low <= copied_fraction(step, QUESTION) <= high


@pytest.mark.parametrize(
    ("steps", "window", "kinds"),
    [
        (["So x = 7 - 2 = 5.", "Then we add nothing.", "# Answer 5"], None, []),  # stated earlier: supported
        (["So x = 7 - 2 = 5.", "Then we add nothing.", "# Answer 5"], 1, ["unsupported_answer"]),  # not just before
        (["So x = 7 - 2 = 5.", "Then we add nothing.", "# Answer 5"], 2, []),
        (["We need the sum.", "It is large.", "# Answer 12"], None, ["unsupported_answer"]),  # from nowhere
    ],
)
def test_answer_support_window(steps: list[str], window: int | None, kinds: list[str]) -> None:
    assert [s.kind for s in find_suspects(steps, window)] == kinds
