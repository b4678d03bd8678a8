"""Numbers from scored samples: accuracy (pass@k, maj@k) per task and domain, and efficiency.

Accuracy counts the original rows only; their augmented variants feed :mod:`evaluation.robustness`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from evaluation.metrics import maj_at_k, pass_at_k, wilson_interval

__all__ = ["accuracy", "efficiency", "k_values", "problems", "summarize"]

Record = dict[str, Any]


def k_values(n: int) -> list[int]:
    """The k of pass@k and maj@k reported for ``n`` samples per problem: powers of two up to n, and n."""
    ks = [k for k in (1, 2, 4, 8, 16, 32, 64, 128) if k <= n]
    return ks if n in ks else [*ks, n]


def problems(records: list[Record]) -> dict[tuple[str, str], list[Record]]:
    """The records of each row, by (task, id), samples in order."""
    grouped: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for record in records:
        grouped[(record["task"], record["id"])].append(record)
    return {key: sorted(samples, key=lambda r: r["sample"]) for key, samples in grouped.items()}


def accuracy(records: list[Record]) -> dict[str, Any]:
    """pass@1 with a Wilson interval over problems, unbiased pass@k and maj@k for each reported k."""
    grouped = problems(records)
    if not grouped:
        return {"problems": 0, "samples": 0}
    n = min(len(samples) for samples in grouped.values())
    rates = [sum(r["passed"] for r in samples) / len(samples) for samples in grouped.values()]
    pass1 = sum(rates) / len(rates)
    interval = wilson_interval(round(pass1 * len(rates)), len(rates))
    result: dict[str, Any] = {
        "problems": len(grouped), "samples": sum(len(s) for s in grouped.values()), "n": n,
        "pass@1": pass1, "interval": {"low": interval.low, "high": interval.high},
    }
    for k in k_values(n):
        result[f"pass@{k}"] = sum(pass_at_k(len(s), sum(r["passed"] for r in s), k) for s in grouped.values()) / len(
            grouped)
        if any(r["answer_key"] is not None for s in grouped.values() for r in s):
            votes = [maj_at_k([r["answer_key"] for r in s], [r["passed"] for r in s], k) for s in grouped.values()]
            result[f"maj@{k}"] = sum(votes) / len(votes)
    result["pass@1"] = pass1
    return result


def efficiency(records: list[Record], generation_seconds: float | None, scoring_seconds: float) -> dict[str, Any]:
    """Problems/s and samples/s of generation, tokens and reasoning steps per answer, verifier time per sample."""
    n_problems, n_samples = len(problems(records)), len(records)
    tokens = [r["tokens"] for r in records if r["tokens"] is not None]
    result: dict[str, Any] = {
        "problems": n_problems, "samples": n_samples,
        "tokens_per_answer": sum(tokens) / len(tokens) if tokens else None,
        "steps_per_answer": sum(r["steps"] for r in records) / n_samples if n_samples else None,
        "verifier_seconds": scoring_seconds,
        "verifier_ms_per_sample": 1000 * scoring_seconds / n_samples if n_samples else None,
        "generation_seconds": generation_seconds,
    }
    if generation_seconds:
        result["problems_per_second"] = n_problems / generation_seconds
        result["samples_per_second"] = n_samples / generation_seconds
        result["tokens_per_second"] = sum(tokens) / generation_seconds if tokens else None
    return result


def summarize(records: list[Record]) -> dict[str, Any]:
    """Accuracy per task and per domain (originals only), and the per-domain matrix row of this run."""
    originals = [r for r in records if not r["perturbation"]]
    tasks = sorted({r["task"] for r in originals})
    domains = sorted({r["domain"] for r in originals})
    return {
        "tasks": {task: accuracy([r for r in originals if r["task"] == task]) for task in tasks},
        "domains": {domain: accuracy([r for r in originals if r["domain"] == domain]) for domain in domains},
    }
