"""Equivalence of two parsed answers: structure here, leaves by a numeric (no sympy) or a sympy comparer."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Protocol

from verifiers.math.normalize import PlainNumber, parse_plain_number
from verifiers.math.structure import (
    Choice,
    Equation,
    Interval,
    Matrix,
    Node,
    Seq,
    Text,
    Union,
    Value,
    parse_structure,
)

__all__ = ["LeafComparer", "NeedsSympy", "NumericComparer", "answers_equivalent", "equivalent", "numbers_equal"]

_BASE = re.compile(r"([0-9A-Za-z]+)_\{?(\d{1,2})\}?")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")
_DECIMAL = re.compile(r"-?\d*\.\d+")
_STATED_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_INFINITIES = {"\\infty": 1, "+\\infty": 1, "-\\infty": -1, "\\infin": 1, "-\\infin": -1, "oo": 1, "-oo": -1}


class NeedsSympy(Exception):
    """A leaf is not a plain number: the comparison needs the sympy path (in a worker process)."""


class LeafComparer(Protocol):
    def values_equal(self, gold: str, pred: str) -> bool: ...

    def equations_equal(self, gold: Equation, pred: Equation) -> bool: ...


def numbers_equal(a: PlainNumber, b: PlainNumber | Fraction, min_sig_figs: int = 6, rel_tol: float = 1e-9) -> bool:
    """Exact equality, or a decimal with at least ``min_sig_figs`` figures that is the other value rounded to
    the decimal's own precision (within half a unit of its last place): 0.166667 is 1/6, 0.166666 is
    not; 12.0001 is not 12, 0.5000001 is not 1/2. ``rel_tol`` covers decimals longer than sympy's floats."""
    b_num = b if isinstance(b, PlainNumber) else PlainNumber(b)
    if a.value == b_num.value:
        return True
    decimals = [n for n in (a, b_num) if n.is_decimal]
    if not decimals:
        return False
    coarse = max(decimals, key=lambda n: n.ulp)  # type: ignore[arg-type, return-value]
    other = b_num if coarse is a else a
    if coarse.sig_figs < min_sig_figs:  # type: ignore[operator]
        return False
    allowed = max(coarse.ulp / 2, Fraction(rel_tol) * abs(other.value))  # type: ignore[operator]
    return abs(coarse.value - other.value) <= allowed


class NumericComparer:
    """Compares plain numbers exactly in-process; raises NeedsSympy for anything else."""

    def __init__(self, min_sig_figs: int = 6, rel_tol: float = 1e-9):
        self.min_sig_figs = min_sig_figs
        self.rel_tol = rel_tol

    def values_equal(self, gold: str, pred: str) -> bool:
        if gold in _INFINITIES or pred in _INFINITIES:
            return _INFINITIES.get(gold) == _INFINITIES.get(pred)
        a, b = parse_plain_number(gold), parse_plain_number(pred)
        if a is None or b is None:
            raise NeedsSympy(gold if a is None else pred)
        return numbers_equal(a, b, self.min_sig_figs, self.rel_tol)

    def equations_equal(self, gold: Equation, pred: Equation) -> bool:
        raise NeedsSympy(f"{gold} vs {pred}")


def _unordered(gold: tuple[Node, ...], pred: tuple[Node, ...], leaves: LeafComparer) -> bool:
    """Collections of solutions compare as sets: each side's items all appear on the other side."""
    if not gold or not pred or max(len(gold), len(pred)) > 2 * min(len(gold), len(pred)):
        return len(gold) == len(pred) == 0
    return all(any(equivalent(g, p, leaves) for p in pred) for g in gold) and all(
        any(equivalent(g, p, leaves) for g in gold) for p in pred
    )


def _ordered(gold: tuple[Node, ...], pred: tuple[Node, ...], leaves: LeafComparer) -> bool:
    return len(gold) == len(pred) and all(equivalent(g, p, leaves) for g, p in zip(gold, pred, strict=True))


