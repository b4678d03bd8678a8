"""Score a task's own reference solutions through its reward spec: the loader and the spec checked together.

A row passes when every verifier component of the task's spec passed on the row's ``solution``.
Scoring goes through :func:`rewards.compose.evaluate_spec`, the one reward path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tasks.base import VERIFIER_COLUMNS, Task

__all__ = ["ReferenceCheck", "batch_columns", "check_references"]


@dataclass
class ReferenceCheck:
    """How many reference solutions passed, and why the others did not."""

    rows: int = 0
    passed: int = 0
    no_reference: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (row id, reason)

    @property
    def pass_rate(self) -> float:
        scored = self.rows - self.no_reference
        return self.passed / scored if scored else 0.0


def batch_columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The verifier columns of task rows (``answer`` and those in :data:`VERIFIER_COLUMNS`) that any row has."""
    names = ["answer", *(name for name in VERIFIER_COLUMNS if any(name in row for row in rows))]
    return {name: [row.get(name) for row in rows] for name in names}


def _failure_reason(verdicts: dict[str, Any]) -> str:
    return "; ".join(f"{name}: {verdict.reason}" for name, verdict in verdicts.items() if verdict is not None)


def check_references(
    task: Task, rows: list[dict[str, Any]], batch_size: int = 64, progress: Callable[[int], None] | None = None
) -> ReferenceCheck:
    """Score each row's ``solution`` with the task's reward spec (rows without one are counted apart)."""
    from rewards.compose import RewardBatch, evaluate_spec

    spec = task.spec()
    verifiers = [c.name for c in spec.components if c.verifier is not None]
    report = ReferenceCheck(rows=len(rows))
    usable = [row for row in rows if row.get("solution")]
    report.no_reference = len(rows) - len(usable)
    for start in range(0, len(usable), batch_size):
        chunk = usable[start : start + batch_size]
        batch = RewardBatch([row["solution"] for row in chunk], columns=batch_columns(chunk))
        result = evaluate_spec(spec, batch)
        for i, row in enumerate(chunk):
            verdicts = {name: result.verdicts[name][i] for name in verifiers}
            if all(v is not None and v.passed for v in verdicts.values()):
                report.passed += 1
            else:
                report.failures.append((str(row["id"]), _failure_reason(verdicts)))
        if progress is not None:
            progress(len(chunk))
    return report
