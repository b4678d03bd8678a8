"""A pre-warmed fork server: one long-lived process that forks a judge per row.

Before it receives any row, the server forks a zygote (:mod:`verifiers.code.zygote`) that
forks the sandboxed program processes; for each row the server forks a judge
(:mod:`verifiers.code.runner`, :mod:`verifiers.code.judge`) that runs the tests against them.
The server is started with ``subprocess`` (not ``multiprocessing``), so it also works from a
daemonic ``multiprocessing.Pool`` worker, a spawn-context ``ProcessPoolExecutor`` worker or
any thread. It imports RestrictedPython and the allowed modules once, so each row costs
about two ``fork``s. The server talks to its client over its stdin/stdout (length-prefixed
pickles) and exits when its stdin closes, so a client that dies leaves nothing behind.
"""

from __future__ import annotations

import os
import pickle
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from verifiers.code.wire import read_exactly

__all__ = ["ForkServer", "ForkServerError", "serve"]

_HEADER = struct.Struct("!Q")
_BOOT = (
    "import sys, types; root = sys.argv[1]; sys.path.insert(0, root); "
    "package = types.ModuleType('verifiers'); package.__path__ = [root + '/verifiers']; "
    "sys.modules['verifiers'] = package; from verifiers.code.pool import serve; serve()"
)


class ForkServerError(RuntimeError):
    """The fork server failed (a verifier bug or a broken environment, never a program's fault)."""


def _send(fd: int, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _recv(fd: int, deadline: float | None = None) -> Any:
    header = read_exactly(fd, _HEADER.size, deadline)
    if header is None:
        return None
    body = read_exactly(fd, _HEADER.unpack(header)[0], deadline)
    return None if body is None else pickle.loads(body)


def _zygote(init: dict[str, Any], caps: dict[str, Any], scratch_base: str) -> Any:
    """Start the zygote (before any row arrives): the control socket judges ask for program processes."""
    from verifiers.code.harness import run_program
    from verifiers.code.modules import preload_modules
    from verifiers.code.policy import compile_candidate
    from verifiers.code.sandbox import limit_scratch, mount_view, program_child, python_paths, restrict_files
    from verifiers.code.zygote import start_zygote

    views = preload_modules()
    compile_candidate("def f(x):\n    return [y for y in x]\n")
    root = Path(__file__).resolve().parents[2]

    def prepare() -> None:  # in the zygote, before any program: a capped scratch, then Landlock or a mount view
        scratch = limit_scratch(scratch_base, init.get("scratch_mb", 64))
        readable = python_paths(root)
        files = restrict_files(readable, [scratch_base]) if init.get("landlock", True) else {"why": "turned off"}
        if not files.get("landlock"):
            view = mount_view(readable, [scratch_base], scratch_base + "-view")
            files = {"landlock": False, "landlock_why": files.get("why"), **view}
        caps["files"] = {**files, **scratch}

    def run_child(request: dict, fds: list[int], scratch: str) -> int:
        return program_child(request, fds, scratch, caps, lambda *job: run_program(job[0], job[1], views, job[2]))

    owner = init["sandbox_uid"] if caps["uid_drop"] else None
    return start_zygote(run_child, scratch_base, prepare, owner)[0]


def serve() -> None:
    """The server's main loop (runs in the server process)."""
    from verifiers.code.judge import run_judge  # noqa: F401  (warm the judge before any fork)
    from verifiers.code.runner import reap, run_sample
    from verifiers.code.sandbox import detect_isolation

    init = _recv(0)
    if init is None:
        return
    caps = detect_isolation(init["sandbox_uid"], init["use_namespaces"])
    scratch_base = tempfile.mkdtemp(prefix="rlvr-code-")
    os.chmod(scratch_base, 0o711)
    os.mkdir(scratch_base + "-view")  # where the zygote mounts its file view when there is no Landlock
    control = _zygote(init, caps, scratch_base)
    _send(1, {"caps": caps, "pid": os.getpid()})
    pending: set[int] = set()
    try:
        while (request := _recv(0)) is not None and request.get("op") == "run":
            try:
                results = []
                for plan, source, prompt in request["jobs"]:
                    results.append(run_sample(plan, source, prompt, request["limits"], control, pending))
                    reap(pending, block=False)
                reap(pending, block=True)
                _send(1, {"results": results})
            except Exception:
                _send(1, {"error": traceback.format_exc()[-3000:]})
    finally:
        control.close()
        shutil.rmtree(scratch_base, ignore_errors=True)
        shutil.rmtree(scratch_base + "-view", ignore_errors=True)


class ForkServer:
    """The client side: starts the server on first use, restarts it after a fork or a crash."""

    def __init__(self, sandbox_uid: int, use_namespaces: bool, landlock: bool = True, startup_timeout_s: float = 60.0,
                 scratch_mb: int = 64):  # fmt: skip
        self._init = {"sandbox_uid": sandbox_uid, "use_namespaces": use_namespaces, "landlock": landlock,
                      "scratch_mb": scratch_mb}  # fmt: skip
        self._startup_timeout_s = startup_timeout_s
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._owner = 0
        self.caps: dict[str, Any] = {}

    def run(self, jobs: list[tuple[Any, str, str | None]], limits: dict[str, Any]) -> list[dict[str, Any]]:
        """Run (plan, source, prompt) jobs; one report per job. Retries once on a fresh server."""
        budget = 30.0 + len(jobs) * (limits["timeout_s"] + 2.0)
        with self._lock:
            for attempt in (1, 2):
                try:
                    process = self._ensure_started()
                    assert process.stdin is not None and process.stdout is not None
                    _send(process.stdin.fileno(), {"op": "run", "jobs": jobs, "limits": limits})
                    reply = _recv(process.stdout.fileno(), time.monotonic() + budget)
                except (OSError, TimeoutError, EOFError, pickle.UnpicklingError) as error:
                    reply = {"lost": repr(error)}
                if reply is not None and "results" in reply:
                    return reply["results"]
                if reply is not None and "error" in reply:
                    raise ForkServerError(f"the code fork server failed:\n{reply['error']}")
                self._stop()
                if attempt == 2:
                    raise ForkServerError(f"the code fork server died twice running a batch ({reply})")
        raise AssertionError("unreachable")

    def _ensure_started(self) -> subprocess.Popen:
        if self._process is not None and self._owner == os.getpid() and self._process.poll() is None:
            return self._process
        if self._owner != os.getpid():
            self._process = None  # inherited through fork: the server belongs to the parent
        self._stop()
        root = str(Path(__file__).resolve().parents[2])
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOT, root], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env, close_fds=True, start_new_session=True,
        )  # fmt: skip
        self._process, self._owner = process, os.getpid()
        assert process.stdin is not None and process.stdout is not None
        _send(process.stdin.fileno(), self._init)
        hello = _recv(process.stdout.fileno(), time.monotonic() + self._startup_timeout_s)
        if not hello or "caps" not in hello:
            self._stop()
            raise ForkServerError(f"the code fork server did not start ({sys.executable} -I -c ...)")
        self.caps = hello["caps"]
        return process

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None or self._owner != os.getpid():
            return
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def close(self) -> None:
        """Stop the server; safe to call twice and from a forked child (which owns nothing)."""
        with self._lock:
            self._stop()