def _as_interval(node: Node) -> Interval | None:
    if isinstance(node, Interval):
        return node
    if isinstance(node, Seq) and node.kind == "tuple" and len(node.items) == 2:
        low, high = node.items
        if isinstance(low, Value) and isinstance(high, Value):
            return Interval(low, high, False, False)  # (a, b) read as an open interval
    if isinstance(node, Union) and len(node.parts) == 1:
        return node.parts[0]
    return None


def _intervals_equal(gold: Interval, pred: Interval, leaves: LeafComparer) -> bool:
    return (
        gold.left_closed == pred.left_closed
        and gold.right_closed == pred.right_closed
        and leaves.values_equal(gold.low.text, pred.low.text)
        and leaves.values_equal(gold.high.text, pred.high.text)
    )


def _flat_vector(node: Matrix) -> tuple[Node, ...] | None:
    if len(node.rows) == 1:
        return node.rows[0]
    if all(len(row) == 1 for row in node.rows):
        return tuple(row[0] for row in node.rows)
    return None


def _matrix_latex(node: Matrix | Value) -> str:
    if isinstance(node, Value):
        return node.text
    rows = " \\\\ ".join(" & ".join(cell.text for cell in row) for row in node.rows)
    return f"\\begin{{pmatrix}}{rows}\\end{{pmatrix}}"


def _seq_equal(gold: Seq, pred: Seq, leaves: LeafComparer) -> bool:
    if "tuple" in (gold.kind, pred.kind):
        if {gold.kind, pred.kind} == {"tuple", "set"}:
            return False  # a point is not a set
        return _ordered(gold.items, pred.items, leaves)
    return _unordered(gold.items, pred.items, leaves)


def _single(node: Node) -> Node:
    """A one-element list or set stands for its element; a list of intervals is their union."""
    if isinstance(node, Seq) and node.kind in ("list", "set") and len(node.items) == 1:
        return node.items[0]
    if isinstance(node, Seq) and node.kind == "list" and all(isinstance(item, Interval) for item in node.items):
        return Union(node.items)  # type: ignore[arg-type]
    return node


def _base_value(text: str) -> int | None:
    """``1011_2`` read in its base; None for anything else."""
    match = _BASE.fullmatch(text)
    if not match or not 2 <= int(match.group(2)) <= 36:
        return None
    try:
        return int(match.group(1), int(match.group(2)))
    except ValueError:
        return None


def _hundredth(text: str) -> str:
    number = parse_plain_number(text)
    return str(number.value / 100) if number is not None else f"\\frac{{{text}}}{{100}}"


def values_equivalent(gold: str, pred: str, leaves: LeafComparer) -> bool:
    """Two leaf values, with the percent and base rules.

    Percent rule: ``p%`` equals ``p/100`` (``28%`` = ``7/25`` = ``0.28``), and also the bare number ``p``
    when that is written as a plain integer or decimal (``28%`` = ``28``: answer keys state a percentage
    as its number). A fraction is never read as a percentage count: ``4 4/9%`` is not ``40/9``.
    A number with a base subscript (``1011_2``) equals its value or the same digits written bare.
    """
    if gold == pred:
        return True
    gold_pct, pred_pct = gold.endswith("%"), pred.endswith("%")
    if gold_pct or pred_pct:
        g, p = gold.rstrip("%").strip(), pred.rstrip("%").strip()
        if gold_pct == pred_pct:
            return leaves.values_equal(g, p)
        stated, other = (g, p) if gold_pct else (p, g)
        if _STATED_NUMBER.fullmatch(other) and leaves.values_equal(stated, other):
            return True
        return leaves.values_equal(_hundredth(stated), other) if gold_pct else leaves.values_equal(g, _hundredth(p))
    based = [_base_value(text) for text in (gold, pred)]
    if based[0] is not None or based[1] is not None:
        bare = [text.split("_")[0] for text in (gold, pred)]
        values = [str(v) if v is not None else t for v, t in zip(based, (gold, pred), strict=True)]
        return bare[0] == bare[1] or leaves.values_equal(*values)
    return leaves.values_equal(gold, pred)


