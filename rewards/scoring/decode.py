"""One input line (raw bytes) to a row, or to a one-line reason why it is not one.

Every way a line can be malformed comes back as a reason, never as an exception: bytes that are
not UTF-8, binary data, JSON that does not parse or nests deeper than :data:`MAX_DEPTH`, numbers
Python will not convert (more than 4,300 digits), strings holding lone surrogates (which could not
be written back out as UTF-8), and JSON that is not an object.

Example:
    >>> decode_json_line(b'{"completion": "4"}\\n')
    ({'completion': '4'}, None)
    >>> decode_json_line(b'{"a": "\\\\ud800"}')
    (None, "a lone surrogate '\\\\ud800' in a string: not writable as UTF-8")
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["MAX_DEPTH", "decode_json_line", "nesting_depth", "unwritable_text"]

# Rows nest a few levels (chat messages, test cases); deeper is a broken or hostile line, and
# would overflow the stack of whatever serialises it next (JSON, pickle to a worker, Parquet).
MAX_DEPTH = 64

# A surrogate escape (\ud800-\udfff) in the raw line: only then is the slower UTF-8 check needed.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def nesting_depth(value: Any) -> int:
    """How deep lists and dicts nest in ``value`` (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def unwritable_text(value: Any) -> str | None:
    """The first lone surrogate in a string (key or value) of ``value``; None when all are UTF-8."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found = _SURROGATE.search(item)
            if found:
                return f"{found.group()!r}".replace("\\\\", "\\")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _text(raw: bytes) -> tuple[str | None, str | None]:
    if b"\x00" in raw:
        return None, "binary data (a NUL byte), not a line of JSON text"
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as error:
        return None, f"not UTF-8 text: byte 0x{raw[error.start]:02x} at column {error.start + 1}"


def _parse(text: str) -> tuple[Any, str | None]:
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        return None, f"invalid JSON: {error.msg} at column {error.colno}"
    except RecursionError:
        return None, f"JSON nested too deep (more than {MAX_DEPTH} levels)"
    except ValueError as error:  # int() refuses numbers of more than 4,300 digits
        return None, f"a number too big to read: {str(error).split(':')[0].lower()}"


def decode_json_line(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """``(row, None)`` for a JSON object line, ``(None, reason)`` for anything else."""
    text, error = _text(raw)
    if text is None:
        return None, error
    value, error = _parse(text)
    if error is not None:
        return None, error
    if not isinstance(value, dict):
        return None, f"expected a JSON object, got {type(value).__name__}"
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and nesting_depth(value) > MAX_DEPTH:  # count: a cheap bound
        return None, f"JSON nested too deep (more than {MAX_DEPTH} levels)"
    if _SURROGATE_ESCAPE.search(raw):
        bad = unwritable_text(value)
        if bad is not None:
            return None, f"a lone surrogate {bad} in a string: not writable as UTF-8"
    return value, None
