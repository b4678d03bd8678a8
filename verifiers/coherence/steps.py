"""Split a reasoning chain into steps: lines, "Step N:" labels, then sentences.

Decimals and amounts (``0.25``, ``$0.10``, ``1,000``) stay whole because a sentence ends
only at ``.!?`` followed by whitespace. Bullets and step numbers are stripped, fragments too
short to be a step are merged into a neighbour, and the number and length of steps are capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Segmentation", "distinct_steps", "segment_steps", "split_sentences"]

_STEP_LABEL = re.compile(r"(?i)\b(?:step|stage)\s*\d+\s*[:.)\-]")
_BULLET = re.compile(r"^\s*(?:[-*•·>]+|\(?\d{1,2}[.)](?!\d)|\(?[a-h][.)](?=\s))\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[^a-z\s])")
_ABBREVIATIONS = ("e.g.", "i.e.", "mr.", "mrs.", "ms.", "dr.", "vs.", "approx.", "etc.", "no.", "st.")
_WORD = re.compile(r"[A-Za-z0-9$%]+")


@dataclass
class Segmentation:
    """The steps of a chain, with what was dropped or cut on the way."""

    steps: list[str] = field(default_factory=list)
    empty_steps: int = 0
    truncated_steps: int = 0
    cut_steps: int = 0
    truncated_chars: int = 0


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``; a period inside a number or after a common abbreviation never splits."""
    sentences: list[list[str]] = []  # each sentence as its pieces, joined once at the end (linear)
    for piece in _SENTENCE_END.split(text.strip()):
        piece = piece.strip()
        if not piece:
            continue
        if sentences and sentences[-1][-1].lower().endswith(_ABBREVIATIONS):
            sentences[-1].append(piece)
        else:
            sentences.append([piece])
    return [" ".join(pieces) for pieces in sentences]


def _labelled_blocks(text: str) -> tuple[list[str], int]:
    """Lines, split again at inline "Step N:" labels; a label with no text is an empty step."""
    blocks: list[str] = []
    empty = 0
    pending_label = False
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        parts = _STEP_LABEL.split(line)
        for index, part in enumerate(parts):
            if index > 0:  # a new "Step N:" label starts here
                if pending_label:
                    empty += 1  # the previous label never got any text
                pending_label = True
            part = _BULLET.sub("", part).strip()
            if part:
                blocks.append(part)
                pending_label = False
    if pending_label:
        empty += 1  # a trailing label with nothing after it
    return blocks, empty


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _merge_fragments(pieces: list[str], min_words: int) -> list[str]:
    """Fold pieces with fewer than ``min_words`` words into the previous (or next) piece."""
    merged: list[list[str]] = []  # joined once at the end, so many fragments stay linear
    carry = ""
    for piece in pieces:
        if carry:
            piece = f"{carry} {piece}"
            carry = ""
        if _word_count(piece) >= min_words:
            merged.append([piece])
        elif merged:
            merged[-1].append(piece)
        else:
            carry = piece
    if carry:
        merged.append([carry])
    return [" ".join(parts) for parts in merged]


def segment_steps(
    text: str, max_steps: int = 32, max_step_chars: int = 400, min_words: int = 2, max_chars: int = 32_000
) -> Segmentation:
    """Split ``text`` into at most ``max_steps`` steps of at most ``max_step_chars`` characters.

    Only the first ``max_chars`` characters are read (``truncated_chars`` says how many were not).
    """
    text = text or ""
    blocks, empty = _labelled_blocks(text[:max_chars])
    sentences = [sentence for block in blocks for sentence in split_sentences(block)]
    empty += sum(1 for sentence in sentences if not _WORD.search(sentence))  # "...", "—"
    steps = _merge_fragments([s for s in sentences if _WORD.search(s)], min_words)
    result = Segmentation(empty_steps=empty, truncated_chars=max(0, len(text) - max_chars))
    if len(steps) > max_steps:
        result.truncated_steps = len(steps) - max_steps
        steps = steps[:max_steps]
    for step in steps:
        if len(step) > max_step_chars:
            result.cut_steps += 1
            step = step[:max_step_chars].rstrip()
        result.steps.append(step)
    return result


def distinct_steps(steps: list[str]) -> list[str]:
    """``steps`` without the ones that repeat an earlier step (case and spacing aside)."""
    seen: set[str] = set()
    kept = []
    for step in steps:
        key = " ".join(step.lower().split())
        if key not in seen:
            seen.add(key)
            kept.append(step)
    return kept
