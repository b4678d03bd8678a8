"""Seeded SymPy problem generation with a train/held-out split by problem structure.

A problem's *structure* is its family and numbers, not its wording: the English and Chinese
versions of a problem, or the same numbers told about other people, share one structure key.
The split hashes that key, so it is deterministic, needs no second pass, and no held-out problem
is a train problem retold.

Example:
    >>> rows = synthesize(SynthConfig(n=1, seed=3, langs=("en", "zh"), families=("linear",)))
    >>> [(row["lang"], row["question"], row["answer"]) for row in rows]
    [('en', 'Solve 11x + 17 = 446 for x.', '39'), ('zh', '解方程 11x + 17 = 446，求 x。', '39')]
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rlvr.errors import SetupError
from tasks.families import FAMILIES, Family
from tasks.physics_families import PHYSICS_FAMILIES

__all__ = ["ALL_FAMILIES", "SynthConfig", "build_rows", "split_of", "structure_key", "synthesize"]


# Every family a config may name; the default is the math ones (``rlvr data synth``'s output since the start).
ALL_FAMILIES: dict[str, Family] = {**FAMILIES, **PHYSICS_FAMILIES}


class SynthConfig(BaseModel):
    """What to generate: how many problems, from which families, how hard, in which languages."""

    model_config = ConfigDict(extra="forbid")

    n: int = Field(1000, ge=1, description="distinct problems (each gives one row per language)")
    seed: int = 0
    top: int = Field(100, ge=5, le=10**6, description="numbers go up to about this (the difficulty knob)")
    families: tuple[str, ...] = tuple(FAMILIES)
    langs: tuple[Literal["en", "zh"], ...] = ("en",)
    heldout: float = Field(0.1, ge=0.0, le=1.0, description="share of structures held out")

    @field_validator("families")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in value if name not in ALL_FAMILIES]
        if unknown or not value:
            raise ValueError(f"unknown families {unknown}; known: {', '.join(ALL_FAMILIES)}")
        return value


def structure_key(family: str, numbers: tuple[int, ...]) -> str:
    """The problem without its wording: the family and its numbers."""
    return f"{family}:{','.join(map(str, numbers))}"


def split_of(key: str, heldout: float) -> str:
    """'heldout' for a fixed, seed-independent ``heldout`` share of structure keys, else 'train'."""
    digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")
    return "heldout" if digest / 2**64 < heldout else "train"


def build_rows(
    family: Family, numbers: tuple[int, ...], story: int, langs: tuple[str, ...], heldout: float
) -> list[dict[str, Any]] | None:
    """One row per language for ``numbers``, or None when they do not make a fair problem."""
    built = family.build(numbers, story)
    if built is None:
        return None
    key = structure_key(family.name, numbers)
    answer = str(built.answer)
    split = split_of(key, heldout)
    uid = hashlib.blake2b(key.encode(), digest_size=6).hexdigest()
    return [
        {
            "id": f"{family.name}-{uid}-{lang}",
            "question": built.question[lang],
            "answer": answer,
            "solution": f"<think>{built.steps[lang]}</think> \\boxed{{{answer}}}",
            "kind": family.name,
            "group": family.group,
            "lang": lang,
            "split": split,
            "structure": key,
            "numbers": list(numbers),
            "story": story,
        }
        for lang in langs
    ]


def iter_problems(config: SynthConfig) -> Iterator[list[dict[str, Any]]]:
    """Rows of distinct problems (by structure key), reproducible from ``config.seed``."""
    rng = random.Random(config.seed)
    families = [ALL_FAMILIES[name] for name in config.families]
    seen: set[str] = set()
    made = attempts = 0
    while made < config.n:
        attempts += 1
        if attempts > 50 * config.n + 1000:
            raise SetupError(f"cannot make {config.n} distinct problems from these families with top={config.top}; "
                             "raise --top or add families")
        family = rng.choice(families)
        numbers = family.sample(rng, config.top)
        key = structure_key(family.name, numbers)
        if key in seen:
            continue
        rows = build_rows(family, numbers, rng.randrange(30), config.langs, config.heldout)
        if rows is None:
            continue
        seen.add(key)
        made += 1
        yield rows


def synthesize(config: SynthConfig, progress: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
    """All rows for ``config`` (``config.n`` problems times the languages)."""
    out: list[dict[str, Any]] = []
    for rows in iter_problems(config):
        out.extend(rows)
        if progress is not None and len(out) % 1000 < len(rows):
            progress(1000)
    return out
