"""The judge: runs a row's tests against a program that lives in another process.

The judge holds the tests and the result channel; the program's process holds neither. Tests
run in a clean namespace (the real builtins, real modules, the program's functions as
:class:`~verifiers.code.boundary.Remote` proxies, stand-ins for the program's exception
classes the tests catch) and call the program only through the data-only channel. Time limits
are enforced here, outside the program: a test past its limit fails, the program is killed and
a fresh one serves the next test. A stdio program's output is read from a pipe as bytes and
counts only with exit status 0.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import os
import select
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

from verifiers.code.boundary import ProgramFailure, ProgramLink, Remote
from verifiers.code.modules import ALLOWED_MODULES
from verifiers.code.plan import TestPlan
from verifiers.code.program_output import judge_run
from verifiers.code.wire import send_frame
from verifiers.code.zygote import Spawner

__all__ = ["TestTimeout", "run_judge"]

Emit = Callable[[dict[str, Any]], None]


class TestTimeout(BaseException):
    """A test ran past its time limit."""


class _Clock:
    """The per-test timer; ``fired`` stays set even if a test swallows the TestTimeout."""

    fired = False

    @classmethod
    def on_alarm(cls, signum: int, frame: Any) -> None:
        cls.fired = True
        raise TestTimeout()


def _describe(error: BaseException) -> str:
    text = str(error)
    return (f"{type(error).__name__}: {text}" if text else type(error).__name__)[:300]


def _guarded(run: Callable[[], Any], seconds: float, link: ProgramLink | None) -> str | None:
    """Run one test step; None when it ended with its assertions holding, else why not."""
    _Clock.fired = False
    if link is not None:
        link.misbehaved = ""
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)  # repeats, so that a bare except cannot hold it
    why: str | None = None
    try:
        run()
    except TestTimeout:
        why = "timed out"
    except AssertionError as error:
        why = _describe(error) if str(error) else "assertion failed"
    except ProgramFailure as error:
        why = _describe(error)
    except Exception as error:  # the test's own code raised (or re-raised the program's exception)
        why = _describe(error)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if _Clock.fired:
        why = "timed out"
        if link is not None:
            link.stop()  # the program may be mid-call: a fresh one serves the next test
    elif link is not None and link.misbehaved:
        why = link.misbehaved
    return why


def run_judge(plan: TestPlan, source: str, prompt: str | None, emit: Emit, spawner: Spawner,
              limits: dict[str, Any]) -> None:  # fmt: skip
    """Run the plan's tests against the program, emitting one result per test."""
    signal.signal(signal.SIGALRM, _Clock.on_alarm)
    if plan.style == "stdio":
        for index, (stdin_text, expected) in enumerate(plan.cases):
            why = run_stdio_case(source, stdin_text, expected, spawner, limits, emit)
            emit({"e": "test", "i": index, "ok": why is None, "why": why or ""})
    elif plan.style == "run":  # no tests: the program's output is handed back (verifiers.code.program_run)
        for stdin_text, _ in plan.cases:
            judge_run(source, stdin_text, spawner, limits, emit)
    else:
        _run_asserts(plan, source, prompt, emit, spawner, limits)
    emit({"e": "done", "refused": spawner.refused[:20]})


def _run_asserts(plan: TestPlan, source: str, prompt: str | None, emit: Emit, spawner: Spawner,
                 limits: dict[str, Any]) -> None:  # fmt: skip
    link = ProgramLink(lambda: spawner.spawn_function(source, limits, emit))
    seconds = limits["test_timeout_s"]
    ready = link.start(time.monotonic() + seconds)
    if ready is not None and "compile_error" in ready:
        emit({"e": "compile_error", "why": str(ready["compile_error"])[:300]})
        return
    if ready is None:
        emit({"e": "note", "program_error": "the program did not start (it timed out or crashed)"})
    else:
        refused = ready.get("refused")
        spawner.refused = [str(name)[:60] for name in refused[:20]] if type(refused) is list else []
        if ready.get("note"):
            emit({"e": "note", "program_error": str(ready["note"])[:200]})
    names = ready["ready"] if ready is not None else {}
    namespace = test_namespace(names, plan, link, prompt)
    if plan.style == "function" and plan.entry_point not in names:
        emit({"e": "note", "program_error": f"entry point {plan.entry_point!r} is not defined"})
    if plan.preamble.strip():
        setup_error = _guarded(lambda: exec(plan.preamble, namespace), seconds, None)
        if setup_error:
            emit({"e": "note", "setup_error": setup_error})
    for index, step in plan.steps:
        if ready is not None and not link.alive and link.start(time.monotonic() + seconds) is None:
            why: str | None = "the program could not be restarted after a failure"
        else:
            why = _guarded(lambda step=step: exec(step, namespace), seconds, link)
        if index is not None:
            emit({"e": "test", "i": index, "ok": why is None, "why": why or ""})
    link.stop()


