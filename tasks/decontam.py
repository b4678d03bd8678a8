"""Decontamination: word n-gram overlap between training rows and evaluation rows.

Texts are lower-cased and split into words (letters and digits); a training row overlaps an
evaluation set when they share at least ``min_shared`` word n-grams. A text shorter than ``n``
words counts as one n-gram of its own length, so a short question copied verbatim is still found.

Example:
    >>> report = find_overlap([{"id": "t1", "question": "What is two plus two, in words?"}],
    ...                       {"eval": [{"id": "e9", "question": "what is two plus TWO in words"}]}, n=5)
    >>> report.flagged, report.matches[0].eval_id
    (1, 'e9')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Match", "OverlapReport", "find_overlap", "ngrams", "row_text"]

_WORD = re.compile(r"[^\W_]+")
TEXT_COLUMNS = ("question", "problem", "Problem", "text", "prompt")


def row_text(row: dict[str, Any]) -> str:
    """The problem text of a row: its first text column (task rows have ``question``)."""
    for name in TEXT_COLUMNS:
        value = row.get(name)
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, dict) and isinstance(value.get("stem"), str):
            return value["stem"]  # CommonsenseQA's original nested schema
    return ""


def ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@dataclass(frozen=True)
class Match:
    train_id: str
    eval_set: str
    eval_id: str
    shared: int  # n-grams in common with that evaluation row
    example: str  # one shared n-gram


@dataclass
class OverlapReport:
    rows: int = 0
    n: int = 13
    matches: list[Match] = field(default_factory=list)
    per_set: dict[str, int] = field(default_factory=dict)  # evaluation set -> training rows overlapping it

    @property
    def flagged(self) -> int:
        return len({match.train_id for match in self.matches})

    @property
    def flagged_ids(self) -> set[str]:
        return {match.train_id for match in self.matches}


def _row_id(row: dict[str, Any], index: int) -> str:
    return str(row.get("id", row.get("task_id", row.get("idx", index))))


def find_overlap(
    train: list[dict[str, Any]],
    evals: dict[str, list[dict[str, Any]]],
    n: int = 13,
    min_shared: int = 1,
    progress: Callable[[int], None] | None = None,
) -> OverlapReport:
    """Each training row's best-matching evaluation row among those sharing ``min_shared`` n-grams."""
    index: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for name, rows in evals.items():
        for i, row in enumerate(rows):
            for gram in ngrams(row_text(row), n):
                index.setdefault(gram, []).append((name, _row_id(row, i)))
    report = OverlapReport(rows=len(train), n=n, per_set={name: 0 for name in evals})
    for i, row in enumerate(train):
        counts: dict[tuple[str, str], int] = {}
        example: dict[tuple[str, str], tuple[str, ...]] = {}
        for gram in ngrams(row_text(row), n):
            for hit in index.get(gram, ()):
                counts[hit] = counts.get(hit, 0) + 1
                example.setdefault(hit, gram)
        best = max(counts.items(), key=lambda item: item[1], default=None)
        if best is not None and best[1] >= min_shared:
            (name, eval_id), shared = best
            report.matches.append(Match(_row_id(row, i), name, eval_id, shared, " ".join(example[best[0]])))
            report.per_set[name] += 1
        if progress is not None:
            progress(1)
    return report
