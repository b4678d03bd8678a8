"""MathQA (official release): ``Problem``, ``Rationale``, ``options`` like ``a ) 38 , b ) 12``, ``correct``."""

from __future__ import annotations

from typing import Any

from plugins.hookspecs import hookimpl
from tasks.base import Task, choice_reward_spec
from tasks.commonsenseqa import choice_question

__all__ = ["MathQATask"]


def _options(value: Any) -> dict[str, list[str]]:
    from verifiers.choice import parse_options

    options = parse_options(value)
    return {"label": list(options), "text": list(options.values())}


class MathQATask(Task):
    name = "mathqa"
    description = "MathQA multiple-choice math word problems (options 'a ) 38 , b ) 12', answer 'correct')"
    columns = ("Problem", "options", "correct")
    score_columns = {"answer": "correct", "choices": "options"}
    instruction = "Solve the problem, then answer with the letter of the correct option, as in 'The answer is (A)'."

    def to_row(self, row: dict[str, Any], index: int) -> dict[str, Any]:
        choices = _options(row["options"])
        key = str(row["correct"]).strip().upper() or None
        rationale = str(row.get("Rationale") or "").strip().strip('"')
        return {
            "id": str(row.get("id", index)),
            "question": choice_question(str(row["Problem"]).strip(), choices),
            "answer": key,
            "solution": f"{rationale}\nThe answer is ({key})." if key else None,
            "choices": choices,
            "category": row.get("category"),
        }

    def reward_spec(self) -> dict[str, Any]:
        return choice_reward_spec()


@hookimpl
def register_tasks(register):
    register(MathQATask)
