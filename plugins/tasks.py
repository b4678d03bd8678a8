"""The task registry: the tasks plugins registered through ``register_tasks``, checked, with who did it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from plugins.manager import load_plugins, plugin_version, pm
from rlvr.errors import PluginRegistrationError, TaskError

if TYPE_CHECKING:  # tasks imports this module: the base class is imported where it is needed
    from tasks.base import Task

__all__ = ["TaskEntry", "get_task", "recognise_task", "task_entries"]

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_\-]*$")


@dataclass(frozen=True)
class TaskEntry:
    """One registered task and where it came from."""

    name: str
    cls: type[Task]
    plugin: str
    version: str

    @property
    def description(self) -> str:
        return self.cls.description

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "plugin": self.plugin, "version": self.version, "description": self.description}


def _check_task_class(cls: Any, plugin: str) -> None:
    from tasks.base import Task

    where = f"plugin {plugin!r} registered {cls!r}"
    if not (isinstance(cls, type) and issubclass(cls, Task)):
        raise PluginRegistrationError(f"{where}: register() takes a tasks.base.Task subclass")
    if not isinstance(cls.name, str) or not NAME_PATTERN.match(cls.name):
        raise PluginRegistrationError(f"{where}: name {cls.name!r} must be lowercase letters, digits, '_' or '-'")
    if not cls.description or "\n" in cls.description:
        raise PluginRegistrationError(f"{where}: description must be one non-empty line")


def collect_tasks() -> dict[str, TaskEntry]:
    """Call every ``register_tasks`` implementation with a register callback of its own."""
    entries: dict[str, TaskEntry] = {}
    for impl in reversed(pm.hook.register_tasks.get_hookimpls()):
        plugin = impl.plugin_name
        version = plugin_version(plugin)

        def register(cls: type[Task], plugin: str = plugin, version: str = version) -> None:
            _check_task_class(cls, plugin)
            existing = entries.get(cls.name)
            if existing is not None:
                raise PluginRegistrationError(
                    f"task {cls.name!r} is registered by both plugin {existing.plugin!r} and plugin {plugin!r}"
                )
            entries[cls.name] = TaskEntry(cls.name, cls, plugin, version)

        impl.function(register=register)
    return entries


_cache: dict[tuple[tuple[str, int], ...], dict[str, TaskEntry]] = {}


def task_entries() -> dict[str, TaskEntry]:
    """Every registered task by name; the hooks run once per set of registered plugins."""
    load_plugins()
    key = tuple(sorted((name, id(plugin)) for name, plugin in pm.list_name_plugin()))
    entries = _cache.get(key)
    if entries is None:
        _cache.clear()
        entries = _cache[key] = collect_tasks()
    return dict(entries)


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
