"""PPO adapter: a stand-in reward model that TRL's ``trl.experimental.ppo.PPOTrainer`` scores through.

PPOTrainer scores a batch with ``get_reward(model, query_responses, pad_token_id, context_length)``:
it calls ``getattr(model, model.base_model_prefix)`` (the backbone) with the left-padded
``input_ids`` (pads replaced by 0) and an ``attention_mask``, passes ``hidden_states[-1]``
through ``model.score`` and reads the value at each row's last response token. Our backbone
decodes each row, finds the dataset row whose prompt tokens start it, runs the spec, and
returns the total reward at every position, so whichever position TRL reads holds it.

This module imports torch and transformers; import it only where PPO is used.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn
from transformers import TrainerCallback

from rewards.compose import BatchRewards, RewardBatch, RewardInputError, SpecEvaluator
from rewards.grpo import prompt_text
from rewards.spec import RewardSpec

__all__ = ["RewardLoggingCallback", "VerifierRewardModel", "add_reward_logging"]

_TOKEN_COLUMNS = ("input_ids", "attention_mask")


def _columns_of(datasets: Sequence[Any]) -> tuple[list[list[int]], dict[str, list[Any]]]:
    """Prompt token ids and every other column of one or more datasets (Dataset or list of dicts)."""
    rows = [dict(row) for dataset in datasets if dataset is not None for row in dataset]
    if not rows or any("input_ids" not in row for row in rows):
        raise RewardInputError("the PPO reward model needs the tokenized dataset: rows with an 'input_ids' column")
    names = sorted({key for row in rows for key in row if key not in _TOKEN_COLUMNS})
    return [list(row["input_ids"]) for row in rows], {name: [row.get(name) for row in rows] for name in names}


class _VerifierBackbone(nn.Module):
    """Decodes rows, looks up their dataset rows, and scores them with the spec."""

    def __init__(self, spec: RewardSpec, tokenizer: Any, datasets: Sequence[Any], missing_reward: float):
        super().__init__()
        if tokenizer.pad_token_id is None:
            raise ValueError("the tokenizer needs a pad token (PPOTrainer pads with it)")
        self.spec, self.tokenizer, self.missing_reward = spec, tokenizer, float(missing_reward)
        self.evaluator = SpecEvaluator(spec)
        prompt_ids, self.columns = _columns_of(datasets)
        self.index = self._index(prompt_ids, tokenizer.pad_token_id)
        self.lengths = sorted({len(key) for key in self.index}, reverse=True)
        self.history: list[BatchRewards] = []

    def _index(self, prompt_ids: list[list[int]], pad: int) -> dict[tuple[int, ...], int]:
        """Prompt tokens (pads dropped, as TRL's attention mask drops them) -> the first row with them."""
        index: dict[tuple[int, ...], int] = {}
        conflicts = 0
        for row, ids in enumerate(prompt_ids):
            first = index.setdefault(tuple(t for t in ids if t != pad), row)
            conflicts += first != row and any(values[first] != values[row] for values in self.columns.values())
        if conflicts:
            warnings.warn(
                f"{conflicts} dataset rows repeat an earlier row's prompt with other column values; "
                "the PPO reward model scores each prompt against its first row",
                stacklevel=4,
            )
        return index

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None, **_: Any) -> Any:
        from transformers.modeling_outputs import BaseModelOutput

        mask = attention_mask.bool() if attention_mask is not None else input_ids != self.tokenizer.pad_token_id
        batch = self.batch(input_ids, mask)
        result = self.evaluator.evaluate(batch)
        self.history.append(result)
        totals = [self.missing_reward if total is None else total for total in result.totals]
        rewards = torch.tensor(totals, dtype=torch.float32, device=input_ids.device)
        hidden = rewards[:, None, None].expand(input_ids.shape[0], input_ids.shape[1], 1)
        return BaseModelOutput(last_hidden_state=hidden, hidden_states=(hidden,))

    def batch(self, input_ids: torch.Tensor, mask: torch.Tensor) -> RewardBatch:
        """Split each row into its dataset prompt and the completion, and gather the row's columns."""
        ids, keep = input_ids.tolist(), mask.tolist()
        located = self.locate(ids, keep)
        completion_ids = [
            [t for t, k in zip(ids[i][end:], keep[i][end:], strict=True) if k] for i, (_, end) in enumerate(located)
        ]
        rows = [row for row, _ in located]
        columns = {name: [values[row] for row in rows] for name, values in self.columns.items() if name != "prompt"}
        if "prompt" in self.columns:
            prompts = [prompt_text(self.columns["prompt"][row]) for row in rows]
        else:
            prompt_ids = [
                [t for t, k in zip(ids[i][:end], keep[i][:end], strict=True) if k] for i, (_, end) in enumerate(located)
            ]
            prompts = self.tokenizer.batch_decode(prompt_ids, skip_special_tokens=True)
        return RewardBatch(
            completions=self.tokenizer.batch_decode(completion_ids, skip_special_tokens=True),
            prompts=prompts,
            columns=columns,
            token_counts=[len(c) for c in completion_ids],
        )

    def locate(self, ids: list[list[int]], keep: list[list[bool]]) -> list[tuple[int, int]]:
        """(dataset row, column where the prompt ends) for each row.

        Every prompt of a PPO batch ends at the same column (queries are left-padded to one
        width), so among the prompts a row starts with, the one ending at the column all rows
        share wins; this keeps a prompt that is a prefix of another from being mistaken.
        """
        candidates = []
        for row_ids, row_keep in zip(ids, keep, strict=True):
            positions = [p for p, k in enumerate(row_keep) if k]
            real = [row_ids[p] for p in positions]
            found = {}
            for length in self.lengths:
                row = self.index.get(tuple(real[:length])) if length <= len(real) else None
                if row is not None:
                    found[positions[length - 1] + 1] = row
            if not found:
                text = self.tokenizer.decode(real[:60], skip_special_tokens=False)
                raise RewardInputError(f"no dataset row's prompt starts this sequence: {text!r}...")
            candidates.append(found)
        shared = set.intersection(*(set(found) for found in candidates))
        return [(found[max(shared or found)], max(shared or found)) for found in candidates]


