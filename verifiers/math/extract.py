"""Find the final answer in a completion (or a reference) with linear-time string scans."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from verifiers.math.boxes import boxed_answer, last_boxed
from verifiers.math.normalize import strip_math_delimiters

__all__ = ["EXTRACTORS", "Extraction", "answer_from_reference", "extract_final_answer", "last_boxed"]

EXTRACTORS: tuple[str, ...] = ("boxed", "answer_tag", "gsm8k", "answer_is", "latex", "bare")

_MAX_ANSWER = 2000  # characters; a longer "answer" is not an answer
_TAIL = 500  # characters read after an answer marker
_GSM8K = re.compile(r"####[ \t]*([^\n]*)")
_ANSWER_KEY = re.compile(r"(?:final\s+answer|the\s+answer|answer)\s*(?:is|:|=)\s*(?:\*\*)?\s*:?\s*", re.I)
_QUOTES = "\"'\u201c\u201d"
_COPULA = re.compile(r"\b(?:is|are|was|were|equals|be|becomes)\b|=", re.I)
_SENTENCE_END = re.compile(r"(?<![\d\\])[.!?](?=\s|$)|(?<=\d)[.!?](?=\s+[A-Z]|\s*$)|\s+I hope\b")
_REMARK = re.compile(r"\s*(?:\(\s*(?:since|because|as|from|which|i\.e\.)|,?\s+(?:because|since|which|as)\s).*$", re.I)
# $$…$$ and \[…\] may span lines, $…$ and \(…\) may not; an escaped \$ is a dollar sign, not a delimiter
_INLINE_MATH = re.compile(
    r"(?<!\\)\$\$((?:\\\$|[^$]){1,500}?)(?<!\\)\$\$|(?<!\\)\$((?:\\\$|[^$\n]){1,500}?)(?<!\\)\$"
    r"|\\\(([^\n]{1,500}?)\\\)|\\\[(.{1,500}?)\\\]",
    re.S,
)
_JOINER = re.compile(r"\s*(?:,|and|or|,\s*and|,\s*or)\s*", re.I)
_LAST_NUMBER = re.compile(r"(?<![A-Za-z\d.])-?\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+)?(?:\s*\\?%)?")  # not x2, not AZ2A
_PROSE_WORD = re.compile(r"[A-Za-z]{3,}")
_COMMAND = re.compile(r"\\[A-Za-z]+(?:\s*\{[^{}]*\})?")
_PERCENT_AFTER = re.compile(r"\s*\$?\s*(?:\\?%|percent|pct)", re.I)
_BOX_OPEN = re.compile(r"\\(?:boxed|fbox)\s*\{")


@dataclass(frozen=True)
class Extraction:
    """An extracted answer and the extractor that found it; ``answer`` is None when nothing was found."""

    answer: str | None
    method: str
    reason: str = ""


def _until_sentence_end(text: str) -> str:
    match = _SENTENCE_END.search(text)
    return text[: match.start()] if match else text


def _last_match(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    last = None
    for last in pattern.finditer(text):  # noqa: B007 - keep the last one
        pass
    return last


def _math_spans(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), next(g for g in m.groups() if g is not None)) for m in _INLINE_MATH.finditer(text)]


def _joined_math(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The last formula with the formulas joined to it by commas, "and" or "or": ``$1$, $2$ and $3$``."""
    start, _, answer = spans[-1]
    parts = [answer]
    for prev_start, prev_end, prev in reversed(spans[:-1]):
        if not _JOINER.fullmatch(text[prev_end:start]):
            break
        parts.insert(0, prev)
        start = prev_start
    return ", ".join(parts)


def _is_prose(text: str) -> bool:
    return bool(_PROSE_WORD.search(_COMMAND.sub(" ", _INLINE_MATH.sub(" ", text))))


def _sentence_answer(sentence: str) -> str | None:
    """The answer a sentence states: all of it when it is bare math, else the formula it ends with,
    else what follows its last "is"/"=", else its last number (``The largest $n$ is 34``)."""
    sentence = _REMARK.sub("", sentence).strip().strip(_QUOTES).strip()
    if not sentence or not _is_prose(sentence):
        math = _INLINE_MATH.fullmatch(sentence)
        return next(g for g in math.groups() if g is not None) if math else sentence or None
    spans = _math_spans(sentence)
    if spans and not sentence[spans[-1][1] :].strip(" .,;:!" + _QUOTES):
        return _joined_math(sentence, spans)
    copula = _last_match(_COPULA, sentence)
    if copula is not None:
        rest = sentence[copula.end() :].strip().strip(_QUOTES).strip()
        if rest and not _is_prose(rest):
            math = _INLINE_MATH.fullmatch(rest)
            return next(g for g in math.groups() if g is not None) if math else rest
    return _last_number(sentence)


def _answer_is(text: str) -> str | None:
    key = _last_match(_ANSWER_KEY, text)
    if key is None:
        return None
    tail = text[key.end() : key.end() + _TAIL].replace('\\"', '"').lstrip(_QUOTES + " ")
    math = _INLINE_MATH.match(tail)
    if math and not tail[math.end() :].split("\n")[0].strip(" .,;:!" + _QUOTES):
        return next(group for group in math.groups() if group is not None)
    return _sentence_answer(_until_sentence_end(tail.split("\n")[0]))


