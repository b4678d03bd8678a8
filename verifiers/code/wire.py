"""The data-only channel between a program's process and its judge.

Values cross as plain builtin data, converted exactly: None, bool, int, float, complex, str,
bytes, and lists, tuples, dicts, sets and frozensets of them (plus Fraction, Decimal and
deque, which tests compare against). A builtin subclass crosses as its base value, read
through the base type's own slots, so an ``int`` whose ``__eq__`` lies arrives as a plain
``int``. Anything else crosses as a *handle*: a number naming an object that stays on its
own side. Decoding builds only exact builtins, with size and depth limits, from JSON text;
nothing the other side sends can run code on the receiving side.

Frames are a 4-byte length and a UTF-8 JSON object, on a stream socket or pipe.
"""

from __future__ import annotations

import collections
import decimal
import fractions
import json
import os
import select
import struct
import time
from collections.abc import Callable
from typing import Any

__all__ = ["MAX_DEPTH", "MAX_FRAME", "WireError", "decode", "encode", "read_exactly", "recv_frame", "send_frame"]

MAX_DEPTH = 100
MAX_FRAME = 8 << 20
MAX_ITEMS = 2_000_000
_HEADER = struct.Struct("!I")
_SCALARS = (type(None), bool, int, float, str)
# Builtin types themselves cross by name (``remove_datatype(xs, int)``).
_TYPES = {kind.__name__: kind for kind in (bool, int, float, complex, str, bytes, bytearray, list, tuple, dict, set,
                                          frozenset, type(None), object)}  # fmt: skip


class WireError(ValueError):
    """A value cannot cross the channel, or a frame is malformed, too large or too deep."""


class _Budget:
    def __init__(self) -> None:
        self.items = 0

    def spend(self, depth: int) -> None:
        self.items += 1
        if depth > MAX_DEPTH:
            raise WireError(f"value nested deeper than {MAX_DEPTH}")
        if self.items > MAX_ITEMS:
            raise WireError(f"value has more than {MAX_ITEMS} items")


def encode(value: Any, handle: Callable[[Any], list] | None = None) -> Any:
    """A JSON-ready form of ``value``; ``handle`` gives non-data objects' references (else WireError).

    References are ``["h", n]`` (an object in the program's process) or ``["k", n]`` (in the judge's).
    """
    return _encode(value, handle, _Budget(), 0)


def _encode(value: Any, handle: Callable[[Any], list] | None, budget: _Budget, depth: int) -> Any:
    budget.spend(depth)
    kind = type(value)
    if kind in _SCALARS:
        return value
    down = depth + 1
    if kind is list or kind is tuple or kind is set or kind is frozenset:
        tag = {list: "l", tuple: "t", set: "s", frozenset: "f"}[kind]
        return [tag, *(_encode(item, handle, budget, down) for item in value)]
    if kind is dict:
        flat: list[Any] = ["d"]
        for key, item in dict.items(value):
            flat += (_encode(key, handle, budget, down), _encode(item, handle, budget, down))
        return flat
    if kind is bytes or kind is bytearray:
        return ["b", bytes(value).decode("latin-1")]
    if kind is complex:
        return ["c", value.real, value.imag]
    if kind is type and _TYPES.get(getattr(value, "__name__", None)) is value:
        return ["T", value.__name__]
    return _encode_other(value, handle, budget, depth)


def _encode_other(value: Any, handle: Callable[[Any], list] | None, budget: _Budget, depth: int) -> Any:
    down = depth + 1
    if isinstance(value, bool):
        return bool(int.__int__(value))
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, fractions.Fraction):
        return ["q", int.__int__(value.numerator), int.__int__(value.denominator)]
    if isinstance(value, decimal.Decimal):
        return ["D", decimal.Decimal.__str__(value)]
    if isinstance(value, collections.deque):
        return ["Q", value.maxlen, *(_encode(item, handle, budget, down) for item in list(value))]
    if isinstance(value, dict):
        return _encode(dict(dict.items(value)), handle, budget, depth)
    for base in (list, tuple, frozenset, set):
        if isinstance(value, base):
            return _encode(base(base.__iter__(value)), handle, budget, depth)
    if handle is None:
        raise WireError(f"a {type(value).__name__} object cannot cross the channel")
    return handle(value)


