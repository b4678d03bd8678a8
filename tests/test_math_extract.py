"""Final-answer extraction: which marker wins, and what counts as no answer."""

from __future__ import annotations

import time

import pytest

from verifiers.math.extract import answer_from_reference, extract_final_answer, last_boxed


@pytest.mark.parametrize(
    ("completion", "answer", "method"),
    [
        ("so \\boxed{\\frac{1}{2}}.", "\\frac{1}{2}", "boxed"),
        ("\\boxed{4} no wait \\boxed{6}", "6", "boxed"),  # the last box wins
        ("\\boxed{\\{1,\\{2\\}\\}}", "\\{1,\\{2\\}\\}", "boxed"),  # nested and escaped braces
        ("\\fbox{12}", "12", "boxed"),
        ("\\boxed {7}", "7", "boxed"),  # a space before the brace
        ("\\boxed{3}$\n" + "}" * 500, "3", "boxed"),  # stray closing braces after a complete box
        ("<answer> 5 </answer>", "5", "answer_tag"),
        ("<answer>so \\boxed{5}</answer>", "5", "boxed"),  # a box inside the tag is still the last box
        ("48/2 = 24 clips.\n#### 72", "72", "gsm8k"),
        ("#### $260", "$260", "gsm8k"),  # currency is stripped later, by normalisation
        ("The answer is 1/6.", "1/6", "answer_is"),
        ("The final answer is 9. I hope it is correct.", "9", "answer_is"),
        ("the answer is 5.5.", "5.5", "answer_is"),  # the decimal point is not a sentence end
        ("the answer is 7!", "7", "answer_is"),  # sentence-final '!' is not a factorial
        ("Thus, the answer is $11$.", "11", "answer_is"),
        ("**Final Answer:** 5", "5", "answer_is"),
        ("The answer is 5 (since 2+3=5).", "5", "answer_is"),  # a trailing remark is dropped
        ("so $x = 3$.", "x = 3", "latex"),
        ("The solutions are $x = 1$ and $x = 2$.", "x = 1, x = 2", "latex"),  # joined by 'and'
        ("3, 7, 5", "3, 7, 5", "bare"),
        ("\\sqrt{27}", "\\sqrt{27}", "bare"),
        ("I computed 3 + 4 and got 7 in total", "7", "last_number"),
        ("<think>maybe \\boxed{4}</think> The answer is 5.", "5", "answer_is"),  # a statement after the last box
        ("\\boxed{1}, \\boxed{2} and \\boxed{3}", "1, 2, 3", "boxed"),  # one run of boxes, one answer
        ("\\boxed{5}. The answer is boxed above.", "5", "boxed"),  # a statement after the box that states nothing
        ("\\boxed{4} no wait, it is \\boxed{6}", "6", "boxed"),  # prose between boxes: the last box
        ("Final Answer: The final answer is $5$. I hope it is correct.", "5", "answer_is"),
        ("Final Answer: The largest $n$ is 34.", "34", "answer_is"),  # the value after the last "is"
        ("The final answer is \\\"$12$ and $13$\\\". I hope", "12, 13", "answer_is"),  # escaped quotes
        ("so the total is \\boxed{28}\\%", "28%", "boxed"),  # a percent sign outside the box
        ("it grows by 100%.", "100%", "last_number"),
        ("We were given the code AZYUK2A.", None, "none"),  # a digit glued to letters is not a number
        ("Answer $ \\frac{1}{2} \\$ = \\frac{10}{9} $", "\\frac{1}{2} \\$ = \\frac{10}{9}", "latex"),  # \\$ inside
    ],
)
def test_extracts_the_final_answer(completion: str, answer: str, method: str) -> None:
    found = extract_final_answer(completion)
    assert (found.answer, found.method) == (answer, method)


@pytest.mark.parametrize(
    ("completion", "reason"),
    [
        ("   \n  ", "empty completion"),
        ("I'm not sure how to solve this problem.", "no answer found"),
        ("the answer is $\\boxed{\\frac{3}{4}", "unterminated \\boxed{"),  # truncated output earns nothing
        ("x" * 200_000, "no answer found"),
        ("\\boxed{" + "1+" * 2000 + "1}", "answer longer than 2000 characters"),
        ("$" * 5000 + " so", "no answer found"),  # no regex backtracking blow-up
        ("<answer>" * 125_000, "no answer found"),  # 1 MB of opening tags: found in linear time
        ("\\boxed " * 150_000, "no answer found"),  # 1 MB of box commands without braces
    ],
)
def test_no_answer(completion: str, reason: str) -> None:
    start = time.monotonic()
    found = extract_final_answer(completion)
    assert time.monotonic() - start < 0.5  # extraction runs in the caller: it must stay linear
    assert found.answer is None
    assert found.reason == reason


def test_last_number_fallback_can_be_switched_off() -> None:
    text = "I computed 3 + 4 and got 7 in total"
    assert extract_final_answer(text, last_number=False).answer is None


def test_extractor_order_is_configurable() -> None:
    text = "The answer is 4.\n#### 5"
    assert extract_final_answer(text, ["answer_is", "gsm8k"]).answer == "4"
    assert extract_final_answer(text, ["gsm8k", "answer_is"]).answer == "5"


def test_unknown_extractor_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown extractor"):
        extract_final_answer("text without markers", ["bogus"])


@pytest.mark.parametrize(
    ("reference", "answer"),
    [
        ("2\\sqrt{2}", "2\\sqrt{2}"),  # a bare reference is an answer, not a completion: not "2"
        ("Natalia sold 48+24 = 72 clips.\n#### 72", "72"),  # a GSM8K solution column
        ("so the area is $\\boxed{12\\pi}$.", "12\\pi"),  # a MATH solution column
        (72, "72"),
    ],
)
def test_reference_is_parsed_as_an_answer(reference: object, answer: str) -> None:
    assert answer_from_reference(reference) == answer


def test_last_boxed_reports_an_unterminated_box() -> None:
    assert last_boxed("\\boxed{1} then \\boxed{2") == (None, True)
    assert last_boxed("no box") == (None, False)
