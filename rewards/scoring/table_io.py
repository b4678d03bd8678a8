"""Reading rows from JSONL, CSV or Parquet with line numbers, and crash-safe JSONL output."""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from rewards.scoring.cells import CellRules
from rewards.scoring.decode import decode_json_line, unwritable_text
from rlvr.errors import InputFileError

__all__ = ["InputRow", "append_jsonl", "count_rows", "is_stdin", "read_jsonl", "read_rows", "recover_jsonl",
           "source_name"]

STDIN = "-"
# Python's csv module refuses fields over 128 KB; a long program or completion is bigger. A
# limit stays, so that a file with an unbalanced quote is an error, not the whole file in memory.
CSV_FIELD_LIMIT = 32 * 1024 * 1024
FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}


@dataclass(frozen=True)
class InputRow:
    """One input record: its line (or row) number, and the row or why it is invalid.

    ``parsed`` names the columns whose CSV cells were read as JSON lists or objects.
    """

    line: int
    row: dict[str, Any] | None
    error: str | None = None
    parsed: tuple[str, ...] = ()


def is_stdin(path: Path) -> bool:
    """``-`` stands for standard input (JSONL)."""
    return str(path) == STDIN


def source_name(path: Path) -> str:
    """How messages name the input: its file name, or ``stdin``."""
    return "stdin" if is_stdin(path) else path.name


def input_format(path: Path) -> str:
    if is_stdin(path):
        return "jsonl"
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputFileError(f"cannot read {path.name}: expected a .jsonl, .csv or .parquet file, or - for stdin")
    return fmt


def _jsonl_lines(handle: BinaryIO) -> Iterator[InputRow]:
    for line_number, raw in enumerate(handle, start=1):
        if not raw.strip():
            continue
        row, error = decode_json_line(raw)
        yield InputRow(line_number, row, error)


def _read_jsonl(path: Path, rules: CellRules) -> Iterator[InputRow]:
    if is_stdin(path):
        yield from _jsonl_lines(sys.stdin.buffer)
        return
    with path.open("rb") as handle:
        yield from _jsonl_lines(handle)


def _csv_record(reader: Any) -> tuple[list[str] | None, str | None]:
    """The next record, or why it cannot be read (an oversize field); ``(None, None)`` at the end."""
    try:
        return next(reader), None
    except StopIteration:
        return None, None
    except csv.Error as error:  # the reader carries on with the next record
        return [], f"bad CSV: {error}"


def _csv_problem(values: list[str], fieldnames: list[str]) -> str | None:
    if len(values) != len(fieldnames):
        return f"expected {len(fieldnames)} fields, got {len(values)}"
    if any("\x00" in value for value in values):
        return "binary data (a NUL byte) in a field"
    bad = unwritable_text(values)
    return None if bad is None else f"not UTF-8 text ({bad} is an undecodable byte)"


def _header_problem(fieldnames: list[str]) -> str | None:
    twice = sorted({name for name in fieldnames if fieldnames.count(name) > 1})
    if twice:
        return f"column {twice[0]!r} is named twice, so one of its values would be lost"
    return _csv_problem(fieldnames, fieldnames)


def _read_csv(path: Path, rules: CellRules) -> Iterator[InputRow]:
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle)
        fieldnames, error = _csv_record(reader)
        error = error or (None if fieldnames is None else _header_problem(fieldnames))
        if error is not None:
            yield InputRow(reader.line_num, None, f"the header: {error}")
            return
        while True:
            values, error = _csv_record(reader)
            if values is None:
                return
            error = error or _csv_problem(values, fieldnames or [])
            if error is not None:
                yield InputRow(reader.line_num, None, error)
                continue
            row, parsed = rules.typed(dict(zip(fieldnames or [], values, strict=True)))
            yield InputRow(reader.line_num, row, parsed=parsed)


def _read_parquet(path: Path, rules: CellRules) -> Iterator[InputRow]:
    import pyarrow.parquet as pq

    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            number += 1
            yield InputRow(number, row)


def read_rows(path: Path, rules: CellRules | None = None) -> Iterator[InputRow]:
    """Every record of ``path`` (``-``: standard input) in order; invalid ones carry an error instead of a row.

    ``rules`` say what CSV cells mean (see :mod:`rewards.scoring.cells`).
    """
    readers = {"jsonl": _read_jsonl, "csv": _read_csv, "parquet": _read_parquet}
    return readers[input_format(path)](path, rules or CellRules())


def count_rows(path: Path) -> int | None:
    """A cheap count for the progress bar (lines for text formats, metadata for Parquet; None for stdin)."""
    if is_stdin(path):
        return None
    if input_format(path) == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    with path.open("rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    return lines - 1 if input_format(path) == "csv" else lines


def recover_jsonl(path: Path) -> int:
    """Cut a torn last line (a crash mid-write) and return the number of complete records."""
    if not path.exists():
        return 0
    complete_bytes = 0
    records = 0
    with path.open("rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                break
            try:
                json.loads(line)
            except ValueError:
                break
            complete_bytes += len(line)
            records += 1
    if complete_bytes != path.stat().st_size:
        with path.open("r+b") as handle:
            handle.truncate(complete_bytes)
    return records


def append_jsonl(handle: Any, records: list[dict[str, Any]]) -> None:
    """Write whole lines at once and flush, so a kill loses at most a torn last line."""
    if not records:
        return
    handle.write("".join(json.dumps(record, ensure_ascii=False, default=str) + "\n" for record in records))
    handle.flush()
    os.fsync(handle.fileno())


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