def decode(data: Any, resolve: Callable[[str, Any], Any] | None = None) -> Any:
    """Exact builtins from an encoded value; references go through ``resolve(tag, n)`` (else WireError)."""
    try:
        return _decode(data, resolve, _Budget(), 0)
    except WireError:
        raise
    except (TypeError, ValueError, ArithmeticError) as error:  # an unhashable key, a bad Decimal...
        raise WireError(f"malformed value: {type(error).__name__}") from None


def _decode(data: Any, resolve: Callable[[str, Any], Any] | None, budget: _Budget, depth: int) -> Any:
    budget.spend(depth)
    kind = type(data)
    if kind in _SCALARS:
        return data
    if kind is not list or not data or type(data[0]) is not str:
        raise WireError("malformed value")
    tag, rest, down = data[0], data[1:], depth + 1
    if tag in ("l", "t", "s", "f"):
        items = [_decode(item, resolve, budget, down) for item in rest]
        return {"l": list, "t": tuple, "s": set, "f": frozenset}[tag](items) if tag != "l" else items
    if tag == "d" and len(rest) % 2 == 0:
        values = [_decode(item, resolve, budget, down) for item in rest]
        return dict(zip(values[::2], values[1::2], strict=True))
    return _decode_tagged(tag, rest, resolve, budget, down)


def _decode_tagged(tag: str, rest: list, resolve: Callable[[str, Any], Any] | None, budget: _Budget, down: int) -> Any:
    if tag == "b" and len(rest) == 1 and type(rest[0]) is str:
        return rest[0].encode("latin-1")
    if tag == "c" and len(rest) == 2 and all(type(part) in (int, float) for part in rest):
        return complex(rest[0], rest[1])
    if tag == "q" and len(rest) == 2 and all(type(part) is int for part in rest) and rest[1] != 0:
        return fractions.Fraction(rest[0], rest[1])
    if tag == "D" and len(rest) == 1 and type(rest[0]) is str and len(rest[0]) < 5000:
        return decimal.Decimal(rest[0])
    if tag == "Q" and rest and (rest[0] is None or (type(rest[0]) is int and rest[0] >= 0)):
        return collections.deque((_decode(item, resolve, budget, down) for item in rest[1:]), rest[0])
    if tag == "T" and len(rest) == 1 and type(rest[0]) is str and rest[0] in _TYPES:
        return _TYPES[rest[0]]
    if tag in ("h", "k") and len(rest) == 1 and type(rest[0]) is int and resolve is not None:
        return resolve(tag, rest[0])
    if tag == "g" and len(rest) == 1 and type(rest[0]) is str and resolve is not None:
        return resolve(tag, rest[0])
    raise WireError(f"malformed value (tag {tag[:10]!r})")


def send_frame(fd: int, message: dict[str, Any]) -> None:
    data = json.dumps(message, separators=(",", ":")).encode("utf-8", "surrogatepass")
    if len(data) > MAX_FRAME:
        raise WireError(f"message larger than {MAX_FRAME} bytes")
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def read_exactly(fd: int, size: int, deadline: float | None) -> bytes | None:
    """``size`` bytes from ``fd`` (None at end of file); a passed ``deadline`` raises TimeoutError."""
    chunks, remaining = [], size
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError("no answer in time")
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def recv_frame(fd: int, deadline: float | None = None) -> dict[str, Any] | None:
    """The next message; None at end of stream. Raises WireError for a malformed or oversized frame."""
    header = read_exactly(fd, _HEADER.size, deadline)
    if header is None:
        return None
    size = _HEADER.unpack(header)[0]
    if size > MAX_FRAME:
        raise WireError(f"message larger than {MAX_FRAME} bytes")
    body = read_exactly(fd, size, deadline)
    if body is None:
        return None
    try:
        message = json.loads(body.decode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError) as error:
        raise WireError(f"malformed message: {type(error).__name__}") from None
    if type(message) is not dict:
        raise WireError("malformed message")
    return message
