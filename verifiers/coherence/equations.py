"""Numbers and equations inside a reasoning step: ``60 x 3 = 180``, ``h + 3h = 4h = 48``.

A step is tokenised; every ``=`` is widened to the longest arithmetic expression on each side
(words such as "miles" or "so" end an expression). Adjacent sides are then checked:
- both numeric: *valid* when they agree to the precision the step wrote (``50 / 3 = 16.67``);
- both with variables: *valid* when they agree at random points (an identity), else a constraint;
- one side with a variable (``4h = 48``): a constraint, neither valid nor invalid.
A small recursive-descent evaluator does the arithmetic; nothing is ``eval``-ed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

__all__ = ["Equation", "Number", "extract_equations", "extract_numbers", "same_value", "word_number_values"]

_NUMBER = r"\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?"
_TOKEN = re.compile(
    rf"(?P<num>{_NUMBER})(?P<var>[a-z](?![A-Za-z]))?"
    r"|(?P<word>[A-Za-z]+)|(?P<op>[-+*/^×÷·−–])|(?P<lp>\()|(?P<rp>\))|(?P<eq>=)|(?P<other>\S)"
)
_NUMBER_ONLY = re.compile(rf"(?<![\w.]){_NUMBER}(?![\d])")
_OPS = {"×": "*", "·": "*", "÷": "/", "−": "-", "–": "-"}
_WORD_VALUES = {
    "one": (1,),
    "two": (2,),
    "three": (3,),
    "four": (4,),
    "five": (5,),
    "six": (6,),
    "seven": (7,),
    "eight": (8,),
    "nine": (9,),
    "ten": (10,),
    "eleven": (11,),
    "twelve": (12,),
    "twenty": (20,),
    "hundred": (100,),
    "thousand": (1000,),
    "dozen": (12,),
    "half": (2, 0.5),
    "twice": (2,),
    "double": (2,),
    "triple": (3,),
    "quarter": (4, 0.25),
    "third": (3,),
    "fourth": (4,),
    "fifth": (5,),
}


@dataclass(frozen=True)
class Number:
    """A number as written: its value, the decimals shown, and whether it was a percentage."""

    value: float
    decimals: int
    percent: bool = False

    @property
    def values(self) -> tuple[float, ...]:
        """The values the text can stand for: ``25%`` is 25 and 0.25."""
        return (self.value, self.value / 100) if self.percent else (self.value,)


@dataclass
class Equation:
    """One ``lhs = rhs`` link of a chain of equalities, with its verdict."""

    text: str
    status: str  # "valid", "invalid" or "constraint"
    operands: list[Number] = field(default_factory=list)
    results: list[Number] = field(default_factory=list)


def parse_number(text: str) -> Number:
    """The :class:`Number` written as ``text`` (``$1,200.50``, ``25%``)."""
    percent = text.endswith("%")
    digits = text.strip("$%").replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return Number(float(digits), decimals, percent)


def extract_numbers(text: str) -> list[Number]:
    """Every number written with digits in ``text``, in order."""
    return [parse_number(match.group(0)) for match in _NUMBER_ONLY.finditer(text)]


def word_number_values(text: str) -> set[float]:
    """Values named by words (``half`` is 2 and 0.5, ``dozen`` is 12)."""
    found: set[float] = set()
    for word in re.findall(r"[a-z]+", text.lower()):
        found.update(float(v) for v in _WORD_VALUES.get(word, ()))
    return found


def same_value(a: float, b: float, decimals: int | None = None) -> bool:
    """Equal, or equal to the ``decimals`` shown (``16.67`` for 50/3)."""
    slack = 1e-9 * max(1.0, abs(a), abs(b))
    if decimals is not None:
        slack += 0.5 * 10.0 ** (-decimals) * (1 + 1e-6)
    return abs(a - b) <= slack


class _Expression:
    """A parsed arithmetic expression over numbers and one-letter variables."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.position = 0
        self.numbers: list[Number] = []
        self.variables: set[str] = set()
        self.operators = 0

    def parse(self) -> _Expression | None:
        try:
            self.tree = self._sum()
        except (IndexError, ValueError):
            return None
        return self if self.position == len(self.tokens) else None

    def _peek(self) -> tuple[str, str]:
        return self.tokens[self.position] if self.position < len(self.tokens) else ("end", "")

    def _take(self) -> tuple[str, str]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _sum(self) -> tuple:
        node = self._product()
        while self._peek()[0] == "op" and self._peek()[1] in "+-":
            op = self._take()[1]
            self.operators += 1
            node = (op, node, self._product())
        return node

    def _product(self) -> tuple:
        node = self._power()
        while self._peek()[0] in {"op", "lp"} and self._peek()[1] in "*/(":
            op = "*" if self._peek()[0] == "lp" else self._take()[1]
            self.operators += 1
            node = (op, node, self._power())
        return node

    def _power(self) -> tuple:
        node = self._atom()
        if self._peek() == ("op", "^"):
            self._take()
            self.operators += 1
            node = ("^", node, self._power())
        return node

    def _atom(self) -> tuple:
        kind, text = self._take()
        if kind == "op" and text == "-":
            self.operators += 1
            return ("neg", self._atom())
        if kind == "lp":
            node = self._sum()
            if self._take()[0] != "rp":
                raise ValueError("unbalanced parenthesis")
            return node
        if kind == "num":
            number = parse_number(text)
            self.numbers.append(number)
            return ("num", number.value / 100 if number.percent else number.value)
        if kind == "numvar":
            digits, variable = text[:-1], text[-1]
            self.numbers.append(parse_number(digits))
            self.variables.add(variable)
            return ("*", ("num", parse_number(digits).value), ("var", variable))
        if kind == "var":
            self.variables.add(text)
            return ("var", text)
        raise ValueError(f"unexpected token {text!r}")

    def evaluate(self, values: dict[str, float]) -> float:
        return _evaluate(self.tree, values)


