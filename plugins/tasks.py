"""The task registry: the tasks plugins registered through ``register_tasks``, checked, with who did it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plugins.collect import RegistryEntry, naming_problem, registered
from rlvr.errors import TaskError

if TYPE_CHECKING:  # tasks imports this module: the base class is imported where it is needed
    from tasks.base import Task

__all__ = ["TaskEntry", "get_task", "recognise_task", "task_entries"]



TaskEntry = RegistryEntry  # what the registry holds for each task


def _task_problem(cls: Any) -> str | None:
    from tasks.base import Task

    if not (isinstance(cls, type) and issubclass(cls, Task)):
        return "register() takes a tasks.base.Task subclass"
    return naming_problem(cls)


def task_entries() -> dict[str, RegistryEntry]:
    """Every registered task by name; the hooks run once per set of registered plugins."""
    return registered("register_tasks", "task", _task_problem)


def get_task(name: str) -> Task:
    """A fresh instance of the task registered as ``name``; an unknown name raises :class:`TaskError`."""
    entries = task_entries()
    if name not in entries:
        raise TaskError(f"unknown task {name!r}; available: {', '.join(sorted(entries)) or 'none'}")
    return entries[name].cls()


def recognise_task(row: dict[str, Any]) -> Task | None:
    """The most specific registered task (most identifying columns) whose format ``row`` has, or None."""
    tasks = sorted((entry.cls() for entry in task_entries().values()), key=lambda t: (-len(t.columns), t.name))
    return next((task for task in tasks if task.columns and task.recognises(row)), None)
