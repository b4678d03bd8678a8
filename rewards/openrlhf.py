"""OpenRLHF's reward contract, in-process: ``reward_func(queries, prompts, labels)``.

Point OpenRLHF's ``--remote_rm_url`` at this file (or at a file that imports ``reward_func``
from here) to reward with the spec named by ``RLVR_REWARD_SPEC`` (the default spec if unset);
``rlvr serve`` answers the same shape at ``POST /get_reward`` through :func:`openrlhf_rewards`.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Any

from rewards.compose import BatchRewards, RewardBatch, SpecEvaluator, shared_evaluator
from rewards.spec import RewardSpec
from rlvr.errors import RewardInputError

__all__ = ["SPEC_ENV", "OpenRLHFRewards", "openrlhf_rewards", "response_text", "reward_func", "spec_from_environment"]

SPEC_ENV = "RLVR_REWARD_SPEC"


@functools.lru_cache(maxsize=8)
def _spec(path: str | None) -> RewardSpec:
    return RewardSpec.from_yaml(path) if path else RewardSpec.default()


def spec_from_environment() -> RewardSpec:
    """The spec file named by ``RLVR_REWARD_SPEC`` (read once per process), or the default spec."""
    return _spec(os.environ.get(SPEC_ENV) or None)


def response_text(query: str, prompt: str | None) -> str:
    """OpenRLHF sends prompt + response as one ``query``; the response is what follows the prompt.

    Example:
        >>> response_text("Q: 2+2? A: 4", "Q: 2+2?")
        ' A: 4'
    """
    if prompt and query.startswith(prompt):
        return query[len(prompt) :]
    return query


@dataclass
class OpenRLHFRewards:
    """OpenRLHF's answer: ``rewards`` and ``scores`` (the totals) and ``extra_logs`` per component.

    OpenRLHF turns these lists into tensors, which hold no nulls: a row no component applies to
    gets 0.0, and ``extra_logs["applicable"]`` says which rows had a total.
    """

    rewards: list[float]
    scores: list[float]
    extra_logs: dict[str, list[float]]
    batch: BatchRewards


def _number(value: float | None) -> float:
    return 0.0 if value is None else float(value)


def openrlhf_rewards(evaluator: SpecEvaluator, queries: list[str], prompts: list[str] | None = None,
                     labels: list[Any] | None = None) -> OpenRLHFRewards:  # fmt: skip
    """Score OpenRLHF's ``queries`` (prompt + response) with ``labels`` as the references."""
    n = len(queries)
    prompts = list(prompts) if prompts is not None else [""] * n
    labels = list(labels) if labels is not None else [None] * n
    for name, values in (("prompts", prompts), ("labels", labels)):
        if len(values) != n:
            raise RewardInputError(f"{name!r} has {len(values)} values for {n} queries")
    if n == 0:
        result = BatchRewards({name: [] for name in evaluator.spec.names}, [])
    else:
        completions = [response_text(query, prompt) for query, prompt in zip(queries, prompts, strict=True)]
        batch = RewardBatch(completions, [prompt or "" for prompt in prompts], columns={"answer": labels})
        result = evaluator.evaluate(batch)
    rewards = [_number(total) for total in result.totals]
    logs = {name: [_number(value) for value in values] for name, values in result.components.items()}
    logs["applicable"] = [float(total is not None) for total in result.totals]
    return OpenRLHFRewards(rewards, list(rewards), logs, result)


def reward_func(queries: list[str], prompts: list[str], labels: list[Any]) -> dict[str, Any]:
    """OpenRLHF's reward function signature; returns tensors as OpenRLHF expects."""
    import torch

    result = openrlhf_rewards(shared_evaluator(spec_from_environment()), queries, prompts, labels)
    rewards = torch.tensor(result.rewards, dtype=torch.float32)
    logs = {name: torch.tensor(values, dtype=torch.float32) for name, values in result.extra_logs.items()}
    return {"rewards": rewards, "scores": rewards.clone(), "extra_logs": logs}
