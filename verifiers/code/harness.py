"""What runs inside the program's process: the program under the policy, and nothing else.

This process never holds the tests, the expected values or a result channel. A function-style
program runs its module code, then answers the judge's requests on a data-only channel
(:mod:`verifiers.code.wire`): calls, attribute reads, iteration. Arguments arrive as fresh
copies for every call; arguments it changes in place are sent back. A stdio program runs with
its stdin and stdout on pipes held by the judge, which reads the output as bytes.
Whatever this process does, the judge decides from what it receives.
"""

from __future__ import annotations

import builtins
import linecache
import os
import sys
import traceback
import types
from collections.abc import Callable
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence, safe_builtins

from verifiers.code.guards import (
    aug_attr,
    aug_item,
    guarded_delattr,
    guarded_getattr,
    guarded_hasattr,
    guarded_setattr,
    guarded_type,
    guarded_write,
    inplace_var,
    match_class,
)
from verifiers.code.modules import ModuleView, OutputLimitExceeded, SandboxIO, sandbox_import, sys_view
from verifiers.code.policy import CandidateCompileError, compile_candidate
from verifiers.code.program_channel import ProgramChannel

__all__ = ["candidate_builtins", "run_program"]

_EXTRA_BUILTINS = (
    "all any ascii bin bytearray bytes classmethod dict dir enumerate filter format frozenset iter list map max "
    "memoryview min next object property reversed set sorted staticmethod sum super tuple zip "
    "NotImplemented StopAsyncIteration RecursionError ExceptionGroup BaseExceptionGroup ConnectionError "
    "TimeoutError PermissionError FileNotFoundError ProcessLookupError ChildProcessError BrokenPipeError"
).split()
# What a program may raise or exit with, caught here so that the judge hears about it.
PROGRAM_ENDINGS = (Exception, SystemExit, KeyboardInterrupt, GeneratorExit)
CHANNEL_FD = 3


class _Printer:
    """RestrictedPython's print hook, writing to the sandbox's stdout."""

    def __init__(self, sandbox_io: SandboxIO):
        self.sandbox_io = sandbox_io

    def __call__(self, _getattr_: Any = None) -> _Printer:
        return self

    def _call_print(self, *objects: Any, sep: str = " ", end: str = "\n", file: Any = None, flush: bool = False):
        builtins.print(*objects, sep=sep, end=end, file=self.sandbox_io.stdout if file is None else file)


def candidate_builtins(views: dict[str, ModuleView], sandbox_io: SandboxIO, refused: list[str]) -> dict[str, Any]:
    """The builtins a program sees: RestrictedPython's safe set, ordinary extras, and the guards."""
    table = dict(safe_builtins)
    table.update({name: getattr(builtins, name) for name in _EXTRA_BUILTINS if hasattr(builtins, name)})

    def input(prompt: Any = "") -> str:
        sandbox_io.stdout.write(str(prompt))
        line = sandbox_io.stdin.readline()
        if not line:
            raise EOFError("EOF when reading a line")
        return line.rstrip("\n")

    def exit(code: Any = None) -> None:
        raise SystemExit(code)

    def restricted(mode: str) -> Callable[..., Any]:
        def run(source: Any, globals: Any = None, locals: Any = None) -> Any:
            if not isinstance(source, str):
                raise TypeError(f"{mode}() takes a string of source in the sandbox")
            try:
                code = compile_candidate(source, f"<{mode}>", mode)
            except CandidateCompileError as error:
                raise SyntaxError(str(error)) from None
            namespace = globals if isinstance(globals, dict) else {}
            namespace["__builtins__"] = table
            return (builtins.eval if mode == "eval" else builtins.exec)(code, namespace, locals)

        run.__name__ = mode
        return run

    table.update(
        __import__=sandbox_import({**views, "sys": sys_view(sandbox_io)}, refused),
        __metaclass__=type, _getattr_=guarded_getattr, _getitem_=lambda obj, key: obj[key], _getiter_=iter,
        _write_=guarded_write, _inplacevar_=inplace_var, _aug_item_=aug_item, _aug_attr_=aug_attr,
        _iter_unpack_sequence_=guarded_iter_unpack_sequence, _unpack_sequence_=guarded_unpack_sequence,
        _apply_=lambda f, *a, **k: f(*a, **k), _print_=_Printer(sandbox_io), getattr=guarded_getattr,
        hasattr=guarded_hasattr, setattr=guarded_setattr, delattr=guarded_delattr, input=input, exit=exit,
        quit=exit, eval=restricted("eval"), exec=restricted("exec"), type=guarded_type, _match_class_=match_class,
    )  # fmt: skip
    return table


def describe(error: BaseException) -> str:
    try:
        text = str(error)
    except PROGRAM_ENDINGS:
        text = ""
    return (f"{type(error).__name__}: {text}" if text else type(error).__name__)[:300]


