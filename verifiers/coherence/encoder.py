"""Token embeddings for BERTScore: one batched forward pass over every distinct sentence of a call.

The sentences of a whole ``verify_batch`` call (every step of every chain and the questions)
are deduplicated, sorted by token count and run through the model in padded batches under
``torch.inference_mode``; the model is cut to the layers BERTScore reads. Embeddings are kept
in a small least-recently-used cache keyed by the sentence, so a question scored for a group of
completions (GRPO) is encoded once. Tokenisation follows bert-score (``[CLS] … [SEP]``,
truncated at the model's maximum length), so scores match its greedy matching.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["TokenEncoder"]


def _available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class TokenEncoder:
    """Unit-length token embeddings from the first ``num_layers`` layers of a local model."""

    def __init__(
        self, model_dir: Path, num_layers: int, batch_size: int = 64, device: str = "cpu", cache_size: int = 4096
    ):
        self.model_dir = model_dir
        self.num_layers = num_layers
        self.batch_size = batch_size
        self.device = device
        self.cache_size = cache_size
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._model: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()  # one forward pass at a time; the cache is shared

    def _load(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        if torch.get_num_threads() > _available_cores():  # more threads than cores only thrash
            torch.set_num_threads(_available_cores())
        model = AutoModel.from_pretrained(str(self.model_dir)).eval().to(self.device)
        model.encoder.layer = model.encoder.layer[: self.num_layers]  # BERTScore reads this layer's output
        self._tokenizer = AutoTokenizer.from_pretrained(str(self.model_dir), use_fast=True)
        self._model = model

    def _token_ids(self, sentences: Sequence[str]) -> list[list[int]]:
        tokenizer = self._tokenizer
        limit = min(int(tokenizer.model_max_length), 512)
        encoded = tokenizer([s.strip() for s in sentences], add_special_tokens=True, truncation=True, max_length=limit)
        return encoded["input_ids"]

    def _forward(self, sentences: list[str]) -> list[Any]:
        """Embeddings of ``sentences`` (in order): sorted by length, padded batches, no autograd."""
        import torch

        ids = self._token_ids(sentences)
        order = sorted(range(len(sentences)), key=lambda i: len(ids[i]))
        result: list[Any] = [None] * len(sentences)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                chunk = order[start : start + self.batch_size]
                batch = self._tokenizer.pad({"input_ids": [ids[i] for i in chunk]}, return_tensors="pt")
                hidden = self._model(**{k: v.to(self.device) for k, v in batch.items()}).last_hidden_state
                hidden = torch.nn.functional.normalize(hidden.float(), dim=-1).cpu()
                for row, index in enumerate(chunk):
                    result[index] = hidden[row, : len(ids[index])].clone()
        return result

    def embed(self, sentences: Sequence[str]) -> dict[str, Any]:
        """``{sentence: (tokens × dim) tensor}`` for each distinct sentence; cached ones are not recomputed."""
        with self._lock:
            return self._embed_locked(sentences)

    def _embed_locked(self, sentences: Sequence[str]) -> dict[str, Any]:
        if self._model is None:
            self._load()
        wanted = list(dict.fromkeys(sentences))
        missing = [s for s in wanted if s not in self._cache]
        fresh = dict(zip(missing, self._forward(missing), strict=True)) if missing else {}
        found = {s: fresh[s] if s in fresh else self._cache[s] for s in wanted}
        for sentence, embedding in found.items():
            self._cache[sentence] = embedding
            self._cache.move_to_end(sentence)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return found

    def clear(self) -> None:
        """Forget every cached embedding (the model stays loaded)."""
        self._cache.clear()

    def close(self) -> None:
        """Drop the model and the cache."""
        self._cache.clear()
        self._model = None
        self._tokenizer = None
