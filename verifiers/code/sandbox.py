"""Process-level isolation for one program process: what the zygote does in each child it forks.

Layers, each reported in the verdict's details: a new session and process group (killed whole
by the judge), the server's pid and network namespaces where the OS allows them, resource
limits with soft = hard (CPU, address space, processes, file size, open files, no core dumps),
a scratch directory as the working directory (on a size-capped tmpfs shared by the zygote's programs,
where a mount namespace is allowed: see :func:`limit_scratch`), a scrubbed environment, an unprivileged uid when
the server runs as root, ``no_new_privs``, and Landlock (when the kernel has it): a read-only
view of what Python needs, the scratch directories writable, no TCP, no signals or abstract
sockets outside the sandbox; without Landlock, a mount namespace with a minimal read-only view
(:func:`mount_view`), else neither, reported. The program process holds only its channel (fd 3)
and, for stdio programs, its stdin and stdout pipes (and its stderr pipe when it is run for its output).
"""

from __future__ import annotations

import ctypes
import fcntl
import math
import os
import resource
import signal
import struct
import sys
from pathlib import Path
from typing import Any

from verifiers.code.wire import recv_frame, send_frame

__all__ = ["detect_isolation", "limit_scratch", "mount_view", "program_child", "restrict_files"]

CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 4, 36, 38
CHANNEL_FD = 3
# Styles whose process runs on pipes the judge holds: stdin and stdout, and for "run" stderr too.
_STREAM_STYLES = {"stdio": [CHANNEL_FD, 0, 1], "run": [CHANNEL_FD, 0, 1, 2]}
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
    caps["server_not_dumpable"] = _prctl(PR_SET_DUMPABLE, 0)
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



_LANDLOCK_READ = (1 << 0) | (1 << 2) | (1 << 3)  # execute, read file, read dir
_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446


