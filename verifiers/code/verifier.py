"""The `code` verifier: run a model's program against its tests in a sandbox.

Test styles: HumanEval (``tests`` defining ``check(candidate)`` plus ``entry_point``), MBPP
(``test_list`` of asserts, optional ``test_setup_code``) and stdin/stdout cases (``tests``
as a list, or a JSON string, of ``{"input", "output"}``). The score is the fraction of tests
passed (``all_or_nothing`` makes it 0 or 1), computed here from the judge's per-test reports.

Trust boundary (it does not rely on RestrictedPython, which stays as a first layer): a fork
server per worker holds a zygote, started before any row, that forks one confined process per
program (rlimits, its own session, pid and net namespaces, uid 65534, Landlock, scratch dir).
That process never holds the tests, the expected values or the result channel. The tests run
in a judge process (a fresh fork per row) that calls the program through a data-only channel
(:mod:`verifiers.code.wire`) and reads stdio programs' output from a pipe; time limits are
enforced from the judge. Whatever a program does, the worst it earns is the failure of its own
tests; a sandbox that cannot start gives ``Verdict.error`` for that row, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import Field

from plugins.hookspecs import hookimpl
from verifiers.base import BatchVerifier, Verdict, VerifierConfig, aligned_references
from verifiers.code.plan import PlanError, TestPlan, build_plan, extract_code
from verifiers.code.pool import ForkServer, ForkServerError
from verifiers.code.program_run import ProgramRun, program_run_from_report
from verifiers.code.verdict import verdict_from_report

__all__ = ["CodeConfig", "CodeVerifier"]


class CodeConfig(VerifierConfig):
    timeout_s: float = Field(10.0, gt=0, le=600, description="wall-clock limit for one program and all its tests")
    test_timeout_s: float = Field(3.0, gt=0, le=600, description="time limit for one test")
    memory_mb: int = Field(1024, ge=128, description="address-space limit of the child")
    max_processes: int = Field(1, ge=1, description="RLIMIT_NPROC of the child (1: it cannot fork)")
    file_size_bytes: int = Field(1 << 20, ge=0, description="largest file the child may write")
    open_files: int = Field(16, ge=8, description="RLIMIT_NOFILE of the child")
    scratch_mb: int = Field(64, ge=1, le=1 << 16, description="all programs' scratch files together, per fork server "
                            "(a tmpfs where the OS allows a mount namespace; reported in the layers)")
    output_limit: int = Field(1 << 20, ge=1024, description="characters a program may print per test")
    all_or_nothing: bool = Field(False, description="score 1 only when every test passes")
    use_namespaces: bool = Field(True, description="use pid/net (and user) namespaces where the OS allows")
    sandbox_uid: int = Field(65534, ge=1, description="uid the child runs as when the verifier runs as root")
    parallel: int = Field(1, ge=1, le=64, description="fork servers (programs run at once) per verifier")
    max_code_chars: int = Field(100_000, ge=100, description="longer programs are refused unrun")
    landlock: bool = Field(True, description="confine program processes' files with Landlock where the kernel has it")
    restricted_python: bool = Field(
        True, description="TESTS ONLY: False runs programs with plain compile() and real builtins, to show "
        "that the process boundary alone keeps a program to its own tests' results")


class CodeVerifier(BatchVerifier):
    """Runs programs against HumanEval / MBPP / stdin-stdout tests in a sandbox."""

    name = "code"
    description = "Program tests in a judge process; the program runs sandboxed behind a data-only channel"
    Config = CodeConfig
    needs_reference = False  # judged by the tests in the row, not by a reference answer

    def __init__(self, config: CodeConfig | dict[str, Any] | None = None, **options: Any):
        super().__init__(config, **options)
        self._servers: list[ForkServer] = []

    def _limits(self) -> dict[str, Any]:
        keys = ("timeout_s", "test_timeout_s", "memory_mb", "max_processes", "file_size_bytes",
                "open_files", "output_limit", "sandbox_uid", "restricted_python")  # fmt: skip
        return {key: getattr(self.config, key) for key in keys}

    def _pool(self) -> list[ForkServer]:
        while len(self._servers) < self.config.parallel:
            self._servers.append(ForkServer(self.config.sandbox_uid, self.config.use_namespaces, self.config.landlock,
                                            scratch_mb=self.config.scratch_mb))
        return self._servers

    def verify_batch(
        self, completions: Sequence[str], references: Sequence[Any] | None = None, **columns: Sequence[Any]
    ) -> list[Verdict]:
        n = len(completions)
        references = aligned_references(completions, references, columns)
        verdicts: list[Verdict | None] = [None] * n
        jobs: list[tuple[int, TestPlan, str, str | None]] = []
        for i in range(n):
            fields = {key: values[i] for key, values in columns.items()}
            prepared = self._prepare(completions[i], references[i], fields)
            if isinstance(prepared, Verdict):
                verdicts[i] = prepared
            else:
                jobs.append((i, *prepared))
        reports = self._run([(plan, code, prompt) for _, plan, code, prompt in jobs])
        for (i, plan, _, _), report in zip(jobs, reports, strict=True):
            verdicts[i] = self._verdict(plan, report)
        return [v for v in verdicts if v is not None]

    def _prepare(self, completion: Any, reference: Any, fields: dict[str, Any]) -> Verdict | tuple[TestPlan, str, Any]:
        tests = fields.get("tests")
        if tests is None and fields.get("test_list") is None:
            tests = reference
        try:
            plan = build_plan(tests, fields.get("test_list"), fields.get("entry_point"), fields.get("test_setup_code"))
        except PlanError as error:
            return Verdict.not_applicable(f"malformed tests: {error}")
        if plan is None or plan.n_tests == 0:
            return Verdict.not_applicable("no tests")
        code = extract_code(str(completion or ""))
        prompt = fields.get("prompt")
        if plan.entry_point and isinstance(prompt, str) and not _defines(code, plan.entry_point):
            code = prompt + code  # HumanEval completions continue the prompt
        if not code.strip():
            return self._fail(plan, "empty program", "empty")
        if len(code) > self.config.max_code_chars:
            return self._fail(plan, f"program longer than {self.config.max_code_chars} characters", "too_long")
        return plan, code, prompt if isinstance(prompt, str) and plan.style == "function" else None

    def _run(self, jobs: list[tuple[TestPlan, str, str | None]]) -> list[dict[str, Any]]:
        if not jobs:
            return []
        servers, limits = self._pool(), self._limits()
        if len(servers) == 1 or len(jobs) == 1:
            return _run_on(servers[0], jobs, limits)
        size = -(-len(jobs) // len(servers))
        chunks = [jobs[start : start + size] for start in range(0, len(jobs), size)]
        with ThreadPoolExecutor(len(chunks)) as threads:
            pairs = zip(servers, chunks, strict=False)
            parts = list(threads.map(lambda pair: _run_on(pair[0], pair[1], limits), pairs))
        return [report for part in parts for report in part]

    def run_program(self, code: str, stdin: str = "") -> ProgramRun:
        """Run ``code`` once on ``stdin`` through the sandbox a stdin/stdout test gets, for its output (no
        reward): time limit ``test_timeout_s``, output cut at ``output_limit`` bytes. See ``program_run``."""
        if len(code) > self.config.max_code_chars:
            return ProgramRun(status="refused", reason=f"program longer than {self.config.max_code_chars} characters")
        report = self._run([(TestPlan(style="run", n_tests=0, cases=[(stdin, "")]), code, None)])[0]
        layers = {"restricted_python": self.config.restricted_python, "judge_process": True,
                  "server": self._servers[0].caps if self._servers else {}}  # fmt: skip
        return program_run_from_report(report, self.config.output_limit, layers)

    def _fail(self, plan: TestPlan, reason: str, status: str) -> Verdict:
        details = {"tests_passed": 0, "tests_total": plan.n_tests, "style": plan.style, "status": status}
        return Verdict(score=0.0, passed=False, reason=reason, details=details)

    def _verdict(self, plan: TestPlan, report: dict[str, Any]) -> Verdict:
        caps = self._servers[0].caps if self._servers else {}
        report["restricted_python"] = self.config.restricted_python
        return verdict_from_report(plan, report, self.config.all_or_nothing, caps)

    def close(self) -> None:
        for server in self._servers:
            server.close()
        self._servers = []

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.config = state["config"]
        self._servers = []

    def __del__(self) -> None:
        servers = getattr(self, "_servers", None)
        if servers:
            self.close()


def _run_on(server: ForkServer, jobs: list, limits: dict[str, Any]) -> list[dict[str, Any]]:
    """The server's reports; when the sandbox itself cannot run, one error report per row (no reward)."""
    try:
        return server.run(jobs, limits)
    except ForkServerError as error:
        failure = {"status": "error", "messages": [{"e": "sandbox_error", "why": str(error)[:500]}]}
        return [dict(failure) for _ in jobs]


def _defines(code: str, name: str) -> bool:
    return re.search(rf"^\s*(def|class)\s+{re.escape(name)}\b|^\s*{re.escape(name)}\s*=", code, re.M) is not None


@hookimpl
def register_verifiers(register):
    register(CodeVerifier)
