"""Numbers and equations inside a reasoning step: ``60 x 3 = 180``, ``h + 3h = 4h = 48``.

A step is tokenised (LaTeX rewritten first); every ``=`` is widened to the longest arithmetic
expression on each side (words such as "miles" or "so" end an expression, and a side that runs
into a symbol the evaluator cannot read, such as ``7@4`` or ``a_1``, is not judged). Adjacent
sides are then checked:
- both numeric: *valid* when they agree exactly, or to the precision the step wrote
  (``50 / 3 = 16.67``); *invalid* when they differ or one side has no real value (``0^-1 = 4``);
- both with variables: *valid* when they agree at two points (an identity), else a constraint;
- one side with a variable (``4h = 48``): a constraint, neither valid nor invalid.
The bounded evaluator of :mod:`verifiers.coherence.expression` does the arithmetic; nothing is
``eval``-ed, and a side is at most a few dozen tokens, so a step costs linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from verifiers.coherence.arith import close, undefined
from verifiers.coherence.expression import MAX_TOKENS, NUMBER, Expression, Token, tokenize

__all__ = ["Equation", "Number", "extract_equations", "extract_numbers", "same_value", "word_number_values"]

_NUMBER_ONLY = re.compile(rf"(?<![\w.]){NUMBER}(?![\d])")
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
    digits = text.strip("$%").replace(",", "")[:400]
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


_MATH_KINDS = {"num", "numvar", "var", "const", "func", "op", "lp", "rp", "fact", "comma"}
_OPEN_BOUNDARY = {"word", "eq", "comma", "lp", "end"}  # what may stand just before a whole left side
_CLOSE_BOUNDARY = {"word", "eq", "comma", "rp", "end"}  # ... and just after a whole right side
_PUNCTUATION = set(".,;:?!'\"")
_TRIALS = (
    {"base": Fraction(17, 10), "stride": Fraction(9, 10)},
    {"base": Fraction(-23, 10), "stride": Fraction(13, 10)},
)


def _bounded(tokens: list[Token], index: int, allowed: set[str]) -> bool:
    """True when the token at ``index`` (or the text's edge) may border a whole side."""
    if index < 0 or index >= len(tokens):
        return True
    kind, text = tokens[index]
    return kind in allowed or (kind == "other" and text in _PUNCTUATION)


def _left_side(tokens: list[Token], end: int, floor: int) -> Expression | None:
    """The widest expression ending just before ``end`` (after ``floor``), if it is a whole side."""
    first = end
    while first > floor and tokens[first - 1][0] in _MATH_KINDS and end - first < MAX_TOKENS:
        first -= 1
    for start in range(first, end):
        expression = Expression(tokens[start:end]).parse()
        if expression is not None:
            return expression if _bounded(tokens, start - 1, _OPEN_BOUNDARY) else None
    return None


def _right_side(tokens: list[Token], start: int, end: int) -> tuple[Expression | None, bool]:
    """The widest whole expression starting at ``start``; True when it runs all the way to ``end``."""
    last = start
    while last < end and tokens[last][0] in _MATH_KINDS and last - start < MAX_TOKENS:
        last += 1
    for stop in range(last, start, -1):
        expression = Expression(tokens[start:stop]).parse()
        if expression is not None:
            whole = _bounded(tokens, stop, _CLOSE_BOUNDARY)
            return (expression if whole else None), stop == end
    return None, last == end


def _sides(tokens: list[Token], eq_positions: list[int]) -> list[Expression | None]:
    """The sides of every ``=``; a middle side is shared, words between two ``=`` split them (None)."""
    sides = [_left_side(tokens, eq_positions[0], 0)]
    for here, following in zip(eq_positions, [*eq_positions[1:], len(tokens)], strict=False):
        side, reaches = _right_side(tokens, here + 1, following)
        sides.append(side)
        if following < len(tokens) and not reaches:  # "... = 8, so 40 - 8 = 32": two chains
            sides += [None, _left_side(tokens, following, here + 1)]
    return sides


def _identity(left: Expression, right: Expression) -> str:
    names = sorted(left.variables | right.variables)
    for trial in _TRIALS:
        point = {name: trial["base"] + trial["stride"] * i for i, name in enumerate(names)}
        if not close(left.evaluate(point), right.evaluate(point)):
            return "constraint"
    return "valid"


def _judge(left: Expression, right: Expression) -> str:
    """ "valid", "invalid", or "constraint" (not a checkable claim: variables, or too big to compute)."""
    if left.variables or right.variables:
        return _identity(left, right) if left.variables and right.variables else "constraint"
    lhs, rhs = left.evaluate({}), right.evaluate({})
    if undefined(lhs) or undefined(rhs):
        return "invalid"  # a side with no real value equals nothing
    if lhs is None or rhs is None:
        return "constraint"
    shown = [
        parse_number(side.numbers[0]).decimals
        for side in (left, right)
        if len(side.numbers) == 1 and not side.operators
    ]
    return "valid" if close(lhs, rhs, min(shown) if shown and min(shown) > 0 else None) else "invalid"


def extract_equations(text: str, max_equations: int = 64) -> list[Equation]:
    """Every checkable ``a op b = c`` link in ``text`` (the first ``max_equations``), in order, with its verdict."""
    tokens = tokenize(text)
    eq_positions = [i for i, (kind, _) in enumerate(tokens) if kind == "eq"][:max_equations]
    if not eq_positions:
        return []
    sides = _sides(tokens, eq_positions)
    equations: list[Equation] = []
    for left, right in zip(sides, sides[1:], strict=False):
        if left is None or right is None or not (left.operators or right.operators):
            continue  # "h = 12" or a broken side: nothing to check
        work, result = (left, right) if left.operators >= right.operators else (right, left)
        text_ = " = ".join(" ".join(token for _, token in side.tokens) for side in (left, right))
        equations.append(
            Equation(
                text_,
                _judge(left, right),
                [parse_number(n) for n in work.numbers],
                [parse_number(n) for n in result.numbers],
            )
        )
    return equations
