"""Turn the staged JSONL rows of a finished run into the Parquet output.

Parquet wants one type per column. A column whose rows disagree (an ``id`` that is sometimes a
number and sometimes text) is written as JSON text, and named in the note this returns, rather
than failing the run. Columns are the union over all rows, so a key that only later rows carry is
kept. Should writing fail anyway (a full disk, a kill), the staged rows stay where they are and
``--resume`` writes the Parquet file again without scoring anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rewards.scoring.table_io import read_jsonl

__all__ = ["write_parquet"]


def _column_array(values: list[Any]) -> tuple[Any, bool]:
    """The Arrow array of ``values``, and whether they had to become JSON text to fit one type."""
    import pyarrow as pa

    try:
        return pa.array(values), False
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        texts = [None if value is None else json.dumps(value, ensure_ascii=False) for value in values]
        return pa.array(texts, pa.string()), True


def _type_names(values: list[Any]) -> str:
    return " and ".join(sorted({type(value).__name__ for value in values if value is not None}))


def write_parquet(stage: Path, output_path: Path) -> list[str]:
    """Write ``stage``'s rows to ``output_path`` and remove ``stage``; notes on columns written as text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    # Verdict details vary per verifier and row; Parquet keeps them as a JSON string column.
    rows = [{**row, "verdicts": json.dumps(row["verdicts"], ensure_ascii=False)} for row in read_jsonl(stage)]
    names = list(dict.fromkeys(key for row in rows for key in row)) or ["reward"]
    arrays, notes = [], []
    for name in names:
        values = [row.get(name) for row in rows]
        array, as_text = _column_array(values) if rows else (pa.array([], pa.float64()), False)
        arrays.append(array)
        if as_text:
            notes.append(f"column {name!r} mixes {_type_names(values)}; Parquet wants one type, "
                         "so it is written as JSON text")
    temporary = output_path.with_name(output_path.name + ".tmp")
    pq.write_table(pa.Table.from_arrays(arrays, names=names), temporary)
    temporary.replace(output_path)
    stage.unlink()
    return notes
