"""Killable sympy worker processes: a hard wall-clock timeout and a memory cap that work from any thread.

Workers are plain subprocesses (not multiprocessing children), so they also run under a daemonic
``multiprocessing`` / ``ProcessPoolExecutor`` worker. The protocol is JSON lines: one request holds
a batch of ``[gold, pred]`` pairs; the worker answers one line per pair, so a pair that hangs costs
only its own timeout: the worker is killed and the rest of the batch goes to a fresh one.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import select
import subprocess
import sys
import threading
import time
import weakref
from multiprocessing import util as mp_util
from pathlib import Path
from typing import Any

__all__ = ["MathWorkerPool", "infrastructure_error", "judge_pair", "worker_main"]

_ROOT = str(Path(__file__).resolve().parents[2])
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from verifiers.math.workers import worker_main; worker_main()"
_POOLS: weakref.WeakSet[MathWorkerPool] = weakref.WeakSet()


def _result(equal: bool, reason: str, status: str = "ok", error: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"equal": equal, "reason": reason, "status": status}
    if error:
        result["error"] = error
    return result


def infrastructure_error(reason: str) -> dict[str, Any]:
    """The verifier's own trouble (no free worker, a crash, a slow start): no reward, retried once."""
    return _result(False, reason, "error")


def judge_pair(gold: str, pred: str, min_sig_figs: int, rel_tol: float) -> dict[str, Any]:
    """Compare two normalised answers with sympy (inside a worker); a bad sample is a status, not an error."""
    from verifiers.math.compare import answers_equivalent
    from verifiers.math.latex import LatexParseError, TooLargeError
    from verifiers.math.symbolic import SympyComparer

    try:
        equal = answers_equivalent(gold, pred, SympyComparer(min_sig_figs, rel_tol))
    except LatexParseError as error:
        return _result(False, "unparseable", "unparseable", str(error))
    except TooLargeError as error:
        return _result(False, "too large to compute", "timeout", str(error))
    except RecursionError:
        return _result(False, "too deeply nested", "timeout")
    except MemoryError:
        return _result(False, "memory limit", "timeout")
    except (ArithmeticError, ValueError, TypeError, AttributeError, IndexError, KeyError) as error:
        # sympy's own failures on what a sample wrote (huge floors, odd objects): the sample could not be read
        return _result(False, "unparseable", "unparseable", f"{type(error).__name__}: {error}")
    return _result(bool(equal), "match" if equal else "mismatch")


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


def worker_main() -> None:
    """Entry point of a worker process: ``python -c _BOOT ROOT MEMORY_MB``."""
    import resource

    memory_mb = int(sys.argv[2])
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    judge_pair("x+1", "1+x", 6, 1e-9)  # import and warm sympy before saying ready
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        for gold, pred in request["pairs"]:
            try:
                result = judge_pair(gold, pred, request["min_sig_figs"], request["rel_tol"])
            except Exception as error:  # a verifier bug: reported to the parent, which raises it
                import traceback

                result = {"bug": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
            out.write(json.dumps(result) + "\n")
            out.flush()


class _Worker:
    def __init__(self, memory_mb: int):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT, _ROOT, str(memory_mb)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True,
        )
        self.buffer = b""
        self.ready = False

    def read_line(self, deadline: float) -> str | None:
        """The next line from the worker, or None when the deadline passes or the worker died."""
        fd = self.proc.stdout.fileno()  # type: ignore[union-attr]
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            readable, _, _ = select.select([fd], [], [], remaining)
            if readable:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return None
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def send(self, request: dict[str, Any]) -> bool:
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")  # type: ignore[union-attr]
            self.proc.stdin.flush()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError):
            return False
        return True

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()  # type: ignore[union-attr]
            except OSError:
                pass


class MathWorkerPool:
    """Up to ``size`` sympy workers shared by any number of threads; each call holds one worker."""

    def __init__(self, size: int = 2, timeout: float = 5.0, memory_mb: int = 1024, min_sig_figs: int = 6,
                 rel_tol: float = 1e-9):
        self.size, self.timeout, self.memory_mb = size, timeout, memory_mb
        self.options = {"min_sig_figs": min_sig_figs, "rel_tol": rel_tol}
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        _POOLS.add(self)
        mp_util.Finalize(self, MathWorkerPool.close, args=(self,), exitpriority=10)

    def _spawn(self) -> _Worker:
        worker = _Worker(self.memory_mb)
        self._all.add(worker)
        return worker

    def _acquire(self, deadline: float) -> _Worker | None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the math worker pool is closed")
            if self._idle.empty() and len(self._all) < self.size:
                return self._spawn()
        try:
            return self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            if not self._closed and len(self._all) < self.size:
                self._idle.put(self._spawn())  # replace it now: its imports overlap the caller's work

    def _release(self, worker: _Worker) -> None:
        if self._closed:
            worker.kill()
        else:
            self._idle.put(worker)

    def judge(self, pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
        """Judge ``[(gold, pred), ...]``; each pair gets at most ``timeout`` seconds of wall clock."""
        results: list[dict[str, Any]] = []
        while len(results) < len(pairs):
            deadline = time.monotonic() + self.timeout
            worker = self._acquire(deadline)
            if worker is None:
                results.append(infrastructure_error("no free math worker"))
                continue
            results.extend(self._run(worker, pairs[len(results):], deadline))
        return results

    def _run(self, worker: _Worker, pairs: list[tuple[str, str]], deadline: float) -> list[dict[str, Any]]:
        done: list[dict[str, Any]] = []
        if not worker.ready:
            line = worker.read_line(deadline)
            if line != "ready":
                if line is None and worker.proc.poll() is None:
                    self._release(worker)  # still importing: keep it for the next caller
                else:
                    self._discard(worker)
                return [infrastructure_error("math worker did not start in time")]
            worker.ready = True
        if not worker.send({"pairs": [list(pair) for pair in pairs], **self.options}):
            self._discard(worker)
            return [infrastructure_error("math worker crashed")]
        for _ in pairs:
            line = worker.read_line(deadline)
            if line is None:
                crashed = worker.proc.poll() is not None
                self._discard(worker)
                if crashed:
                    return [*done, infrastructure_error("math worker crashed")]
                return [*done, _result(False, "timeout", "timeout", f"no result within {self.timeout} s")]
            result = json.loads(line)
            if "bug" in result:  # a verifier bug: the verifier's trouble, reported with its traceback
                result = {**infrastructure_error(f"math verifier bug: {result['bug']}"), "error": result["traceback"]}
            done.append(result)
            deadline = time.monotonic() + self.timeout
        self._release(worker)
        return done

    def close(self) -> None:
        """Kill every worker; later calls raise."""
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.kill()


@atexit.register
def _close_all_pools() -> None:
    for pool in list(_POOLS):
        pool.close()
