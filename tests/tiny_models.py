"""Tiny models for training tests: a character tokenizer and config-built Llamas, nothing downloaded.

    tokenizer = build_char_tokenizer()              # one token per character, <pad> <s> </s> <unk>
    policy = build_tiny_causal_lm(tokenizer)        # LlamaForCausalLM, hidden 32, 2 layers
    value = build_tiny_value_model(tokenizer)       # LlamaForSequenceClassification, 1 label (PPO critic)

All builders are seeded and take a second or less on a CPU.
"""

from __future__ import annotations

import string
from typing import Any

__all__ = ["CHAR_ALPHABET", "build_char_tokenizer", "build_tiny_causal_lm", "build_tiny_value_model", "tiny_config"]

CHAR_ALPHABET = string.ascii_letters + string.digits + " \n.,:;?!+-*/=()[]{}\\^_<>#%$'\"|"
SPECIAL_TOKENS = ("<pad>", "<s>", "</s>", "<unk>")


def build_char_tokenizer(padding_side: str = "left") -> Any:
    """A ``PreTrainedTokenizerFast`` with one token per character of :data:`CHAR_ALPHABET`."""
    from tokenizers import Tokenizer, decoders
    from tokenizers.models import BPE
    from transformers import PreTrainedTokenizerFast

    vocab = {token: index for index, token in enumerate((*SPECIAL_TOKENS, *CHAR_ALPHABET))}
    backend = Tokenizer(BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    backend.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, pad_token="<pad>", bos_token="<s>", eos_token="</s>", unk_token="<unk>"
    )
    tokenizer.padding_side = padding_side
    tokenizer.chat_template = (
        "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}assistant: {% endif %}"
    )
    return tokenizer


def tiny_config(tokenizer: Any, hidden_size: int = 32, layers: int = 2, **overrides: Any) -> Any:
    """A ``LlamaConfig`` for ``tokenizer``'s vocabulary: hidden 32, 2 layers, 4 heads by default."""
    from trainers.tiny import tiny_llama_config

    options = {"intermediate_size": hidden_size * 2, "max_position_embeddings": 256, **overrides}
    return tiny_llama_config(tokenizer, hidden_size, layers, **options)


def build_tiny_causal_lm(tokenizer: Any, seed: int = 0, **config: Any) -> Any:
    """A randomly initialised ``LlamaForCausalLM`` (seeded) for ``tokenizer``."""
    import torch
    from transformers import LlamaForCausalLM

    torch.manual_seed(seed)
    return LlamaForCausalLM(tiny_config(tokenizer, **config))


def build_tiny_value_model(tokenizer: Any, seed: int = 1, **config: Any) -> Any:
    """A ``LlamaForSequenceClassification`` with one label: the critic PPOTrainer needs."""
    import torch
    from transformers import LlamaForSequenceClassification

    torch.manual_seed(seed)
    return LlamaForSequenceClassification(tiny_config(tokenizer, num_labels=1, **config))
