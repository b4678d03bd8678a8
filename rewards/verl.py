"""verl's reward contract, in-process: ``compute_score(data_source, solution_str, ground_truth, extra_info)``.

In verl's config: ``custom_reward_function.path=<this file>`` and ``custom_reward_function.name=compute_score``;
the spec comes from ``RLVR_REWARD_SPEC`` (the default spec if unset). ``ground_truth`` is the
reference (the ``answer`` column); the items of ``extra_info`` are the row's other columns.
"""

from __future__ import annotations

from typing import Any

from rewards.compose import RewardBatch, shared_evaluator
from rewards.openrlhf import spec_from_environment

__all__ = ["compute_score"]


def compute_score(data_source: str, solution_str: str, ground_truth: Any, extra_info: dict[str, Any] | None = None,
                  **kwargs: Any) -> dict[str, float]:  # fmt: skip
    """The total as ``score`` (0.0 where no component applies) and each component (0.0 where n/a).

    verl logs every key of the returned dict; ``applicable`` is 1.0 where the total exists.
    """
    columns: dict[str, list[Any]] = {key: [value] for key, value in (extra_info or {}).items()}
    columns["answer"] = [ground_truth]
    columns.setdefault("data_source", [data_source])
    prompt = columns.pop("prompt", [None])[0]
    batch = RewardBatch([solution_str], None if prompt is None else [str(prompt)], columns=columns)
    result = shared_evaluator(spec_from_environment()).evaluate(batch)
    total = result.totals[0]
    scores = {name: 0.0 if values[0] is None else float(values[0]) for name, values in result.components.items()}
    return {"score": 0.0 if total is None else float(total), **scores, "applicable": float(total is not None)}