def _equations_equivalent(gold: Node, pred: Node, leaves: LeafComparer) -> bool:
    """At least one side is an equation (or ``x \\ne a``); a labelled value equals the bare value."""
    if isinstance(gold, Equation) and isinstance(pred, Equation):
        if gold.op != pred.op:
            return False
        if gold.op != "=":  # x \ne 3: the same excluded value of the same name
            return gold.lhs.text == pred.lhs.text and values_equivalent(gold.rhs.text, pred.rhs.text, leaves)
        if gold.assigned and gold.assigned == pred.assigned:
            return equivalent(parse_structure(gold.rhs.text), parse_structure(pred.rhs.text), leaves)
        return leaves.equations_equal(gold, pred)
    equation, other = (gold, pred) if isinstance(gold, Equation) else (pred, gold)
    if equation.assigned:  # type: ignore[union-attr]  # x = 3 equals 3
        rhs = parse_structure(equation.rhs.text)  # type: ignore[union-attr]  # x = \pm 2 is the list 2, -2
        pair = (rhs, other) if gold is equation else (other, rhs)
        return equivalent(*pair, leaves)
    return False


def equivalent(gold: Node, pred: Node, leaves: LeafComparer) -> bool:
    """Whether ``pred`` states the same answer as ``gold`` (leaves compared by ``leaves``)."""
    gold, pred = _single(gold), _single(pred)
    for many, one in ((pred, gold), (gold, pred)):  # 15\frac{39}{40}, \frac{639}{40}: one value said twice
        if isinstance(many, Seq) and many.kind == "list" and isinstance(one, Value):
            return all(equivalent(*((one, item) if many is pred else (item, one)), leaves) for item in many.items)
    if isinstance(gold, Choice) or isinstance(pred, Choice):
        return gold == pred
    if isinstance(gold, Text | Value) and isinstance(pred, Text | Value) and (
        isinstance(gold, Text) or isinstance(pred, Text)
    ):
        return gold.text.casefold() == pred.text.casefold()
    if isinstance(gold, Equation) or isinstance(pred, Equation):
        return _equations_equivalent(gold, pred, leaves)
    if isinstance(gold, Value) and isinstance(pred, Value):
        return values_equivalent(gold.text, pred.text, leaves)
    if isinstance(gold, Union) and isinstance(pred, Union):
        return len(gold.parts) == len(pred.parts) and _unordered(gold.parts, pred.parts, leaves)
    if isinstance(gold, Interval | Union) or isinstance(pred, Interval | Union):
        g, p = _as_interval(gold), _as_interval(pred)
        return g is not None and p is not None and _intervals_equal(g, p, leaves)
    if isinstance(gold, Matrix) and isinstance(pred, Matrix):
        shape = [len(row) for row in gold.rows]
        return shape == [len(row) for row in pred.rows] and all(
            _ordered(g, p, leaves) for g, p in zip(gold.rows, pred.rows, strict=True)
        )
    if isinstance(gold, Matrix | Value) and isinstance(pred, Matrix | Value):  # A + B against a matrix
        return leaves.values_equal(_matrix_latex(gold), _matrix_latex(pred))
    if isinstance(gold, Matrix) or isinstance(pred, Matrix):
        g = _flat_vector(gold) if isinstance(gold, Matrix) else gold.items if isinstance(gold, Seq) else None
        p = _flat_vector(pred) if isinstance(pred, Matrix) else pred.items if isinstance(pred, Seq) else None
        return g is not None and p is not None and _ordered(g, p, leaves)
    if isinstance(gold, Seq) and isinstance(pred, Seq):
        return _seq_equal(gold, pred, leaves)
    return False


def answers_equivalent(gold: str, pred: str, leaves: LeafComparer) -> bool:
    """Parse two normalised answers and compare them; NeedsSympy propagates from a numeric comparer."""
    if gold == pred:
        return True
    if _DECIMAL_COMMA.fullmatch(gold) and _DECIMAL.fullmatch(pred):
        gold = gold.replace(",", ".")  # 1,22 against 1.22: a decimal comma, read by the other side's form
    elif _DECIMAL_COMMA.fullmatch(pred) and _DECIMAL.fullmatch(gold):
        pred = pred.replace(",", ".")
    return equivalent(parse_structure(gold), parse_structure(pred), leaves)
