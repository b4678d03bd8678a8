"""Find the final answer in a completion (or a reference) with linear-time string scans."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["EXTRACTORS", "Extraction", "answer_from_reference", "extract_final_answer", "last_boxed"]

EXTRACTORS: tuple[str, ...] = ("boxed", "answer_tag", "gsm8k", "answer_is", "latex", "bare")

_BOX_COMMANDS = ("\\boxed", "\\fbox")
_MAX_ANSWER = 2000  # characters; a longer "answer" is not an answer
_ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.S | re.I)
_GSM8K = re.compile(r"####[ \t]*([^\n]*)")
_ANSWER_IS = re.compile(
    r"(?:final\s+answer|the\s+answer|answer)\s*(?:is|:|=)\s*(?:\*\*)?\s*:?\s*([^\n]{1,300})", re.I
)
_SENTENCE_END = re.compile(r"(?<![\d\\])[.!?](?=\s|$)|(?<=\d)[.!?](?=\s+[A-Z]|\s*$)|\s+I hope\b")
_REMARK = re.compile(r"\s*(?:\(\s*(?:since|because|as|from|which|i\.e\.)|,?\s+(?:because|since|which|as)\s).*$", re.I)
_INLINE_MATH = re.compile(r"\$\$([^$]{1,500}?)\$\$|\$([^$]{1,500}?)\$|\\\((.{1,500}?)\\\)|\\\[(.{1,500}?)\\\]", re.S)
_JOINER = re.compile(r"\s*(?:,|and|or|,\s*and|,\s*or)\s*", re.I)
_LAST_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+)?")
_PROSE_WORD = re.compile(r"[A-Za-z]{3,}")
_COMMAND = re.compile(r"\\[A-Za-z]+(?:\s*\{[^{}]*\})?")


@dataclass(frozen=True)
class Extraction:
    """An extracted answer and the extractor that found it; ``answer`` is None when nothing was found."""

    answer: str | None
    method: str
    reason: str = ""


def _braced(text: str, start: int) -> tuple[str, int] | None:
    """The content of the brace group opening at ``text[start]`` and the index after it; None if unclosed."""
    depth = 0
    i = start
    end = len(text)
    while i < end:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i], i + 1
        i += 1
    return None


def last_boxed(text: str) -> tuple[str | None, bool]:
    """The content of the last ``\\boxed{}``/``\\fbox{}``; the flag says whether a box command was seen.

    An unterminated last box gives ``(None, True)``: a truncated answer earns nothing.
    """
    found = False
    search_end = len(text)
    while True:
        pos, cmd = max((text.rfind(cmd, 0, search_end), cmd) for cmd in _BOX_COMMANDS)
        if pos < 0:
            return None, found
        found = True
        after = pos + len(cmd)
        while after < len(text) and text[after] == " ":
            after += 1
        if after < len(text) and text[after] == "{":
            group = _braced(text, after)
            return (group[0], True) if group else (None, True)
        search_end = pos


def _until_sentence_end(text: str) -> str:
    match = _SENTENCE_END.search(text)
    return text[: match.start()] if match else text


def _last_match(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    last = None
    for last in pattern.finditer(text):  # noqa: B007 - keep the last one
        pass
    return last


def _answer_is(text: str) -> str | None:
    match = _last_match(_ANSWER_IS, text)
    if match is None:
        return None
    tail = match.group(1).strip()
    math = _INLINE_MATH.match(tail)
    if math:
        return next(group for group in math.groups() if group is not None)
    return _REMARK.sub("", _until_sentence_end(tail)).strip() or None


def _last_inline_math(text: str) -> str | None:
    spans = [(m.start(), m.end(), next(g for g in m.groups() if g is not None)) for m in _INLINE_MATH.finditer(text)]
    if not spans:
        return None
    start, end, answer = spans[-1]
    if re.search(r"\d", text[end:]):
        return None  # numbers after the last formula: it was not the final answer
    parts = [answer]
    for prev_start, prev_end, prev in reversed(spans[:-1]):
        if not _JOINER.fullmatch(text[prev_end:start]):
            break
        parts.insert(0, prev)
        start = prev_start
    return ", ".join(parts)


def _is_bare_answer(text: str) -> bool:
    if len(text) > 300 or "\n" in text.strip():
        return False
    return not _PROSE_WORD.search(_COMMAND.sub(" ", text))


def _last_number(text: str) -> str | None:
    match = _last_match(_LAST_NUMBER, text[-5000:])
    return match.group(0).rstrip(",") if match else None


def _run_extractor(name: str, text: str) -> str | None:
    if name == "answer_tag":
        tags = _ANSWER_TAG.findall(text)
        if tags:
            inner = tags[-1].strip()
            boxed, _ = last_boxed(inner)
            return boxed if boxed is not None else inner
        return None
    if name == "gsm8k":
        found = _GSM8K.findall(text)
        return found[-1].strip() if found else None
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

    >>> extract_final_answer("so $x = 2$, hence \\\\boxed{\\\\frac{1}{2}}.").answer
    '\\\\frac{1}{2}'
    """
    text = completion or ""
    if not text.strip():
        return Extraction(None, "none", "empty completion")
    if "</think>" in text:  # the answer after the reasoning wins over guesses inside it
        after = extract_final_answer(text.rsplit("</think>", 1)[1], extractors, last_number)
        if after.answer is not None or after.reason.startswith("unterminated"):
            return after
    for name in extractors:
        if name == "boxed":
            boxed, has_box = last_boxed(text)
            if boxed is not None:
                return _checked(boxed, "boxed")
            if has_box:
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
    """A reference parsed as an answer: the whole string, or the part after GSM8K ``####`` or in the last box."""
    text = str(reference).strip()
    if "####" in text:
        return text.rsplit("####", 1)[1].strip()
    boxed, _ = last_boxed(text)
    return boxed.strip() if boxed is not None else text
