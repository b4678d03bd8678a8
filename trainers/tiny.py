"""The `tiny` model: a small BPE tokenizer built offline and a small Llama built from a config."""

from __future__ import annotations

import string
from typing import Any

__all__ = ["TINY_ALPHABET", "TINY_CHAT_TEMPLATE", "build_tiny_model", "build_tiny_tokenizer", "tiny_llama_config"]

# Every character the synthetic tasks and the answer format use; anything else maps to <unk>.
TINY_ALPHABET = string.ascii_letters + string.digits + " \n.,:;?!+-*/=()[]{}\\^_<>#%$'\"&|~@`"
SPECIAL_TOKENS = ("<pad>", "<s>", "</s>", "<unk>")
# A chat template that renders a conversation in the plain "Q: ...\nA:" layout the tiny model trains on.
TINY_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'assistant' %}A: {{ message['content'] }}\n"
    "{% else %}Q: {{ message['content'] }}\n{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}A:{% endif %}"
)


def build_tiny_tokenizer(seed: int = 7, vocab_size: int = 200) -> Any:
    """A small BPE tokenizer trained offline on synthetic problems (digits stay single tokens).

    Spaces become ``▁`` (as in SentencePiece), so decoding gives back the exact text, which the
    verifiers parse. The same seed always builds the same tokenizer.
    """
    from tokenizers import Tokenizer, decoders, pre_tokenizers
    from tokenizers.models import BPE
    from tokenizers.trainers import BpeTrainer
    from transformers import PreTrainedTokenizerFast

    from trainers.synthetic import make_problems

    corpus = [f"Q: {p.question}\nA: {p.solution}" for p in make_problems(2000, seed=seed)]
    backend = Tokenizer(BPE(unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Metaspace(prepend_scheme="never"), pre_tokenizers.Digits(individual_digits=True)]
    )
    backend.decoder = decoders.Metaspace(prepend_scheme="never")
    trainer = BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=[*TINY_ALPHABET, "\u2581"],
        show_progress=False,
    )
    backend.train_from_iterator(corpus, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, pad_token="<pad>", bos_token="<s>", eos_token="</s>", unk_token="<unk>"
    )
    tokenizer.padding_side = "left"
    return tokenizer


def tiny_llama_config(tokenizer: Any, hidden_size: int = 128, layers: int = 3, **overrides: Any) -> Any:
    """A small ``LlamaConfig`` for ``tokenizer``'s vocabulary (4 heads, tied embeddings); ``overrides`` win."""
    from transformers import LlamaConfig

    options = dict(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=hidden_size * 3,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=512,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        tie_word_embeddings=True,
    )
    return LlamaConfig(**{**options, **overrides})


def build_tiny_model(tokenizer: Any, hidden_size: int = 128, layers: int = 3, seed: int = 0) -> Any:
    """A randomly initialised Llama of roughly 0.6M parameters (seeded) for the tokenizer's vocabulary."""
    import torch
    from transformers import LlamaForCausalLM

    config = tiny_llama_config(tokenizer, hidden_size, layers)
    torch.manual_seed(seed)
    return LlamaForCausalLM(config)
