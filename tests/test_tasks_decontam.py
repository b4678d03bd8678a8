"""Decontamination: n-gram overlap between training and evaluation rows."""

from __future__ import annotations

import pytest

from tasks.decontam import find_overlap, ngrams, row_text

EVAL = [{"id": "e1", "question": "Natalia sold clips to 48 of her friends in April, and then half as many in May."}]


@pytest.mark.parametrize(
    ("question", "flagged"),
    [
        ("Natalia sold clips to 48 of her friends in April, and then half as many in May.", True),
        ("NATALIA sold clips to 48 of her friends in april and then half as many in may", True),  # case, punctuation
        ("Before lunch, Natalia sold clips to 48 of her friends in April, and more.", True),  # a shared 8-gram
        ("Natalia sold clips to 49 of her friends in April.", False),  # one number differs: no 8-gram shared
        ("Tom bought 3 apples.", False),
    ],
)
def test_overlap_flags_copied_text(question, flagged):
    report = find_overlap([{"id": "t", "question": question}], {"eval": EVAL}, n=8)
    assert (report.flagged == 1) is flagged
    assert report.per_set["eval"] == int(flagged)


def test_short_texts_are_one_ngram():
    assert ngrams("Two words", 13) == {("two", "words")}


@pytest.mark.parametrize(
    ("row", "text"),
    [
        ({"question": "q"}, "q"),
        ({"problem": "p", "solution": "s"}, "p"),
        ({"Problem": "mathqa"}, "mathqa"),
        ({"question": {"stem": "nested"}}, "nested"),  # CommonsenseQA's original schema
        ({"prompt": "def f():"}, "def f():"),
    ],
)
def test_row_text(row, text):
    assert row_text(row) == text
