"""lm-evaluation-harness hooks for the rlvr task pack: documents from rlvr's task loaders, prompts from the
task, and ``process_results`` scored by rlvr's reward spec (the same code as ``rlvr eval``).

lm-eval loads this file from ``--include_path``; rlvr must be importable in that environment.
Give a task's data with ``--metadata '{"data": "FILE"}'`` (tasks with packaged data need none).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "commonsenseqa_docs", "commonsenseqa_prompt", "commonsenseqa_results",
    "gsm8k_docs", "gsm8k_prompt", "gsm8k_results",
    "math_docs", "math_prompt", "math_results",
    "physics_docs", "physics_prompt", "physics_results",
    "synthetic_docs", "synthetic_prompt", "synthetic_results",
]


def _task(name: str) -> Any:
    from plugins.tasks import get_task

    return get_task(name)


def _hooks(name: str) -> tuple[Callable[..., Any], Callable[[dict], str], Callable[[dict, list], dict]]:
    """The three lm-eval hooks of rlvr task ``name``: documents, prompt, results."""

    def docs(data: str | None = None, split: str | None = None, **_: Any) -> Any:
        """The task's source rows (unchanged, so a samples file can be rescored) as a ``test`` split."""
        from datasets import Dataset, DatasetDict

        task = _task(name)
        rows = task.read(data, split)
        task.check_columns(rows[0], data)
        return DatasetDict({"test": Dataset.from_list(rows)})

    def prompt(doc: dict) -> str:
        task = _task(name)
        return task.prompt(task.to_row(doc, 0), chat=False)

    def results(doc: dict, responses: list) -> dict:
        from evaluation.scoring import score_samples

        task = _task(name)
        text = responses[0] if isinstance(responses[0], str) else responses[0][0]
        record = score_samples(name, task, [task.to_row(doc, 0)], [[text]], [[None]]).records[0]
        return {"acc": float(record["passed"])}

    return docs, prompt, results


gsm8k_docs, gsm8k_prompt, gsm8k_results = _hooks("gsm8k")
math_docs, math_prompt, math_results = _hooks("math")
commonsenseqa_docs, commonsenseqa_prompt, commonsenseqa_results = _hooks("commonsenseqa")
synthetic_docs, synthetic_prompt, synthetic_results = _hooks("synthetic")
physics_docs, physics_prompt, physics_results = _hooks("physics")
