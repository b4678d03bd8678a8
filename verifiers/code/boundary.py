"""The judge's end of the data-only channel: the program's functions as the tests see them.

A test calls :class:`Remote` objects. Arguments cross as exact data (a test's own callable
crosses as a reference the program can call back); results come back as exact builtins or,
for the program's own objects, as further Remotes. A Remote compares only with another
Remote of the same program (the program's ``__eq__`` answers, as the test asked); compared
with a builtin value, or asked for its truth value, it raises :class:`BoundaryError`.

Anything other than a normal reply (the program exits, crashes, breaks the protocol, sends a
value that is not data, or a test mixes a Remote with a builtin) raises a BaseException and
marks the current test as failed in :attr:`ProgramLink.misbehaved`, so that a test which
catches everything (``except:``) still fails.
"""

from __future__ import annotations

import builtins
import os
import signal
import socket
from collections.abc import Callable
from typing import Any

from verifiers.code.wire import WireError, decode, encode, recv_frame, send_frame

__all__ = ["BoundaryError", "ProgramFailure", "ProgramLink", "Remote"]


class ProgramFailure(BaseException):
    """The program ended a call other than by returning or raising an exception (exit, crash, bad data)."""


class BoundaryError(ProgramFailure):
    """A test mixed one of the program's own objects with a builtin value."""


