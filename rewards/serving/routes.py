"""The reward routes: native ``/v1/verify`` and ``/v1/reward``, and OpenRLHF's ``/get_reward``.

Every total comes from :class:`rewards.compose.SpecEvaluator`, the one place a reward total is
computed, so the server answers the numbers ``rlvr score`` writes and TRL trains on.
"""

from __future__ import annotations

from rewards.compose import BatchRewards, RewardBatch, SpecEvaluator
from rewards.grpo import completion_text, prompt_text
from rewards.openrlhf import openrlhf_rewards
from rewards.scoring.job import DEFAULT_COLUMNS
from rewards.scoring.run import row_batch
from rewards.serving.models import (
    GetRewardRequest,
    GetRewardResponse,
    RewardRequest,
    RewardResponse,
    RowResult,
    VerifyRequest,
    VerifyResponse,
)

__all__ = ["get_reward", "reward", "verify"]


def verify(evaluator: SpecEvaluator, request: VerifyRequest) -> tuple[VerifyResponse, BatchRewards]:
    """Rows as ``rlvr score`` reads them (``answer`` is the reference) -> totals, components, verdicts."""
    rows = [row.model_dump() for row in request.rows]
    for row in rows:
        if row["prompt"] is None:
            del row["prompt"]
    result = evaluator.evaluate(row_batch(rows, DEFAULT_COLUMNS)) if rows else BatchRewards({}, [])
    results = [
        RowResult(
            total=result.totals[index],
            components={name: values[index] for name, values in result.components.items()},
            verdicts={name: values[index] for name, values in result.verdicts.items()},
        )
        for index in range(len(rows))
    ]
    return VerifyResponse(results=results), result


def reward(evaluator: SpecEvaluator, request: RewardRequest) -> tuple[RewardResponse, BatchRewards]:
    """TRL's arguments -> one list of unweighted scores per component, the weights and the totals."""
    batch = RewardBatch(
        completions=[completion_text(c) for c in request.completions],
        prompts=None if request.prompts is None else [prompt_text(p) for p in request.prompts],
        columns=dict(request.columns),
        token_counts=request.token_counts,
    )
    result = evaluator.evaluate(batch)
    weights = dict(zip(evaluator.spec.names, evaluator.spec.weights, strict=True))
    return RewardResponse(rewards=result.components, weights=weights, totals=result.totals), result


def get_reward(evaluator: SpecEvaluator, request: GetRewardRequest) -> tuple[GetRewardResponse, BatchRewards]:
    """OpenRLHF's remote reward, as :func:`rewards.openrlhf.openrlhf_rewards` computes it in-process."""
    result = openrlhf_rewards(evaluator, request.query, request.prompts, request.labels)
    response = GetRewardResponse(rewards=result.rewards, scores=result.scores, extra_logs=result.extra_logs)
    return response, result.batch