def test_namespace(names: dict[str, str], plan: TestPlan, link: ProgramLink, prompt: str | None) -> dict[str, Any]:
    """Real builtins and modules; the program's names only where they shadow neither."""
    namespace: dict[str, Any] = {"__builtins__": builtins, "__name__": "__test__"}
    modules = _module_like_names(plan)
    for name, kind in names.items():
        if not name.isidentifier() or name.startswith("__") or hasattr(builtins, name) or name == "candidate":
            continue
        value = _program_name(name, str(kind), plan, link, modules)
        if value is not None:
            namespace[name] = value
    if plan.style == "function":
        if isinstance(prompt, str) and prompt.strip():
            _guarded(lambda: exec(compile(prompt, "<prompt>", "exec"), namespace), 2.0, None)  # trusted helpers
        namespace["candidate"] = Remote(link, ["g", plan.entry_point or ""], None)
    return namespace


def _module_like_names(plan: TestPlan) -> set[str]:
    """Standard-library module names the tests use as modules (``math.isclose``)."""
    found: set[str] = set()
    for source in [plan.preamble, *(step for _, step in plan.steps)]:
        try:
            tree = ast.parse(source)
        except SyntaxError:  # a malformed setup fails when it runs, as a note
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                found.add(node.value.id)
    return found & set(sys.stdlib_module_names)


def _program_name(name: str, kind: str, plan: TestPlan, link: ProgramLink, modules: set[str]) -> Any:
    label = kind.partition(":")[2] if kind.startswith("module:") else ""
    if label:
        return importlib.import_module(label) if label in ALLOWED_MODULES or label == "sys" else None
    if name in modules:
        return importlib.import_module(name)  # a program's own "math" never stands in for the module
    if kind.startswith("exception:"):
        if name not in plan.except_names:
            return None
        bases = [getattr(builtins, base, None) for base in kind.partition(":")[2].split(",")]
        base = next((b for b in bases if isinstance(b, type) and issubclass(b, Exception)), Exception)
        link.exceptions[name] = type(name, (base,), {})
        return link.exceptions[name]
    return Remote(link, ["g", name], None)


def run_stdio_case(source: str, stdin_text: str, expected: str, spawner: Spawner, limits: dict[str, Any],
                   emit: Emit) -> str | None:  # fmt: skip
    """One stdin/stdout case in a fresh program process; None when it passed."""
    deadline = time.monotonic() + limits["test_timeout_s"]
    started = spawner.spawn_stdio(limits, emit)
    if started is None:
        return "the program's process could not be started"
    pid, channel, stdin_w, stdout_r = started
    try:
        send_frame(channel, {"source": source})
    except OSError:
        pass
    os.close(channel)
    output, why = _exchange(stdin_w, stdout_r, stdin_text.encode(), deadline, limits["output_limit"])
    status = spawner.wait(pid, max(0.0, deadline - time.monotonic())) if why is None else None
    if why is None and status is None:
        why = "timed out"
    spawner.kill(pid)
    if why is None and status != 0:
        why = f"exited with status {status}"
    if why is None and _lines(output.decode("utf-8", "replace")) != _lines(expected):
        why = "wrong output"
    return why


def _exchange(stdin_w: int, stdout_r: int, data: bytes, deadline: float, limit: int) -> tuple[bytes, str | None]:
    """Feed stdin and read stdout until end of output; (output, None) or (partial, why it stopped)."""
    chunks: list[bytes] = []
    size, view = 0, memoryview(data)
    os.set_blocking(stdin_w, False)
    writers = [stdin_w] if data else []
    if not data:
        os.close(stdin_w)
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return b"".join(chunks), "timed out"
            readable, writable, _ = select.select([stdout_r], writers, [], left)
            if writable:
                try:
                    view = view[os.write(stdin_w, view[: 1 << 16]) :]
                except BrokenPipeError:
                    view = view[len(view) :]
                if not view:
                    writers = []
                    os.close(stdin_w)
            if readable:
                chunk = os.read(stdout_r, 1 << 16)
                if not chunk:
                    return b"".join(chunks), None
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    return b"".join(chunks), f"printed more than {limit} bytes"
    finally:
        if writers:
            os.close(stdin_w)
        os.close(stdout_r)


def _lines(text: str) -> list[list[str]]:
    """Output compared line by line (equal line counts), whitespace-insensitive within a line."""
    lines = [line.split() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines
