"""One row in the fork server: fork a judge, collect its per-test reports, clean up after it.

The judge (:mod:`verifiers.code.judge`) is a fresh fork of the server for each row, so that
what the tests do (imports, module state) never outlives the row. It reports on a pipe that
only it and the server hold; the program's process, which the zygote starts for the judge,
has no way to it. At the row's wall-clock limit the judge and every program process it
started are killed.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import time
from typing import Any

from verifiers.code.sandbox import PR_SET_DUMPABLE, PR_SET_PDEATHSIG, _prctl
from verifiers.code.zygote import Spawner

__all__ = ["reap", "run_sample"]

_MAX_REPORT_BYTES = 1 << 20
_TERMINAL = frozenset({"done", "compile_error", "sandbox_error"})


def run_sample(plan: Any, source: str, prompt: str | None, limits: dict[str, Any], control: socket.socket,
               pending: set[int]) -> dict[str, Any]:  # fmt: skip
    """Judge one program; the judge's messages and how it ended (finished, timeout, crashed, flooded)."""
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _judge_child(plan, source, prompt, limits, control, read_fd, write_fd)
    pending.add(pid)
    os.close(write_fd)
    try:
        room = _MAX_REPORT_BYTES + (3 * limits["output_limit"] if plan.style == "run" else 0)  # output, base64
        report = _collect(read_fd, started + limits["timeout_s"], room)
    finally:
        os.close(read_fd)
        _kill(pid)
    spawned = [m["pid"] for m in report["messages"] if m.get("e") == "spawned" and type(m.get("pid")) is int]
    for child in spawned:
        _kill(child)
    for child in spawned:  # reaped (and their scratch removed) before the next row starts
        Spawner(control).wait(child, 2.0)
    report["seconds"] = round(time.monotonic() - started, 4)
    return report


def _judge_child(plan: Any, source: str, prompt: str | None, limits: dict, control: socket.socket, read_fd: int,
                 write_fd: int) -> None:  # fmt: skip
    """The forked judge. Never returns."""
    status = 0
    try:
        os.setsid()
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        _prctl(PR_SET_DUMPABLE, 0)  # no ptrace or /proc/<pid>/mem from a same-uid program
        os.close(read_fd)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)  # the server's own protocol pipes are not the judge's

        def emit(message: dict[str, Any]) -> None:
            data = (json.dumps(message) + "\n").encode()
            while data:
                data = data[os.write(write_fd, data) :]

        from verifiers.code.judge import run_judge

        run_judge(plan, source, prompt, emit, Spawner(control), limits)
    except Exception as error:  # a judge failure is a verifier bug: say so
        status = 1
        try:
            os.write(write_fd, json.dumps({"e": "sandbox_error", "why": repr(error)[:500]}).encode() + b"\n")
        except OSError:
            pass
    finally:
        os._exit(status)


def _kill(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def reap(pending: set[int], block: bool) -> None:
    """Reap finished judges (and orphans re-parented to the server)."""
    while pending or not block:
        try:
            pid, _ = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            pending.clear()
            return
        if pid == 0:
            return
        pending.discard(pid)


def _collect(read_fd: int, deadline: float, room: int) -> dict[str, Any]:
    buffer, total, messages = b"", 0, []
    status = "crashed"
    while status == "crashed":
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([read_fd], [], [], remaining)[0]:
            status = "timeout"
            break
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        total += len(chunk)
        *lines, buffer = (buffer + chunk).split(b"\n")
        new = [message for message in map(_decode, lines) if message]
        messages.extend(new)
        if any(message.get("e") in _TERMINAL for message in new):
            status = "finished"
        elif total > room:
            status = "flooded"
    return {"status": status, "messages": messages}


def _decode(line: bytes) -> dict[str, Any]:
    try:
        message = json.loads(line)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}
