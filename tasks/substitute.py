"""GSM-Plus-style rewrites of GSM8K problems whose answers are recomputed, never guessed.

The solution's calculator steps (see :mod:`tasks.calculator`) are read as a data flow: each number
in a step is a number of the question, the result of an earlier step, or a constant (``2`` for
"half"). Changing numbers of the question and re-executing the steps gives the new answer; a
second computation, every step inlined into one expression and evaluated in floating point,
must agree with it. Rows whose steps do not reproduce their ``####`` answer are skipped.
"""

from __future__ import annotations

import ast
import random
import re
from dataclasses import dataclass
from fractions import Fraction

from tasks.calculator import Replay, _value, number_text, parse, replay

__all__ = ["Flow", "Rewrite", "build_flow", "rewrite"]

_QUESTION_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w.]*\d)")
_ATTEMPTS = 30
# Values a solution often uses as constants ("half", "per hour", "percent", "a dozen"): a question
# number with one of these values may be the constant instead, so it is never changed.
_CONSTANT_LIKE = frozenset(Fraction(v) for v in (1, 2, 7, 12, 24, 52, 60, 100, 365, 1000))


@dataclass(frozen=True)
class Flow:
    """The steps as trees whose leaves are ('q', value), ('step', index) or ('const', value)."""

    trees: tuple[ast.expr, ...]
    leaves: tuple[dict[int, tuple[str, Fraction | int]], ...]  # per step: id(leaf node) -> source
    numbers: dict[Fraction, list[tuple[int, int, bool]]]  # question value -> spans (start, end, commas)
    replayed: Replay

    @property
    def needed(self) -> list[Fraction]:
        """Question numbers the steps use, in order of first use."""
        seen: dict[Fraction, None] = {}
        for leaves in self.leaves:
            for kind, value in leaves.values():
                if kind == "q":
                    seen.setdefault(value, None)
        return list(seen)

    @property
    def changeable(self) -> list[Fraction]:
        """Needed numbers whose role is unambiguous: not constant-like, used once per step, and not
        also present as a scaled constant (``25%`` of the question written ``.25`` in a step)."""
        constants = {value for leaves in self.leaves for kind, value in leaves.values() if kind == "const"}
        twice = set()
        for leaves in self.leaves:
            values = [value for kind, value in leaves.values() if kind == "q"]
            twice |= {value for value in values if values.count(value) > 1}
        return [
            value for value in self.needed
            if value not in _CONSTANT_LIKE and value not in twice
            and not {value / 100, value / 10, value * 10, value * 100} & constants
        ]


@dataclass(frozen=True)
class Rewrite:
    question: str
    answer: Fraction
    check: float  # the second computation
    changed: dict[str, str]  # old number -> new number


def _question_numbers(question: str) -> dict[Fraction, list[tuple[int, int, bool]]]:
    found: dict[Fraction, list[tuple[int, int, bool]]] = {}
    for match in _QUESTION_NUMBER.finditer(question):
        value = Fraction(match.group(0).replace(",", ""))
        found.setdefault(value, []).append((match.start(), match.end(), "," in match.group(0)))
    return found


def build_flow(question: str, solution: str) -> Flow | None:
    """The data flow of a solution, or None when its steps do not reproduce its answer."""
    replayed = replay(solution)
    if not replayed.reproduces:
        return None
    numbers = _question_numbers(question)
    trees, all_leaves = [], []
    for index, step in enumerate(replayed.steps):
        tree = parse(step.expression)
        leaves: dict[int, tuple[str, Fraction | int]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant):
                value = _value(node)
                earlier = [i for i in range(index) if replayed.steps[i].computed == value]
                if earlier:
                    leaves[id(node)] = ("step", earlier[-1])
                elif value in numbers:
                    leaves[id(node)] = ("q", value)
                else:
                    leaves[id(node)] = ("const", value)
        trees.append(tree)
        all_leaves.append(leaves)
    return Flow(tuple(trees), tuple(all_leaves), numbers, replayed)


def _run(flow: Flow, values: dict[Fraction, Fraction]) -> list[Fraction | None]:
    results: list[Fraction | None] = []
    for tree, leaves in zip(flow.trees, flow.leaves, strict=True):
        results.append(_eval(tree, leaves, values, results))
    return results


