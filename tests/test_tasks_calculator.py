"""GSM8K calculator annotations: safe arithmetic, replay, and rewrites whose answers are recomputed."""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path

import pytest

from tasks.calculator import evaluate, number_text, replay
from tasks.substitute import build_flow, rewrite

ROWS = [json.loads(line) for line in (Path(__file__).parent / "data" / "public" / "gsm8k_test.jsonl").open()]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("48/2", Fraction(24)),
        ("0.2*50", Fraction(10)),
        ("2**3-1", Fraction(7)),
        ("-(3+4)*2", Fraction(-14)),
        ("80,000+50,000", Fraction(130000)),  # thousands separators
        ("1/3", Fraction(1, 3)),  # exact, no float rounding
        ("1/0", None),  # division by zero
        ("2**1000", None),  # exponent over the limit
        ("10**12*10**12", None),  # a value over the limit
        ("__import__('os').system('echo hi')", None),  # names and calls are never evaluated
        ("(1).__class__", None),  # attribute access
        ("50%", None),  # not plain arithmetic
        ("1+" * 150 + "1", None),  # too long
        ("", None),
    ],
)
def test_evaluate_only_plain_arithmetic(expression, expected):
    assert evaluate(expression) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [(Fraction(24), "24"), (Fraction(1, 5), "0.2"), (Fraction(7, 3), "7/3"), (Fraction(-5, 2), "-2.5")],
)
def test_number_text(value, text):
    assert number_text(value) == text


def test_replay_reproduces_the_fixture_answers():
    replays = [replay(row["answer"]) for row in ROWS]
    assert all(r.reproduces for r in replays)
    # the "Raymond's jewels" row ends with an unannotated "25-2 = 23": it is re-executed too
    assert replays[-1].steps[-1].expression.replace(" ", "") == "25-2"


def test_a_wrong_annotation_does_not_reproduce():
    assert not replay("She has 2+2 = <<2+2=4>>4 apples.\n#### 5").reproduces
    assert not replay("No steps here.\n#### 5").reproduces


def test_flow_tells_question_numbers_from_results_and_constants():
    row = ROWS[0]  # 16 - 3 - 4 = 9 (three, four are words), 9 * 2 = 18
    flow = build_flow(row["question"], row["answer"])
    kinds = [sorted(kind for kind, _ in leaves.values()) for leaves in flow.leaves]
    assert kinds == [["const", "const", "q"], ["q", "step"]]
    assert flow.changeable == [Fraction(16)]  # $2 is a question number but constant-like, so never changed


@pytest.mark.parametrize("kind", ["substitute", "expand", "decimal"])
def test_rewrites_recompute_the_answer(kind):
    row = ROWS[0]
    done = rewrite(row["question"], row["answer"], kind, random.Random(3))
    new_eggs = Fraction(done.changed["16"])
    assert done.answer == (new_eggs - 3 - 4) * 2  # the answer follows the new number
    assert done.check == pytest.approx(float(done.answer))  # the second, inlined computation agrees
    assert number_text(new_eggs) in done.question and " 16 " not in done.question
