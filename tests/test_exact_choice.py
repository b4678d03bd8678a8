"""The two small built-in verifiers: `exact` and `choice`."""

from __future__ import annotations

import pytest

from plugins import make_verifier

CSQA_CHOICES = {"label": ["A", "B", "C", "D", "E"], "text": ["bank", "library", "park", "school", "zoo"]}
MATHQA_OPTIONS = "a ) 38 , b ) 27.675 , c ) 30 , d ) data inadequate , e ) none of these"


@pytest.mark.parametrize(
    "completion, reference, passed",
    [
        ("Paris", "paris", True),
        ("  Paris.  ", "Paris", True),  # edge punctuation and whitespace
        ("New   York", "new york", True),  # inner whitespace collapses
        ("Paris, France", "Paris", False),
        ("", "Paris", False),
    ],
)
def test_exact(completion, reference, passed):
    assert make_verifier("exact").verify(completion, reference).passed is passed


def test_exact_case_sensitive_option():
    assert make_verifier("exact", {"case_sensitive": True}).verify("paris", "Paris").passed is False


def test_exact_without_reference_is_not_applicable():
    verdict = make_verifier("exact").verify("x")
    assert verdict.passed is None and not verdict.applicable


@pytest.mark.parametrize(
    "completion, reference, passed",
    [
        ("(B)", "B", True),
        ("B.", "B", True),
        ("The answer is B", "B", True),
        ("Answer: (c)", "C", True),  # lower-case letter
        ("A is tempting, but the answer is D.", "D", True),  # the explicit marker wins
        ("I would go to the library to borrow it.", "B", True),  # the option's text
        ("The answer is \\boxed{E}", "E", True),
        ("(A) or (B)? The answer is (A).", "B", False),
        ("no idea", "B", False),
        ("The answer is a library.", "B", True),  # "a" is an article here, not option (a)
        ("the answer is e", "E", True),  # a lone lower-case letter at the end is a choice
    ],
)
def test_choice_commonsenseqa(completion, reference, passed):
    verdict = make_verifier("choice").verify(completion, reference, choices=CSQA_CHOICES)
    assert verdict.passed is passed, verdict


@pytest.mark.parametrize(
    "completion, reference, passed",
    [
        ("so the answer is b", "b", True),
        ("27.675", "b", True),  # the option text alone
        ("the answer is data inadequate", "d", True),
        ("c )", "b", False),
    ],
)
def test_choice_mathqa(completion, reference, passed):
    verdict = make_verifier("choice").verify(completion, reference, options=MATHQA_OPTIONS)
    assert verdict.passed is passed, verdict


def test_choice_reference_may_be_option_text():
    assert make_verifier("choice").verify("(C)", "park", choices=CSQA_CHOICES).passed is True


def test_choice_bad_reference_is_a_setup_error():
    with pytest.raises(ValueError, match="neither an option letter"):
        make_verifier("choice").verify("(C)", "museum", choices=CSQA_CHOICES)


@pytest.mark.parametrize(
    "name, completion, reference, fields, passed, reason",
    [
        ("exact", "<think>Paris?</think>Paris", "Paris", {}, True, "match"),
        ("exact", "<think>It is Paris.</think> I am not sure.", "Paris", {}, False, "mismatch"),
        ("exact", "<think>It is Paris.</think>", "Paris", {}, False, "no final answer"),
        ("exact", "<think>It is Paris.", "Paris", {}, False, "no final answer"),  # never closed
        ("exact", "reasoning in the prompt</think>Paris", "Paris", {}, True, "match"),  # the opening tag was prompted
        ("choice", "<think>(B) looks right</think> I am not sure.", "B", {"choices": CSQA_CHOICES}, False,
         "no choice found"),
        ("choice", "<think>maybe (A)</think> The answer is (B).", "B", {"choices": CSQA_CHOICES}, True,
         "correct choice"),
        ("choice", "<think>(B)</think>\n", "B", {"choices": CSQA_CHOICES}, False, "no final answer"),
    ],
)
def test_final_answer_discipline(name, completion, reference, fields, passed, reason):
    verdict = make_verifier(name).verify(completion, reference, **fields)
    assert (verdict.passed, verdict.reason) == (passed, reason)


@pytest.mark.parametrize("name, fields", [("exact", {}), ("choice", {"choices": CSQA_CHOICES})])
def test_final_answer_discipline_is_configurable(name, fields):
    completion = "<reason>the answer is B</reason>"
    tags = {"reasoning_tags": [["<reason>", "</reason>"]]}
    assert make_verifier(name, tags).verify(completion, "B", **fields).reason == "no final answer"
    relaxed = make_verifier(name, {"final_answer_only": False}).verify("<think>B</think>", "B", **fields)
    assert relaxed.reason != "no final answer"