class VerifierRewardModel(nn.Module):
    """A reward "model" for ``PPOTrainer``: it scores completions with a reward spec's verifiers.

    Args:
        spec: the reward spec.
        tokenizer: the policy's tokenizer (decodes prompts and completions).
        dataset: the tokenized train dataset (``input_ids`` plus the reference columns).
        eval_dataset: the eval dataset too, if PPOTrainer samples from one.
        missing_reward: the reward where no component applies (PPO needs a number there);
            such rows are counted in the log as ``rewards/none_total_frac``.

    Example:
        >>> import torch
        >>> from tests.tiny_models import build_char_tokenizer
        >>> tok = build_char_tokenizer()
        >>> spec = RewardSpec.from_dict({"components": [{"name": "exact", "verifier": "exact"}]})
        >>> model = VerifierRewardModel(spec, tok, [{"input_ids": tok("2+2=")["input_ids"], "answer": "4"}])
        >>> ids = torch.tensor([tok("2+2=4")["input_ids"], tok("2+2=5")["input_ids"]])
        >>> model(ids).tolist()
        [1.0, 0.0]
        >>> model.pop_metrics()
        {'rewards/exact/mean': 0.5, 'rewards/exact/std': 0.5, 'rewards/total/mean': 0.5, 'rewards/none_total_frac': 0.0}
    """

    base_model_prefix = "backbone"

    def __init__(
        self,
        spec: RewardSpec,
        tokenizer: Any,
        dataset: Any,
        eval_dataset: Any = None,
        missing_reward: float = 0.0,
    ):
        super().__init__()
        self.backbone = _VerifierBackbone(spec, tokenizer, [dataset, eval_dataset], missing_reward)
        self.score = nn.Identity()

    @property
    def spec(self) -> RewardSpec:
        return self.backbone.spec

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None, **_: Any) -> torch.Tensor:
        """The reward of each (prompt + completion) row of ``input_ids``, shape ``(batch,)``."""
        output = self.backbone(input_ids=input_ids, attention_mask=attention_mask)
        return self.score(output.hidden_states[-1])[:, -1, 0]

    def pop_metrics(self) -> dict[str, float]:
        """Per-component means and standard deviations since the last call, named as GRPO logs them."""
        history, self.backbone.history = self.backbone.history, []
        if not history:
            return {}
        metrics: dict[str, float] = {}
        for name in [*self.spec.names, "total"]:
            columns = [r.totals if name == "total" else r.components[name] for r in history]
            values = [v for column in columns for v in column if v is not None]
            mean = sum(values) / len(values) if values else math.nan
            metrics[f"rewards/{name}/mean"] = mean
            if name != "total":
                metrics[f"rewards/{name}/std"] = (
                    math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) if values else math.nan
                )
        totals = [total for r in history for total in r.totals]
        metrics["rewards/none_total_frac"] = sum(total is None for total in totals) / len(totals)
        return metrics

    def logging_callback(self) -> RewardLoggingCallback:
        """A callback that adds :meth:`pop_metrics` to each of the trainer's log records."""
        return RewardLoggingCallback(self)

    def close(self) -> None:
        """Release the verifiers' workers."""
        self.backbone.evaluator.close()


class RewardLoggingCallback(TrainerCallback):
    """Adds the reward model's per-component means to every log record (and ``state.log_history``)."""

    def __init__(self, reward_model: VerifierRewardModel):
        self.reward_model = reward_model

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **kwargs: Any):
        metrics = self.reward_model.pop_metrics()
        if not metrics or logs is None:
            return
        logs.update(metrics)
        if state.log_history and state.log_history[-1].get("step") == state.global_step:
            state.log_history[-1].update(metrics)


def add_reward_logging(trainer: Any, reward_model: VerifierRewardModel) -> RewardLoggingCallback:
    """Put the logging callback first in ``trainer``'s callbacks, so reporters see the means too.

    ``PPOTrainer(callbacks=[...])`` places user callbacks after the ``report_to`` integrations,
    which then log before the means are added; this keeps every reporter in step.
    """
    callback = reward_model.logging_callback()
    trainer.callback_handler.callbacks.insert(0, callback)
    return callback
