"""Reading rows from JSONL, CSV or Parquet with line numbers, and crash-safe JSONL output."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["InputRow", "count_rows", "read_rows", "recover_jsonl", "append_jsonl", "read_jsonl"]

FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}


@dataclass(frozen=True)
class InputRow:
    """One input record: its line (or row) number, and the row or why it is invalid."""

    line: int
    row: dict[str, Any] | None
    error: str | None = None


def input_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"cannot read {path.name}: expected a .jsonl, .csv or .parquet file")
    return fmt


def _read_jsonl(path: Path) -> Iterator[InputRow]:
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                yield InputRow(line_number, None, f"invalid JSON: {error.msg} at column {error.colno}")
                continue
            if not isinstance(row, dict):
                yield InputRow(line_number, None, f"expected a JSON object, got {type(row).__name__}")
                continue
            yield InputRow(line_number, row)


def _read_csv(path: Path) -> Iterator[InputRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            if None in row or any(value is None for value in row.values()):
                yield InputRow(reader.line_num, None, f"expected {len(reader.fieldnames or [])} fields")
                continue
            yield InputRow(reader.line_num, dict(row))


def _read_parquet(path: Path) -> Iterator[InputRow]:
    import pyarrow.parquet as pq

    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            number += 1
            yield InputRow(number, row)


def read_rows(path: Path) -> Iterator[InputRow]:
    """Every record of ``path`` in order; invalid ones carry an error instead of a row."""
    readers = {"jsonl": _read_jsonl, "csv": _read_csv, "parquet": _read_parquet}
    return readers[input_format(path)](path)


def count_rows(path: Path) -> int:
    """A cheap count for the progress bar (lines for text formats, metadata for Parquet)."""
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
