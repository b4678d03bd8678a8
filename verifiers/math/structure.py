"""Read a normalised answer into its shape (set, tuple, interval, equation …) with string leaves; no sympy."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "Choice", "Equation", "Interval", "Matrix", "Node", "Seq", "Text", "Union", "Value", "parse_structure",
    "split_top_level",
]

_OPEN = "([{"
_CLOSE = ")]}"
_CHOICE = re.compile(r"\(([A-E])\)(?:\s+[A-Za-z].*)?|([A-E])\.?")  # "(D) a non-horizontal line" is (D)
_TEXT_WRAPPED = re.compile(r"\\(?:text|textbf|mathrm|mbox|textit)\s*\{([^{}]*)\}")
_WORDS = re.compile(r"[A-Za-z][A-Za-z '\-]*")
_MATRIX = re.compile(r"\\begin\{([pbvBV]?matrix|array)\}(?:\{[^{}]*\})?((?:(?!\\end\{).)*)\\end\{\1\}", re.S)
_RELATION = re.compile(r"\\(?:leq?slant|geq?slant|leq|geq|le|ge|lt|gt)(?![a-zA-Z])|<=|>=|<|>")
# a variable, a subscripted one, a Greek letter or a function value: x, a_1, \theta, f(x)
_ASSIGNABLE = re.compile(r"(?:[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?|\\[a-zA-Z]+)(?:\([A-Za-z, ]*\))?")
_NEGATED = re.compile(r"-\s*(" + _ASSIGNABLE.pattern + ")")
_COMMAND = re.compile(r"\\[a-zA-Z]+")
_SUBSCRIPT = re.compile(r"_\{[^{}]*\}|_[A-Za-z0-9]")
_MATH_COMMANDS = ("\\frac", "\\sqrt", "\\pi", "\\infty", "\\cdot", "\\times", "^", "_")


@dataclass(frozen=True)
class Value:
    text: str


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Choice:
    letter: str


@dataclass(frozen=True)
class Seq:
    kind: str  # "set" (braces), "list" (bare commas, unordered solutions) or "tuple" (ordered)
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Interval:
    low: Value
    high: Value
    left_closed: bool
    right_closed: bool


@dataclass(frozen=True)
class Union:
    parts: tuple[Interval, ...]


@dataclass(frozen=True)
class Matrix:
    rows: tuple[tuple[Value, ...], ...]


@dataclass(frozen=True)
class Equation:
    lhs: Value
    rhs: Value
    op: str = "="  # "=" or "\\ne"

    @property
    def assigned(self) -> str | None:
        """The label when this states a value: ``x = 3``, ``(p,q) = (3,2)``, ``|AB| = 1``, ``V_1:V_2 = 11:21``
        (a left side without digits outside subscripts), or ``2+3 = 5`` (a computation: no letters on either
        side); else None."""
        lhs = self.lhs.text
        if self.op != "=":
            return None
        if _ASSIGNABLE.fullmatch(lhs) or not re.search(r"\d", _SUBSCRIPT.sub("", lhs)):
            return lhs
        computed = not any(re.search(r"[A-Za-z]", _COMMAND.sub("", side)) for side in (lhs, self.rhs.text))
        return lhs if computed else None


Node = Value | Text | Choice | Seq | Interval | Union | Matrix | Equation


def split_top_level(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside any brackets (mismatched ``[ )`` pairs count as brackets)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        if depth == 0 and text.startswith(separator, i):
            parts.append(text[start:i])
            i = start = i + len(separator)
            continue
        char = text[i]
        if char == "\\":
            follower = text[i + 1 : i + 2]
            if follower.isalpha():
                i += 1
                while i < len(text) and text[i].isalpha():
                    i += 1
                continue
            depth += (follower == "{") - (follower == "}")
            i += 2
            continue
        depth += (char in _OPEN) - (char in _CLOSE)
        i += 1
    parts.append(text[start:])
    return [part.strip() for part in parts]


def _outer_brackets(text: str) -> tuple[str, str, str] | None:
    """``(open, inner, close)`` when one bracket pair encloses the whole string."""
    if len(text) < 2 or text[0] not in "([" or text[-1] not in ")]":
        return None
    depth = 0
    for i, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
            if depth == 0 and i < len(text) - 1:
                return None
    return text[0], text[1:-1], text[-1]


def _text_answer(text: str) -> Node | None:
    inner = _TEXT_WRAPPED.fullmatch(text)
    if inner and "," in inner.group(1):
        return parse_structure(inner.group(1))  # \text{A,B,E} is the list A, B, E
    if inner:
        text = inner.group(1).strip()
    choice = _CHOICE.fullmatch(text)
    if choice:
        return Choice(choice.group(1) or choice.group(2))
    if inner or (_WORDS.fullmatch(text) and re.search(r"[A-Za-z]{3,}", text)):
        return Text(re.sub(r"\s+", " ", text).strip().casefold())
    return None


def _relation(text: str) -> Node | None:
    pieces = _RELATION.split(text)
    ops = [op.replace("\\", "") for op in _RELATION.findall(text)]
    if len(pieces) not in (2, 3) or any(not piece.strip() for piece in pieces):
        return None
    less = [op.startswith(("l", "<")) for op in ops]
    pieces = [piece.strip() for piece in pieces]
    closed = [op.startswith(("le", "ge", "<=", ">=")) for op in ops]
    if len(pieces) == 3 and _ASSIGNABLE.fullmatch(pieces[1]) and less[0] == less[1]:
        low, high = (pieces[0], pieces[2]) if less[0] else (pieces[2], pieces[0])
        left, right = (closed[0], closed[1]) if less[0] else (closed[1], closed[0])
        return Interval(Value(low), Value(high), left, right)
    if len(pieces) == 2:
        var_left = bool(_ASSIGNABLE.fullmatch(pieces[0]) or _NEGATED.fullmatch(pieces[0]))
        bound = pieces[1] if var_left else pieces[0]
        upper = less[0] if var_left else not less[0]  # x < b or b > x: b is an upper bound
        if _NEGATED.fullmatch(pieces[0 if var_left else 1]):  # -x > -1 is x < 1
            upper, bound = not upper, _negated(bound)
        if upper:
            return Interval(Value("-\\infty"), Value(bound), False, closed[0])
        return Interval(Value(bound), Value("\\infty"), closed[0], False)
    return None


def _negated(text: str) -> str:
    text = text.strip()
    if re.fullmatch(r"-\s*[\d.]+", text):
        return text.lstrip("-").strip()
    return f"-({text})"


def _not_equal(text: str) -> Node | None:
    sides = split_top_level(text, "\\ne")
    if len(sides) == 2 and all(sides):
        return Equation(Value(sides[0]), Value(sides[1]), "\\ne")
    return None


def _items(text: str) -> tuple[Node, ...]:
    """List items; an item that is itself a list (``\\pm 8``) contributes its members."""
    items: list[Node] = []
    for part in split_top_level(text, ","):
        if part:
            node = parse_structure(part)
            items.extend(node.items if isinstance(node, Seq) and node.kind == "list" else (node,))
    return tuple(items)


def _bracketed(text: str) -> Node | None:
    outer = _outer_brackets(text)
    if outer is None:
        return None
    left, inner, right = outer
    items = split_top_level(inner, ",")
    if len(items) == 2 and (left == "[" or right == "]" or "\\infty" in inner):
        return Interval(Value(items[0]), Value(items[1]), left == "[", right == "]")
    if len(items) >= 2:
        return Seq("tuple", tuple(parse_structure(item) for item in items))
    return None


def _matrix(text: str) -> Matrix | None:
    match = _MATRIX.fullmatch(text)
    if not match:
        return None
    rows = [row for row in re.split(r"\\cr(?![a-zA-Z])", match.group(2)) if row.strip() not in ("", "\\hline")]
    return Matrix(tuple(tuple(Value(cell.strip()) for cell in row.split("&")) for row in rows))


def _open_interval(node: Node) -> Node:
    """In a union, ``(2, 12)`` is the open interval, not a point."""
    if isinstance(node, Seq) and node.kind == "tuple" and len(node.items) == 2:
        low, high = node.items
        if isinstance(low, Value) and isinstance(high, Value):
            return Interval(low, high, False, False)
    return node


def parse_structure(text: str) -> Node:
    """The shape of a normalised answer; leaves stay strings for the numeric or sympy comparer."""
    text = text.strip()
    outer = _outer_brackets(text)
    while outer and outer[0] == "(" and outer[2] == ")" and len(split_top_level(outer[1], ",")) == 1:
        text = outer[1].strip()  # (((x))) is x, without recursion
        outer = _outer_brackets(text)
    found = _text_answer(text) or _matrix(text)
    if found:
        return found
    unions = split_top_level(text, "\\cup")
    if len(unions) > 1:
        parts = [_open_interval(parse_structure(part)) for part in unions]
        if all(isinstance(part, Interval) for part in parts):
            return Union(tuple(parts))  # type: ignore[arg-type]
        return Value(text)
    if text.startswith("\\{") and text.endswith("\\}"):
        return Seq("set", tuple(parse_structure(item) for item in split_top_level(text[2:-2], ",") if item))
    if text.startswith("{") and text.endswith("}") and len(split_top_level(text[1:-1], ",")) > 1:
        return Seq("set", tuple(parse_structure(item) for item in split_top_level(text[1:-1], ",") if item))
    found = _bracketed(text)
    if found:
        return found
    groups = split_top_level(text, ";")  # p=5,q=2; p=7,q=2: semicolons separate solutions, commas their parts
    if len(groups) > 1:
        return Seq("list", tuple(parse_structure(group) for group in groups if group))
    if len(split_top_level(text, ",")) > 1:
        return Seq("list", _items(text))
    found = _not_equal(text) or _relation(text)
    if found:
        return found
    sides = split_top_level(text, "=")
    if len(sides) >= 2 and sides[0] and sides[-1]:
        return Equation(Value(sides[0]), Value(sides[-1]))
    plus_minus = split_top_level(text, "\\pm")
    if len(plus_minus) == 2:
        base, delta = plus_minus[0] or "0", plus_minus[1]
        return Seq("list", (Value(f"{base}+({delta})"), Value(f"{base}-({delta})")))
    return Value(text)
