"""Hook specifications: what a plugin can provide. Specs only, no behaviour."""

from __future__ import annotations

from collections.abc import Callable

import pluggy

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("rlvr")
hookimpl = pluggy.HookimplMarker("rlvr")


@hookspec
def register_verifiers(register: Callable[[type], None]) -> None:
    """Register Verifier subclasses by calling ``register(VerifierClass)`` for each."""


@hookspec
def register_tasks(register: Callable[[type], None]) -> None:
    """Register Task subclasses by calling ``register(TaskClass)`` for each."""
