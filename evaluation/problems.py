"""What to evaluate: task rows from the task registry, limited, with paired augmented variants.

``--task gsm8k,math`` names registered tasks; a task takes its data from ``NAME=FILE`` or from the
``--data`` files given in the same order; a task with packaged data (synthetic, humaneval) needs
none. Everything here checks names and files only, so bad input fails before a model is loaded.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rlvr.errors import SetupError

__all__ = ["EvalSet", "TaskSource", "load_eval_set", "parse_tasks"]

# Kinds whose variants keep or recompute a checkable answer; critical_thinking is asked for by name.
DEFAULT_PERTURBATIONS: tuple[str, ...] = ("typos", "spacing", "number_format", "reorder", "distractor")


@dataclass(frozen=True)
class TaskSource:
    """One ``--task`` item: a registered task name and its data (None: the task's packaged data)."""

    name: str
    data: str | None = None


@dataclass
class EvalSet:
    """The rows to evaluate for one task: originals, then their variants (``source_id``/``perturbation`` set)."""

    source: TaskSource
    task: Any
    rows: list[dict[str, Any]]
    skipped: Counter[str] = field(default_factory=Counter)
    predictions: Any = None  # evaluation.predictions.Predictions when the samples were made elsewhere

    @property
    def originals(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if not row.get("perturbation")]


def parse_tasks(text: str, data: list[str] | None = None) -> list[TaskSource]:
    """``gsm8k=FILE,synthetic`` (or names with ``--data`` files in the same order) as checked sources."""
    from plugins.tasks import get_task

    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise SetupError("--task is empty; name one or more tasks, as in --task gsm8k,synthetic")
    files = list(data or [])
    if len(files) > len(items):
        raise SetupError(f"{len(files)} --data files for {len(items)} task(s); give at most one per task")
    sources = []
    for position, item in enumerate(items):
        name, sep, path = item.partition("=")
        if sep and position < len(files):
            raise SetupError(f"task {name!r} has both {name}={path} and a --data file; give one")
        get_task(name)  # an unknown name raises TaskError listing the known ones
        sources.append(TaskSource(name, path if sep else (files[position] if position < len(files) else None)))
    return sources


def load_eval_set(
    source: TaskSource, limit: int | None = None, split: str | None = None,
    perturbations: tuple[str, ...] = (), seed: int = 0,
) -> EvalSet:
    """The first ``limit`` rows of ``source`` and, per kind in ``perturbations``, a variant of each where it applies."""
    from plugins.tasks import get_task
    from tasks.augment import augment

    task = get_task(source.name)
    rows = task.load(source.data, split)
    if limit is not None:
        rows = rows[:limit]
    ids = [str(row["id"]) for row in rows]
    if len(set(ids)) != len(ids):
        raise SetupError(f"task {source.name!r}: row ids repeat in its data; paired statistics need unique ids")
    variants, skipped = augment(rows, list(perturbations), seed=seed) if perturbations else ([], Counter())
    return EvalSet(source, task, rows + variants, skipped)
