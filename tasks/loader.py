"""Reading and writing task data: JSONL, JSON, CSV, Parquet, folders of them and HF ``datasets`` saves.

Reading never guesses silently: an unreadable file, a line that is not a JSON object or a format
it does not know raises :class:`rlvr.errors.InputFileError` with one line naming the file. Writing
refuses to replace an existing output unless asked to (``force``).
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rlvr.errors import InputFileError, SetupError

__all__ = ["check_output", "read_rows", "write_rows"]

_SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".ndjson", ".csv", ".parquet")


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return next((suffix for suffix in _SUFFIXES if name.endswith(suffix)), path.suffix.lower())


def _read_json_lines(path: Path, text: str) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputFileError(f"{path}: line {number} is not JSON ({error.msg})") from None
        if not isinstance(row, dict):
            raise InputFileError(f"{path}: line {number} is a JSON {type(row).__name__}, not an object")
        rows.append(row)
    return rows


def _read_json(path: Path, text: str) -> list[dict[str, Any]]:
    stripped = text.lstrip()
    if stripped.startswith("["):
        data = json.loads(text)
        return [row for row in data if isinstance(row, dict)]
    if stripped.startswith("{") and "\n{" not in stripped:
        return [json.loads(text)]  # one problem per file (Hendrycks' MATH layout)
    return _read_json_lines(path, text)


def _read_file(path: Path) -> list[dict[str, Any]]:
    suffix = _suffix(path)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    if suffix not in _SUFFIXES:
        raise InputFileError(f"cannot read {path}: expected .jsonl, .json, .csv, .parquet or a folder of them")
    raw = gzip.decompress(path.read_bytes()) if suffix.endswith(".gz") else path.read_bytes()
    text = raw.decode("utf-8")
    if suffix == ".csv":
        return [dict(row) for row in csv.DictReader(text.splitlines())]
    if suffix == ".json":
        return _read_json(path, text)
    return _read_json_lines(path, text)


def _is_datasets_save(folder: Path) -> bool:
    return (folder / "state.json").is_file() or (folder / "dataset_dict.json").is_file()


def _read_datasets_save(folder: Path, split: str | None) -> list[dict[str, Any]]:
    from datasets import DatasetDict, load_from_disk

    data = load_from_disk(str(folder))
    if isinstance(data, DatasetDict):
        names = list(data)
        chosen = split if split in data else ("test" if "test" in data else names[0])
        data = data[chosen]
    return data.to_list()


def read_rows(source: str | Path, split: str | None = None) -> list[dict[str, Any]]:
    """The rows of a file, a folder of files (read in sorted order) or a ``datasets`` on-disk save.

    ``split`` picks a split of a saved ``DatasetDict`` (default: ``test`` when it has one).
    """
    path = Path(source).expanduser()
    if not path.exists():
        raise InputFileError(f"{path} does not exist")
    if path.is_dir():
        if _is_datasets_save(path):
            return _read_datasets_save(path, split)
        files = sorted(p for p in path.rglob("*") if p.is_file() and _suffix(p) in _SUFFIXES)
        if not files:
            raise InputFileError(f"{path} is a folder with no .jsonl, .json, .csv or .parquet file in it")
        return [row for file in files for row in _read_file(file)]
    return _read_file(path)


def check_output(path: str | Path, force: bool) -> Path:
    """``path`` as a Path; an existing output is an error unless ``force`` says to replace it."""
    path = Path(path).expanduser()
    if path.exists() and not force:
        raise SetupError(f"{path} already exists; pass --force to overwrite it")
    return path


def write_rows(rows: Iterable[dict[str, Any]], path: str | Path, force: bool = False) -> Path:
    """Write rows as JSONL, Parquet (``.parquet``) or a ``datasets`` save (a path with no suffix)."""
    path = check_output(path, force)
    rows = list(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = _suffix(path)
    if suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
    elif suffix in (".jsonl", ".json", ".ndjson"):
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        tmp.replace(path)
    elif suffix == "":
        from datasets import Dataset

        if path.exists():
            shutil.rmtree(path)
        Dataset.from_list(rows).save_to_disk(str(path))
    else:
        raise SetupError(f"cannot write {path}: use .jsonl, .parquet or a folder name (a datasets save)")
    return path
