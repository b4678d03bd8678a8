"""Rewards: verifiers composed into reward functions, TRL adapters and offline scoring."""

from __future__ import annotations

import importlib
from typing import Any

# Public names and the module that defines each; loaded on first use so that `rlvr plugins`
# stays fast and torch loads only with the PPO adapter.
_EXPORTS = {
    "RewardSpec": "rewards.spec",
    "RewardSpecError": "rewards.spec",
    "RewardBatch": "rewards.compose",
    "BatchRewards": "rewards.compose",
    "RewardInputError": "rewards.compose",
    "SpecEvaluator": "rewards.compose",
    "evaluate_spec": "rewards.compose",
    "get_reward_funcs": "rewards.grpo",
    "trl_rewards": "rewards.grpo",
    "TrlRewards": "rewards.grpo",
    "VerifierRewardModel": "rewards.ppo",
    "add_reward_logging": "rewards.ppo",
}

__all__: list[str] = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'rewards' has no attribute {name!r}")
