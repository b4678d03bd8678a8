"""GSM8K (openai/grade-school-math): ``question``, and ``answer`` = worked solution ending in ``#### N``."""

from __future__ import annotations

from typing import Any

from plugins.hookspecs import hookimpl
from tasks.base import Task

__all__ = ["GSM8KTask", "final_answer"]


def final_answer(solution: str) -> str | None:
    """The number after the last ``####``, commas removed; None when there is no ``####``."""
    if "####" not in solution:
        return None
    return solution.rsplit("####", 1)[1].strip().replace(",", "")


class GSM8KTask(Task):
    name = "gsm8k"
    description = "GSM8K grade-school word problems; answer after '####' in the worked solution"
    columns = ("question", "answer")
    score_columns = {"answer": "answer"}  # the worked solution: the math verifier reads its "####"
    instruction = "Solve the problem step by step. End with the final number after '####'."

    def to_row(self, row: dict[str, Any], index: int) -> dict[str, Any]:
        solution = str(row["answer"])
        return {
            "id": str(row.get("id", index)),
            "question": str(row["question"]),
            "answer": final_answer(solution) if "####" in solution else solution.strip(),
            "solution": solution if "####" in solution else None,
        }


@hookimpl
def register_tasks(register):
    register(GSM8KTask)
