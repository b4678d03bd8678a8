"""The program's end of the data-only channel: answer the judge's requests (runs in the program's process).

Requests name a target (a global of the program, or a handle to an object it returned) and
an operation: call, attribute read, iteration, comparison of two of its own objects. Values
go back as exact data (:mod:`verifiers.code.wire`) or, for the program's own objects, as
handles. A callable the judge passes in (a test's lambda) becomes a stub that asks the judge
to run it. Nothing here is trusted: the judge checks every reply.
"""

from __future__ import annotations

import builtins
import operator
from typing import Any

from verifiers.code.guards import guarded_getattr, guarded_setattr
from verifiers.code.modules import ModuleView
from verifiers.code.wire import WireError, decode, encode, recv_frame, send_frame

__all__ = ["ProgramChannel"]

_ENDINGS = (Exception, SystemExit, KeyboardInterrupt, GeneratorExit)
_COMPARE = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt,
            "ge": operator.ge}  # fmt: skip
_MUTABLE = (list, dict, set, bytearray)


class ProgramChannel:
    def __init__(self, fd: int):
        self.fd = fd
        self.objects: list[Any] = []
        self.program: dict[str, Any] = {}

    def send(self, message: dict[str, Any]) -> None:
        send_frame(self.fd, message)

    def handle(self, value: Any) -> list:
        stub = getattr(value, "_judge_callback", None) if type(value).__name__ == "function" else None
        if type(stub) is int:
            return ["k", stub]
        self.objects.append(value)
        return ["h", len(self.objects) - 1]

    def resolve(self, tag: str, number: Any) -> Any:
        if tag == "g":
            return self.program[str(number)]
        if tag == "k":
            return self._callback(number)
        if not 0 <= number < len(self.objects):
            raise WireError("unknown handle")
        return self.objects[number]

    def serve(self, program: dict[str, Any], note: str, refused: list[str]) -> None:
        """Announce the program's names, then answer requests until the judge closes the channel."""
        self.program = program
        names = {name: _kind(value) for name, value in program.items() if not name.startswith("__")}
        self.send({"ready": names, "note": note, "refused": refused[:20]})
        while (request := recv_frame(self.fd)) is not None:
            self.send(self.answer(request))

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._answer(request)
        except StopIteration:
            return {"stop": True}
        except SystemExit as error:
            return {"exit": repr(error.code)[:100]}
        except _ENDINGS as error:
            return {"raise": _exception(error)}

    def _answer(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request.get("op")
        target = self._target(request.get("t"))
        if op == "call":
            args = decode(request.get("a", ["l"]), self.resolve)
            kwargs = decode(request.get("kw", ["d"]), self.resolve)
            result = target(*args, **kwargs)
            changed = {str(i): self.encode(arg) for i, arg in enumerate(args) if isinstance(arg, _MUTABLE)}
            return {"v": self.encode(result), "m": changed}
        if op == "attr":
            return {"v": self.encode(guarded_getattr(target, str(request.get("n"))))}
        if op == "setattr":
            guarded_setattr(target, str(request.get("n")), decode(request.get("v"), self.resolve))
            return {"v": None}
        if op == "cmp":
            other = self._target(request.get("o"))
            return {"v": self.encode(_COMPARE[str(request.get("c"))](target, other))}
        return {"v": self.encode(self._unary(str(op), target, request))}

    def _unary(self, op: str, target: Any, request: dict[str, Any]) -> Any:
        if op == "iter":
            return iter(target)
        if op == "next":
            return next(target)
        if op == "len":
            return len(target)
        if op in ("str", "repr"):
            return str.__str__((str if op == "str" else repr)(target))
        if op == "item":
            return target[decode(request.get("k"), self.resolve)]
        if op == "isinstance":
            return isinstance(self._target(request.get("o")), target)
        raise ValueError(f"unknown request {op[:20]!r}")

    def _target(self, reference: Any) -> Any:
        return decode(reference, self.resolve) if reference is not None else None

    def encode(self, value: Any) -> Any:
        return encode(value, self.handle)

    def _callback(self, number: int) -> Any:
        """A test's callable: calling it asks the judge, and serves the judge's requests meanwhile."""

        def callback(*args: Any, **kwargs: Any) -> Any:
            self.send({"cb": number, "a": self.encode(list(args)), "kw": self.encode(dict(kwargs))})
            while (message := recv_frame(self.fd)) is not None:
                if message.get("op") == "ret":
                    return decode(message.get("v"), self.resolve)
                if message.get("op") == "raise":
                    kind = getattr(builtins, str(message.get("t")), None)
                    kind = kind if isinstance(kind, type) and issubclass(kind, Exception) else RuntimeError
                    raise kind(str(message.get("s", ""))[:300])
                self.send(self.answer(message))
            raise SystemExit(1)

        callback._judge_callback = number  # type: ignore[attr-defined]
        return callback


def _kind(value: Any) -> str:
    if type(value) is ModuleView:
        return "module:" + object.__getattribute__(value, "_label")
    if isinstance(value, type) and issubclass(value, BaseException):
        return "exception:" + ",".join(str(getattr(k, "__name__", ""))[:60] for k in value.__mro__[:20])
    try:
        encode(value)
    except (WireError, RecursionError):
        return "object"
    return "data"


def _exception(error: BaseException) -> dict[str, Any]:
    try:
        text = str(error)[:300]
    except _ENDINGS:
        text = ""
    names = [str(getattr(kind, "__name__", "?"))[:60] for kind in type(error).__mro__[:20]]
    return {"t": names[0], "mro": names, "s": text}
