"""Scoring generations with the task's reward spec, through :mod:`rewards.compose` (the one scoring path).

A row is *right* when the spec's first verifier component passed (the answer-bearing one: math,
code, choice); the weighted total is kept beside it. Each (row, sample) becomes one record.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tasks.base import VERIFIER_COLUMNS

__all__ = ["ScoredSamples", "UNDETERMINED_SPEC", "domain_of", "score_samples"]

# Variants whose needed number was removed (critical_thinking) expect "cannot be determined".
UNDETERMINED_SPEC: dict[str, Any] = {"components": [{"name": "exact", "verifier": "exact"}]}


@dataclass
class ScoredSamples:
    """One record per (row, sample), and the seconds the verifiers took."""

    records: list[dict[str, Any]]
    seconds: float


def domain_of(task: str, row: dict[str, Any]) -> str:
    """The finer domain of a row for the generalization matrix: ``math/Algebra``, ``synthetic/fraction``."""
    group = row.get("subject") or row.get("kind")
    return f"{task}/{group}" if group else task


def _answer_key(verdict: Any) -> str | None:
    """The normalised final answer a verdict read (for majority voting); None when it read none."""
    if verdict is None or verdict.status != "ok":
        return None
    details = verdict.details
    value = details.get("normalized_answer", details.get("extracted"))
    return None if value is None else str(value)


def _batch(rows: list[dict[str, Any]], completions: list[str], tokens: list[int | None]) -> Any:
    from rewards.compose import RewardBatch

    keys = [key for key in ("answer", *VERIFIER_COLUMNS) if key in rows[0]]
    columns = {key: [row.get(key) for row in rows] for key in keys}
    counts = None if any(count is None for count in tokens) else tokens
    return RewardBatch(completions, [str(row["question"]) for row in rows], columns, counts)


def _spec_for(task: Any, row: dict[str, Any]) -> Any:
    from rewards.spec import RewardSpec
    from tasks.augment import UNDETERMINED

    return RewardSpec.from_dict(UNDETERMINED_SPEC) if row.get("answer") == UNDETERMINED else task.spec()


def _score_group(spec: Any, rows: list[dict[str, Any]], texts: list[str], counts: list[int | None]) -> list[tuple]:
    from rewards.compose import SpecEvaluator

    evaluator = SpecEvaluator(spec)
    try:
        batch = _batch(rows, texts, counts)
        rewards = evaluator.evaluate(batch)
        name = next(c.name for c in spec.components if c.verifier is not None)
        result = evaluator.component_result(name, batch)
    finally:
        evaluator.close()
    return list(zip(result.passed, result.verdicts, rewards.totals, strict=True))


def score_samples(
    task_name: str, task: Any, rows: list[dict[str, Any]], completions: list[list[str]], tokens: list[list[int | None]],
    progress: Callable[[int], None] | None = None,
) -> ScoredSamples:
    """Score every sample of every row with the task's spec; ``completions[i]`` are the samples of ``rows[i]``."""
    from verifiers.coherence.steps import segment_steps

    flat = [(i, j) for i, samples in enumerate(completions) for j in range(len(samples))]
    by_spec: dict[str, list[tuple[int, int]]] = {}
    for i, j in flat:
        by_spec.setdefault(_spec_for(task, rows[i]).model_dump_json(), []).append((i, j))
    results: dict[tuple[int, int], tuple] = {}
    started = time.perf_counter()
    for pairs in by_spec.values():
        spec = _spec_for(task, rows[pairs[0][0]])
        scored = _score_group(spec, [rows[i] for i, _ in pairs], [completions[i][j] for i, j in pairs],
                              [tokens[i][j] for i, j in pairs])
        results.update(zip(pairs, scored, strict=True))
        if progress is not None:
            progress(len(pairs))
    seconds = time.perf_counter() - started
    records = []
    for i, j in flat:
        passed, verdict, total = results[(i, j)]
        row = rows[i]
        records.append({
            "task": task_name, "id": str(row["id"]), "source_id": str(row.get("source_id") or row["id"]),
            "perturbation": row.get("perturbation"), "domain": domain_of(task_name, row), "sample": j,
            "completion": completions[i][j], "tokens": tokens[i][j], "passed": passed is True,
            "status": verdict.status if verdict is not None else "ok", "answer_key": _answer_key(verdict),
            "total": total, "steps": len(segment_steps(completions[i][j]).steps),
        })
    return ScoredSamples(records, seconds)
