"""The verifier registry: what plugins registered, checked, with who registered it."""

from __future__ import annotations

import inspect
from typing import Any

from pydantic import ValidationError

from plugins.collect import RegistryEntry, naming_problem, registered
from rlvr.errors import ConfigError, DuplicateVerifierError, UnknownVerifierError, validation_message
from verifiers.base import BatchVerifier, Verifier, VerifierConfig

__all__ = [
    "DuplicateVerifierError",
    "UnknownVerifierError",
    "VerifierEntry",
    "get_verifier_class",
    "make_verifier",
    "verifier_entries",
]

VerifierEntry = RegistryEntry  # what the registry holds for each verifier


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


def _class_problem(cls: Any) -> str | None:
    if not (isinstance(cls, type) and issubclass(cls, Verifier)):
        return "register() takes a Verifier subclass"
    if (naming := naming_problem(cls)) is not None:
        return naming
    if not (isinstance(cls.Config, type) and issubclass(cls.Config, VerifierConfig)):
        return "Config must subclass verifiers.base.VerifierConfig"
    if cls.Config.model_config.get("extra") != "forbid":
        return "Config must set extra='forbid'"
    return _check_signature(cls)


def verifier_entries() -> dict[str, RegistryEntry]:
    """Every registered verifier by name, after loading plugins; the hooks run once per set of plugins."""
    return registered("register_verifiers", "verifier", _class_problem, DuplicateVerifierError)


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
