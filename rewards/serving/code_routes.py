"""The code routes: SandboxFusion's ``/run_code`` and open-instruct's ``/test_program`` pair.

Programs run only through the ``code`` verifier's public API (``run_program`` for ``/run_code``,
``verify_batch`` with ``tests`` / ``test_list`` for the others), so they get its sandbox and hard
time limits. A verifier is kept per set of limits; calls on one verifier are serialised, and it
runs ``code_parallel`` programs at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from rewards.serving.models import RunCodeRequest, RunCodeResponse, RunResult, TestProgramResponse
from verifiers.base import Verdict
from verifiers.code.program_run import ProgramRun

__all__ = ["CodeRunner", "run_result"]

_KEPT_VERIFIERS = 8


def _execution_time(verdict: Verdict) -> float | None:
    seconds = verdict.details.get("seconds")
    return float(seconds) if isinstance(seconds, int | float) else None


def run_result(run: ProgramRun) -> RunResult:
    """SandboxFusion's account of one run: Finished (exit 0), Error (another exit, a signal) or TimeLimitExceeded."""
    if run.status == "timeout":
        status = "TimeLimitExceeded"
    else:
        status = "Finished" if run.status == "finished" and run.return_code == 0 else "Error"
    stderr = run.stderr if run.status in ("finished", "killed", "timeout") else run.stderr or run.reason
    return RunResult(status=status, execution_time=run.seconds, return_code=run.return_code, stdout=run.stdout,
                     stderr=stderr)  # fmt: skip


class CodeRunner:
    """Code verifiers keyed by their limits, built on first use and closed with the server."""

    def __init__(self, parallel: int):
        self.parallel = parallel
        self._verifiers: OrderedDict[tuple[float, int | None], tuple[Any, threading.Lock]] = OrderedDict()
        self._lock = threading.Lock()

    def _verifier(self, test_timeout_s: float, memory_mb: int | None) -> tuple[Any, threading.Lock]:
        key = (test_timeout_s, memory_mb)
        with self._lock:
            entry = self._verifiers.get(key)
            if entry is None:
                from plugins import make_verifier

                config: dict[str, Any] = {"test_timeout_s": test_timeout_s, "timeout_s": test_timeout_s + 2.0,
                                          "parallel": self.parallel}  # fmt: skip
                if memory_mb is not None:
                    config["memory_mb"] = memory_mb
                entry = self._verifiers[key] = (make_verifier("code", config), threading.Lock())
                self._evict()
            self._verifiers.move_to_end(key)
            return entry

    def _evict(self) -> None:
        while len(self._verifiers) > _KEPT_VERIFIERS:
            _, (verifier, lock) = self._verifiers.popitem(last=False)
            with lock:
                verifier.close()

    def verify(self, limits: tuple[float, int | None], programs: list[str], **columns: list[Any]) -> list[Verdict]:
        verifier, lock = self._verifier(*limits)
        with lock:
            return list(verifier.verify_batch(programs, None, **columns))

    def run_code(self, request: RunCodeRequest) -> RunCodeResponse:
        """One run through the code verifier's ``run_program``: the sandbox a stdin/stdout test gets."""
        memory = request.memory_limit_MB if request.memory_limit_MB and request.memory_limit_MB > 0 else None
        if memory is not None and memory < 128:
            memory = 128  # the verifier's floor: an interpreter needs it to start
        verifier, lock = self._verifier(request.run_timeout, memory)
        with lock:
            run = verifier.run_program(request.code, request.stdin or "")
        if run.status == "error":
            return RunCodeResponse(status="SandboxError", message=run.reason, run_result=None)
        result = run_result(run)
        ok = result.status == "Finished" and not run.truncated
        return RunCodeResponse(status="Success" if ok else "Failed", message="" if ok else run.reason,
                               run_result=result)  # fmt: skip

    def test_program(self, program: str, tests: list[Any], stdio: bool, max_time: float) -> TestProgramResponse:
        """One run of the program per test, so each test's result and runtime are its own."""
        if not tests:
            return TestProgramResponse(results=[], runtimes=[])
        programs = [program] * len(tests)
        if stdio:
            verdicts = self.verify((max_time, None), programs, tests=[[case] for case in tests])
        else:
            verdicts = self.verify((max_time, None), programs, test_list=[[test] for test in tests])
        results = [int(verdict.passed is True) for verdict in verdicts]
        runtimes = [_execution_time(verdict) or 0.0 for verdict in verdicts]
        return TestProgramResponse(results=results, runtimes=runtimes)

    def close(self) -> None:
        with self._lock:
            for verifier, lock in self._verifiers.values():
                with lock:
                    verifier.close()
            self._verifiers.clear()
