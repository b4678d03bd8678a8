"""The verifier registry: what plugins registered, checked, with who registered it."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from plugins.manager import load_plugins, plugin_version, pm
from rlvr.errors import (
    ConfigError,
    DuplicateVerifierError,
    PluginRegistrationError,
    UnknownVerifierError,
    validation_message,
)
from verifiers.base import BatchVerifier, Verifier, VerifierConfig

__all__ = [
    "DuplicateVerifierError",
    "UnknownVerifierError",
    "VerifierEntry",
    "get_verifier_class",
    "make_verifier",
    "verifier_entries",
]

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_\-]*$")




@dataclass(frozen=True)
class VerifierEntry:
    """One registered verifier and where it came from."""

    name: str
    cls: type[Verifier]
    plugin: str
    version: str

    @property
    def description(self) -> str:
        return self.cls.description

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "plugin": self.plugin, "version": self.version, "description": self.description}


def _check_signature(cls: type[Verifier]) -> str | None:
    """Why ``cls``'s verify (or verify_batch) cannot take the calls rlvr makes; None when it can."""
    batch = cls.verify is BatchVerifier.verify
    method, call = ("verify_batch", (["x"], [None])) if batch else ("verify", ("x", None))
    try:
        inspect.signature(getattr(cls, method)).bind(None, *call, some_column=1)
    except TypeError as error:
        wanted = "(completions, references=None, **columns)" if batch else "(completion, reference=None, **fields)"
        return f"{method} must accept {wanted}: {error}"
    return None


def _check_verifier_class(cls: Any, plugin: str) -> None:
    where = f"plugin {plugin!r} registered {getattr(cls, '__name__', cls)!r}"
    problem = _class_problem(cls)
    if problem is not None:
        raise PluginRegistrationError(f"{where}: {problem}")


def _class_problem(cls: Any) -> str | None:
    if not (isinstance(cls, type) and issubclass(cls, Verifier)):
        return "register() takes a Verifier subclass"
    if not isinstance(cls.name, str) or not NAME_PATTERN.match(cls.name):
        return f"name {cls.name!r} must be lowercase letters, digits, '_' or '-'"
    if not isinstance(cls.description, str) or not cls.description or "\n" in cls.description:
        return "description must be one non-empty line"
    if not (isinstance(cls.Config, type) and issubclass(cls.Config, VerifierConfig)):
        return "Config must subclass verifiers.base.VerifierConfig"
    if cls.Config.model_config.get("extra") != "forbid":
        return "Config must set extra='forbid'"
    return _check_signature(cls)


def collect_verifiers() -> dict[str, VerifierEntry]:
    """Call every ``register_verifiers`` implementation with a register callback of its own."""
    entries: dict[str, VerifierEntry] = {}
    for impl in reversed(pm.hook.register_verifiers.get_hookimpls()):
        plugin = impl.plugin_name
        version = plugin_version(plugin)

        def register(cls: type[Verifier], plugin: str = plugin, version: str = version) -> None:
            _check_verifier_class(cls, plugin)
            existing = entries.get(cls.name)
            if existing is not None:
                raise DuplicateVerifierError(
                    f"verifier {cls.name!r} is registered by both plugin {existing.plugin!r} and plugin {plugin!r}"
                )
            entries[cls.name] = VerifierEntry(cls.name, cls, plugin, version)

        impl.function(register=register)
    return entries


_cache: dict[tuple[tuple[str, int], ...], dict[str, VerifierEntry]] = {}


def verifier_entries() -> dict[str, VerifierEntry]:
    """Every registered verifier by name, after loading plugins.

    The hooks run once per set of registered plugins: registering or unregistering a plugin
    (a test's inline plugin, ``reset_plugins``) makes the next call collect again.
    """
    load_plugins()
    key = tuple(sorted((name, id(plugin)) for name, plugin in pm.list_name_plugin()))
    entries = _cache.get(key)
    if entries is None:
        _cache.clear()
        entries = _cache[key] = collect_verifiers()
    return dict(entries)


def get_verifier_class(name: str) -> type[Verifier]:
    entries = verifier_entries()
    if name not in entries:
        available = ", ".join(sorted(entries)) or "none"
        raise UnknownVerifierError(f"unknown verifier {name!r}; available: {available}")
    return entries[name].cls


def validate_config(name: str, config: dict[str, Any] | None = None) -> VerifierConfig:
    """The validated Config of verifier ``name``; a bad key or value raises :class:`ConfigError` naming it."""
    cls = get_verifier_class(name)
    try:
        return cls.Config.model_validate(config or {})
    except ValidationError as error:
        raise ConfigError(f"verifier {name!r}: {validation_message(error)}") from None


def make_verifier(name: str, config: dict[str, Any] | None = None) -> Verifier:
    """Build the verifier ``name`` from its validated Config (a bad key raises :class:`ConfigError`)."""
    return get_verifier_class(name)(validate_config(name, config))
