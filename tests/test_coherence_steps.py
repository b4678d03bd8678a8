"""Segmentation of a reasoning chain into steps."""

from __future__ import annotations

import pytest

from verifiers.coherence.steps import segment_steps, split_sentences


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        (
            "Maya has 12 apples.\nShe gives 4 away, so 12 - 4 = 8.",
            ["Maya has 12 apples.", "She gives 4 away, so 12 - 4 = 8."],
        ),
        # one paragraph: split into sentences
        (
            "It works 3 x 5 = 15 days. It makes 15 x 250 = 3750 toys. The answer is 3750.",
            ["It works 3 x 5 = 15 days.", "It makes 15 x 250 = 3750 toys.", "The answer is 3750."],
        ),
        # "Step N:" labels, inline or on their own lines, are stripped
        (
            "Step 1: The box costs $5. Step 2: Two boxes cost 2 x 5 = $10.",
            ["The box costs $5.", "Two boxes cost 2 x 5 = $10."],
        ),
        ("Step 1:\n12 - 4 = 8 apples.\nStep 2:\nShe has 8 + 7 = 15.", ["12 - 4 = 8 apples.", "She has 8 + 7 = 15."]),
        # decimals and amounts stay whole
        (
            "Each costs $0.10 and 0.25 x 40 = 10. So the total is $1,200.50 today.",
            ["Each costs $0.10 and 0.25 x 40 = 10.", "So the total is $1,200.50 today."],
        ),
        # bullets and list numbers are stripped
        (
            "- First we add 2 + 3 = 5.\n* Then we double it.\n3. The answer is 10.",
            ["First we add 2 + 3 = 5.", "Then we double it.", "The answer is 10."],
        ),
        # a one-word fragment is merged into the step before it
        ("We add 2 + 3 = 5. Done.\nThe answer is 5.", ["We add 2 + 3 = 5. Done.", "The answer is 5."]),
        # an abbreviation does not end a sentence
        ("We use e.g. Apples here. Then we count them.", ["We use e.g. Apples here.", "Then we count them."]),
        ("", []),
    ],
)
def test_segment_steps(text: str, steps: list[str]) -> None:
    assert segment_steps(text).steps == steps


@pytest.mark.parametrize(
    ("text", "empty"),
    [
        ("Step 1: a b c.\nStep 2:\nStep 3: d e f.", 1),
        ("Step 1: a b c.\nStep 2:", 1),  # a trailing label with nothing after it
        ("First line here.\n...\nLast line here.", 1),  # a step with no words at all
        ("Step 1:\nalpha beta.\nStep 2:\ngamma delta.", 0),  # label on its own line, text below
    ],
)
def test_empty_steps_are_counted(text: str, empty: int) -> None:
    assert segment_steps(text).empty_steps == empty


def test_caps_number_and_length_of_steps() -> None:
    text = "\n".join(f"Line number {i} says something." for i in range(50)) + "\n" + "word " * 300
    result = segment_steps(text, max_steps=10, max_step_chars=40)
    assert len(result.steps) == 10 and result.truncated_steps == 41
    assert all(len(step) <= 40 for step in result.steps)
    long = segment_steps("Short step here.\n" + "word " * 300, max_step_chars=40)
    assert long.cut_steps == 1 and len(long.steps[1]) <= 40


def test_split_sentences_keeps_lowercase_continuations() -> None:
    assert split_sentences("It is 3.5 m. then more. Next one!") == ["It is 3.5 m. then more.", "Next one!"]