def _compile(source: str, restricted: bool) -> Any:
    return compile_candidate(source) if restricted else compile(source, "<candidate>", "exec")


def _builtins(restricted: bool, views: dict, sandbox_io: SandboxIO, refused: list[str]) -> Any:
    """The program's builtins; the real ones when RestrictedPython is off (tests of the process boundary)."""
    return candidate_builtins(views, sandbox_io, refused) if restricted else builtins


def run_program(source: str, style: str, views: dict[str, ModuleView], limits: dict[str, Any]) -> int:
    """Run one program in this (already confined) process; the exit status it should end with."""
    sys.setrecursionlimit(3000)
    sandbox_io = SandboxIO(limits["output_limit"])
    restricted = limits.get("restricted_python", True) is not False
    if style in ("stdio", "run"):
        return _run_stdio(source, style == "run", views, sandbox_io, restricted)
    channel = ProgramChannel(CHANNEL_FD)
    try:
        code = _compile(source, restricted)
    except (CandidateCompileError, SyntaxError, ValueError, RecursionError, MemoryError) as error:
        channel.send({"compile_error": describe(error)})
        return 0
    refused: list[str] = []
    program = {"__builtins__": _builtins(restricted, views, sandbox_io, refused), "__name__": "__candidate__"}
    sys.modules["__candidate__"] = types.ModuleType("__candidate__")  # dataclasses looks its module up
    note = ""
    try:
        exec(code, program)
    except PROGRAM_ENDINGS as error:
        note = describe(error)
    channel.serve(program, note, refused)
    return 0


def _run_stdio(source: str, run: bool, views: dict[str, ModuleView], sandbox_io: SandboxIO, restricted: bool) -> int:
    """A stdin/stdout program; ``run``: also its stderr on fd 2 and Python's own exit status (for its output)."""
    try:
        code = _compile(source, restricted)
    except (CandidateCompileError, SyntaxError, ValueError, RecursionError, MemoryError) as error:
        if not run:
            return 3
        code, status = None, _failed(error, sandbox_io, with_frames=False)
    sandbox_io.stdin = os.fdopen(0, "r", encoding="utf-8", errors="replace", closefd=False)
    sys.stdin, sys.stdout = sandbox_io.stdin, sandbox_io.stdout
    if run:
        sys.stderr = sandbox_io.stderr
        linecache.cache["<candidate>"] = (len(source), None, source.splitlines(True), "<candidate>")
    if code is not None:
        status = _execute(code, run, views, sandbox_io, restricted)
    _write_all(1, sandbox_io.stdout.getvalue())
    if run:
        _write_all(2, sandbox_io.stderr.getvalue())
    return status


def _execute(code: Any, run: bool, views: dict[str, ModuleView], sandbox_io: SandboxIO, restricted: bool) -> int:
    program = {"__builtins__": _builtins(restricted, views, sandbox_io, []), "__name__": "__main__"}
    try:
        exec(code, program)
    except SystemExit as error:
        return _exit_status(error.code, sandbox_io) if run else _stdio_exit(error.code)
    except PROGRAM_ENDINGS as error:
        return _failed(error, sandbox_io) if run else 1
    return 0


def _stdio_exit(code: Any) -> int:
    return 0 if code is None or (type(code) in (int, bool) and code == 0) else 1


def _exit_status(code: Any, sandbox_io: SandboxIO) -> int:
    """As Python exits: None is 0, an int its low byte, anything else printed to stderr and 1."""
    if code is None or type(code) in (int, bool):
        return int(code or 0) & 0xFF
    _to_stderr(lambda: f"{code}\n", sandbox_io)
    return 1


def _failed(error: BaseException, sandbox_io: SandboxIO, with_frames: bool = True) -> int:
    """An uncaught exception (or a compile error): its traceback, without this harness's frames, on stderr; 1."""
    _to_stderr(lambda: _traceback(error) if with_frames else describe(error) + "\n", sandbox_io)
    return 1


def _traceback(error: BaseException) -> str:
    """Python's traceback, with only the program's own frames (the sandbox's are not its business)."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename.startswith("<")]
    head = "Traceback (most recent call last):\n" + "".join(traceback.format_list(frames)) if frames else ""
    return head + describe(error) + "\n"


def _to_stderr(text: Callable[[], str], sandbox_io: SandboxIO) -> None:
    try:
        message = text()
    except PROGRAM_ENDINGS as error:  # a hostile __str__ or a traceback too deep to format
        message = describe(error) + "\n"
    try:
        sandbox_io.stderr.write(message)
    except OutputLimitExceeded:  # what fits was written
        pass


def _write_all(fd: int, text: str) -> None:
    view = memoryview(text.encode("utf-8", "replace"))
    while view:
        view = view[os.write(fd, view) :]
