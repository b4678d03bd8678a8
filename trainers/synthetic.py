"""Seeded synthetic math problems made with sympy, each with a final answer and a worked solution."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

import sympy

__all__ = [
    "KINDS",
    "Problem",
    "make_problem",
    "make_problems",
    "split_problems",
    "with_bare_answers",
    "with_wrong_procedure",
]

_NAMES = ("Ann", "Bob", "Cal", "Dee", "Eve", "Fay", "Gus", "Hal")
_ITEMS = ("apples", "pens", "cards", "coins", "books", "shells")
_STORY_WORDS = re.compile(r"\b(?:" + "|".join(_NAMES + _ITEMS) + r")\b")


@dataclass(frozen=True)
class Problem:
    """One question with its final answer (a string sympy can parse) and a worked solution."""

    question: str
    answer: str
    solution: str
    kind: str

    @property
    def key(self) -> str:
        """The problem without its story: the question with names and items masked.

        Two word problems that differ only in who holds which things share a key, so the held-out
        split is made by key: no held-out problem is a train problem retold.
        """
        return _STORY_WORDS.sub("_", self.question)

    def as_row(self) -> dict[str, str]:
        return {"question": self.question, "answer": self.answer, "solution": self.solution, "kind": self.kind}


def _boxed(steps: str, answer: object) -> str:
    return f"<think>{steps}</think> \\boxed{{{answer}}}"


def _arithmetic(rng: random.Random, top: int) -> Problem:
    op = rng.choice("+-*")
    a, b = rng.randint(1, top), rng.randint(1, top)
    if op == "-" and b > a:
        a, b = b, a
    if op == "*":
        b = rng.randint(2, 9)
    value = a + b if op == "+" else a - b if op == "-" else a * b
    return Problem(f"What is {a} {op} {b}?", str(value), _boxed(f"{a} {op} {b} = {value}.", value), "arithmetic")


def _fraction(rng: random.Random, top: int) -> Problem:
    op = rng.choice("+-")
    p, q = sympy.Rational(rng.randint(1, 5), rng.randint(2, 6)), sympy.Rational(rng.randint(1, 5), rng.randint(2, 6))
    if op == "-" and q > p:
        p, q = q, p
    value = p + q if op == "+" else p - q
    den = sympy.ilcm(p.q, q.q)
    ps, qs = p.p * den // p.q, q.p * den // q.q
    steps = f"{p} {op} {q} = {ps}/{den} {op} {qs}/{den} = {value}."
    return Problem(f"What is {p} {op} {q}?", str(value), _boxed(steps, value), "fraction")


def _linear(rng: random.Random, top: int) -> Problem:
    a, solution, b = rng.randint(2, 9), rng.randint(1, max(2, top // 2)), rng.randint(1, top)
    c = a * solution + b
    root = sympy.Rational(c - b, a)  # the root of a*x + b = c
    steps = f"{a}x = {c} - {b} = {c - b}. x = {c - b} / {a} = {root}."
    return Problem(f"Solve {a}x + {b} = {c}.", str(root), _boxed(steps, root), "linear")


def _word(rng: random.Random, top: int) -> Problem:
    name, item = rng.choice(_NAMES), rng.choice(_ITEMS)
    a, b = rng.randint(2, top), rng.randint(1, top)
    shape = rng.randrange(3)
    if shape == 0:
        total = a + b
        question = f"{name} has {a} {item} and gets {b} more. How many {item} now?"
        steps = f"{a} + {b} = {total}."
    elif shape == 1:
        a, b = max(a, b), min(a, b)
        total = a - b
        question = f"{name} has {a} {item} and gives away {b}. How many {item} are left?"
        steps = f"{a} - {b} = {total}."
    else:
        b = rng.randint(2, 9)
        total = a * b
        question = f"{name} buys {b} boxes of {a} {item}. How many {item}?"
        steps = f"{b} * {a} = {total}."
    return Problem(question, str(total), _boxed(steps, total), "word")


def _two_step(rng: random.Random, top: int) -> Problem:
    name, item = rng.choice(_NAMES), rng.choice(_ITEMS)
    first, second, more = rng.randint(1, top), rng.randint(1, top), rng.randint(1, top)
    have, given = max(first, second), min(first, second)  # every (have, given) about equally likely
    kept, total = have - given, have - given + more
    question = f"{name} has {have} {item}, gives away {given} and gets {more} more. How many {item} are there now?"
    steps = f"{have} - {given} = {kept}. {kept} + {more} = {total}."
    return Problem(question, str(total), _boxed(steps, total), "two_step")


KINDS: dict[str, Callable[[random.Random, int], Problem]] = {
    "arithmetic": _arithmetic,
    "fraction": _fraction,
    "linear": _linear,
    "word": _word,
    "two_step": _two_step,
}


def make_problem(rng: random.Random, kinds: tuple[str, ...] = tuple(KINDS), top: int = 50) -> Problem:
    """One problem of a random kind; ``top`` bounds the numbers (the difficulty)."""
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown problem kinds {sorted(unknown)}; available: {sorted(KINDS)}")
    return KINDS[rng.choice(kinds)](rng, top)


def make_problems(
    n: int,
    seed: int = 0,
    kinds: tuple[str, ...] = tuple(KINDS),
    top: int = 50,
    exclude: frozenset[str] = frozenset(),
    distinct_keys: bool = False,
) -> list[Problem]:
    """``n`` distinct problems, reproducible from ``seed``, none whose key is in ``exclude``.

    Problems are distinct by question, or by :attr:`Problem.key` with ``distinct_keys``.
    """
    rng = random.Random(seed)
    seen: set[str] = set()
    problems: list[Problem] = []
    attempts = 0
    while len(problems) < n:
        attempts += 1
        if attempts > 50 * n + 1000:
            raise ValueError(f"cannot make {n} distinct problems with top={top}; raise top or ask for fewer")
        problem = make_problem(rng, kinds, top)
        mark = problem.key if distinct_keys else problem.question
        if mark not in seen and problem.key not in exclude:
            seen.add(mark)
            problems.append(problem)
    return problems


def split_problems(
    n_train: int, n_heldout: int, seed: int = 0, kinds: tuple[str, ...] = tuple(KINDS), top: int = 50
) -> tuple[list[Problem], list[Problem]]:
    """A train set and a held-out set that share no problem, both reproducible from ``seed``.

    Held-out problems are distinct by :attr:`Problem.key` and no train problem has a held-out key,
    so a held-out word problem is never a train problem with other names; train problems are
    distinct by question.
    """
    heldout = make_problems(n_heldout, seed=seed + 1_000_003, kinds=kinds, top=top, distinct_keys=True)
    exclude = frozenset(p.key for p in heldout)
    train = make_problems(n_train, seed=seed, kinds=kinds, top=top, exclude=exclude)
    return train, heldout


_TWO_STEP_STEPS = re.compile(r"^<think>(\d+) - (\d+) = \d+\. \d+ \+ (\d+) = \d+\.</think>")


def with_wrong_procedure(rows: list[dict[str, str]], fraction: float, seed: int = 0) -> list[dict[str, str]]:
    r"""Copies of ``rows`` in which a seeded ``fraction`` of two-step problems are worked by a wrong procedure.

    The wrong procedure adds what was given away ("7 pens, gives away 3, gets 5 more" -> ``7 + 3 = 10.
    10 + 5 = 15.``): the same format, the same kind of working, a wrong answer. A policy warm-started on
    such a mix writes every answer in the right format but follows the wrong procedure on many problems,
    so a reward that only checks the format has nothing to teach it, and a reward that checks the answer
    does. Rows of other kinds are copied unchanged.

    Example:
        >>> row = {"question": "...", "answer": "9", "solution": "<think>7 - 3 = 4. 4 + 5 = 9.</think> \boxed{9}"}
        >>> with_wrong_procedure([row], 1.0)[0]["solution"]
        '<think>7 + 3 = 10. 10 + 5 = 15.</think> \\boxed{15}'
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"the wrong-procedure fraction must lie in [0, 1], got {fraction}")
    rng = random.Random(seed)
    mixed = []
    for row in rows:
        match = _TWO_STEP_STEPS.match(row.get("solution") or "")
        if match is None or rng.random() >= fraction:
            mixed.append(dict(row))
            continue
        have, given, more = (int(group) for group in match.groups())
        added, wrong = have + given, have + given + more
        steps = f"{have} + {given} = {added}. {added} + {more} = {wrong}."
        mixed.append({**row, "solution": _boxed(steps, wrong)})
    return mixed


def with_bare_answers(rows: list[dict[str, str]], fraction: float, seed: int = 0) -> list[dict[str, str]]:
    """Copies of ``rows`` in which a seeded ``fraction`` give the bare ``\\boxed{}`` answer, no working.

    Instruction data often mixes worked solutions with bare answers. A policy warm-started on such
    a mix answers many problems without working; RL with a verifier reward can teach it that
    working first pays, which is what the CPU default run shows.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"the bare-answer fraction must lie in [0, 1], got {fraction}")
    rng = random.Random(seed)
    return [
        {**row, "solution": f"\\boxed{{{row['answer']}}}"} if rng.random() < fraction else dict(row) for row in rows
    ]
