"""The pluggy core: registration checks, duplicates, versions, entry points, restriction."""

from __future__ import annotations

import sys

import pytest
from plugin_fixtures import install_plugin

from plugins import DuplicateVerifierError, UnknownVerifierError, hookimpl, make_verifier, verifier_entries
from plugins.manager import DEFAULT_PLUGINS, PluginLoadError, load_plugins, reset_plugins
from rlvr.errors import PluginRegistrationError
from verifiers.base import BatchVerifier, Verdict, Verifier, VerifierConfig


class EchoVerifier(Verifier):
    name = "echo"
    description = "Passes when the completion equals the reference"

    def verify(self, completion, reference=None, **fields):
        return Verdict(score=float(completion == reference), passed=completion == reference)


class EchoPlugin:
    @hookimpl
    def register_verifiers(self, register):
        register(EchoVerifier)


def test_builtins_register_through_the_hook():
    entries = verifier_entries()
    assert {"exact", "choice"} <= set(entries)
    assert entries["exact"].plugin in DEFAULT_PLUGINS
    assert entries["exact"].version


def test_hook_register_verifiers(register_plugin):
    register_plugin(EchoPlugin(), name="echo-plugin")
    entry = verifier_entries()["echo"]
    assert entry.plugin == "echo-plugin"
    assert make_verifier("echo").verify("x", "x").passed is True


class CountingPlugin:
    calls = 0

    @hookimpl
    def register_verifiers(self, register):
        CountingPlugin.calls += 1
        register(EchoVerifier)


def test_hooks_run_once_per_plugin_set(register_plugin):
    register_plugin(CountingPlugin(), name="counting")
    for _ in range(3):
        assert "echo" in verifier_entries()
    assert CountingPlugin.calls == 1
    verifier_entries().clear()  # a caller's copy: clearing it leaves the registry whole
    assert "echo" in verifier_entries()
    register_plugin(type("Later", (), {})(), name="later")  # the plugin set changed: collect again
    verifier_entries()
    assert CountingPlugin.calls == 2


def test_duplicate_name_names_both_plugins(register_plugin):
    register_plugin(EchoPlugin(), name="first")
    register_plugin(EchoPlugin(), name="second")
    with pytest.raises(DuplicateVerifierError, match="'first'.*'second'|'second'.*'first'"):
        verifier_entries()


class LooseConfig(VerifierConfig):
    model_config = {"extra": "allow"}


@pytest.mark.parametrize(
    "bad, message",
    [
        (object, "Verifier subclass"),
        (type("Upper", (EchoVerifier,), {"name": "Upper"}), "lowercase"),
        (type("NoDoc", (EchoVerifier,), {"name": "nodoc", "description": ""}), "description"),
        # a Config that ignores unknown keys would hide typos
        (type("Loose", (EchoVerifier,), {"name": "loose", "Config": LooseConfig}), "extra='forbid'"),
    ],
)
def test_register_checks_types(register_plugin, bad, message):
    class BadPlugin:
        @hookimpl
        def register_verifiers(self, register):
            register(bad)

    register_plugin(BadPlugin(), name="bad")
    with pytest.raises(TypeError, match=message):
        verifier_entries()


def test_unknown_verifier_lists_available():
    with pytest.raises(UnknownVerifierError, match="available: .*exact"):
        make_verifier("nope")


def test_config_typo_is_an_error_naming_the_key():
    with pytest.raises(ValueError, match="case_sensitiv"):
        make_verifier("exact", {"case_sensitiv": True})


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A folder on sys.path for plugin distributions; plugins are forgotten afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    reset_plugins()
    for name in [name for name in sys.modules if name.startswith("rlvr_")]:
        del sys.modules[name]


def test_installed_plugin_loads_when_asked(site, monkeypatch):
    install_plugin(site)
    reset_plugins()
    assert "shout" not in verifier_entries()  # tests never load installed plugins by accident
    monkeypatch.setenv("RLVR_LOAD_PLUGINS", "rlvr-shout")
    reset_plugins()
    entry = verifier_entries()["shout"]
    assert (entry.plugin, entry.version) == ("rlvr_shout", "1.2.3")


def test_load_plugins_restricts_to_named(site, monkeypatch):
    install_plugin(site)
    install_plugin(site, dist="rlvr-other", module="rlvr_other", verifier="other")
    monkeypatch.setenv("RLVR_LOAD_PLUGINS", "rlvr_other")
    reset_plugins()
    assert "other" in verifier_entries() and "shout" not in verifier_entries()
    assert load_plugins() is load_plugins()  # idempotent


def test_broken_plugin_error_names_it_and_how_to_exclude(site, monkeypatch):
    install_plugin(site, dist="rlvr-broken", module="rlvr_broken", source="raise ImportError('no numpy here')")
    monkeypatch.setenv("RLVR_LOAD_PLUGINS", "rlvr-broken")
    reset_plugins()
    with pytest.raises(PluginLoadError, match="rlvr_broken.*no numpy here.*RLVR_LOAD_PLUGINS"):
        load_plugins()


def test_broken_plugin_error_suggests_keeping_the_healthy_ones(site, monkeypatch):
    install_plugin(site)
    install_plugin(site, dist="rlvr-broken", module="rlvr_broken", source="raise ImportError('no numpy here')")
    monkeypatch.setenv("RLVR_LOAD_PLUGINS", "rlvr-shout,rlvr-broken")
    reset_plugins()
    with pytest.raises(PluginLoadError, match="RLVR_LOAD_PLUGINS=rlvr_shout "):
        load_plugins()


def test_misspelled_plugin_name_warns_with_the_installed_ones(site, monkeypatch):
    install_plugin(site)
    monkeypatch.setenv("RLVR_LOAD_PLUGINS", "rlvr-shuot")
    reset_plugins()
    with pytest.warns(UserWarning, match="'rlvr-shuot'.*installed plugins: .*rlvr_shout"):
        load_plugins()


class WrongVerify(EchoVerifier):
    name = "wrong"

    def verify(self, text):  # no reference, no **fields
        return Verdict(score=1.0)


class WrongBatch(BatchVerifier):
    name = "wrongbatch"
    description = "A batch verifier whose verify_batch takes no columns"

    def verify_batch(self, completions, references=None):
        return []


@pytest.mark.parametrize(
    "bad, message", [(WrongVerify, "verify must accept"), (WrongBatch, "verify_batch must accept")]
)
def test_wrong_verify_signature_is_refused_at_registration(register_plugin, bad, message):
    class Plugin:
        @hookimpl
        def register_verifiers(self, register):
            register(bad)

    register_plugin(Plugin(), name="signature-plugin")
    with pytest.raises(PluginRegistrationError, match=f"plugin 'signature-plugin' registered .*{message}"):
        verifier_entries()
