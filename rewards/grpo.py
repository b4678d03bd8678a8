"""GRPO and RLOO adapter: one TRL reward function per spec component.

``GRPOTrainer(reward_funcs=funcs, args=GRPOConfig(reward_weights=weights, ...))`` with
``funcs, weights = get_reward_funcs(spec)``: TRL logs ``rewards/<component>/mean`` for each,
and sums the weighted rewards over the components that are not ``None``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from rewards.compose import RewardBatch, shared_evaluator
from rewards.spec import RewardSpec
from verifiers.base import Status, Verdict

__all__ = [
    "ComponentReward",
    "RewardFuncs",
    "TrlRewards",
    "completion_text",
    "get_reward_funcs",
    "prompt_text",
    "status_shares",
    "trl_rewards",
]

# Keyword arguments TRL adds for reward functions that are not dataset columns.
_TRL_EXTRAS = frozenset({"trainer_state", "log_extra", "log_metric", "environments", "completion_ids"})


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}, ...]
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return "" if content is None else str(content)


def completion_text(completion: Any) -> str:
    """A completion as plain text: a string as is, a conversation as its assistant messages.

    Example:
        >>> completion_text([{"role": "assistant", "content": "<think>hi</think> 4"}])
        '<think>hi</think> 4'
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):
        messages = [m for m in completion if isinstance(m, dict) and m.get("role", "assistant") == "assistant"]
        return "\n".join(_content_text(m.get("content")) for m in messages)
    raise TypeError(f"a completion is a string or a list of messages, got {type(completion).__name__}")


def prompt_text(prompt: Any) -> str:
    """A prompt as plain text: a string as is, a conversation as its last user message.

    Example:
        >>> prompt_text([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"}])
        '2+2?'
    """
    if prompt is None or isinstance(prompt, str):
        return prompt or ""
    if isinstance(prompt, list):
        users = [m for m in prompt if isinstance(m, dict) and m.get("role") == "user"]
        return _content_text(users[-1].get("content")) if users else ""
    raise TypeError(f"a prompt is a string or a list of messages, got {type(prompt).__name__}")


def trl_batch(prompts: list[Any] | None, completions: list[Any], kwargs: dict[str, Any]) -> RewardBatch:
    """The :class:`RewardBatch` for one TRL reward call (dataset columns come in ``kwargs``)."""
    n = len(completions)
    columns = {
        key: list(values)
        for key, values in kwargs.items()
        if key not in _TRL_EXTRAS and isinstance(values, list | tuple) and len(values) == n
    }
    completion_ids = kwargs.get("completion_ids")
    return RewardBatch(
        completions=[completion_text(c) for c in completions],
        prompts=None if prompts is None else [prompt_text(p) for p in prompts],
        columns=columns,
        token_counts=None if completion_ids is None else [len(ids) for ids in completion_ids],
    )


def status_shares(verdicts: list[Verdict | None]) -> dict[str, float]:
    """The share of each verdict status among the judged rows (rows behind a closed gate left out).

    Example:
        >>> status_shares([Verdict(score=1.0), Verdict.error("worker crashed"), None])
        {'ok': 0.5, 'unparseable': 0.0, 'timeout': 0.0, 'error': 0.5}
    """
    judged = [verdict.status for verdict in verdicts if verdict is not None]
    return {status: judged.count(status) / len(judged) if judged else 0.0 for status in get_args(Status)}


