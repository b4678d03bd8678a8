"""Run a program once on stdin, in the code verifier's sandbox, and hand back what it printed.

For servers that speak SandboxFusion's ``/run_code`` (verl's code rewards compare the output
themselves). It takes the path a stdin/stdout test takes, with no test: the fork server forks
a judge, the zygote forks the confined program process (RestrictedPython first, then rlimits,
namespaces, Landlock or a mount view, a scratch directory, a scrubbed environment), and the
judge reads stdout and stderr from pipes as bytes (:mod:`verifiers.code.program_output`). The
program never holds anything that reports how it ran: its exit status comes from the zygote's
``waitpid``, its time from the judge's clock, and whether its output was cut from the bytes
read. Nothing here is a reward.

Example:
    >>> from verifiers.code import run_program
    >>> run = run_program("print(input()[::-1])", stdin="abc", timeout_s=5)
    >>> run.status, run.stdout, run.return_code
    ('finished', 'cba\\n', 0)
"""

from __future__ import annotations

import base64
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ProgramRun", "program_run_from_report", "run_program"]

RunStatus = Literal["finished", "timeout", "killed", "refused", "error"]


class ProgramRun(BaseModel):
    """How one run of a program ended and what it printed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: RunStatus = Field(description=(
        "finished: it exited (any return code); timeout: past its time limit; killed: ended by a signal (a "
        "resource limit); refused: not run (too long); error: the sandbox could not run it (not the program's fault)"))
    stdout: str = Field("", description="what it wrote to stdout (UTF-8, undecodable bytes replaced)")
    stderr: str = Field("", description="what it wrote to stderr, including the traceback of an uncaught exception")
    return_code: int | None = Field(None, description="its exit status when it finished; minus the signal when killed")
    seconds: float | None = Field(None, description="wall-clock time from handing it the program to its exit")
    truncated: bool = Field(False, description="stdout or stderr passed output_limit bytes and was cut there")
    reason: str = Field("", description="a one-line account of how it ended")
    layers: dict[str, Any] = Field(default_factory=dict, description="the isolation layers that applied")


def run_program(code: str, stdin: str = "", *, timeout_s: float = 10.0, memory_mb: int = 1024,
                output_limit: int = 1 << 20, **config: Any) -> ProgramRun:  # fmt: skip
    """Run ``code`` once on ``stdin`` in a fresh sandbox and return what it printed.

    Args:
        code: Python source (a completion's fenced block is not extracted here: pass the program).
        stdin: the program's standard input.
        timeout_s: its wall-clock limit.
        memory_mb: its address-space limit.
        output_limit: bytes kept of stdout and of stderr; more is cut and flagged ``truncated``.
        **config: other :class:`~verifiers.code.verifier.CodeConfig` keys (``max_processes``, ``landlock`` ...).

    Returns:
        A :class:`ProgramRun`. Starting the sandbox costs a fraction of a second; a server that runs
        many programs keeps a :class:`~verifiers.code.verifier.CodeVerifier` and calls its
        ``run_program(code, stdin)``, which reuses the warm sandbox.
    """
    from verifiers.code.verifier import CodeVerifier

    settings = {"test_timeout_s": timeout_s, "timeout_s": min(600.0, timeout_s + 5.0), "memory_mb": memory_mb,
                "output_limit": output_limit, **config}  # fmt: skip
    with CodeVerifier(settings) as verifier:
        return verifier.run_program(code, stdin)


def program_run_from_report(report: dict[str, Any], output_limit: int, layers: dict[str, Any]) -> ProgramRun:
    """Read the judge's report of a ``run`` (never the program's word) into a :class:`ProgramRun`."""
    messages = report.get("messages", [])
    ready = next((m for m in messages if m.get("e") == "ready"), None)
    layers = {**layers, **(ready.get("layers", {}) if ready else {})}
    trouble = next((m for m in messages if m.get("e") == "sandbox_error"), None)
    if trouble is not None:
        reason = f"the code sandbox could not be set up: {str(trouble.get('why'))[:300]}"
        return ProgramRun(status="error", reason=reason, layers=layers)
    run = next((m for m in messages if m.get("e") == "run"), None)
    if run is None:
        ended = report.get("status")
        status: RunStatus = "timeout" if ended == "timeout" else "error"
        return ProgramRun(status=status, reason=f"the judge ended without a result ({ended})",
                          seconds=report.get("seconds"), layers=layers)  # fmt: skip
    exit_status = run.get("exit")
    status, reason = _ending(exit_status if type(exit_status) is int else None)
    truncated = max(int(run.get("stdout_bytes", 0)), int(run.get("stderr_bytes", 0))) > output_limit
    if truncated:
        reason += f"; output cut at {output_limit} bytes"
    return ProgramRun(
        status=status, stdout=_text(run.get("stdout")), stderr=_text(run.get("stderr")), truncated=truncated,
        return_code=exit_status if status in ("finished", "killed") else None, seconds=run.get("seconds"),
        reason=reason, layers=layers,
    )  # fmt: skip


def _ending(exit_status: int | None) -> tuple[RunStatus, str]:
    if exit_status is None:
        return "timeout", "timed out"
    if exit_status < 0:
        return "killed", f"killed by signal {-exit_status} (a resource limit, or it crashed the interpreter)"
    return "finished", f"exited with status {exit_status}"


def _text(encoded: Any) -> str:
    return base64.b64decode(str(encoded or "")).decode("utf-8", "replace")
