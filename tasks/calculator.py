"""GSM8K calculator annotations (``<<48/2=24>>``): parsed with ``ast`` and re-executed without ``eval``.

Only numbers and ``+ - * / **`` (with unary signs and brackets) are evaluated, exactly, with
:class:`fractions.Fraction`; an exponent must be a small integer and every value stays within
bounds, so no annotation can make the evaluator run long or grow large. Anything else in an
annotation (names, calls, ``%``) makes :func:`evaluate` return None.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["ANNOTATION", "Replay", "Step", "evaluate", "number_text", "replay", "to_number"]

ANNOTATION = re.compile(r"<<([^<>=]*)=([^<>]*)>>")
# An equation written without an annotation, as in "25-2 = 23 jewels" or "60g * 4/5 = 240g/5 = 48".
_INLINE = re.compile(
    r"((?:[\d.,]+\s*[a-z%$]{0,2}\s*[-+*/x×−÷]\s*\$?)+[\d.,]+)\s*[a-z%]{0,2}\s*=\s*\$?(\d[\d,]*(?:\.\d+)?)"
)
_SYMBOLS = str.maketrans({"x": "*", "×": "*", "−": "-", "÷": "/", "$": None, "%": None, "g": None})
MAX_CHARS = 200
MAX_NODES = 100
MAX_EXPONENT = 12
MAX_MAGNITUDE = Fraction(10) ** 18
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_ALLOWED = re.compile(r"^[\d\s.+\-*/()]*$")
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


def to_number(text: str) -> Fraction | None:
    """A decimal or integer literal (commas, ``$`` and trailing ``.`` allowed) as a Fraction, else None."""
    cleaned = text.strip().replace(",", "").replace("$", "").rstrip(".")
    if not re.fullmatch(r"-?\d+(?:\.\d+)?|-?\.\d+", cleaned):
        return None
    return Fraction(cleaned)


def number_text(value: Fraction) -> str:
    """A Fraction written the way GSM8K writes numbers: ``24``, ``0.2``, or ``7/3`` when not decimal."""
    if value.denominator == 1:
        return str(value.numerator)
    for places in range(1, 9):
        scaled = value * 10**places
        if scaled.denominator == 1:
            return f"{float(value):.{places}f}"
    return f"{value.numerator}/{value.denominator}"


def _apply(op: type, left: Fraction, right: Fraction) -> Fraction | None:
    if op is ast.Add:
        return left + right
    if op is ast.Sub:
        return left - right
    if op is ast.Mult:
        return left * right
    if op is ast.Div:
        return None if right == 0 else left / right
    if right.denominator != 1 or abs(right) > MAX_EXPONENT or (left == 0 and right < 0):
        return None  # ast.Pow: only small integer exponents
    return left ** int(right)


def _value(node: ast.AST) -> Fraction | None:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return Fraction(repr(node.value)) if isinstance(node.value, float) else Fraction(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _value(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _value(node.left), _value(node.right)
        if left is None or right is None:
            return None
        result = _apply(type(node.op), left, right)
        return result if result is not None and abs(result) <= MAX_MAGNITUDE else None
    return None


def parse(expression: str) -> ast.expr | None:
    """The syntax tree of an arithmetic expression, or None when it is not plain arithmetic."""
    text = _THOUSANDS.sub("", expression.strip())
    if not text or len(text) > MAX_CHARS or not _ALLOWED.match(text):
        return None
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return None
    return tree.body if sum(1 for _ in ast.walk(tree)) <= MAX_NODES else None


def evaluate(expression: str) -> Fraction | None:
    """The exact value of an arithmetic expression, or None (not arithmetic, division by zero, too big).

    Example:
        >>> evaluate("48/2"), evaluate("2**3 - 1"), evaluate("__import__('os')"), evaluate("1/0")
        (Fraction(24, 1), Fraction(7, 1), None, None)
    """
    tree = parse(expression)
    return None if tree is None else _value(tree)


@dataclass(frozen=True)
class Step:
    expression: str
    written: Fraction | None  # the result the annotation states
    computed: Fraction | None  # the result of re-executing it


@dataclass(frozen=True)
class Replay:
    """The annotations of one solution re-executed, and whether they reproduce its ``####`` answer."""

    steps: tuple[Step, ...]
    final: Fraction | None  # the ``####`` answer

    @property
    def reproduces(self) -> bool:
        """Every step re-executes, and the last step's value is the ``####`` answer."""
        return (
            bool(self.steps)
            and self.final is not None
            and all(step.computed is not None for step in self.steps)
            and _close(self.steps[-1].computed, self.final)
        )


def _close(a: Fraction | None, b: Fraction | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= Fraction(1, 100) * max(1, abs(b)) / 100


def _line_steps(line: str) -> list[Step]:
    """The annotations of one line, or, in a line with none, its last inline equation."""
    steps = [Step(m.group(1), to_number(m.group(2)), evaluate(m.group(1))) for m in ANNOTATION.finditer(line)]
    if steps:
        return steps
    equations = list(_INLINE.finditer(line))
    if not equations:
        return []
    expression = equations[-1].group(1).translate(_SYMBOLS)
    return [Step(expression, to_number(equations[-1].group(2)), evaluate(expression))]


def replay(solution: str) -> Replay:
    """Re-execute every ``<<expr=result>>`` of a GSM8K solution in order (and unannotated equations).

    A line with no annotation contributes its last written equation (``25-2 = 23``), which is how
    many GSM8K solutions state their last step.
    """
    body, _, tail = solution.rpartition("####") if "####" in solution else (solution, "", "")
    steps = tuple(step for line in body.splitlines() for step in _line_steps(line))
    return Replay(steps, to_number(tail) if tail else None)
