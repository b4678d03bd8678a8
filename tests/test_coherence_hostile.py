"""Hostile inputs to the coherence checks: every one a Verdict, fast, from many threads at once."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from verifiers.coherence.equations import extract_equations
from verifiers.coherence.steps import segment_steps
from verifiers.coherence.suspects import find_suspects
from verifiers.coherence.verifier import CoherenceVerifier

ROOT = Path(__file__).resolve().parents[1]
ROWS = [json.loads(line) for line in (ROOT / "tests/data/coherence_chains.jsonl").read_text().splitlines()]
COHERENT = [row for row in ROWS if row["label"] == "coherent"]
TIMEOUT_S = 5.0
HOSTILE = [
    "So 0^-1 = 4.\nThen (-8)^0.5 = 4.",
    "We get " + "(" * 5000 + "1" + ")" * 5000 + " = 1.\nSo it is 1.",
    "Then 2^{2^{2^{2^{2^{2}}}}} = 3.\nAnd \\lfloor 2^{190000}\\sqrt{2}\\rfloor = 5.",
    " ".join(str(i) for i in range(1, 400)),  # a line of consecutive numbers (1.5 KB)
    "No. " * 250_000,
    "\\frac{" * 3000 + "1" + "}{2}" * 3000 + " = 1.\nDone now.",
    "1 = " * 50_000 + "1.\nSo 400! = 5 and 10^10^10 = 7.",
    "$" * 10_000 + "\\sqrt" * 5000 + "{" * 5000 + "\nx = 1.\nx = 2.",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0^-1 = 4", ["invalid"]),  # no real value: a false statement, not an exception
        ("(-8)^0.5 = 4", ["invalid"]),
        ("3! * 7! * 8 / 10! = 1/10", ["invalid"]),  # exact: it is 1/15
        ("$\\binom{8}{2}=28$", ["valid"]),
        ("$\\frac{20!}{2!\\cdot 18!}=190$", ["valid"]),
        ("So $3\\frac{1}{5} - 4\\frac{1}{2} = \\frac{16}{5} - \\frac{9}{2}$.", ["valid"]),  # mixed numbers
        ("2.83*30.5=86.065", ["invalid"]),
        ("34/12=2.83", ["valid"]),  # right to the decimals written
        ("$7@4=7*4-2*7$", []),  # an operator we cannot read: the side is not judged
        ("$a2^4=7!$", []),  # a name glued to a number is not arithmetic
        ("2^{2^{2^{2^{2^{2}}}}} = 3", ["constraint"]),  # too big to compute: not judged
        ("(" * 5000 + "1" + ")" * 5000 + " = 1", []),  # deeper than the parser goes: not parsed
    ],
)
def test_equations_on_hostile_and_latex_text(text: str, expected: list[str]) -> None:
    assert [e.status for e in extract_equations(text)] == expected


@pytest.mark.parametrize("text", HOSTILE)
def test_symbolic_checks_are_fast_on_hostile_chains(text: str) -> None:
    start = time.perf_counter()
    find_suspects(segment_steps(text).steps)
    assert time.perf_counter() - start < 1.0


@pytest.fixture(scope="module")
def verifier() -> CoherenceVerifier:
    with CoherenceVerifier(timeout_s=TIMEOUT_S) as instance:
        instance.verify("Maya has 12 apples.\nShe gives 4 away: 12 - 4 = 8.", question=COHERENT[0]["question"])
        yield instance


def _timed(verifier: CoherenceVerifier, text: str) -> tuple[str, float]:
    start = time.perf_counter()
    verdict = verifier.verify(text, question="What is 1 + 2 + 3?")
    return verdict.status, time.perf_counter() - start


def test_every_hostile_input_is_a_verdict_in_time_from_eight_threads(verifier: CoherenceVerifier) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda text: _timed(verifier, text), HOSTILE))
    assert all(status in {"ok", "unparseable", "timeout"} for status, _ in results), results
    assert max(seconds for _, seconds in results) < TIMEOUT_S + 0.5, results


def _stuffed(question: str, answer_line: str) -> str:
    """Keyword-stuffed nonsense: the question's words and numbers shuffled into steps, then the answer."""
    words = question.replace("?", "").replace(".", "").split()
    steps = [" ".join(words[i::3][::-1]) + "." for i in range(3)]
    return "\n".join([*steps, answer_line])


@pytest.mark.parametrize("row", COHERENT, ids=[row["id"] for row in COHERENT])
def test_keyword_stuffing_scores_below_the_honest_chain(verifier: CoherenceVerifier, row: dict) -> None:
    honest = verifier.verify(row["chain"], question=row["question"]).score
    answer_line = row["chain"].splitlines()[-1]
    stuffed = verifier.verify(_stuffed(row["question"], answer_line), question=row["question"]).score
    assert stuffed < honest
