"""One way to collect what plugins register through a ``register_*`` hook: checked, de-duplicated,
remembered with the plugin and version that registered it, and collected once per set of plugins."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from plugins.manager import load_plugins, plugin_version, pm
from rlvr.errors import PluginRegistrationError

__all__ = ["NAME_PATTERN", "RegistryEntry", "naming_problem", "registered"]

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_\-]*$")


def naming_problem(cls: Any) -> str | None:
    """Why ``cls``'s ``name`` or ``description`` cannot be registered; None when both are fine."""
    if not isinstance(cls.name, str) or not NAME_PATTERN.match(cls.name):
        return f"name {cls.name!r} must be lowercase letters, digits, '_' or '-'"
    if not isinstance(cls.description, str) or not cls.description or "\n" in cls.description:
        return "description must be one non-empty line"
    return None


@dataclass(frozen=True)
class RegistryEntry:
    """One registered class (a verifier, a task) and where it came from."""

    name: str
    cls: type
    plugin: str
    version: str

    @property
    def description(self) -> str:
        return self.cls.description

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "plugin": self.plugin, "version": self.version, "description": self.description}


def _collect(hook: str, kind: str, problem: Callable[[Any], str | None], duplicate: type[Exception]):
    entries: dict[str, RegistryEntry] = {}
    for impl in reversed(getattr(pm.hook, hook).get_hookimpls()):
        plugin = impl.plugin_name
        version = plugin_version(plugin)

        def register(cls: type, plugin: str = plugin, version: str = version) -> None:
            why = problem(cls)
            if why is not None:
                raise PluginRegistrationError(f"plugin {plugin!r} registered {getattr(cls, '__name__', cls)!r}: {why}")
            existing = entries.get(cls.name)
            if existing is not None:
                raise duplicate(
                    f"{kind} {cls.name!r} is registered by both plugin {existing.plugin!r} and plugin {plugin!r}"
                )
            entries[cls.name] = RegistryEntry(cls.name, cls, plugin, version)

        impl.function(register=register)
    return entries


_cache: dict[str, tuple[tuple[tuple[str, int], ...], dict[str, RegistryEntry]]] = {}


def registered(
    hook: str, kind: str, problem: Callable[[Any], str | None], duplicate: type[Exception] = PluginRegistrationError
) -> dict[str, RegistryEntry]:
    """Everything registered through ``hook`` by name, after loading plugins.

    ``problem(cls)`` says why a class cannot be registered (None when it can); a name registered
    twice raises ``duplicate`` naming both plugins. The hooks run once per set of registered
    plugins: registering or unregistering a plugin makes the next call collect again.
    """
    load_plugins()
    key = tuple(sorted((name, id(plugin)) for name, plugin in pm.list_name_plugin()))
    cached = _cache.get(hook)
    if cached is None or cached[0] != key:
        cached = _cache[hook] = (key, _collect(hook, kind, problem, duplicate))
    return dict(cached[1])
