"""Synthetic math, task files and the train/held-out split of the trainers."""

from __future__ import annotations

import random
import re
from fractions import Fraction
from pathlib import Path

import pytest

from trainers.data import TaskError, format_prompt, load_task
from trainers.synthetic import KINDS, Problem, make_problem, make_problems, split_problems, with_bare_answers
from verifiers.math.extract import last_boxed

DATA = Path(__file__).parent / "data"


def test_split_never_overlaps_and_is_reproducible():
    train, heldout = split_problems(3000, 200, seed=3)
    assert len(train) == 3000 and len(heldout) == 200
    assert not {p.question for p in train} & {p.question for p in heldout}
    assert not {p.key for p in train} & {p.key for p in heldout}  # not even with other names
    assert len({p.question for p in train}) == 3000  # no duplicates inside a split either
    again_train, again_heldout = split_problems(3000, 200, seed=3)
    assert again_train == train and again_heldout == heldout
    assert split_problems(50, 20, seed=4)[1] != heldout[:20]  # another seed, other problems


def test_retold_word_problems_stay_on_one_side_of_the_split():
    # 4000 two-step problems over 405 number triples: many train problems share numbers and
    # differ only in names and items; none of those may be a held-out problem retold.
    train, heldout = split_problems(4000, 200, kinds=("two_step",), top=9)
    assert len({p.key for p in heldout}) == 200
    assert not {p.key for p in train} & {p.key for p in heldout}
    first = heldout[0].question
    other = "Bob" if first.startswith("Ann") else "Ann"
    retold = Problem(other + first[3:], heldout[0].answer, heldout[0].solution, "two_step")
    assert retold.question != first and retold.key == heldout[0].key
    question = "Ann has 5 pens, gives away 2 and gets 3 more. How many pens are there now?"
    assert Problem(question, "6", "", "two_step").key == (
        "_ has 5 _, gives away 2 and gets 3 more. How many _ are there now?"
    )


def test_two_step_answers_follow_the_story():
    pattern = re.compile(r"has (\d+) \w+, gives away (\d+) and gets (\d+) more\.")
    for problem in make_problems(60, seed=2, kinds=("two_step",), top=9):
        a, b, c = map(int, pattern.search(problem.question).groups())
        assert 1 <= b <= a <= 9 and 1 <= c <= 9
        assert int(problem.answer) == a - b + c
        steps = f"{a} - {b} = {a - b}. {a - b} + {c} = {problem.answer}."
        assert problem.solution == f"<think>{steps}</think> \\boxed{{{problem.answer}}}"


def test_bare_answers_replace_a_seeded_share_of_the_solutions():
    rows = [p.as_row() for p in make_problems(1000, seed=1, kinds=("two_step",), top=9)]
    original = [dict(row) for row in rows]
    mixed = with_bare_answers(rows, 0.5, seed=0)
    bare = [m for m in mixed if m["solution"] == f"\\boxed{{{m['answer']}}}"]
    assert 430 <= len(bare) <= 570
    assert all(m["solution"] == r["solution"] for m, r in zip(mixed, rows, strict=True) if m not in bare)
    assert [{k: v for k, v in m.items() if k != "solution"} for m in mixed] == [
        {k: v for k, v in r.items() if k != "solution"} for r in rows
    ]
    assert rows == original  # the input is not changed
    assert with_bare_answers(rows, 0.5, seed=0) == mixed
    assert with_bare_answers(rows, 0.0) == rows
    assert all(m["solution"].startswith("\\boxed{") for m in with_bare_answers(rows, 1.0))
    with pytest.raises(ValueError, match="lie in \\[0, 1\\]"):
        with_bare_answers(rows, 1.5)


def test_heldout_does_not_depend_on_train_size():
    # Evaluating after a longer run must use the very same held-out problems.
    assert split_problems(100, 50, seed=0)[1] == split_problems(2000, 50, seed=0)[1]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_answers_are_right_and_in_the_solution(kind):
    rng = random.Random(11)
    for _ in range(50):
        problem = make_problem(rng, kinds=(kind,))
        assert problem.kind == kind
        assert problem.solution.endswith(f"\\boxed{{{problem.answer}}}")
        assert problem.solution.startswith("<think>")  # the format reward's layout
        assert last_boxed(problem.solution)[0] == problem.answer


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is 12 + 30?", Fraction(42)),
        ("What is 7 * 6?", Fraction(42)),
        ("What is 1/2 + 1/3?", Fraction(5, 6)),
        ("What is 5/4 - 1?", Fraction(1, 4)),  # a whole number written as a fraction by sympy
    ],
)
def test_arithmetic_answers_evaluate(question, expected):
    expression = question.removeprefix("What is ").removesuffix("?")
    terms = expression.split(" ")
    value = Fraction(terms[0])
    for op, term in zip(terms[1::2], terms[2::2], strict=True):
        value = {"+": value + Fraction(term), "-": value - Fraction(term), "*": value * Fraction(term)}[op]
    assert value == expected


def test_linear_answers_solve_the_equation():
    for problem in make_problems(40, seed=5, kinds=("linear",)):
        left, c = problem.question.removeprefix("Solve ").removesuffix(".").split(" = ")
        a, b = left.split("x + ")
        assert int(a) * Fraction(problem.answer) + int(b) == int(c)


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown problem kinds"):
        make_problems(3, kinds=("calculus",))


@pytest.mark.parametrize(
    ("file", "first_answers"),
    [
        ("trainers_gsm8k.jsonl", {"12", "6", "1500", "35", "7"}),  # "1,500": the comma goes
        ("trainers_math.jsonl", {"\\frac{5}{6}", "4", "9", "32"}),  # last \boxed{} of the solution
    ],
)
def test_task_files(file, first_answers):
    task = load_task(str(DATA / file), n_heldout=2)
    rows = task.train + task.heldout
    assert {row["answer"] for row in rows} == first_answers
    assert len(task.heldout) == 2
    assert not {r["question"] for r in task.train} & {r["question"] for r in task.heldout}
    assert all("\\boxed{" in row["solution"] for row in rows)


def test_duplicate_questions_collapse_before_the_split():
    task = load_task(str(DATA / "trainers_gsm8k.jsonl"), n_heldout=2)
    assert len(task.train) + len(task.heldout) == 5  # six rows, one repeated


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ("trainers_bad_columns.jsonl", "has columns \\['query', 'target'\\]"),
        ("missing.jsonl", "does not exist"),
        ("trainers_unknown_verifier.yaml", "expected .jsonl, .json or .parquet"),
    ],
)
def test_bad_task_files(task, message):
    with pytest.raises(TaskError, match=message):
        load_task(str(DATA / task))


def test_prompt_format_follows_the_chat_template():
    class Plain:
        chat_template = None

    class Chat:
        chat_template = "{{ messages }}"

    assert format_prompt("2+2?", Plain()) == "Q: 2+2?\nA:"
    assert format_prompt("2+2?", Chat()) == [{"role": "user", "content": "2+2?"}]