def restrict_files(read_only: list[str], writable: list[str]) -> dict[str, Any]:
    """Landlock this process (and its future children): what it says about the result."""
    abi = _libc.syscall(_SYS_CREATE_RULESET, None, 0, 1)
    if abi < 1:
        return {"landlock": False, "why": f"Landlock unavailable (errno {ctypes.get_errno()})"}
    fs_rights = (1 << {1: 13, 2: 14, 3: 15, 4: 15}.get(abi, 16)) - 1
    attr = struct.pack("=QQQ", fs_rights, 3 if abi >= 4 else 0, 3 if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = _libc.syscall(_SYS_CREATE_RULESET, ctypes.c_char_p(attr[:size]), size, 0)
    if ruleset < 0:
        return {"landlock": False, "why": f"landlock_create_ruleset failed (errno {ctypes.get_errno()})"}
    file_rights = (1 << 0) | (1 << 1) | (1 << 2) | ((1 << 14) if abi >= 3 else 0)
    rules = [(path, _LANDLOCK_READ) for path in read_only] + [(path, fs_rights) for path in writable]
    rules.append((os.devnull, file_rights))
    for path, rights in rules:
        if not _add_rule(ruleset, path, rights if os.path.isdir(path) else rights & file_rights):
            os.close(ruleset)
            return {"landlock": False, "why": f"landlock_add_rule failed for {path}"}
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    restricted = _libc.syscall(_SYS_RESTRICT_SELF, ruleset, 0) == 0
    os.close(ruleset)
    return {"landlock": restricted, "landlock_abi": abi, "readable_paths": len(read_only),
            "signals_scoped": restricted and abi >= 6, "tcp_denied": restricted and abi >= 4}  # fmt: skip


def scope_signals() -> bool:
    """A nested Landlock domain for this process alone: no signals, ptrace or abstract sockets out of it
    (so a program cannot reach the zygote that forked it, even under the same uid)."""
    if _libc.syscall(_SYS_CREATE_RULESET, None, 0, 1) < 6:
        return False
    attr = struct.pack("=QQQ", 0, 0, 3)
    ruleset = _libc.syscall(_SYS_CREATE_RULESET, ctypes.c_char_p(attr), len(attr), 0)
    if ruleset < 0:
        return False
    done = _libc.syscall(_SYS_RESTRICT_SELF, ruleset, 0) == 0
    os.close(ruleset)
    return done


def _add_rule(ruleset: int, path: str, rights: int) -> bool:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return True  # nothing there to allow
    try:
        rule = struct.pack("=Qi", rights, fd)
        return _libc.syscall(_SYS_ADD_RULE, ruleset, 1, ctypes.c_char_p(rule), 0) == 0
    finally:
        os.close(fd)


_MS_RDONLY, _MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
_MS_NOSUID, _MS_NODEV = 2, 4
CLONE_NEWNS = 0x00020000


def _mount(source: str | None, target: str, kind: str | None, flags: int, data: str | None = None) -> bool:
    def encode(text: str | None) -> bytes | None:
        return text.encode() if text is not None else None

    return _libc.mount(encode(source), encode(target), encode(kind), ctypes.c_ulong(flags), encode(data)) == 0


def limit_scratch(scratch_base: str, size_mb: int) -> dict[str, Any]:
    """A tmpfs of ``size_mb`` on ``scratch_base``, in a mount namespace of this process (the zygote) and its
    future children: every program's scratch directory lives in it, so programs that write file after file
    stop at ``size_mb`` together (``ENOSPC``) instead of filling the host's disk. Call before Landlock."""
    if not _unshare(CLONE_NEWNS) or not _mount(None, "/", None, _MS_REC | _MS_PRIVATE):
        return {"scratch_tmpfs": False, "scratch_why": f"no mount namespace (errno {ctypes.get_errno()})"}
    if not _mount("tmpfs", scratch_base, "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={size_mb}m,mode=711"):
        return {"scratch_tmpfs": False, "scratch_why": f"no tmpfs (errno {ctypes.get_errno()})"}
    return {"scratch_tmpfs": True, "scratch_mb": size_mb}


def mount_view(read_only: list[str], writable: list[str], root: str) -> dict[str, Any]:
    """Without Landlock: a mount namespace whose root (a tmpfs on the empty directory ``root``) holds
    only ``read_only`` (bound read-only), ``writable`` and /dev/null, entered with chroot. For this
    process and its future children."""
    if not _unshare(CLONE_NEWNS) or not _mount(None, "/", None, _MS_REC | _MS_PRIVATE):
        return {"mount_namespace": False, "why": f"no mount namespace (errno {ctypes.get_errno()})"}
    if not _mount("tmpfs", root, "tmpfs", 0, "size=1m,mode=755"):
        return {"mount_namespace": False, "why": f"no tmpfs (errno {ctypes.get_errno()})"}
    for path, ro in [(p, True) for p in read_only] + [(p, False) for p in writable] + [(os.devnull, False)]:
        target = root + path
        if os.path.isdir(path):
            os.makedirs(target, exist_ok=True)
        elif os.path.exists(path):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            open(target, "a").close()
        else:
            continue
        bound = _mount(path, target, None, _MS_BIND | _MS_REC)
        if not bound or (ro and not _mount(None, target, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_REC)):
            return {"mount_namespace": False, "why": f"could not bind {path} (errno {ctypes.get_errno()})"}
    os.chroot(root)
    os.chdir("/")
    return {"mount_namespace": True, "readable_paths": len(read_only)}


def python_paths(root: Path) -> list[str]:
    """What a program process needs to read: the interpreter's libraries and this package."""
    paths = {os.path.realpath(p) for p in sys.path if p and os.path.isdir(p) and os.path.realpath(p) != str(root)}
    paths.update(os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix))
    paths.add(str(root / "verifiers"))
    return sorted(paths)


def program_child(request: dict[str, Any], fds: list[int], scratch: str, caps: dict[str, Any],
                  run: Any) -> int:  # fmt: skip
    """In the forked program process: confine, say so, read the program, run it. The exit status."""
    os.setsid()
    style, limits = request["style"], request["limits"]
    _own_fds(fds, style)
    layers = {"process_group": True, "pid_namespace": caps["pid_namespace"], **caps.get("files", {})}
    try:
        _confine(limits, caps, scratch, layers)
        layers["own_signal_scope"] = scope_signals()
    except OSError as error:
        send_frame(CHANNEL_FD, {"sandbox_error": f"confinement failed: {error!r}"[:300]})
        return 121
    send_frame(CHANNEL_FD, {"confined": layers})
    message = recv_frame(CHANNEL_FD)
    if message is None or not isinstance(message.get("source"), str):
        return 122
    if style in _STREAM_STYLES:
        os.close(CHANNEL_FD)
    return run(message["source"], style, limits)


def _own_fds(fds: list[int], style: str) -> None:
    null = os.open(os.devnull, os.O_RDWR)
    targets = _STREAM_STYLES.get(style, [CHANNEL_FD])
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in fds[: len(targets)]]
    for fd, target in zip(moved, targets, strict=False):
        os.dup2(fd, target)
    for fd in (0, 1, 2):
        if fd not in targets:
            os.dup2(null, fd)
    os.closerange(CHANNEL_FD + 1, 65536)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)


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
