"""Find ``\\boxed{}`` answers in linear time: the last box, or the last run of boxes that states one answer.

A solution split over several boxes (``\\boxed{1}, \\boxed{2}``, ``\\boxed{k=45} \\quad\\text{and}\\quad
\\boxed{n=2}``) is one answer: the boxes of the final run, joined by ``", "``. Boxes belong to one run
when only joiners stand between them: punctuation, math delimiters, TeX spacing, ``and``/``or``,
a short ``\\text{...}`` or one word before ``and`` (``\\boxed{1} papers and \\boxed{2} bins``).
"""

from __future__ import annotations

import re

__all__ = ["MAX_BOXES", "boxed_answer", "last_boxed"]

MAX_BOXES = 20  # a longer run of boxes is not one answer: only its last box counts
_MAX_GAP = 120  # characters between two boxes of one run
_BOX = re.compile(r"\\(?:boxed|fbox)(?![a-zA-Z])")
_JOINER = re.compile(
    r"(?:\s|[,;.:$&]|\\[()\[\]]|\\q?quad(?![a-zA-Z])|\\[,;:! ]|\\\\|\\text(?:bf|rm|normal)?\s*\{[^{}]{0,40}\}"
    r"|\b(?:and|or)\b|\b[A-Za-z]{1,12}\s+(?=(?:and|or)\b)|\b[A-Za-z](?:_\{?\w{1,3}\}?)?\s*=)*"
)


def _braced(text: str, start: int, stop: int) -> int | None:
    """The index after the brace group opening at ``text[start]``; None when it does not close before ``stop``."""
    depth = 0
    i = start
    while i < stop:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _box_spans(text: str) -> list[tuple[int, int, int]]:
    """``(command start, brace start, end)`` of the last box and of the earlier boxes of its run, last first."""
    starts = [m.start() for m in _BOX.finditer(text)]
    spans: list[tuple[int, int, int]] = []
    stop = len(text)
    for start in reversed(starts):
        brace = start + (5 if text.startswith("\\fbox", start) else 6)
        while brace < stop and text[brace] == " ":
            brace += 1
        if brace >= stop or text[brace] != "{":
            if spans:
                break  # a bare \boxed between boxes ends the run
            stop = start
            continue
        end = _braced(text, brace, stop)
        if end is None:
            return spans if spans else [(start, brace, -1)]
        if spans and (spans[-1][0] - end > _MAX_GAP or _JOINER.fullmatch(text, end, spans[-1][0]) is None):
            break
        spans.append((start, brace, end))
        stop = start
        if len(spans) > MAX_BOXES:
            return spans[:1]
    return spans


def last_boxed(text: str) -> tuple[str | None, bool]:
    """The content of the last ``\\boxed{}``/``\\fbox{}``; the flag says whether a box command was seen.

    An unterminated last box gives ``(None, True)``: a truncated answer earns nothing.
    """
    spans = _box_spans(text)
    if not spans:
        return None, _BOX.search(text) is not None
    _, brace, end = spans[0]
    return (None, True) if end < 0 else (text[brace + 1 : end - 1], True)


def boxed_answer(text: str) -> tuple[str | None, bool, int]:
    """Like :func:`last_boxed`, but a run of boxes is one answer, its parts joined by ``", "``;
    the third item is the index just after the run (-1 without one)."""
    spans = _box_spans(text)
    if not spans:
        return None, _BOX.search(text) is not None, -1
    if spans[0][2] < 0:
        return None, True, -1
    parts = [text[brace + 1 : end - 1].strip() for _, brace, end in reversed(spans)]
    return ", ".join(part for part in parts if part) or None, True, spans[0][2]
