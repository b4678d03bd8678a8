"""Offline scoring: every row of a dataset through a reward spec, resumable, in parallel.

Each row is scored by :class:`rewards.compose.SpecEvaluator`, the one place a reward total is
computed, so ``reward`` here is the number TRL gets from ``get_reward_funcs(spec)`` with
``reward_weights``: the weighted **sum** of the components that apply (``None`` when none does).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

from rewards.compose import RewardBatch, SpecEvaluator
from rewards.scoring.cells import known_type_error
from rewards.scoring.job import ScoreJob
from rewards.scoring.outputs import OutputFiles, OutputWriter, check_not_input, output_lock, prepare, reported_lines
from rewards.scoring.parquet_out import write_parquet
from rewards.scoring.settings import job_settings
from rewards.scoring.table_io import InputRow, read_rows, source_name
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
    """What one run did: rows scored now, rows found done from a previous run, rows skipped, notes."""

    scored: int = 0
    resumed: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0
    parsed: Counter[str] = field(default_factory=Counter)  # CSV column -> rows whose cell was JSON
    notes: list[str] = field(default_factory=list)
    stop: str | None = None  # why reading stopped early (a malformed line without --skip-invalid)


def _check_row(row: dict[str, Any], job: ScoreJob) -> tuple[str | None, bool]:
    """Why ``row`` cannot be scored, and whether that is a set-up error (a column the mapping names is missing)."""
    missing = [job.columns[logical] for logical in sorted(job.required) if job.columns[logical] not in row]
    if missing:
        return f"missing column {missing[0]!r}; the row has: {', '.join(sorted(row)) or 'no columns'}", True
    clash = [name for name in RESULT_COLUMNS if name in row]
    if clash:
        return f"the row already has a {clash[0]!r} column, which scoring writes; rename it first", True
    return known_type_error(row, job.columns), False


def _valid_rows(job: ScoreJob, done: int, result: ScoreResult) -> Iterator[InputRow]:
    """Input rows after the ``done`` already scored; an invalid one comes with its ``error`` set.

    A missing column on the first row is a set-up error (a wrong ``--column``): reading stops.
    """
    valid_seen = 0
    for item in read_rows(job.input_path, job.cell_rules()):
        error, setup = (item.error, False) if item.error else _check_row(item.row or {}, job)
        if error and setup and valid_seen == 0:
            result.stop = f"{source_name(job.input_path)} line {item.line}: {error}"
            return
        if error:
            if valid_seen >= done:
                yield InputRow(item.line, None, error)
            continue
        valid_seen += 1
        result.parsed.update(item.parsed)
        if valid_seen > done:
            yield item


def _chunks(job: ScoreJob, done: int, result: ScoreResult, writer: OutputWriter) -> Iterator[list[dict[str, Any]]]:
    """Chunks of valid rows; invalid lines are skipped (``--skip-invalid``) or end the rows (``result.stop``)."""
    pending: list[dict[str, Any]] = []
    reported = reported_lines(writer.files)
    for item in _valid_rows(job, done, result):
        if item.error is not None:
            message = f"line {item.line}: {item.error}"
            if not job.skip_invalid:
                result.stop = (f"{source_name(job.input_path)} {message}; nothing was written for it or after it "
                               "(fix it and rerun with --force, or rerun with --resume --skip-invalid to skip it)")
                break
            result.skipped.append((item.line, message))
            if item.line not in reported:
                writer.skipped([{"line": item.line, "error": message}])
            continue
        pending.append(item.row)
        if len(pending) >= job.chunk_size:
            yield pending
            pending = []
    if pending:
        yield pending


def score_rows(job: ScoreJob, progress: Any = None, stop: Any = None) -> ScoreResult:
    """Score ``job.input_path`` into ``job.output_path``; rerun with ``resume`` after a crash.

    Rows are written in input order, whole lines at a time, so a kill at any moment leaves
    every finished row on disk once; ``resume`` cuts a torn last line and carries on after
    the rows already there. ``progress(advance)`` is called as rows finish. The output is
    locked for the run, and a run that fails before its first row leaves no file behind.
    ``stop()`` (optional) is asked after each written chunk; True ends the run there, resumable.
    """
    settings = job_settings(job)
    check_not_input(job)
    files = OutputFiles(job.output_path)
    with output_lock(files):
        result = ScoreResult(resumed=prepare(job, settings))
        writer = OutputWriter(job, settings)
        if progress and result.resumed:
            progress(result.resumed)
        started = time.perf_counter()
        completed = False
        try:
            for scored in _run_chunks(job, _chunks(job, result.resumed, result, writer)):
                writer.rows(scored)
                result.scored += len(scored)
                if progress:
                    progress(len(scored))
                if stop is not None and stop():
                    result.stop = f"stopped on request after {result.resumed + result.scored} rows; resume continues it"
                    break
            completed = result.stop is None
        finally:
            result.seconds = time.perf_counter() - started
            if not completed:
                writer.discard_if_empty()
        if result.stop is not None:
            raise ScoringError(result.stop)
        writer.finish()
        result.notes.extend(_parsed_notes(result.parsed))
        if job.output_path.suffix == ".parquet":
            result.notes.extend(write_parquet(files.stage, job.output_path))
    return result


def _parsed_notes(parsed: Counter[str]) -> list[str]:
    return [f"CSV column {column!r}: {rows} cells read as JSON lists or objects" for column, rows in parsed.items()]


def _run_chunks(job: ScoreJob, chunks: Iterator[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
    if job.backend == "ray":
        from rewards.scoring.ray_backend import ray_chunks

        yield from ray_chunks(job, chunks)
        return
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
