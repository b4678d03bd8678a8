"""Shared fixtures. Installed plugins never load here unless a test sets RLVR_LOAD_PLUGINS."""

from __future__ import annotations

import sys

import pytest


def pytest_configure(config: pytest.Config) -> None:
    sys._called_from_test = True  # read by plugins.manager.load_plugins


def pytest_unconfigure(config: pytest.Config) -> None:
    if hasattr(sys, "_called_from_test"):
        del sys._called_from_test


@pytest.fixture
def register_plugin():
    """Register inline plugin objects for one test, and unregister them afterwards."""
    from plugins.manager import load_plugins, pm

    load_plugins()
    registered = []

    def register(plugin: object, name: str | None = None) -> str:
        plugin_name = pm.register(plugin, name=name)
        registered.append(plugin)
        return plugin_name

    yield register
    for plugin in registered:
        pm.unregister(plugin)


@pytest.fixture
def test_verifiers(register_plugin):
    """The reward tests' inline verifiers (tests/reward_plugins.py), registered for one test."""
    from reward_plugins import ParityVerifier, RewardTestPlugin

    register_plugin(RewardTestPlugin(), name="reward-test-verifiers")
    ParityVerifier.batches.clear()
    yield
    ParityVerifier.batches.clear()
