"""Offline scoring: every row of a dataset through a reward spec, resumable, in parallel.

Each row is scored by :class:`rewards.compose.SpecEvaluator`, the one place a reward total is
computed, so ``reward`` here is the number TRL gets from ``get_reward_funcs(spec)`` with
``reward_weights``: the weighted **sum** of the components that apply (``None`` when none does).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from rewards.compose import RewardBatch, SpecEvaluator
from rewards.scoring.job import ScoreJob
from rewards.scoring.table_io import InputRow, append_jsonl, read_jsonl, read_rows, recover_jsonl
from rewards.spec import RewardSpec
from rlvr.errors import ScoringError

__all__ = ["RESULT_COLUMNS", "ScoreResult", "score_chunk", "score_rows"]

RESULT_COLUMNS = ("reward", "rewards", "verdicts")


def _fields_for(row: dict[str, Any], columns: dict[str, str]) -> dict[str, Any]:
    """The verifier's view of a row: logical names first, then the row's other columns."""
    mapped = set(columns.values())
    fields = {key: value for key, value in row.items() if key not in mapped}
    fields.update({logical: row[column] for logical, column in columns.items() if column in row})
    return fields


def row_batch(rows: list[dict[str, Any]], columns: dict[str, str]) -> RewardBatch:
    """The :class:`RewardBatch` of dataset rows, with the logical column names (``answer`` is the reference)."""
    views = [_fields_for(row, columns) for row in rows]
    completions = ["" if (text := view.pop("completion", None)) is None else str(text) for view in views]
    keys = sorted({key for view in views for key in view} | {"answer"})
    return RewardBatch(completions, columns={key: [view.get(key) for view in views] for key in keys})


def score_chunk(evaluator: SpecEvaluator, rows: list[dict[str, Any]], columns: dict[str, str]) -> list[dict[str, Any]]:
    """Score rows through the spec and attach ``reward`` (the total), ``rewards`` and ``verdicts``."""
    result = evaluator.evaluate(row_batch(rows, columns))
    scored = []
    for index, row in enumerate(rows):
        verdicts = {name: values[index] for name, values in result.verdicts.items()}
        scored.append({
            **row,
            "reward": result.totals[index],
            "rewards": {name: values[index] for name, values in result.components.items()},
            "verdicts": {name: None if v is None else v.model_dump(mode="json") for name, v in verdicts.items()},
        })
    return scored


# Worker-process state: each worker builds its evaluator (and so its verifiers) once.
_worker_evaluator: list[SpecEvaluator] = []


def _init_worker(spec_data: dict[str, Any]) -> None:
    _worker_evaluator.append(SpecEvaluator(RewardSpec.from_dict(spec_data)))


def _score_in_worker(rows: list[dict[str, Any]], columns: dict[str, str]) -> list[dict[str, Any]]:
    return score_chunk(_worker_evaluator[0], rows, columns)


@dataclass
class ScoreResult:
    """What one run did: rows scored now, rows found done from a previous run, rows skipped."""

    scored: int = 0
    resumed: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0


def _check_row(row: dict[str, Any], job: ScoreJob) -> str | None:
    missing = [job.columns[logical] for logical in sorted(job.required) if job.columns[logical] not in row]
    if missing:
        return f"missing column {missing[0]!r}; the row has: {', '.join(sorted(row)) or 'no columns'}"
    clash = [name for name in RESULT_COLUMNS if name in row]
    if clash:
        return f"the row already has a {clash[0]!r} column, which scoring writes; rename it first"
    return None


def _valid_rows(job: ScoreJob, done: int) -> Iterator[InputRow]:
    """Input rows after the ``done`` already scored; an invalid one comes with its ``error`` set."""
    valid_seen = 0
    for item in read_rows(job.input_path):
        error = item.error or _check_row(item.row, job)
        if error and valid_seen == 0 and item.row is not None:
            raise ScoringError(f"{job.input_path.name} line {item.line}: {error}")
        if error:
            if valid_seen >= done:
                yield InputRow(item.line, None, error)
            continue
        valid_seen += 1
        if valid_seen > done:
            yield item


def _chunks(job: ScoreJob, done: int, result: ScoreResult, skipped_handle: Any) -> Iterator[list[dict[str, Any]]]:
    pending: list[dict[str, Any]] = []
    previous = skipped_path(job.output_path)
    reported = {record["line"] for record in read_jsonl(previous)} if previous.exists() else set()
    for item in _valid_rows(job, done):
        if item.error is not None:
            message = f"line {item.line}: {item.error}"
            if not job.skip_invalid:
                if pending:
                    yield pending
                raise ScoringError(f"{job.input_path.name} {message}; nothing was written for it "
                                   "(fix the line, or pass --skip-invalid to report and skip it)")
            result.skipped.append((item.line, message))
            if item.line not in reported:
                append_jsonl(skipped_handle, [{"line": item.line, "error": message}])
            continue
        pending.append(item.row)
        if len(pending) >= job.chunk_size:
            yield pending
            pending = []
    if pending:
        yield pending


def staging_path(output_path: Path) -> Path:
    """Where rows are appended while scoring: the output itself for JSONL, a sidecar for Parquet."""
    if output_path.suffix == ".parquet":
        return output_path.with_name(output_path.name + ".partial.jsonl")
    return output_path


def skipped_path(output_path: Path) -> Path:
    return output_path.with_name(output_path.name + ".skipped.jsonl")


def _open_outputs(job: ScoreJob) -> tuple[int, Any, Any]:
    stage = staging_path(job.output_path)
    if not job.resume and (stage.exists() or job.output_path.exists()):
        raise ScoringError(f"{job.output_path} exists: pass --resume to continue it, or remove it first")
    if job.resume and job.output_path.exists() and stage != job.output_path:
        raise ScoringError(f"{job.output_path} is already complete; remove it to score again")
    done = recover_jsonl(stage) if job.resume else 0
    recover_jsonl(skipped_path(job.output_path))
    job.output_path.parent.mkdir(parents=True, exist_ok=True)
    return done, stage.open("a", encoding="utf-8"), skipped_path(job.output_path).open("a", encoding="utf-8")


def score_rows(job: ScoreJob, progress: Any = None) -> ScoreResult:
    """Score ``job.input_path`` into ``job.output_path``; rerun with ``resume`` after a crash.

    Rows are written in input order, whole lines at a time, so a kill at any moment leaves
    every finished row on disk once; ``resume`` cuts a torn last line and carries on after
    the rows already there. ``progress(advance)`` is called as rows finish.
    """
    result = ScoreResult()
    started = time.perf_counter()
    done, out_handle, skipped_handle = _open_outputs(job)
    result.resumed = done
    if progress and done:
        progress(done)
    try:
        for scored in _run_chunks(job, _chunks(job, done, result, skipped_handle)):
            append_jsonl(out_handle, scored)
            result.scored += len(scored)
            if progress:
                progress(len(scored))
    finally:
        out_handle.close()
        skipped_handle.close()
        result.seconds = time.perf_counter() - started
    if job.output_path.suffix == ".parquet":
        _finish_parquet(job.output_path)
    return result


def _run_chunks(job: ScoreJob, chunks: Iterator[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
    if job.workers <= 1:
        evaluator = SpecEvaluator(job.spec)
        try:
            for rows in chunks:
                yield score_chunk(evaluator, rows, job.columns)
        finally:
            evaluator.close()
        return
    context = get_context("spawn")
    initargs = (job.spec.to_dict(),)
    with ProcessPoolExecutor(job.workers, mp_context=context, initializer=_init_worker, initargs=initargs) as pool:
        in_flight: list[Future] = []
        for rows in chunks:
            in_flight.append(pool.submit(_score_in_worker, rows, job.columns))
            if len(in_flight) >= 2 * job.workers:
                yield in_flight.pop(0).result()
        while in_flight:
            yield in_flight.pop(0).result()


def _finish_parquet(output_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    stage = staging_path(output_path)
    # Verdict details vary per verifier and row; Parquet keeps them as a JSON string column.
    rows = [{**row, "verdicts": json.dumps(row["verdicts"])} for row in read_jsonl(stage)]
    table = pa.Table.from_pylist(rows) if rows else pa.table({"reward": pa.array([], pa.float64())})
    temporary = output_path.with_name(output_path.name + ".tmp")
    pq.write_table(table, temporary)
    temporary.replace(output_path)
    stage.unlink()