def _last_inline_math(text: str) -> str | None:
    spans = _math_spans(text)
    if not spans or re.search(r"\d", text[spans[-1][1] :]):
        return None  # no formula, or numbers after the last one: it was not the final answer
    return _joined_math(text, spans) + _percent_after(text, spans[-1][1])


def _is_bare_answer(text: str) -> bool:
    """A short completion that is only math, or a few words (``even``, ``LQSX``): the whole is the answer."""
    stripped = text.strip()
    if len(stripped) > 300 or "\n" in stripped:
        return False
    return not _PROSE_WORD.search(_COMMAND.sub(" ", stripped)) or (
        len(stripped) <= 40 and len(stripped.split()) <= 3 and not re.search(r"[.!?]\s", stripped)
    )


def _last_number(text: str) -> str | None:
    match = _last_match(_LAST_NUMBER, text[-5000:])
    return match.group(0).rstrip(",") if match else None


def _answer_tag(text: str) -> str | None:
    """The content of the last complete ``<answer>…</answer>``; rfind keeps it linear on hostile input."""
    lowered = text.lower()
    end = lowered.rfind("</answer>")
    start = lowered.rfind("<answer>", 0, end) if end >= 0 else -1
    if start < 0:
        return None
    inner = text[start + len("<answer>") : end].strip()
    boxed, _, _ = boxed_answer(inner)
    return boxed if boxed is not None else inner


def _stated_after(text: str, end: int) -> bool:
    """A final-answer statement after the last box: the boxes were intermediate results."""
    return _ANSWER_KEY.search(text, max(end, len(text) - 5000)) is not None


def _percent_after(text: str, end: int) -> str:
    """``\\boxed{28}\\%`` or ``$28$ percent``: the percent sign outside the box belongs to the answer."""
    return "%" if _PERCENT_AFTER.match(text, end) else ""


def _run_extractor(name: str, text: str) -> str | None:
    if name == "answer_tag":
        return _answer_tag(text)
    if name == "gsm8k":
        found = _last_match(_GSM8K, text[-5000:])
        return found.group(1).strip() if found else None
    if name == "answer_is":
        return _answer_is(text[-5000:])
    if name == "latex":
        return _last_inline_math(text[-5000:])
    if name == "bare":
        return text.strip() if _is_bare_answer(text) else None
    raise ValueError(f"unknown extractor {name!r}; choose from {', '.join(EXTRACTORS)}")


def extract_final_answer(
    completion: str, extractors: Iterable[str] = EXTRACTORS, last_number: bool = True
) -> Extraction:
    """The final answer of a completion: the first extractor (in ``extractors`` order) that finds one.

    Boxes that form one run (``\\boxed{1}, \\boxed{2}``) are one answer. Reasoning blocks are the
    verifier's business (it passes only the text after ``</think>``).

    >>> extract_final_answer("so $x = 2$, hence \\\\boxed{\\\\frac{1}{2}}.").answer
    '\\\\frac{1}{2}'
    """
    text = completion or ""
    if not text.strip():
        return Extraction(None, "none", "empty completion")
    for name in extractors:
        if name == "boxed":
            boxed, has_box, end = boxed_answer(text)
            if boxed is not None:
                stated = _answer_is(text[-5000:]) if _stated_after(text, end) else None
                if stated:  # "\\boxed{255} ... Final Answer: The final answer is 10,455"
                    return _checked(stated, "answer_is")
                return _checked(boxed + _percent_after(text, end), "boxed")
            if boxed is None and has_box and _BOX_OPEN.search(text):
                return Extraction(None, "boxed", "unterminated \\boxed{")
            continue
        answer = _run_extractor(name, text)
        if answer:
            return _checked(answer, name)
    if last_number:
        number = _last_number(text)
        if number:
            return Extraction(number, "last_number")
    return Extraction(None, "none", "no answer found")


def _checked(answer: str, method: str) -> Extraction:
    answer = answer.strip()
    if not answer:
        return Extraction(None, method, "empty answer")
    if len(answer) > _MAX_ANSWER:
        return Extraction(None, method, f"answer longer than {_MAX_ANSWER} characters")
    return Extraction(answer, method)


def answer_from_reference(reference: object) -> str:
    """A reference parsed as an answer: after GSM8K ``####``, the last run of boxes, or, for a reference
    written as prose (a whole solution, ``$125$ miles``), the answer a completion would be read for."""
    text = str(reference).strip()
    if "####" in text:
        return text.rsplit("####", 1)[1].strip()
    boxed, _, _ = boxed_answer(text)
    if boxed is not None:
        return boxed.strip()
    inner = strip_math_delimiters(text)
    if "$" in inner.replace("\\$", "") or (len(text) > 80 and _is_prose(text)):
        found = extract_final_answer(text, ("answer_is", "latex"), last_number=False)
        if found.answer is not None:
            return found.answer
    return text
