"""What a scoring run was asked to do, recorded beside its output so that ``--resume`` can check it.

A resumed run appends to the rows already there, so it must score the same input through the
same reward with the same columns; anything else would mix two kinds of rows in one file. The
input is identified by its size and a hash of its first and last MiB (cheap on large files, and
unchanged by copying or touching the file); its path is recorded for the reader.

Example:
    >>> settings_difference({"reward": {"weight": 1}, "columns": {"a": "x"}},
    ...                     {"reward": {"weight": 2}, "columns": {"a": "x"}})
    'reward.weight: 1 before, 2 now'
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from rewards.scoring.job import ScoreJob
from rewards.scoring.table_io import is_stdin

__all__ = ["COMPARED", "input_identity", "job_settings", "settings_difference"]

# The settings a resumed run must share with the first run; the others are recorded for the reader.
COMPARED = ("reward", "columns", "required", "input_identity")
_EDGE_BYTES = 1 << 20


def input_identity(path: Path) -> dict[str, Any]:
    """Size and a SHA-256 of the first and last MiB of ``path`` (standard input cannot be identified)."""
    if is_stdin(path):
        return {"stdin": True}
    size = path.stat().st_size
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        digest.update(handle.read(_EDGE_BYTES))
        if size > _EDGE_BYTES:
            handle.seek(max(_EDGE_BYTES, size - _EDGE_BYTES))
            digest.update(handle.read())
    return {"size": size, "sha256_first_last_mib": digest.hexdigest()}


def job_settings(job: ScoreJob) -> dict[str, Any]:
    """The settings of ``job`` as plain data (JSON-ready)."""
    from rlvr import __version__

    return {
        "reward": job.spec.to_dict(),
        "columns": dict(sorted(job.columns.items())),
        "required": sorted(job.required),
        "input_identity": input_identity(job.input_path),
        "input_path": "-" if is_stdin(job.input_path) else str(job.input_path.resolve()),
        "skip_invalid": job.skip_invalid,
        "workers": job.workers,
        "rlvr_version": __version__,
    }


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "..."


def _by_name(value: Any) -> Any:
    """A list of named items (a spec's components) as a dict by name, so that a change names the item."""
    if isinstance(value, list) and all(isinstance(item, dict) and "name" in item for item in value):
        return {f"[{item['name']}]": item for item in value}
    return value


def _differences(old: Any, new: Any, where: str) -> list[str]:
    old, new = _by_name(old), _by_name(new)
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return [] if old == new else [f"{where}: {_short(old)} before, {_short(new)} now"]
    changes = []
    for key in dict.fromkeys([*old, *new]):
        path = f"{where}{key}" if str(key).startswith("[") else f"{where}.{key}" if where else str(key)
        if key not in new:
            changes.append(f"{path}: {_short(old[key])} before, not set now")
        elif key not in old:
            changes.append(f"{path}: not set before, {_short(new[key])} now")
        else:
            changes.extend(_differences(old[key], new[key], path))
    return changes


def settings_difference(before: dict[str, Any], now: dict[str, Any], limit: int = 3) -> str | None:
    """The compared settings that differ, as ``key: old before, new now``; None when they match."""
    compared = [key for key in COMPARED if key != "input_identity"]
    changes = _differences({key: before.get(key) for key in compared}, {key: now.get(key) for key in compared}, "")
    if before.get("input_identity") != now.get("input_identity"):
        changes.insert(0, f"the input is not the data the first run read ({before.get('input_path', 'unknown')}; "
                          f"size {before.get('input_identity', {}).get('size', 'unknown')} bytes then, "
                          f"{now.get('input_identity', {}).get('size', 'unknown')} now)")
    if not changes:
        return None
    more = f" (and {len(changes) - limit} more)" if len(changes) > limit else ""
    return "; ".join(changes[:limit]) + more
