"""The zygote: a warm process that forks one confined process per program, and never sees a test.

The fork server starts the zygote before it receives any row, so the zygote (and every program
process forked from it) holds no tests, no expected values and no result channel. A judge asks
it for a program process over a SOCK_SEQPACKET socket, passing the program's end of the
channel (and for stdio programs its stdin and stdout pipes, and stderr for a run) as file descriptors; it replies
with the pid. The program's source then travels from the judge straight to the program.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable
from typing import Any

from verifiers.code.wire import WireError, recv_frame, send_frame

__all__ = ["Spawner", "start_zygote"]

_CONFINE_WAIT_S = 10.0
Streams = tuple[int, int, int, list[int]]  # pid, channel, stdin to write, outputs to read


class Spawner:
    """The judge's side of the zygote: program processes on request."""

    def __init__(self, control: socket.socket):
        self.control = control
        self.refused: list[str] = []
        self.layers: dict[str, Any] | None = None
        self.ran_program = False  # after that, a failed (re)start is the program's doing, not the sandbox's

    def _trouble(self, why: str, emit: Callable) -> None:
        if self.ran_program:
            emit({"e": "note", "program_error": f"a fresh program process could not be started: {why}"[:300]})
        else:
            emit({"e": "sandbox_error", "why": why[:300]})

    def _ask(self, request: dict[str, Any], fds: list[int]) -> dict[str, Any]:
        token = os.urandom(8).hex()  # a judge killed mid-request leaves a reply that is not ours
        socket.send_fds(self.control, [json.dumps({**request, "token": token}).encode()], fds)
        while True:
            data = self.control.recv(1 << 16)
            if not data:
                return {"error": "the zygote is gone"}
            reply = json.loads(data)
            if reply.get("token") == token:
                return reply

    def _spawn(self, style: str, limits: dict[str, Any], fds: list[int], emit: Callable) -> int | None:
        reply = self._ask({"op": "spawn", "style": style, "limits": limits}, fds)
        for fd in fds:
            os.close(fd)
        pid = reply.get("pid")
        if type(pid) is not int or pid <= 0:
            self._trouble(str(reply.get("error", "the zygote did not start a process")), emit)
            return None
        emit({"e": "spawned", "pid": pid})
        return pid

    def _confined(self, channel: int, emit: Callable) -> bool:
        """The process's first message, sent before it reads any program: trusted."""
        try:
            message = recv_frame(channel, time.monotonic() + _CONFINE_WAIT_S)
        except (WireError, OSError, TimeoutError) as error:
            message = {"sandbox_error": f"no word from the program's process ({error!r})"}
        if message is None or "confined" not in message:
            why = (message or {}).get("sandbox_error", "the program's process died while being confined")
            self._trouble(str(why), emit)
            return False
        if self.layers is None:
            self.layers = message["confined"]
            emit({"e": "ready", "layers": self.layers})
        return True

    def spawn_function(self, source: str, limits: dict[str, Any], emit: Callable) -> tuple[socket.socket, int] | None:
        judge_end, program_end = socket.socketpair()
        pid = self._spawn("function", limits, [os.dup(program_end.fileno())], emit)
        program_end.close()
        if pid is None or not self._confined(judge_end.fileno(), emit):
            self.kill(pid)
            judge_end.close()
            return None
        self.ran_program = True
        send_frame(judge_end.fileno(), {"source": source})
        return judge_end, pid

    def spawn_stdio(self, limits: dict[str, Any], emit: Callable) -> tuple[int, int, int, int] | None:
        started = self.spawn_streams("stdio", limits, emit)
        return None if started is None else (*started[:3], started[3][0])

    def spawn_streams(self, style: str, limits: dict[str, Any], emit: Callable) -> Streams | None:
        """A process on pipes: (pid, channel, stdin to write, [stdout, and for "run" stderr, to read])."""
        judge_end, program_end = socket.socketpair()
        stdin_r, stdin_w = os.pipe()
        outputs = [os.pipe() for _ in range(2 if style == "run" else 1)]
        fds = [os.dup(program_end.fileno()), stdin_r, *(write for _, write in outputs)]
        pid = self._spawn(style, limits, fds, emit)
        program_end.close()
        channel = os.dup(judge_end.fileno())
        judge_end.close()
        readers = [read for read, _ in outputs]
        if pid is None or not self._confined(channel, emit):
            self.kill(pid)
            for fd in (channel, stdin_w, *readers):
                os.close(fd)
            return None
        self.ran_program = True
        return pid, channel, stdin_w, readers

    def wait(self, pid: int, timeout: float) -> int | None:
        """The process's exit status, or None if it is still running after ``timeout`` seconds."""
        status = self._ask({"op": "wait", "pid": pid, "timeout": timeout}, []).get("status")
        return status if type(status) is int else None

    @staticmethod
    def kill(pid: int | None) -> None:
        if not pid:
            return
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def start_zygote(run_child: Callable[[dict[str, Any], list[int], str], int], scratch_base: str,
                 prepare: Callable[[], None], owner: int | None) -> tuple[socket.socket, int]:  # fmt: skip
    """Fork the zygote; the control socket for judges and its pid. ``run_child`` runs in each program
    process; ``owner`` (the sandbox uid, when the server drops to it) owns each scratch directory."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid:
        theirs.close()
        return ours, pid
    ours.close()
    try:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1):
            os.dup2(null, fd)  # the server's protocol pipes are not the zygote's
        prepare()
        _serve(theirs, run_child, scratch_base, owner)
    finally:
        os._exit(0)


def _serve(control: socket.socket, run_child: Callable, scratch_base: str, owner: int | None) -> None:
    children: dict[int, str] = {}
    exited: dict[int, int] = {}
    while True:
        data, fds, _, _ = socket.recv_fds(control, 1 << 16, 8)
        if not data:
            return
        request = json.loads(data)
        if request.get("op") == "spawn":
            exited.clear()
            reap_all(children)
            reply = _spawn(fds, run_child, (request, scratch_base, owner), children)
        else:
            reply = {"status": _wait(children, exited, int(request["pid"]), float(request["timeout"]))}
        for fd in fds:
            os.close(fd)
        control.send(json.dumps({**reply, "token": request.get("token")}).encode())


def _spawn(fds: list[int], run_child: Callable, job: tuple[dict, str, int | None], children: dict[int, str]) -> dict:
    request, scratch_base, owner = job
    try:
        scratch = tempfile.mkdtemp(prefix="s", dir=scratch_base)
        if owner is not None:
            os.chown(scratch, owner, owner)
        pid = os.fork()
    except OSError as error:
        return {"error": f"could not start a program process: {error!r}"}
    if pid == 0:
        status = 120
        try:
            status = run_child(request, fds, scratch)
        finally:
            os._exit(status)
    children[pid] = scratch
    return {"pid": pid}


def _wait(children: dict[int, str], exited: dict[int, int], pid: int, timeout: float) -> int | None:
    """The exit status of ``pid`` if it ends within ``timeout`` s; reaps (and cleans up after) the others."""
    deadline = time.monotonic() + timeout
    while pid not in exited:
        try:
            done, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return None
        if done == 0:
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.0005)
            continue
        exited[done] = os.waitstatus_to_exitcode(status)
        if done in children:
            shutil.rmtree(children.pop(done), ignore_errors=True)
    return exited[pid]


def reap_all(children: dict[int, str]) -> None:
    """Reap every finished program process and remove its scratch directory."""
    while True:
        try:
            done, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if done == 0:
            return
        if done in children:
            shutil.rmtree(children.pop(done), ignore_errors=True)