def _eval(node: ast.AST, leaves, values, results) -> Fraction | None:
    if isinstance(node, ast.Constant):
        kind, ref = leaves[id(node)]
        return values.get(ref, ref) if kind == "q" else results[ref] if kind == "step" else ref
    if isinstance(node, ast.UnaryOp):
        inner = _eval(node.operand, leaves, values, results)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    left, right = _eval(node.left, leaves, values, results), _eval(node.right, leaves, values, results)
    if left is None or right is None:
        return None
    from tasks.calculator import MAX_MAGNITUDE, _apply

    result = _apply(type(node.op), left, right)
    return result if result is not None and abs(result) <= MAX_MAGNITUDE else None


def _inline(flow: Flow, index: int, values: dict[Fraction, Fraction]) -> float:
    """Step ``index`` recomputed in floating point with every earlier step inlined (a second order)."""

    def walk(node: ast.AST, leaves) -> float:
        if isinstance(node, ast.Constant):
            kind, ref = leaves[id(node)]
            if kind == "step":
                return _inline(flow, ref, values)
            return float(values.get(ref, ref)) if kind == "q" else float(ref)
        if isinstance(node, ast.UnaryOp):
            return -walk(node.operand, leaves) if isinstance(node.op, ast.USub) else walk(node.operand, leaves)
        right, left = walk(node.right, leaves), walk(node.left, leaves)  # right operand first
        ops = {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right}
        return ops[type(node.op)] if type(node.op) in ops else left / right if isinstance(node.op, ast.Div) \
            else left**right

    return walk(flow.trees[index], flow.leaves[index])


def _fits(old: list[Fraction | None], new: list[Fraction | None], kind: str) -> bool:
    """New intermediate results keep the kind of the old ones: whole stays whole, positive stays positive; a
    decimal rewrite's answer is a finite decimal."""
    for before, after in zip(old, new, strict=True):
        if after is None or (before >= 0) != (after >= 0):
            return False
        if kind != "decimal" and before.denominator == 1 and after.denominator != 1:
            return False
    if new[-1] is None:
        return False
    if kind == "decimal":  # an answer a person can write: 9.5 years, never 101/11 of a year
        return _terminates(new[-1])
    return new[-1].denominator == 1 or old[-1].denominator != 1


def _terminates(value: Fraction) -> bool:
    """Whether ``value`` has a finite decimal expansion (its denominator has no prime but 2 and 5)."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def _new_value(old: Fraction, kind: str, rng: random.Random) -> Fraction:
    if kind == "expand":
        return old * 10 + rng.randint(1, 9) if old.denominator == 1 else old * 10
    if kind == "decimal":
        return old + Fraction(1, 2)
    if old.denominator != 1 or old < 2:
        return old
    digits = len(str(old.numerator))
    low = 2 if digits == 1 else 10 ** (digits - 1)
    return Fraction(rng.randint(low, 10**digits - 1))


def _write(question: str, flow: Flow, values: dict[Fraction, Fraction]) -> str:
    edits = [(start, end, commas, values[old]) for old in values for start, end, commas in flow.numbers[old]]
    for start, end, commas, new in sorted(edits, reverse=True):
        text = number_text(new)
        if commas and new.denominator == 1:
            text = f"{new.numerator:,}"
        question = question[:start] + text + question[end:]
    return question


def rewrite(question: str, solution: str, kind: str, rng: random.Random) -> Rewrite | None:
    """A ``kind`` rewrite ("substitute", "expand" or "decimal") with its recomputed answer, or None."""
    flow = build_flow(question, solution)
    if flow is None or not flow.changeable:
        return None
    old = [step.computed for step in flow.replayed.steps]
    for _ in range(_ATTEMPTS):
        chosen = flow.changeable if kind == "substitute" else [rng.choice(flow.changeable)]
        values = {value: _new_value(value, kind, rng) for value in chosen}
        values = {k: v for k, v in values.items() if v != k}
        if not values:
            continue
        new = _run(flow, values)
        if not _fits(old, new, kind):
            continue
        check = _inline(flow, len(flow.trees) - 1, values)
        changed = {number_text(k): number_text(v) for k, v in values.items()}
        return Rewrite(_write(question, flow, values), new[-1], check, changed)
    return None
