"""Shaping terms: the format reward (and the ways to game it), over-length and repetition penalties."""

from __future__ import annotations

import pytest

from rewards.shaping import (
    SHAPING_TERMS,
    FormatConfig,
    LengthConfig,
    RepetitionConfig,
    estimate_tokens,
    format_reward,
    ngram_repetition_penalty,
    normalise_text,
    soft_overlong_penalty,
)


@pytest.mark.parametrize(
    "completion, expected",
    [
        ("<think>2+2 is 4</think> The answer is 4.", 1.0),
        ("  <think>\nstep one\n</think>\n\\boxed{4}\n", 1.0),  # surrounding whitespace is fine
        ("<think>2+2 is 4</think>", 0.0),  # no answer after the thought
        ("<think>2+2 is 4</think>   ", 0.0),  # a blank answer is no answer
        ("<think></think> 4", 0.0),  # an empty thought
        ("The answer is 4", 0.0),  # no tags
        ("4 <think>why</think> 4", 0.0),  # text before the thought
        ("<think>a</think><think>b</think> 4", 0.0),  # gaming: repeated blocks
        ("<think>a</think> 4 <think>b</think> 4", 0.0),  # gaming: a second block after the answer
        ("<think><think>a</think></think> 4", 0.0),  # gaming: nested tags
        ("<think>a <think> b</think> 4", 0.0),  # gaming: an extra opening tag inside
        ("<think>a</think> 4 </think>", 0.0),  # gaming: a stray closing tag in the answer
        ("</think>a<think> 4", 0.0),  # reordered tags
        ("<think>a 4", 0.0),  # unclosed
        ("<THINK>a</think> 4 <Think >b</ think>", 0.0),  # other spellings of the tag count as repeats
    ],
)
def test_format_reward(completion, expected):
    assert format_reward(completion) == expected


@pytest.mark.parametrize(
    "completion, expected",
    [
        ("<think>r</think><answer>4</answer>", 1.0),
        ("<think>r</think> <answer> 4 </answer> ", 1.0),
        ("<think>r</think> 4", 0.0),  # answer tags required
        ("<think>r</think><answer></answer>", 0.0),  # empty answer
        ("<think>r</think><answer>4</answer><answer>5</answer>", 0.0),  # gaming: repeated answers
        ("<think>r</think><answer><answer>4</answer></answer>", 0.0),  # gaming: nested answers
        ("<think>r</think> so <answer>4</answer>", 0.0),  # text outside the answer tags
        ("<think>r</think><answer>4</answer> and more", 0.0),
    ],
)
def test_format_reward_with_answer_tags(completion, expected):
    assert format_reward(completion, FormatConfig(answer_tag="answer")) == expected


def test_format_reward_min_think_chars():
    config = FormatConfig(min_think_chars=10)
    assert format_reward("<think>short</think> 4", config) == 0.0
    assert format_reward("<think>long enough thought</think> 4", config) == 1.0


@pytest.mark.parametrize(
    "tokens, expected",
    [
        (0, 0.0),
        (96, 0.0),  # exactly at the free budget (max - buffer)
        (97, -1 / 32),
        (112, -0.5),  # halfway through the buffer
        (128, -1.0),  # exactly max_tokens
        (129, -1.0),  # beyond max
        (10_000, -1.0),  # never below -1
    ],
)
def test_soft_overlong_penalty(tokens, expected):
    assert soft_overlong_penalty(tokens, LengthConfig(max_tokens=128, buffer_tokens=32)) == pytest.approx(expected)


def test_buffer_equal_to_max_penalises_from_the_first_token():
    config = LengthConfig(max_tokens=4, buffer_tokens=4)
    assert [soft_overlong_penalty(n, config) for n in range(6)] == [0.0, -0.25, -0.5, -0.75, -1.0, -1.0]


@pytest.mark.parametrize(
    "completion, n, expected",
    [
        ("the cat sat on the mat", 3, 0.0),
        ("", 3, 0.0),  # nothing to repeat
        ("two words", 3, 0.0),  # shorter than one n-gram
        ("so x is 4. so x is 4. so x is 4. so x is 4.", 3, -10 / 14),  # gaming: one sentence, four times
        ("yes " * 50, 3, -47 / 48),  # gaming: one word over and over
        ("Yes YES yes yes", 1, -0.75),  # case does not hide a repeat
        ("a b a b", 2, -1 / 3),
        ("first we add. then we multiply. finally we check the result.", 2, 0.0),  # "we" alone is no repeat
    ],
)
def test_ngram_repetition_penalty(completion, n, expected):
    assert ngram_repetition_penalty(completion, RepetitionConfig(n=n)) == pytest.approx(expected, abs=1e-6)


def test_repeating_scores_worse_the_more_it_repeats():
    sentence = "we add three to both sides and get x equals seven. "
    penalties = [ngram_repetition_penalty(sentence * times) for times in (1, 2, 4, 8)]
    assert penalties == sorted(penalties, reverse=True) and penalties[0] == 0.0 and penalties[-1] < -0.8


@pytest.mark.parametrize(
    "completion, expected",
    [
        ("<think>r</think> .", 0.0),  # punctuation is no answer
        ("<think>r</think> \u200b\u3164", 0.0),  # invisible and filler characters are no answer
        ("<think>r</think> \uff14", 1.0),  # a full-width digit is an answer (NFKC: 4)
        ("<think>x = 4</think> I am not sure.", 1.0),  # well formed; the answer's content is the verifiers' job
    ],
)
def test_format_reward_needs_a_visible_final_answer(completion, expected):
    assert format_reward(completion) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("so x is 4", "so x is 4"),
        ("so\u200b x\u200d is 4", "so x is 4"),  # zero-width space and joiner
        ("so x\u3164 is 4\u3164", "so x is 4"),  # Hangul filler (a letter to a regex)
        ("so x is \uff14", "so x is 4"),  # NFKC folds the full-width digit
        ("so\u00ad x is 4\u2800", "so x is 4"),  # soft hyphen, braille blank
    ],
)
def test_normalise_text(text, expected):
    assert normalise_text(text) == expected


@pytest.mark.parametrize(
    "completion",
    [
        " ".join(f"so x is 4{chr(0x3164) * i}" for i in range(12)),  # each repeat made distinct with fillers
        " ".join(f"so x is{chr(0x200B) * i} 4" for i in range(12)),  # ... with zero-width spaces
        " ".join(["so x is 4", "so x is \uff14"] * 6),  # ... with full-width digits
    ],
)
def test_repetition_penalty_sees_through_invisible_characters(completion):
    plain = " ".join(["so x is 4"] * 12)
    assert ngram_repetition_penalty(completion) == ngram_repetition_penalty(plain) < -0.5


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The answer is 4.", 5),  # word pieces win on ordinary text
        ("a" * 100_000, 25_000),  # one long "word": characters / 4
        ("", 0),
    ],
)
def test_estimate_tokens(text, expected):
    assert estimate_tokens(text) == expected


def test_length_term_estimates_tokens_when_no_count_is_given():
    term, config = SHAPING_TERMS["length"], LengthConfig(max_tokens=1024, buffer_tokens=256)
    assert term.score("a" * 100_000, None, config) == -1.0  # estimated at 25,000 tokens
    assert term.score("a" * 100_000, 10, config) == 0.0  # a given count is used as is
    assert term.score("The answer is 4.", None, config) == 0.0
