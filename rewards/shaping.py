"""Built-in shaping terms: a format reward, a soft over-length penalty and an n-gram repetition penalty.

Each term is a pure function of one completion (and its token count) with a pydantic config.
A reward spec names a term with ``shaping: format`` (or ``length``, ``repetition``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "SHAPING_TERMS",
    "FormatConfig",
    "LengthConfig",
    "RepetitionConfig",
    "ShapingTerm",
    "format_reward",
    "estimate_tokens",
    "ngram_repetition_penalty",
    "normalise_text",
    "soft_overlong_penalty",
]

# Characters that render as nothing or as blank space but are letters to a regex: Hangul fillers,
# the braille blank, and the like. Format characters (category Cf: zero-width spaces and joiners,
# soft hyphens, direction marks) are removed by category.
_FILLERS = dict.fromkeys(map(ord, "\u115f\u1160\u3164\uffa0\u2800\u180e\u034f"))
_CHARS_PER_TOKEN = 4  # a common tokenizer-free estimate for English text and code


class FormatConfig(BaseModel):
    """``<think>reasoning</think>`` then a non-empty answer (optionally inside ``<answer>`` tags)."""

    model_config = ConfigDict(extra="forbid")

    think_tag: str = Field(default="think", pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")
    answer_tag: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")
    min_think_chars: int = Field(default=1, ge=0)


class LengthConfig(BaseModel):
    """DAPO's soft over-length penalty: 0 up to ``max_tokens - buffer_tokens``, then linear to -1.

    The trainers pass the tokenizer's count; with no count (``rlvr score`` on plain text) the
    term uses :func:`estimate_tokens` instead, a tokenizer-free estimate.
    """

    model_config = ConfigDict(extra="forbid")

    max_tokens: int = Field(default=1024, gt=0)
    buffer_tokens: int = Field(default=256, gt=0)

    @model_validator(mode="after")
    def _buffer_fits(self) -> LengthConfig:
        if self.buffer_tokens > self.max_tokens:
            raise ValueError(f"buffer_tokens ({self.buffer_tokens}) must not exceed max_tokens ({self.max_tokens})")
        return self


class RepetitionConfig(BaseModel):
    """Penalty = -(share of word n-grams that repeat an earlier one), in [-1, 0]."""

    model_config = ConfigDict(extra="forbid")

    n: int = Field(default=3, ge=1)


def _tag_pattern(tag: str, closing: bool) -> re.Pattern[str]:
    # Any spelling a tokenizer could render as the tag counts: case, inner spaces.
    return re.compile(rf"<\s*{'/' if closing else ''}\s*{re.escape(tag)}\s*>", re.IGNORECASE)


def _one_block(text: str, tag: str) -> tuple[str, str, str] | None:
    """(before, inside, after) of the only ``<tag>…</tag>`` block in ``text``; None if not exactly one."""
    opens = list(_tag_pattern(tag, closing=False).finditer(text))
    closes = list(_tag_pattern(tag, closing=True).finditer(text))
    if len(opens) != 1 or len(closes) != 1 or closes[0].start() < opens[0].end():
        return None
    return text[: opens[0].start()], text[opens[0].end() : closes[0].start()], text[closes[0].end() :]


def format_reward(completion: str, config: FormatConfig | None = None) -> float:
    """1.0 for exactly one ``<think>…</think>`` at the start followed by an answer, else 0.0.

    Repeated, nested, unclosed or reordered tags earn nothing, and so does an answer with no
    letter or digit after the think block (blank, punctuation only, or invisible characters).

    Example:
        >>> format_reward("<think>2+2 is 4</think> The answer is 4.")
        1.0
        >>> format_reward("<think>a</think><think>b</think> 4")
        0.0
    """
    config = config or FormatConfig()
    block = _one_block(completion, config.think_tag)
    if block is None:
        return 0.0
    before, thought, answer = block
    if before.strip() or len(thought.strip()) < max(config.min_think_chars, 0):
        return 0.0
    if config.answer_tag is not None:
        if _tag_pattern(config.think_tag, closing=False).search(answer):
            return 0.0
        inner = _one_block(answer, config.answer_tag)
        if inner is None or inner[0].strip() or inner[2].strip():
            return 0.0
        answer = inner[1]
    return 1.0 if _WORD.search(normalise_text(answer)) else 0.0


def soft_overlong_penalty(token_count: int, config: LengthConfig | None = None) -> float:
    """DAPO's soft over-length punishment from the completion's token count, in [-1, 0].

    Example:
        >>> soft_overlong_penalty(700, LengthConfig(max_tokens=1024, buffer_tokens=256))
        0.0
        >>> soft_overlong_penalty(896, LengthConfig(max_tokens=1024, buffer_tokens=256))
        -0.5
        >>> soft_overlong_penalty(2000, LengthConfig(max_tokens=1024, buffer_tokens=256))
        -1.0
    """
    config = config or LengthConfig()
    free = config.max_tokens - config.buffer_tokens
    if token_count <= free:
        return 0.0
    if token_count > config.max_tokens:
        return -1.0
    return (free - token_count) / config.buffer_tokens


_WORD = re.compile(r"\w+")


def normalise_text(text: str) -> str:
    """NFKC-folded ``text`` without format characters (zero-width, soft hyphen) or blank fillers (U+3164).

    Example:
        >>> normalise_text("so\u200b x\u3164 is ４")
        'so x is 4'
    """
    folded = unicodedata.normalize("NFKC", text).translate(_FILLERS)
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")


def estimate_tokens(text: str) -> int:
    """A tokenizer-free token count: the larger of the word-piece count and characters / 4.

    Used by the ``length`` term when no token count is given (offline scoring of plain text), so
    a 100,000-character completion with no spaces still counts as about 25,000 tokens.

    Example:
        >>> estimate_tokens("The answer is 4.")
        5
        >>> estimate_tokens("a" * 100_000)
        25000
    """
    pieces = len(re.findall(r"\w+|[^\w\s]", text))
    return max(pieces, math.ceil(len(text) / _CHARS_PER_TOKEN))


def ngram_repetition_penalty(completion: str, config: RepetitionConfig | None = None) -> float:
    """Minus the share of word n-grams that already occurred earlier in the completion, in [-1, 0].

    The text is normalised first (:func:`normalise_text`), so repeats made distinct with
    invisible or compatibility characters still count as repeats.

    Example:
        >>> ngram_repetition_penalty("the cat sat on the mat")
        0.0
        >>> ngram_repetition_penalty("so x is 4. so x is 4. so x is 4. so x is 4.")
        -0.714286
    """
    config = config or RepetitionConfig()
    words = _WORD.findall(normalise_text(completion).casefold())
    grams = [tuple(words[i : i + config.n]) for i in range(len(words) - config.n + 1)]
    if not grams:
        return 0.0
    repeated = round(1.0 - len(set(grams)) / len(grams), 6)
    return -repeated if repeated else 0.0


@dataclass(frozen=True)
class ShapingTerm:
    """A built-in term: its config class, and how it scores (text, token count, config)."""

    name: str
    config_class: type[BaseModel]
    score: Callable[[str, int | None, BaseModel], float]
    gives_pass: bool  # True when 1.0 means "passed" (format), so a gate can use it


def _count_or_estimate(text: str, token_count: int | None) -> int:
    # Without the tokenizer's count (offline scoring of plain text) fall back to estimate_tokens.
    return token_count if token_count is not None else estimate_tokens(text)


SHAPING_TERMS: dict[str, ShapingTerm] = {
    "format": ShapingTerm("format", FormatConfig, lambda text, _n, cfg: format_reward(text, cfg), True),
    "length": ShapingTerm(
        "length", LengthConfig, lambda text, n, cfg: soft_overlong_penalty(_count_or_estimate(text, n), cfg), False
    ),
    "repetition": ShapingTerm(
        "repetition", RepetitionConfig, lambda text, _n, cfg: ngram_repetition_penalty(text, cfg), False
    ),
}
