"""Generation for evaluation: batched HF transformers (greedy, or ``n`` samples per prompt), or vLLM on a GPU.

Both backends return a :class:`Generations`: the completions per prompt, the generated token count
of each, and the wall time, so efficiency numbers come from the same run as the accuracy.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Generations", "SamplingSettings", "generate_hf", "generate_vllm", "load_vllm", "prompt_text", "vllm_available",
]


@dataclass(frozen=True)
class SamplingSettings:
    """How to generate: ``n`` samples per prompt; greedy when ``temperature`` is 0 (then ``n`` must be 1)."""

    n: int = 1
    temperature: float = 0.0
    top_p: float = 1.0
    max_new_tokens: int = 64
    batch_size: int = 32
    seed: int = 0

    @property
    def greedy(self) -> bool:
        return self.temperature == 0.0


@dataclass
class Generations:
    """``completions[i]`` and ``tokens[i]`` hold the ``n`` samples of prompt ``i``; ``seconds`` is the wall time."""

    completions: list[list[str]]
    tokens: list[list[int]]
    seconds: float
    backend: str


def prompt_text(task: Any, row: dict[str, Any], tokenizer: Any) -> str:
    """The text the model is fed for ``row``: the task's chat prompt through the chat template, else its plain one."""
    if getattr(tokenizer, "chat_template", None):
        messages = task.prompt(row, chat=True)
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return task.prompt(row, chat=False)


def _token_count(sequence: list[int], stop_ids: set[int]) -> int:
    """Generated tokens up to and including the first stop token (padding after it is not generation)."""
    for position, token in enumerate(sequence):
        if token in stop_ids:
            return position + 1
    return len(sequence)


def generate_hf(
    model: Any,
    tokenizer: Any,
    prompts: list[str],
    settings: SamplingSettings,
    progress: Callable[[int], None] | None = None,
) -> Generations:
    """``settings.n`` completions per prompt from a transformers model, in left-padded batches, no gradients."""
    import torch

    torch.manual_seed(settings.seed)
    stop_ids = {i for i in (tokenizer.eos_token_id, tokenizer.pad_token_id) if i is not None}
    sampling = {} if settings.greedy else {"temperature": settings.temperature, "top_p": settings.top_p}
    completions: list[list[str]] = []
    tokens: list[list[int]] = []
    was_training = model.training
    model.eval()
    started = time.perf_counter()
    try:
        for start in range(0, len(prompts), settings.batch_size):
            chunk = prompts[start : start + settings.batch_size]
            batch = tokenizer(chunk, return_tensors="pt", padding=True, add_special_tokens=False).to(model.device)
            with torch.no_grad():
                generated = model.generate(
                    **batch, max_new_tokens=settings.max_new_tokens, do_sample=not settings.greedy,
                    num_return_sequences=settings.n, pad_token_id=tokenizer.pad_token_id,
                    eos_token_id=tokenizer.eos_token_id, **sampling,
                )
            new = generated[:, batch["input_ids"].shape[1] :]
            texts = tokenizer.batch_decode(new, skip_special_tokens=True)
            counts = [_token_count(sequence, stop_ids) for sequence in new.tolist()]
            for i in range(len(chunk)):
                completions.append(texts[i * settings.n : (i + 1) * settings.n])
                tokens.append(counts[i * settings.n : (i + 1) * settings.n])
            if progress is not None:
                progress(len(chunk))
    finally:
        model.train(was_training)
    return Generations(completions, tokens, time.perf_counter() - started, "transformers")


def vllm_available() -> bool:
    """True when vLLM is importable and a CUDA GPU is present."""
    if importlib.util.find_spec("vllm") is None:
        return False
    import torch

    return torch.cuda.is_available()


def load_vllm(folder: str, seed: int) -> Any:
    """One vLLM engine for a whole run: it reserves most of the GPU's memory, so a second one would not fit."""
    from vllm import LLM

    return LLM(model=folder, seed=seed)


def generate_vllm(llm: Any, prompts: list[str], settings: SamplingSettings) -> Generations:
    """``settings.n`` completions per prompt from a :func:`load_vllm` engine; see :func:`vllm_available`."""
    from vllm import SamplingParams

    params = SamplingParams(
        n=settings.n, temperature=settings.temperature, top_p=settings.top_p,
        max_tokens=settings.max_new_tokens, seed=settings.seed,
    )
    started = time.perf_counter()
    outputs = llm.generate(prompts, params)
    completions = [[sample.text for sample in output.outputs] for output in outputs]
    tokens = [[len(sample.token_ids) for sample in output.outputs] for output in outputs]
    return Generations(completions, tokens, time.perf_counter() - started, "vllm")
