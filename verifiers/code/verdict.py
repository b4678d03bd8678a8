"""Turn a child's per-test reports into a Verdict: the trusted side does the counting."""

from __future__ import annotations

from typing import Any

from verifiers.base import Verdict
from verifiers.code.plan import TestPlan

__all__ = ["verdict_from_report"]

_STATUS_REASONS = {
    "timeout": "timed out",
    "crashed": "the program was stopped (a resource limit, or it crashed the interpreter)",
    "flooded": "the program flooded the result channel",
}


def verdict_from_report(plan: TestPlan, report: dict[str, Any], all_or_nothing: bool, caps: dict[str, Any]) -> Verdict:
    """Score = tests passed / tests planned; a test counts once, by its first report.

    The report comes from the judge, never from the program's process. A sandbox that could not
    start a program process gives an error verdict (no reward), not an exception.
    """
    messages = report.get("messages", [])
    for message in messages:
        if message.get("e") == "sandbox_error":
            why = f"the code sandbox could not be set up: {str(message.get('why'))[:300]}"
            return Verdict.error(why, tests_total=plan.n_tests, style=plan.style, status="error")
    ready = next((m for m in messages if m.get("e") == "ready"), None)
    outcomes, notes, refused = _read(plan, messages)
    compile_error = next((str(m.get("why", ""))[:300] for m in messages if m.get("e") == "compile_error"), None)
    passed = sum(ok for ok, _ in outcomes.values())
    fraction = passed / plan.n_tests
    score = float(passed == plan.n_tests) if all_or_nothing else fraction
    status = "compile_error" if compile_error else ("finished" if report["status"] == "finished" else report["status"])
    reason = f"{passed}/{plan.n_tests} tests passed"
    if compile_error:
        reason = f"does not compile under the sandbox policy: {compile_error}"
    elif status in _STATUS_REASONS:
        reason += f"; {_STATUS_REASONS[status]}"
    failures = {str(i): why for i, (ok, why) in sorted(outcomes.items()) if not ok}
    layers = {"restricted_python": report.get("restricted_python", True), "judge_process": True,
              **(ready.get("layers", {}) if ready else {}), "server": caps}  # fmt: skip
    details = {
        "tests_passed": passed, "tests_total": plan.n_tests, "tests_reported": len(outcomes), "style": plan.style,
        "status": status, "failures": dict(list(failures.items())[:10]), "notes": notes[:5],
        "refused_imports": refused, "seconds": report.get("seconds"), "layers": layers,
    }  # fmt: skip
    verdict_status = "timeout" if status == "timeout" else "ok"
    return Verdict(score=score, passed=passed == plan.n_tests, reason=reason, details=details, status=verdict_status)


def _read(plan: TestPlan, messages: list[dict[str, Any]]) -> tuple[dict[int, tuple[bool, str]], list[str], list[str]]:
    """Per-test outcomes (first report wins), notes and refused imports from the judge's messages."""
    outcomes: dict[int, tuple[bool, str]] = {}
    notes: list[str] = []
    refused: list[str] = []
    for message in messages:
        kind = message.get("e")
        index = message.get("i")
        if kind == "test" and type(index) is int and 0 <= index < plan.n_tests and index not in outcomes:
            outcomes[index] = (message.get("ok") is True, str(message.get("why", ""))[:200])
        elif kind == "note":
            notes.extend(str(value)[:200] for key, value in message.items() if key != "e")
        elif kind == "done" and isinstance(message.get("refused"), list):
            refused = [str(name)[:60] for name in message["refused"][:20]]
    return outcomes, notes, refused