def _evaluate(node: tuple, values: dict[str, float]) -> float:
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "var":
        return values[node[1]]
    if kind == "neg":
        return -_evaluate(node[1], values)
    left, right = _evaluate(node[1], values), _evaluate(node[2], values)
    if kind == "+":
        return left + right
    if kind == "-":
        return left - right
    if kind == "*":
        return left * right
    if kind == "/":
        return left / right if right else math.nan
    return left**right if abs(right) <= 12 and abs(left) < 1e6 else math.nan


_DIGIT_TIMES_DIGIT = re.compile(r"(?<=\d)[xX](?=\$?\d)")


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    text = _DIGIT_TIMES_DIGIT.sub(" * ", text)  # "3x5" multiplies; "3x + 5" keeps its variable
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        value = match.group(0)
        if match.group("num") is not None:
            kind = "numvar" if match.group("var") else "num"
        elif kind == "op":
            value = _OPS.get(value, value)
        tokens.append((kind, value))
    for index in range(1, len(tokens) - 1):  # "60 x 3": a lone x between operands multiplies
        before, here, after = tokens[index - 1], tokens[index], tokens[index + 1]
        if here in {("word", "x"), ("word", "X")} and before[0] in {"num", "rp"} and after[0] in {"num", "lp"}:
            tokens[index] = ("op", "*")
    return [("var", v) if k == "word" and len(v) == 1 and v not in "aAI" else (k, v) for k, v in tokens]


_MATH_KINDS = {"num", "numvar", "var", "op", "lp", "rp"}


def _widest(tokens: list[tuple[str, str]], candidates: list[int]) -> _Expression | None:
    """The widest parseable span among candidate (start, end) windows, tried widest first."""
    for start, end in candidates:
        expression = _Expression(tokens[start:end]).parse()
        if expression is not None:
            return expression
    return None


def _left_side(tokens: list[tuple[str, str]], end: int, floor: int) -> _Expression | None:
    """The widest expression that ends just before position ``end`` and starts after ``floor``."""
    first = end
    while first > floor and tokens[first - 1][0] in _MATH_KINDS:
        first -= 1
    return _widest(tokens, [(start, end) for start in range(first, end)])


def _right_side(tokens: list[tuple[str, str]], start: int, end: int) -> tuple[_Expression | None, bool]:
    """The widest expression starting at ``start``; True when it runs all the way to ``end``."""
    last = start
    while last < end and tokens[last][0] in _MATH_KINDS:
        last += 1
    return _widest(tokens, [(start, stop) for stop in range(last, start, -1)]), last == end


def _sides(tokens: list[tuple[str, str]], eq_positions: list[int]) -> list[_Expression | None]:
    """The sides of every ``=``; a middle side is shared, words between two ``=`` split them (None)."""
    sides = [_left_side(tokens, eq_positions[0], 0)]
    for here, following in zip(eq_positions, [*eq_positions[1:], len(tokens)], strict=False):
        side, reaches = _right_side(tokens, here + 1, following)
        sides.append(side)
        if following < len(tokens) and not reaches:  # "... = 8, so 40 - 8 = 32": two chains
            sides += [None, _left_side(tokens, following, here + 1)]
    return sides


def _judge(left: _Expression, right: _Expression) -> str:
    if left.variables or right.variables:
        if not (left.variables and right.variables):
            return "constraint"
        names = sorted(left.variables | right.variables)
        for base, stride in ((1.7, 0.9), (-2.3, 1.3)):
            trial = {name: base + stride * i for i, name in enumerate(names)}
            if not same_value(left.evaluate(trial), right.evaluate(trial)):
                return "constraint"
        return "valid"
    lhs, rhs = left.evaluate({}), right.evaluate({})
    if math.isnan(lhs) or math.isnan(rhs):
        return "invalid"
    shown = [side.numbers[0].decimals for side in (left, right) if len(side.numbers) == 1 and not side.operators]
    return "valid" if same_value(lhs, rhs, min(shown) if shown else None) else "invalid"


def extract_equations(text: str) -> list[Equation]:
    """Every checkable ``a op b = c`` link in ``text``, in order, with its verdict."""
    tokens = _tokenize(text)
    eq_positions = [i for i, (kind, _) in enumerate(tokens) if kind == "eq"]
    if not eq_positions:
        return []
    sides = _sides(tokens, eq_positions)
    equations: list[Equation] = []
    for left, right in zip(sides, sides[1:], strict=False):
        if left is None or right is None or not (left.operators or right.operators):
            continue  # "h = 12" or a broken side: nothing to check
        work, result = (left, right) if left.operators >= right.operators else (right, left)
        text_ = " = ".join(" ".join(token for _, token in side.tokens) for side in (left, right))
        equations.append(Equation(text_, _judge(left, right), list(work.numbers), list(result.numbers)))
    return equations
