"""MATH (Hendrycks) and MATH-500: ``problem``, ``solution``; answer from ``answer`` or the last ``\\boxed{}``."""

from __future__ import annotations

from typing import Any

from plugins.hookspecs import hookimpl
from tasks.base import Task

__all__ = ["MathTask"]


def _level(value: Any) -> int | None:
    text = str(value or "").removeprefix("Level").strip()
    return int(text) if text.isdigit() else None


class MathTask(Task):
    name = "math"
    description = "MATH competition problems (MATH test, MATH-500); answer in the last \\boxed{}"
    columns = ("problem", "solution")
    score_columns = {"answer": "solution"}  # the last \\boxed{} of the solution is the reference

    def to_row(self, row: dict[str, Any], index: int) -> dict[str, Any]:
        from verifiers.math.extract import last_boxed

        solution = str(row["solution"])
        answer = row.get("answer")
        if answer is None:
            answer, _ = last_boxed(solution)
        return {
            "id": str(row.get("unique_id") or row.get("idx", index)),
            "question": str(row["problem"]),
            "answer": answer,
            "solution": solution,
            "subject": row.get("subject") or row.get("type"),
            "level": _level(row.get("level")),
        }


@hookimpl
def register_tasks(register):
    register(MathTask)
