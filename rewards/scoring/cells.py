"""What a CSV cell means, and which types the known columns may hold (in any input format).

CSV has only text. The rule (also in the README):

- a column that needs a list or an object (``tests``, ``test_list``, ``choices``, after the
  ``--column`` mapping) has a cell that starts with ``[`` or ``{`` read as JSON, or else as a
  Python literal (what pandas writes); a cell that is neither stays text;
- the text columns (``completion``, ``answer``, ``prompt``, ``question``, ``entry_point``, and
  any column a spec component reads its reference from) always stay text: ``007`` and ``1.50``
  are answers, not numbers;
- any other cell becomes a number only when the number reads back as the same text: ``12`` and
  ``0.5`` become numbers, ``007``, ``1.50``, ``1e5`` and ``nan`` stay text, so nothing is lost;
- an empty cell is null (CSV cannot tell an empty text from a missing value), except the
  completion, which is the empty text.

Example:
    >>> rules = CellRules(text=frozenset({"answer"}), structured=frozenset({"test_list"}))
    >>> rules.typed({"answer": "007", "id": "7", "score": "1.50", "test_list": '["assert f()"]', "x": ""})
    ({'answer': '007', 'id': 7, 'score': '1.50', 'test_list': ['assert f()'], 'x': None}, ('test_list',))
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Any

from rewards.scoring.decode import MAX_DEPTH, nesting_depth

__all__ = ["STRUCTURED_FIELDS", "TEXT_FIELDS", "CellRules", "known_type_error"]

# Logical fields whose cells hold a list or an object, and fields that are always text.
STRUCTURED_FIELDS = ("tests", "test_list", "choices")
TEXT_FIELDS = ("completion", "answer", "prompt", "question", "entry_point")

_NUMBER = re.compile(r"-?\d{1,18}(\.\d{1,17})?")
_LITERAL_LIMIT = 1 << 20  # Python literals longer than this are not worth parsing


def _number(cell: str) -> int | float | None:
    if not _NUMBER.fullmatch(cell):
        return None
    value: int | float = float(cell) if "." in cell else int(cell)
    return value if repr(value) == cell else None


def _structure(cell: str) -> list | dict | None:
    text = cell.strip()
    if not text.startswith(("[", "{")):
        return None
    value = _json_or_literal(text)
    if not isinstance(value, list | dict) or nesting_depth(value) > MAX_DEPTH:
        return None
    return value


def _json_or_literal(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        pass  # not JSON: perhaps a Python literal, as pandas writes lists
    if len(text) > _LITERAL_LIMIT:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


@dataclass(frozen=True)
class CellRules:
    """Which dataset columns are text, which hold structures, and which one is the completion."""

    text: frozenset[str] = frozenset()
    structured: frozenset[str] = frozenset()
    completion: str = "completion"

    def cell(self, column: str, cell: str) -> tuple[Any, bool]:
        """The value of one CSV cell, and whether it was parsed from JSON (or a literal)."""
        if cell == "":
            return ("" if column == self.completion else None), False
        if column in self.structured:
            value = _structure(cell)
            return (cell, False) if value is None else (value, True)
        if column in self.text or column == self.completion:
            return cell, False
        number = _number(cell)
        return (cell if number is None else number), False

    def typed(self, row: dict[str, str]) -> tuple[dict[str, Any], tuple[str, ...]]:
        """A CSV row with typed values, and the columns whose cells were parsed as structures."""
        typed: dict[str, Any] = {}
        parsed = []
        for column, cell in row.items():
            typed[column], was_parsed = self.cell(column, cell)
            if was_parsed:
                parsed.append(column)
        return typed, tuple(parsed)


def _is_text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _is_text_list(value: Any) -> bool:
    return _is_text(value) or (isinstance(value, list) and all(isinstance(item, str) for item in value))


# Logical field -> (what it may hold, as the error says it, the check).
_KNOWN_TYPES = {
    "completion": ("text", lambda v: _is_text(v) or (isinstance(v, int | float) and not isinstance(v, bool))),
    "entry_point": ("text (a function name)", _is_text),
    "question": ("text", _is_text),
    "prompt": ("text or a list of chat messages", lambda v: _is_text(v) or isinstance(v, list)),
    "tests": ("text, a list or an object of test cases", lambda v: _is_text(v) or isinstance(v, list | dict)),
    "test_list": ("a list of assert strings", _is_text_list),
    "choices": ("a list, an object or text", lambda v: _is_text(v) or isinstance(v, list | dict)),
}


def known_type_error(row: dict[str, Any], columns: dict[str, str]) -> str | None:
    """Why a known column of ``row`` holds the wrong type (naming it); None when every one is fine."""
    for logical, (wanted, check) in _KNOWN_TYPES.items():
        column = columns.get(logical, logical)
        if column in row and not check(row[column]):
            return f"column {column!r} must be {wanted}, got {type(row[column]).__name__}"
    return None
