"""What runs inside the sandboxed child: the program under the policy, then the tests.

Results go out one test at a time through ``emit`` (a pipe only this harness holds), so a
timeout keeps the tests already reported. The program never sees the tests: it runs first,
in its own namespace with guarded builtins, and the tests run afterwards in a separate
namespace that receives the program's names through :mod:`verifiers.code.boundary`.
"""

from __future__ import annotations

import builtins
import importlib
import signal
import sys
import types
from collections.abc import Callable
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence, safe_builtins

from verifiers.code.boundary import BoundaryError, to_test_side
from verifiers.code.modules import ModuleView, SandboxIO, sandbox_import, sys_view
from verifiers.code.plan import TestPlan
from verifiers.code.policy import (
    CandidateCompileError,
    aug_attr,
    aug_item,
    compile_candidate,
    guarded_delattr,
    guarded_getattr,
    guarded_hasattr,
    guarded_setattr,
    guarded_write,
    inplace_var,
)

__all__ = ["TestTimeout", "candidate_builtins", "run_plan"]

Emit = Callable[[dict[str, Any]], None]
_EXTRA_BUILTINS = (
    "all any ascii bin bytearray bytes classmethod dict dir enumerate filter format frozenset iter list map max "
    "memoryview min next object property reversed set sorted staticmethod sum super tuple type zip "
    "NotImplemented StopAsyncIteration RecursionError ExceptionGroup BaseExceptionGroup ConnectionError "
    "TimeoutError PermissionError FileNotFoundError ProcessLookupError ChildProcessError BrokenPipeError"
).split()


class TestTimeout(BaseException):
    """A test ran past its time limit (a BaseException, so ``except Exception`` cannot swallow it)."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise TestTimeout()


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
    printer = _Printer(sandbox_io)

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
        _apply_=lambda f, *a, **k: f(*a, **k), _print_=printer, getattr=guarded_getattr, hasattr=guarded_hasattr,
        setattr=guarded_setattr, delattr=guarded_delattr, input=input, exit=exit, quit=exit, eval=restricted("eval"),
        exec=restricted("exec"),
    )  # fmt: skip
    return table


def _describe(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return text[:300]


def _guarded_run(run: Callable[[], Any], seconds: float) -> str | None:
    """Run with a per-test timer; None on success, else why it failed."""
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        run()
    except TestTimeout:
        return "timed out"
    except AssertionError as error:
        return _describe(error) if str(error) else "assertion failed"
    except BoundaryError as error:
        return _describe(error)
    except SystemExit as error:
        return None if error.code in (None, 0) else f"exited with {str(error.code)[:100]}"
    except Exception as error:
        return _describe(error)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return None


def run_plan(plan: TestPlan, source: str, emit: Emit, views: dict[str, ModuleView], limits: dict[str, Any]) -> None:
    """Compile the program, run it and the plan's tests, emitting one result per test."""
    signal.signal(signal.SIGALRM, _on_alarm)
    sys.setrecursionlimit(3000)
    try:
        code = compile_candidate(source)
    except (CandidateCompileError, SyntaxError, ValueError, RecursionError, MemoryError) as error:
        emit({"e": "compile_error", "why": _describe(error)})
        return
    sandbox_io = SandboxIO(limits["output_limit"])
    refused: list[str] = []
    if plan.style == "stdio":
        _run_stdio(plan, code, emit, views, sandbox_io, refused, limits)
    else:
        _run_asserts(plan, code, emit, views, sandbox_io, refused, limits)
    emit({"e": "done", "refused": refused[:20]})


def _program_globals(views: dict, sandbox_io: SandboxIO, refused: list[str], name: str) -> dict[str, Any]:
    return {"__builtins__": candidate_builtins(views, sandbox_io, refused), "__name__": name}


def _run_stdio(plan: TestPlan, code: Any, emit: Emit, views: dict, sandbox_io: SandboxIO, refused: list, limits: dict):
    for index, (stdin_text, expected) in enumerate(plan.cases):
        sandbox_io.reset(stdin_text)
        namespace = _program_globals(views, sandbox_io, refused, "__main__")
        why = _guarded_run(lambda namespace=namespace: exec(code, namespace), limits["test_timeout_s"])
        if why is None and _lines(sandbox_io.stdout.getvalue()) != _lines(expected):
            why = "wrong output"
        emit({"e": "test", "i": index, "ok": why is None, "why": why or ""})


def _lines(text: str) -> list[list[str]]:
    """Output compared line by line (equal line counts), whitespace-insensitive within a line."""
    lines = [line.split() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _run_asserts(plan: TestPlan, code: Any, emit: Emit, views: dict, sandbox_io: SandboxIO, refused: list,
                 limits: dict) -> None:  # fmt: skip
    program = _program_globals(views, sandbox_io, refused, "__candidate__")
    sys.modules["__candidate__"] = types.ModuleType("__candidate__")  # dataclasses looks its module up
    why = _guarded_run(lambda: exec(code, program), limits["test_timeout_s"])
    if why is not None:
        emit({"e": "note", "program_error": why})
    namespace = _test_namespace(program, plan)
    if plan.entry_point and plan.entry_point not in program:
        emit({"e": "note", "program_error": f"entry point {plan.entry_point!r} is not defined"})
    if plan.preamble.strip():
        setup_error = _guarded_run(lambda: exec(plan.preamble, namespace), limits["test_timeout_s"])
        if setup_error:
            emit({"e": "note", "setup_error": setup_error})
    for index, step in plan.steps:
        why = _guarded_run(lambda step=step: exec(step, namespace), limits["test_timeout_s"])
        if index is not None:
            emit({"e": "test", "i": index, "ok": why is None, "why": why or ""})


def _test_namespace(program: dict[str, Any], plan: TestPlan) -> dict[str, Any]:
    """The tests' globals: real builtins, and the program's names as the boundary lets them through."""
    namespace: dict[str, Any] = {"__builtins__": builtins, "__name__": "__test__"}
    for name, value in program.items():
        if name.startswith("__") or name == "_print":
            continue
        if isinstance(value, ModuleView):
            if type(value) is not ModuleView:
                continue
            label = object.__getattribute__(value, "_label")
            if not label.startswith("__"):
                namespace[name] = importlib.import_module(label) if label != "sys" else sys
            continue
        if name in plan.except_names and isinstance(value, type) and issubclass(value, BaseException):
            namespace[name] = value
            continue
        namespace[name] = to_test_side(value)
    if plan.style == "function":
        entry = plan.entry_point or ""
        namespace["candidate"] = namespace.get(entry, _missing(entry))
    return namespace


def _missing(name: str) -> Callable[..., Any]:
    def missing(*args: Any, **kwargs: Any) -> Any:
        raise NameError(f"the program does not define {name!r}")

    return missing
