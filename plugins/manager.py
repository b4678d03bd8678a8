"""The one plugin manager: built-in plugins, entry-point plugins, and what loads."""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from importlib import metadata

import pluggy

from plugins import hookspecs
from rlvr.errors import PluginLoadError

__all__ = ["DEFAULT_PLUGINS", "ENTRY_POINT_GROUP", "PluginLoadError", "load_plugins", "pm", "plugin_version"]

ENTRY_POINT_GROUP = "rlvr"

# Built-in plugins: ordinary modules with hook implementations, registered exactly the way
# third-party plugins are.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "verifiers.exact",
    "verifiers.choice",
    "verifiers.math.verifier",
    "verifiers.code.verifier",
    "verifiers.coherence.verifier",
    "verifiers.trl_accuracy",
    "tasks.gsm8k",
    "tasks.math",
    "tasks.mbpp",
    "tasks.humaneval",
    "tasks.commonsenseqa",
    "tasks.mathqa",
    "tasks.synthetic",
    "tasks.physics",
)

pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
pm.add_hookspecs(hookspecs)

_loaded = False
_versions: dict[str, str] = {}



def rlvr_version() -> str:
    try:
        return metadata.version("rlvr")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def plugin_version(plugin_name: str) -> str:
    """The version of the distribution that provides ``plugin_name`` (rlvr's for built-ins)."""
    return _versions.get(plugin_name, rlvr_version())


def _requested_plugins() -> set[str] | None:
    raw = os.environ.get("RLVR_LOAD_PLUGINS")
    if raw is None:
        return None
    return {name.strip() for name in raw.split(",") if name.strip()}


def _installed() -> list[tuple[metadata.EntryPoint, str]]:
    """Every entry point in the ``rlvr`` group with the name of its distribution."""
    found = []
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = entry_point.dist
        found.append((entry_point, dist.metadata["Name"] if dist is not None else entry_point.name))
    return found


def _warn_unknown(requested: set[str], installed: list[tuple[metadata.EntryPoint, str]]) -> None:
    known = {name for entry_point, dist_name in installed for name in (entry_point.name, dist_name)}
    for name in sorted(requested - known):
        names = ", ".join(sorted({entry_point.name for entry_point, _ in installed})) or "none"
        warnings.warn(f"RLVR_LOAD_PLUGINS names {name!r}, which is not installed; installed plugins: {names}",
                      stacklevel=3)


def _load_entry_points(requested: set[str] | None) -> None:
    installed = _installed()
    if requested is not None:
        _warn_unknown(requested, installed)
    wanted = [(ep, dist) for ep, dist in installed if requested is None or {ep.name, dist} & requested]
    for entry_point, dist_name in wanted:
        if pm.get_plugin(entry_point.name) is not None:
            continue
        try:
            module = entry_point.load()
        except Exception as error:
            healthy = sorted(ep.name for ep, _ in wanted if ep.name != entry_point.name)
            raise PluginLoadError(
                f"plugin {entry_point.name!r} (distribution {dist_name!r}) failed to import: "
                f"{type(error).__name__}: {error}. Load the others without it with "
                f"RLVR_LOAD_PLUGINS={','.join(healthy)} (a comma-separated list of the plugins to load; empty loads "
                f"none), or `pip uninstall {dist_name}`."
            ) from error
        pm.register(module, name=entry_point.name)
        _versions[entry_point.name] = entry_point.dist.version if entry_point.dist is not None else "unknown"


def load_plugins() -> pluggy.PluginManager:
    """Register the built-in plugins and, unless restricted, the installed ones. Idempotent.

    ``RLVR_LOAD_PLUGINS=a,b`` loads only the named entry-point plugins (by entry-point or
    distribution name); an empty value loads none. Under pytest, installed plugins load only
    when a test sets ``RLVR_LOAD_PLUGINS``.
    """
    global _loaded
    if _loaded:
        return pm
    for module_name in DEFAULT_PLUGINS:
        if pm.get_plugin(module_name) is None:
            pm.register(importlib.import_module(module_name), name=module_name)
    requested = _requested_plugins()
    if requested is None and hasattr(sys, "_called_from_test"):
        requested = set()
    if requested is None or requested:
        _load_entry_points(requested)
    _loaded = True
    return pm


def reset_plugins() -> None:
    """Forget every entry-point plugin so that the next ``load_plugins`` looks again (tests)."""
    global _loaded
    for name in list(_versions):
        plugin = pm.get_plugin(name)
        if plugin is not None:
            pm.unregister(plugin, name=name)
        _versions.pop(name, None)
    _loaded = False
