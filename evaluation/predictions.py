"""Generations made elsewhere: rlvr JSONL (``id`` + ``completion``/``completions``) or lm-evaluation-harness
``--log_samples`` files (``doc_id``, ``doc``, ``resps``), turned into rows and samples to score.

The file is checked completely before anything is scored: a row without the needed fields fails
with one line naming the file, the line and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlvr.errors import InputFileError

__all__ = ["Predictions", "is_lm_eval_samples", "read_predictions"]


@dataclass
class Predictions:
    """Rows of one task and, aligned with them, each row's samples and their token counts (None: unknown)."""

    rows: list[dict[str, Any]]
    completions: list[list[str]]
    tokens: list[list[int | None]]
    source: str


def is_lm_eval_samples(row: dict[str, Any]) -> bool:
    return {"doc_id", "doc", "resps"} <= set(row)


def _read_lines(path: Path) -> list[dict[str, Any]]:
    from tasks.loader import read_rows

    if not path.is_file():
        raise InputFileError(f"predictions file {path} does not exist")
    rows = read_rows(path)
    if not rows:
        raise InputFileError(f"predictions file {path} has no rows")
    return rows


def _lm_eval(path: Path, raw: list[dict[str, Any]], task: Any) -> Predictions:
    seen: dict[int, tuple[dict[str, Any], list[str]]] = {}
    for number, line in enumerate(raw, start=1):
        if not is_lm_eval_samples(line):
            raise InputFileError(f"{path}: line {number} is not an lm-eval sample (needs doc_id, doc and resps)")
        responses = line["resps"][0] if line["resps"] else None
        if not isinstance(responses, list) or not all(isinstance(text, str) for text in responses):
            raise InputFileError(f"{path}: line {number}: resps is not a generate_until response list")
        seen.setdefault(int(line["doc_id"]), (line["doc"], responses))  # one line per filter: the raw resps match
    task.check_columns(next(iter(seen.values()))[0], path)
    rows = [task.to_row(doc, doc_id) for doc_id, (doc, _) in sorted(seen.items())]
    completions = [texts for _, (_, texts) in sorted(seen.items())]
    return Predictions(rows, completions, [[None] * len(texts) for texts in completions], "lm-eval")


def _samples(path: Path, number: int, line: dict[str, Any]) -> list[str]:
    if "completions" in line:
        texts = line["completions"]
    elif "completion" in line:
        texts = [line["completion"]]
    else:
        raise InputFileError(f"{path}: line {number} has no 'completion' or 'completions' field "
                             f"(its fields: {', '.join(sorted(line))})")
    if not isinstance(texts, list) or not texts or not all(isinstance(text, str) for text in texts):
        raise InputFileError(f"{path}: line {number}: completions must be text (a string or a list of strings)")
    return texts


def _rlvr(path: Path, raw: list[dict[str, Any]], task_name: str, rows: list[dict[str, Any]]) -> Predictions:
    by_id = {str(row["id"]): row for row in rows}
    samples: dict[str, list[tuple[int, str, int | None]]] = {}
    for number, line in enumerate(raw, start=1):
        if "id" not in line:
            raise InputFileError(f"{path}: line {number} has no 'id' field (its fields: {', '.join(sorted(line))})")
        if line.get("task", task_name) != task_name:
            continue
        key = str(line["id"])
        if key not in by_id:
            raise InputFileError(f"{path}: line {number}: id {key!r} is not a row of task {task_name!r}'s data")
        for offset, text in enumerate(_samples(path, number, line)):
            samples.setdefault(key, []).append((int(line.get("sample", offset)), text, line.get("tokens")))
    if not samples:
        raise InputFileError(f"{path}: no predictions for task {task_name!r}")
    ordered = [(by_id[key], sorted(found)) for key, found in samples.items()]
    return Predictions([row for row, _ in ordered], [[t for _, t, _ in found] for _, found in ordered],
                       [[c for _, _, c in found] for _, found in ordered], "rlvr")


def read_predictions(path: str | Path, task_name: str, task: Any, rows: list[dict[str, Any]] | None) -> Predictions:
    """The predictions of ``task_name`` in ``path``; rlvr files are matched by id to ``rows`` (the task's data)."""
    path = Path(path)
    raw = _read_lines(path)
    if is_lm_eval_samples(raw[0]):
        return _lm_eval(path, raw, task)
    if rows is None:
        raise InputFileError(f"{path} is an rlvr predictions file: give the task's data (--task NAME=FILE or --data)")
    return _rlvr(path, raw, task_name, rows)
