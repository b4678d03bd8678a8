"""Process-level isolation for one program: what the fork server does around each child.

Layers, each reported in the verdict's details: a new session and process group (killed
whole at the wall-clock limit), a pid namespace where the OS allows it (the child is its
init, so nothing it starts outlives it), the server's network namespace (no interfaces),
resource limits with soft = hard (CPU, address space, processes, file size, open files, no
core dumps), a scratch directory as the working directory, a scrubbed environment, stdin,
stdout and stderr on /dev/null, an unprivileged uid when the server runs as root, and
``no_new_privs``. Results come back on a pipe that only the harness holds.
"""

from __future__ import annotations

import ctypes
import json
import math
import os
import resource
import select
import shutil
import signal
import tempfile
import time
from typing import Any

__all__ = ["detect_isolation", "reap", "run_sample"]

CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 36, 38
RESULT_FD = 3
_MAX_REPORT_BYTES = 1 << 20
_libc = ctypes.CDLL(None, use_errno=True)


def _unshare(flags: int) -> bool:
    return _libc.unshare(ctypes.c_int(flags)) == 0


def _prctl(option: int, value: int) -> bool:
    return _libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0) == 0


def detect_isolation(sandbox_uid: int, use_namespaces: bool) -> dict[str, Any]:
    """Set up the server's own isolation (called once, in the server) and say what is available."""
    was_root = os.geteuid() == 0
    caps = {"net_namespace": False, "user_namespace": False, "pid_namespace": False,
            "uid_drop": False, "no_new_privs": True}  # fmt: skip
    if use_namespaces:
        if _unshare(CLONE_NEWNET):
            caps["net_namespace"] = True
        elif not was_root and _unshare(CLONE_NEWUSER | CLONE_NEWNET):
            caps["user_namespace"] = caps["net_namespace"] = _map_user(os.getuid(), os.getgid())
        caps["pid_namespace"] = _unshare(CLONE_NEWPID) and _become_namespace_init()
    caps["uid_drop"] = was_root and not caps["user_namespace"] and sandbox_uid > 0
    if not caps["pid_namespace"]:
        _prctl(PR_SET_CHILD_SUBREAPER, 1)
    return caps


def _map_user(uid: int, gid: int) -> bool:
    try:
        for path, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"), ("gid_map", f"0 {gid} 1")):
            with open(f"/proc/self/{path}", "w") as handle:
                handle.write(text)
    except OSError:
        return False
    return True


def _become_namespace_init() -> bool:
    """Fork the server into the new pid namespace as its init; the original process only waits.

    As init, the server can end every process in its namespace with ``kill(-1)`` after each
    program, so nothing a program starts (even a double-forked, setsid orphan) outlives it.
    """
    init = os.fork()
    if init == 0:
        return True
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(null, fd)
    _, status = os.waitpid(init, 0)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def run_sample(plan: Any, source: str, limits: dict[str, Any], caps: dict[str, Any], views: dict,
               scratch_base: str, pending: dict[int, str]) -> dict[str, Any]:  # fmt: skip
    """Run one program in a fresh child and collect its per-test reports (called in the server).

    The child's process group is killed as soon as its reports are in; reaping it and removing
    its scratch directory wait for :func:`reap` (``pending`` maps pid -> scratch), so that the
    kernel tears one child down while the next one runs.
    """
    scratch = tempfile.mkdtemp(prefix="s", dir=scratch_base)
    if caps["uid_drop"]:
        os.chown(scratch, limits["sandbox_uid"], limits["sandbox_uid"])
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(plan, source, limits, caps, views, scratch, write_fd)
    pending[pid] = scratch
    os.close(write_fd)
    try:
        report = _collect(read_fd, started + limits["timeout_s"])
    finally:
        os.close(read_fd)
        _kill_everything(pid, caps["pid_namespace"])
    report["seconds"] = round(time.monotonic() - started, 4)
    return report


def reap(pending: dict[int, str], block: bool) -> None:
    """Reap finished children (and orphans re-parented to the server); remove their scratch dirs."""
    while pending or not block:
        try:
            pid, _ = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            pending.clear()
            return
        if pid == 0:
            return
        scratch = pending.pop(pid, None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _kill_everything(pgid: int, namespace_init: bool) -> None:
    """The child's process group; as a namespace's init, every other process in the namespace."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if namespace_init:
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _collect(read_fd: int, deadline: float) -> dict[str, Any]:
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
        elif total > _MAX_REPORT_BYTES:
            status = "flooded"
    return {"status": status, "messages": messages}


_TERMINAL = frozenset({"done", "compile_error", "sandbox_error"})


def _decode(line: bytes) -> dict[str, Any]:
    try:
        message = json.loads(line)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}


def _child(plan: Any, source: str, limits: dict, caps: dict, views: dict, scratch: str, write_fd: int) -> None:
    """The forked child: confine itself, then run the harness. Never returns."""
    try:
        os.setsid()
        _own_fds(write_fd)
        layers = {"process_group": True, "pid_namespace": caps["pid_namespace"]}
        _confine(limits, caps, scratch, layers)
        emit = _emitter()
        emit({"e": "ready", "layers": layers})
        from verifiers.code.harness import run_plan

        run_plan(plan, source, emit, views, limits)
    except Exception as error:  # a sandbox set-up failure is a verifier bug: say so
        try:
            os.write(RESULT_FD, json.dumps({"e": "sandbox_error", "why": repr(error)[:500]}).encode() + b"\n")
        except OSError:
            pass
    finally:
        os._exit(0)


def _own_fds(write_fd: int) -> None:
    os.dup2(write_fd, RESULT_FD)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(RESULT_FD + 1, 65536)


def _emitter() -> Any:
    def emit(message: dict[str, Any]) -> None:
        os.write(RESULT_FD, json.dumps(message).encode() + b"\n")

    return emit


def _confine(limits: dict, caps: dict, scratch: str, layers: dict[str, Any]) -> None:
    os.chdir(scratch)
    os.environ.clear()
    os.environ.update({"PATH": "/usr/bin:/bin", "HOME": scratch, "TMPDIR": scratch, "LANG": "C.UTF-8"})
    cpu = math.ceil(limits["timeout_s"]) + 1
    memory = limits["memory_mb"] << 20
    rlimits = {
        resource.RLIMIT_CPU: cpu, resource.RLIMIT_AS: memory, resource.RLIMIT_NPROC: limits["max_processes"],
        resource.RLIMIT_FSIZE: limits["file_size_bytes"], resource.RLIMIT_NOFILE: limits["open_files"],
        resource.RLIMIT_CORE: 0,
    }  # fmt: skip
    for kind, value in rlimits.items():
        resource.setrlimit(kind, (value, value))
    parent = os.getppid()
    if caps["uid_drop"]:
        uid = limits["sandbox_uid"]
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(0)  # the server is gone already
    layers.update(
        rlimits={"cpu_s": cpu, "memory_mb": limits["memory_mb"], "processes": limits["max_processes"],
                 "file_size_bytes": limits["file_size_bytes"], "open_files": limits["open_files"], "core": 0},
        uid=os.getuid(), uid_dropped=caps["uid_drop"], net_namespace=caps["net_namespace"],
        user_namespace=caps["user_namespace"], no_new_privs=_prctl(PR_SET_NO_NEW_PRIVS, 1),
        scratch_dir=True, env_scrubbed=True, stdio_devnull=True,
    )  # fmt: skip
