"""The lines a trainer prints at the end: held-out accuracy and how many answers show working."""

from __future__ import annotations

from trainers.evaluate import EvalResult, accuracy_line, working_line


def _result(completions: list[str], passed: list[bool]) -> EvalResult:
    return EvalResult(sum(passed) / len(passed), len(passed), completions, passed)


def test_accuracy_line_has_the_documented_form():
    before = _result(["a", "b"], [False, True])
    after = _result(["a", "b"], [True, True])
    assert accuracy_line(before, after) == "held-out accuracy: before 50.0% -> after 100.0% (n=2)"


def test_working_line_counts_answers_with_think_and_their_accuracy():
    before = _result(
        ["\\boxed{3}", "<think>1 + 2 = 3.</think> \\boxed{3}", "\\boxed{4}", "\\boxed{5}"], [False, True, False, True]
    )
    after = _result(["<think>x</think> \\boxed{3}"] * 4, [True, True, False, True])
    assert working_line(before, after) == (
        "held-out answers with working (<think>): before 1/4, 100.0% of them right -> after 4/4, 75.0% of them right"
    )


def test_working_line_is_silent_when_no_answer_shows_working():
    plain = _result(["\\boxed{3}", "7"], [True, False])
    assert working_line(plain, plain) is None