class ComponentReward:
    """A TRL reward function for one component; picklable, thread-safe, named after the component.

    The verifiers are built on first call in each process (a worker gets its own), so the
    function can be pickled to DataLoader or multiprocessing workers.
    """

    def __init__(self, spec: RewardSpec, component: str):
        spec.component(component)  # fail now on an unknown name
        self._spec_data = spec.to_dict()
        self._spec: RewardSpec | None = spec
        self.component = component
        self.__name__ = self.__qualname__ = component
        self._lock = threading.Lock()

    def __call__(self, prompts: list[Any] | None = None, completions: list[Any] | None = None, **kwargs: Any):
        """TRL's reward signature: ``prompts``, ``completions`` and the dataset columns as keywords."""
        if completions is None:
            raise TypeError(f"reward function {self.__name__!r} needs completions=")
        batch = trl_batch(prompts, completions, kwargs)
        result = shared_evaluator(self.spec).component_result(self.component, batch)
        log_metric = kwargs.get("log_metric")
        if callable(log_metric) and self.spec.component(self.component).verifier is not None:
            for name, share in status_shares(result.verdicts).items():
                log_metric(f"verdicts/{self.component}/{name}", share)
        return list(result.scores)

    @property
    def spec(self) -> RewardSpec:
        with self._lock:
            if self._spec is None:
                self._spec = RewardSpec.from_dict(self._spec_data)
            return self._spec

    def __getstate__(self) -> dict[str, Any]:
        return {"spec_data": self._spec_data, "component": self.component}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._spec_data, self.component = state["spec_data"], state["component"]
        self._spec = None
        self.__name__ = self.__qualname__ = self.component
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ComponentReward({self.component!r})"


_MISUSE = (
    "get_reward_funcs(spec) returns (funcs, weights), not reward functions: unpack it and pass "
    "reward_funcs=funcs to the trainer and reward_weights=weights to its config, or use "
    "rewards.trl_rewards(spec), whose .reward_funcs and .reward_weights are those two"
)


class RewardFuncs(tuple):
    """``(funcs, weights)``; passed whole where reward functions belong, it fails at once with the fix."""

    @property
    def __name__(self) -> str:  # TRL reads a reward function's name when the trainer is built
        raise TypeError(_MISUSE)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(_MISUSE)


def get_reward_funcs(spec: RewardSpec) -> RewardFuncs:
    """One TRL reward function per component, and the weights for ``reward_weights``.

    Args:
        spec: the reward spec.

    Returns:
        ``(funcs, weights)``: pass ``funcs`` as ``reward_funcs`` and ``weights`` as the config's
        ``reward_weights`` of ``GRPOTrainer`` or ``RLOOTrainer``. Without the weights TRL weighs every
        component 1.0; :func:`trl_rewards` keeps the two together.

    Example:
        >>> spec = RewardSpec.from_dict({"components": [
        ...     {"name": "exact", "verifier": "exact"}, {"name": "format", "shaping": "format", "weight": 0.2}]})
        >>> funcs, weights = get_reward_funcs(spec)
        >>> [f.__name__ for f in funcs], weights
        (['exact', 'format'], [1.0, 0.2])
        >>> funcs[0](prompts=["2+2?", "3+3?"], completions=["4", "7"], answer=["4", None])
        [1.0, None]
    """
    return RewardFuncs(([ComponentReward(spec, name) for name in spec.names], spec.weights))


@dataclass(frozen=True)
class TrlRewards:
    """What a TRL GRPO/RLOO run needs from a spec: ``reward_funcs`` for the trainer, ``reward_weights`` for its config.

    Example:
        >>> rewards = trl_rewards(RewardSpec.default())
        >>> [f.__name__ for f in rewards.reward_funcs], rewards.config_kwargs()
        (['math', 'format'], {'reward_weights': [1.0, 0.2]})
    """

    reward_funcs: list[ComponentReward]
    reward_weights: list[float]

    def config_kwargs(self) -> dict[str, list[float]]:
        """Keyword arguments for ``GRPOConfig``/``RLOOConfig``: ``GRPOConfig(..., **rewards.config_kwargs())``."""
        return {"reward_weights": list(self.reward_weights)}

    @property
    def __name__(self) -> str:  # passed whole as reward_funcs: fail when the trainer is built
        raise TypeError("pass rewards.reward_funcs to the trainer and rewards.config_kwargs() to its config, "
                        "not the TrlRewards object itself")


def trl_rewards(spec: RewardSpec | str | Path) -> TrlRewards:
    """The reward functions and weights of ``spec`` (a :class:`RewardSpec` or a YAML/JSON file), together."""
    if not isinstance(spec, RewardSpec):
        spec = RewardSpec.from_yaml(spec)
    funcs, weights = get_reward_funcs(spec)
    return TrlRewards(funcs, weights)
