"""MBPP (google-research): ``text``, ``code``, ``test_list`` of asserts, ``test_setup_code``; split by task_id."""

from __future__ import annotations

import ast
from typing import Any

from plugins.hookspecs import hookimpl
from tasks.base import Task

__all__ = ["SPLITS", "MBPPTask", "string_list"]

# task_id ranges of the standard split (the upstream README; the same ranges as HF's "full" config).
SPLITS: dict[str, range] = {
    "prompt": range(1, 11),
    "test": range(11, 511),
    "validation": range(511, 601),
    "train": range(601, 975),
}


def string_list(value: Any) -> list[str]:
    """A list of strings from a list, or from its text (CSV exports write lists as Python literals)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = ast.literal_eval(value.strip())
    return [str(item) for item in value]


class MBPPTask(Task):
    name = "mbpp"
    description = "MBPP Python problems checked by their assert tests (standard 11-510 test split)"
    columns = ("text", "code", "test_list")
    splits = tuple(SPLITS)
    score_columns = {"test_list": "test_list"}

    def to_row(self, row: dict[str, Any], index: int) -> dict[str, Any]:
        tests = string_list(row["test_list"])
        return {
            "id": str(row.get("task_id", index)),
            "question": str(row["text"]),
            "answer": None,
            "solution": str(row["code"]).replace("\r\n", "\n"),
            "test_list": tests,
            "test_setup_code": str(row.get("test_setup_code") or "").replace("\r\n", "\n"),
            "task_id": int(row.get("task_id", index)),
        }

    def select(self, rows: list[dict[str, Any]], split: str) -> list[dict[str, Any]]:
        ids = SPLITS[split]
        return [row for row in rows if row["task_id"] in ids]

    def prompt_text(self, row: dict[str, Any]) -> str:
        tests = "\n".join(row["test_list"])
        return (
            f"You are an expert Python programmer, and here is your task: {row['question']} "
            f"Your code should pass these tests:\n\n{tests}"
        )

    def reward_spec(self) -> dict[str, Any]:
        return {"components": [{"name": "code", "verifier": "code", "reference_column": None}]}


@hookimpl
def register_tasks(register):
    register(MBPPTask)
