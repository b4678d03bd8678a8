"""rlvr's pluggy core: hook specs, the plugin manager and the verifier registry."""

from plugins.hookspecs import hookimpl, hookspec
from plugins.manager import DEFAULT_PLUGINS, PluginLoadError, load_plugins, pm
from plugins.registry import (
    DuplicateVerifierError,
    UnknownVerifierError,
    VerifierEntry,
    get_verifier_class,
    make_verifier,
    verifier_entries,
)

__all__ = [
    "DEFAULT_PLUGINS",
    "DuplicateVerifierError",
    "PluginLoadError",
    "UnknownVerifierError",
    "VerifierEntry",
    "get_verifier_class",
    "hookimpl",
    "hookspec",
    "load_plugins",
    "make_verifier",
    "pm",
    "verifier_entries",
]