class ProgramLink:
    """One program process at a time, spawned (and respawned after a failure) through ``spawn``."""

    def __init__(self, spawn: Callable[[], tuple[socket.socket, int] | None]):
        self._spawn = spawn
        self.sock: socket.socket | None = None
        self.pid = 0
        self.generation = 0
        self.callbacks: list[Callable[..., Any]] = []
        self.misbehaved = ""
        self.ready: dict[str, Any] = {}
        self.exceptions: dict[str, type] = {}  # stand-ins for the program's exception classes the tests name

    def start(self, deadline: float) -> dict[str, Any] | None:
        """Start a fresh program; its ready message, or None when it did not get that far."""
        self.stop()
        started = self._spawn()
        if started is None:
            return None
        self.sock, self.pid = started
        self.generation += 1
        try:
            message = recv_frame(self.sock.fileno(), deadline)
        except (WireError, OSError, TimeoutError):
            message = None
        if message is None or not (type(message.get("ready")) is dict or type(message.get("compile_error")) is str):
            self.stop()
            return None
        self.ready = message
        return message

    def stop(self) -> None:
        if self.pid:
            for kill in (os.killpg, os.kill):
                try:
                    kill(self.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        if self.sock is not None:
            self.sock.close()
        self.sock, self.pid = None, 0

    @property
    def alive(self) -> bool:
        return self.sock is not None

    def fail(self, why: str, kind: type[ProgramFailure] = ProgramFailure) -> ProgramFailure:
        self.misbehaved = self.misbehaved or why
        return kind(why)

    def request(self, message: dict[str, Any], args: tuple | None = None) -> Any:
        """Send one request and return its decoded value, running the program's callbacks meanwhile."""
        if self.sock is None:
            raise self.fail("the program is not running")
        try:
            send_frame(self.sock.fileno(), message)
            while True:
                reply = recv_frame(self.sock.fileno())
                if reply is None:
                    raise self.fail("the program's process ended")
                if "cb" not in reply:
                    return self._result(reply, args, message.get("op") == "next")
                self._run_callback(reply)
        except (WireError, OSError) as error:
            self.stop()
            raise self.fail(f"the program broke the channel: {str(error)[:100]}") from None

    def _result(self, reply: dict[str, Any], args: tuple | None, iterating: bool) -> Any:
        if "v" in reply:
            value = self.decode(reply["v"])
            if args is not None and isinstance(reply.get("m"), dict):
                _apply_mutations(args, {k: self.decode(v) for k, v in reply["m"].items()})
            return value
        if reply.get("stop") is True and iterating:
            raise StopIteration
        if isinstance(reply.get("raise"), dict):
            error = _program_exception(reply["raise"], self.exceptions)
            if error is None:
                raise self.fail("the program raised a BaseException that is not an Exception")
            raise error
        if "exit" in reply:
            raise self.fail(f"the program exited ({str(reply['exit'])[:60]}) during a call")
        raise self.fail("the program sent a malformed reply")

    def _run_callback(self, message: dict[str, Any]) -> None:
        number = message.get("cb")
        if type(number) is not int or not 0 <= number < len(self.callbacks):
            raise WireError("unknown callback")
        args, kwargs = self.decode(message.get("a")), self.decode(message.get("kw"))
        if type(args) is not list or type(kwargs) is not dict or not all(type(k) is str for k in kwargs):
            raise WireError("malformed callback")
        try:
            answer = {"op": "ret", "v": self.encode(self.callbacks[number](*args, **kwargs))}
        except Exception as error:  # the test's own callable raised: the program sees that exception
            answer = {"op": "raise", "t": type(error).__name__, "s": str(error)[:300]}
        send_frame(self.sock.fileno(), answer)  # type: ignore[union-attr]

    def encode(self, value: Any) -> Any:
        try:
            return encode(value, self._reference)
        except WireError as error:
            raise self.fail(f"a test's value cannot be sent to the program: {error}", BoundaryError) from None

    def _reference(self, value: Any) -> list:
        if type(value) is Remote:
            link, reference, generation = _inner(value)
            if generation not in (None, self.generation):
                raise WireError("an object from an earlier run of the program")
            return reference
        if callable(value):
            self.callbacks.append(value)
            return ["k", len(self.callbacks) - 1]
        raise WireError(f"a {type(value).__name__} object cannot be sent to the program")

    def decode(self, data: Any) -> Any:
        return decode(data, self._resolve)

    def _resolve(self, tag: str, number: Any) -> Any:
        if tag == "g":
            return Remote(self, ["g", number], None)
        if tag == "k":
            if not 0 <= number < len(self.callbacks):
                raise WireError("unknown callback")
            return self.callbacks[number]
        return Remote(self, ["h", number], self.generation)


def _apply_mutations(args: tuple, changed: dict[str, Any]) -> None:
    """Arguments the program changed in place: the test's own objects get the new contents."""
    for key, new in changed.items():
        index = int(key) if key.isdigit() else -1
        if not 0 <= index < len(args) or type(args[index]) is not type(new):
            continue
        old = args[index]
        if isinstance(old, (list, bytearray)):
            old[:] = new
        else:
            old.clear()
            old.update(new)


def _program_exception(info: dict[str, Any], own: dict[str, type]) -> BaseException | None:
    """The exception a test sees: a builtin Exception class of the same name, or a stand-in class;
    None for a BaseException that is not an Exception (KeyboardInterrupt, its own subclasses)."""
    mro = info.get("mro")
    names = [str(name) for name in mro[:20]] if type(mro) is list and mro else [str(info.get("t"))]
    if "Exception" not in names:
        return None
    message = str(info.get("s", ""))[:300]
    if names[0] in own:
        return own[names[0]](message)
    for name in names:
        kind = getattr(builtins, name, None)
        if isinstance(kind, type) and issubclass(kind, Exception):
            return kind(message)
    return ProgramError(f"{names[0][:60]}: {message}")


class ProgramError(Exception):
    """An exception of the program's own class, which no test names."""


def _inner(remote: Remote) -> tuple[ProgramLink, list, int | None]:
    return (object.__getattribute__(remote, "_link"), object.__getattribute__(remote, "_ref"),
            object.__getattribute__(remote, "_gen"))  # fmt: skip


class Remote:
    """A program's function or object, as a test sees it."""

    __slots__ = ("_gen", "_link", "_ref")

    def __init__(self, link: ProgramLink, reference: list, generation: int | None):
        object.__setattr__(self, "_link", link)
        object.__setattr__(self, "_ref", reference)
        object.__setattr__(self, "_gen", generation)

    def _ask(self, op: str, args: tuple | None = None, **fields: Any) -> Any:
        link, reference, generation = _inner(self)
        if generation not in (None, link.generation):
            raise link.fail("an object from an earlier run of the program")
        return link.request({"op": op, "t": reference, **fields}, args)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        link = _inner(self)[0]
        return self._ask("call", args, a=link.encode(list(args)), kw=link.encode(kwargs))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._ask("attr", n=name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._ask("setattr", n=name, v=_inner(self)[0].encode(value))

    def __iter__(self) -> Any:
        return self._ask("iter")

    def __next__(self) -> Any:
        return self._ask("next")

    def __len__(self) -> int:
        return self._checked(self._ask("len"), int)

    def __getitem__(self, key: Any) -> Any:
        return self._ask("item", k=_inner(self)[0].encode(key))

    def __str__(self) -> str:
        return self._checked(self._ask("str"), str)

    def __repr__(self) -> str:
        return self._checked(self._ask("repr"), str)

    def __hash__(self) -> int:
        return hash(tuple(_inner(self)[1]))

    def __bool__(self) -> bool:
        raise _inner(self)[0].fail("a test asked for the truth of a non-builtin object", BoundaryError)

    def __instancecheck__(self, instance: Any) -> bool:
        if type(instance) is not Remote:
            return False
        return self._checked(self._ask("isinstance", o=_inner(instance)[1]), bool)

    def _checked(self, value: Any, kind: type) -> Any:
        if type(value) is not kind:
            raise _inner(self)[0].fail(f"the program answered with a non-{kind.__name__}")
        return value


def _comparison(symbol: str) -> Callable[[Remote, Any], Any]:
    def compare(self: Remote, other: Any) -> Any:
        if type(other) is not Remote:
            raise _inner(self)[0].fail("a test compared a non-builtin object with a builtin value", BoundaryError)
        return self._ask("cmp", o=_inner(other)[1], c=symbol)

    compare.__name__ = f"__{symbol}__"
    return compare


for _symbol in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(Remote, f"__{_symbol}__", _comparison(_symbol))
