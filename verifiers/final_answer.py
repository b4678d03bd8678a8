"""Final-answer discipline: with a reasoning block, answer-bearing verifiers grade only the text after it.

A completion like ``<think>… so 42 …</think> I am not sure.`` states no final answer: a guess inside
the reasoning must not earn the reward of an answer. The ``math``, ``exact`` and ``choice``
verifiers share this rule through :func:`final_answer_text` and the two config fields below.
"""

from __future__ import annotations

from pydantic import Field

from verifiers.base import VerifierConfig

__all__ = ["DEFAULT_REASONING_TAGS", "FinalAnswerOptions", "final_answer_text", "NO_FINAL_ANSWER"]

DEFAULT_REASONING_TAGS: tuple[tuple[str, str], ...] = (("<think>", "</think>"),)
NO_FINAL_ANSWER = "no final answer"


class FinalAnswerOptions(VerifierConfig):
    """The base of the configs of answer-bearing verifiers."""

    final_answer_only: bool = Field(
        True, description="with a reasoning block, grade only the text after it; none after it fails"
    )
    reasoning_tags: list[tuple[str, str]] = Field(
        default_factory=lambda: list(DEFAULT_REASONING_TAGS),
        description="(open, close) pairs that delimit reasoning, e.g. ['<think>', '</think>']",
    )


def final_answer_text(completion: str, tags: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> str | None:
    """The part of ``completion`` that may hold the final answer; None when there is none.

    Without any reasoning tag the whole completion counts. With a closing tag, only the text after
    the last one counts (the opening tag may be in the prompt). An opening tag that is never closed
    leaves no final answer, and so does an empty text after the block.

    >>> final_answer_text("<think>it is 4</think> The answer is 5.", [("<think>", "</think>")])
    ' The answer is 5.'
    >>> final_answer_text("<think>it is 4</think> ", [("<think>", "</think>")]) is None
    True
    """
    last_close, close_len, opened = -1, 0, False
    for open_tag, close_tag in tags:
        position = completion.rfind(close_tag)
        if position > last_close:
            last_close, close_len = position, len(close_tag)
        opened = opened or open_tag in completion
    if last_close < 0:
        return None if opened else completion
    after = completion[last_close + close_len :]
    return after if after.strip() else None
