"""Augmentation: variants of task rows that keep their answer, or recompute it.

Every variant keeps ``source_id`` (the original row's id) and ``perturbation`` (the kind), so an
evaluation can pair it with its original. A kind returns None for a row it cannot vary safely;
:func:`augment` counts those as skipped, by kind, with the reason.

Kinds that keep the answer: ``typos``, ``spacing``, ``number_format``, ``reorder``, ``distractor``.
Kinds that recompute it: ``substitute``, ``expand`` and ``decimal`` (GSM8K calculator steps
re-executed with new numbers), ``changed_condition`` (generated problems re-solved by SymPy).
``critical_thinking`` removes a needed number; its answer is :data:`UNDETERMINED` (score it with
the ``exact`` verifier).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from tasks.calculator import number_text

__all__ = ["KINDS", "UNDETERMINED", "augment"]

UNDETERMINED = "cannot be determined"
Row = dict[str, Any]
_NUMBER = re.compile(r"(?<![\w.,$])(\d+)(?![\w.,%]*\d|%)")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_LINKED = re.compile(
    r"\b(he|she|it|they|them|his|her|its|their|this|that|these|those|then|after|afterwards|remaining|rest|left|"
    r"also|more|other|another|each|twice|half|same|so|later|next|finally|too)\b", re.I)
_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_DISTRACTORS = (
    "A neighbour has {n} cats.", "The shop down the street opened {n} years ago.",
    "About {n} people walked past that afternoon.", "The bus that stops outside runs every {n} minutes.",
)


def _question_parts(question: str) -> tuple[list[str], str]:
    """The sentences before the last one, and the last one (usually the question itself)."""
    sentences = _SENTENCE.split(question.strip())
    return sentences[:-1], sentences[-1]


def _typos(row: Row, rng: random.Random) -> str | None:
    words = [m for m in re.finditer(r"\b[a-zA-Z]{5,}\b", row["question"])]
    if not words:
        return None
    question = row["question"]
    for match in sorted(rng.sample(words, min(2, len(words))), key=lambda m: -m.start()):
        word = match.group(0)
        i = rng.randrange(1, len(word) - 2)
        swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        question = question[: match.start()] + swapped + question[match.end() :]
    return question if question != row["question"] else None


def _spacing(row: Row, rng: random.Random) -> str | None:
    spaced = re.sub(r"([,.;:?!]) ", lambda m: m.group(1) + " " * rng.randint(1, 3), row["question"])
    spaced = re.sub(r"(\w) (\w)", lambda m: m.group(1) + ("  " if rng.random() < 0.15 else " ") + m.group(2), spaced)
    return spaced if spaced != row["question"] else None


def _number_format(row: Row, rng: random.Random) -> str | None:
    matches = list(_NUMBER.finditer(row["question"]))
    if not matches:
        return None
    match = rng.choice(matches)
    value = int(match.group(1))
    if value >= 1000:
        text = f"{value:,}"
    elif value <= 10 and rng.random() < 0.5:
        text = _WORDS[value]
    else:
        text = f"{value}.0"
    return row["question"][: match.start()] + text + row["question"][match.end() :]


def _reorder(row: Row, rng: random.Random) -> str | None:
    before, last = _question_parts(row["question"])
    pairs = [i for i in range(len(before) - 1) if not _LINKED.search(before[i]) and not _LINKED.search(before[i + 1])]
    if not pairs:
        return None
    i = rng.choice(pairs)
    before[i], before[i + 1] = before[i + 1], before[i]
    return " ".join([*before, last])


def _distractor(row: Row, rng: random.Random) -> str | None:
    before, last = _question_parts(row["question"])
    sentence = rng.choice(_DISTRACTORS).format(n=rng.randint(3, 40))
    return " ".join([*before, sentence, last])


def _surface(change: Callable[[Row, random.Random], str | None]) -> Callable[[Row, random.Random], Row | None]:
    def kind(row: Row, rng: random.Random) -> Row | None:
        question = change(row, rng)
        return None if question is None else {"question": question}

    return kind


def _recomputed(kind: str) -> Callable[[Row, random.Random], Row | None]:
    def vary(row: Row, rng: random.Random) -> Row | None:
        from tasks.substitute import rewrite

        if "<<" not in str(row.get("solution") or ""):
            return None
        done = rewrite(row["question"], row["solution"], kind, rng)
        if done is None:
            return None
        return {"question": done.question, "answer": number_text(done.answer), "solution": None,
                "changed": done.changed, "check_answer": done.check}

    return vary


def _critical_thinking(row: Row, rng: random.Random) -> Row | None:
    from tasks.substitute import build_flow

    if "<<" not in str(row.get("solution") or ""):
        return None
    flow = build_flow(row["question"], row["solution"])
    if flow is None:
        return None
    before, last = _question_parts(row["question"])
    needed = [value for value in flow.needed if len(flow.numbers[value]) == 1]
    rng.shuffle(needed)
    for value in needed:
        text = number_text(value)
        holders = [i for i, sentence in enumerate(before) if re.search(rf"(?<![\d.,]){re.escape(text)}(?![\d.,]*\d)",
                                                                       sentence.replace(",", ""))]
        if len(holders) == 1 and len(before) > 1:
            kept = [s for i, s in enumerate(before) if i != holders[0]]
            return {"question": " ".join([*kept, last]), "answer": UNDETERMINED, "solution": None, "removed": text}
    return None


def _changed_condition(row: Row, rng: random.Random) -> Row | None:
    from tasks.synth import ALL_FAMILIES, build_rows

    family = ALL_FAMILIES.get(str(row.get("kind")))
    if family is None or not row.get("numbers"):
        return None
    for _ in range(20):
        numbers = list(row["numbers"])
        i = rng.randrange(len(numbers))
        numbers[i] += rng.choice((-3, -2, -1, 1, 2, 3))
        made = build_rows(family, tuple(numbers), int(row.get("story", 0)), (row.get("lang", "en"),), 0.0)
        if made and made[0]["answer"] != row["answer"] or made and made[0]["question"] != row["question"]:
            new = made[0]
            return {key: new[key] for key in ("question", "answer", "solution", "numbers", "structure")}
    return None


KINDS: dict[str, Callable[[Row, random.Random], Row | None]] = {
    "typos": _surface(_typos),
    "spacing": _surface(_spacing),
    "number_format": _surface(_number_format),
    "reorder": _surface(_reorder),
    "distractor": _surface(_distractor),
    "substitute": _recomputed("substitute"),
    "expand": _recomputed("expand"),
    "decimal": _recomputed("decimal"),
    "changed_condition": _changed_condition,
    "critical_thinking": _critical_thinking,
}


def augment(
    rows: list[Row], kinds: list[str], seed: int = 0, progress: Callable[[int], None] | None = None
) -> tuple[list[Row], Counter[str]]:
    """One variant per row and kind where the kind applies, and how many rows each kind skipped."""
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        from rlvr.errors import SetupError

        raise SetupError(f"unknown augmentation kind(s) {', '.join(unknown)}; known: {', '.join(KINDS)}")
    rng = random.Random(seed)
    variants: list[Row] = []
    skipped: Counter[str] = Counter()
    for row in rows:
        for kind in kinds:
            change = KINDS[kind](row, rng)
            if change is None:
                skipped[kind] += 1
                continue
            marks = {"id": f"{row['id']}:{kind}", "source_id": row["id"], "perturbation": kind}
            variants.append({**row, **change, **marks})
        if progress is not None:
            progress(1)
    return variants, skipped
