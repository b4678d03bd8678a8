"""CommonsenseQA: the HF flat schema and the original TAU nested schema, five options, ``answerKey``."""

from __future__ import annotations

from typing import Any

from plugins.hookspecs import hookimpl
from tasks.base import Task, choice_reward_spec

__all__ = ["CommonsenseQATask", "choice_question"]


def choice_question(question: str, choices: dict[str, list[str]]) -> str:
    """The question followed by one ``(A) text`` line per option."""
    lines = [f"({label}) {text}" for label, text in zip(choices["label"], choices["text"], strict=True)]
    return question + "\n" + "\n".join(lines)


def _flat(row: dict[str, Any]) -> tuple[str, str | None, dict[str, list[str]]]:
    question = row["question"]
    if isinstance(question, dict):  # TAU: {stem, question_concept, choices: [{label, text}]}
        options = question["choices"]
        choices = {"label": [o["label"] for o in options], "text": [o["text"] for o in options]}
        return str(question["stem"]), question.get("question_concept"), choices
    choices = row["choices"]
    return str(question), row.get("question_concept"), {"label": list(choices["label"]), "text": list(choices["text"])}


class CommonsenseQATask(Task):
    name = "commonsenseqa"
    description = "CommonsenseQA five-way multiple choice (HF or original TAU schema); answer = letter"
    columns = ("id", "question", "answerKey")
    score_columns = {"answer": "answerKey", "choices": "choices"}
    instruction = "Answer with the letter of the correct option, as in 'The answer is (A)'."

    def to_row(self, row: dict[str, Any], index: int) -> dict[str, Any]:
        stem, concept, choices = _flat(row)
        key = str(row.get("answerKey") or "").strip() or None
        return {
            "id": str(row["id"]),
            "question": choice_question(stem, choices),
            "answer": key,
            "solution": f"The answer is ({key})." if key else None,
            "choices": choices,
            "question_concept": concept,
        }

    def reward_spec(self) -> dict[str, Any]:
        return choice_reward_spec()


@hookimpl
def register_tasks(register):
    register(CommonsenseQATask)
