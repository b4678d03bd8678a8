"""The Task contract: load a benchmark in its own format, map rows to verifier columns, build prompts.

Every task turns a source row into a *task row* with the same keys, whatever the benchmark:

- ``id``: a stable identifier; ``question``: the problem text the model sees;
- ``answer``: the reference for answer-checking verifiers (None for code);
- ``solution``: a reference completion that the task's reward spec passes (a worked solution,
  a program, "The answer is (B)");
- verifier columns where the task has them: ``tests`` and ``entry_point`` (HumanEval),
  ``test_list`` and ``test_setup_code`` (MBPP), ``choices`` (multiple choice).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from rlvr.errors import TaskError

__all__ = ["VERIFIER_COLUMNS", "Task", "choice_reward_spec", "missing_columns"]

# Columns a task row may carry for the verifiers, beyond id/question/answer/solution.
VERIFIER_COLUMNS: tuple[str, ...] = ("tests", "entry_point", "test_list", "test_setup_code", "choices")

Prompt = str | list[dict[str, str]]


def choice_reward_spec() -> dict[str, Any]:
    """The reward of the multiple-choice tasks: the ``choice`` verifier plus the format term."""
    return {
        "components": [
            {"name": "choice", "verifier": "choice", "weight": 1.0},
            {"name": "format", "shaping": "format", "weight": 0.2},
        ]
    }


def missing_columns(columns: set[str], required: Sequence[str]) -> list[str]:
    return [name for name in required if name not in columns]


class Task:
    """Base class for tasks; subclasses set the class attributes and implement :meth:`to_row`.

    ``columns`` are the source columns that identify the task's format (a file whose first row has
    them all is recognised as this task); ``splits`` names the splits :meth:`select` knows.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    columns: ClassVar[tuple[str, ...]] = ()
    splits: ClassVar[tuple[str, ...]] = ()
    instruction: ClassVar[str] = "Solve the problem. Put the final answer in \\boxed{}."
    # For `rlvr score --task`: the verifier field each source column feeds, where the names differ.
    score_columns: ClassVar[dict[str, str]] = {}

    def recognises(self, row: dict[str, Any]) -> bool:
        """True when a source row has this task's columns."""
        return not missing_columns(set(row), self.columns)

    def read(self, source: str | Path | None, split: str | None = None) -> list[dict[str, Any]]:
        """The raw source rows; tasks with packaged data override this for ``source=None``."""
        from tasks.loader import read_rows

        if source is None:
            raise TaskError(f"task {self.name!r} has no packaged data; give a file, folder or datasets save")
        return read_rows(source, split)

    def load(self, source: str | Path | None = None, split: str | None = None) -> list[dict[str, Any]]:
        """Task rows from ``source`` (None: the packaged data), restricted to ``split`` if given."""
        if split is not None and split not in self.splits:
            known = ", ".join(self.splits) or "none (use the file of the split you want)"
            raise TaskError(f"task {self.name!r} has no split {split!r}; its splits: {known}")
        raw = self.read(source, split)
        if not raw:
            raise TaskError(f"{source}: no rows")
        self.check_columns(raw[0], source)
        rows = [self.to_row(row, index) for index, row in enumerate(raw)]
        return self.select(rows, split) if split is not None else rows

    def check_columns(self, row: dict[str, Any], source: Any) -> None:
        """One clear line when a source's rows lack this task's columns, naming a task that fits."""
        missing = missing_columns(set(row), self.columns)
        if not missing:
            return
        from plugins.tasks import recognise_task

        other = recognise_task(row)
        hint = f"; it looks like a {other.name!r} file (use --task {other.name})" if other is not None else ""
        raise TaskError(
            f"{source} is not a {self.name} file: missing column(s) {', '.join(map(repr, missing))} "
            f"(its columns: {', '.join(sorted(row))}){hint}"
        )

    def to_row(self, row: dict[str, Any], index: int) -> dict[str, Any]:
        """The task row for one source row (see the module docstring for its keys)."""
        raise NotImplementedError

    def select(self, rows: list[dict[str, Any]], split: str) -> list[dict[str, Any]]:
        """The rows of ``split``; tasks whose source holds several splits override this."""
        return rows

    def prompt_text(self, row: dict[str, Any]) -> str:
        """The user message for ``row``."""
        return f"{row['question']}\n\n{self.instruction}"

    def prompt(self, row: dict[str, Any], chat: bool = False) -> Prompt:
        """The prompt for ``row``: plain ``Q: ...\\nA:`` text, or a chat message list."""
        if chat:
            return [{"role": "user", "content": self.prompt_text(row)}]
        return f"Q: {self.prompt_text(row)}\nA:"

    def reward_spec(self) -> dict[str, Any]:
        """The default reward spec as plain data for :meth:`rewards.spec.RewardSpec.from_dict`."""
        return {
            "components": [
                {"name": "math", "verifier": "math", "weight": 1.0},
                {"name": "format", "shaping": "format", "weight": 0.2},
            ]
        }

    def spec(self) -> Any:
        """The default reward spec, checked: a :class:`rewards.spec.RewardSpec`."""
        from rewards.spec import RewardSpec

        return RewardSpec.from_dict(self.reward_spec())
