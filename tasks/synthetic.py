"""Synthetic SymPy problems: files written by ``rlvr data synth``, or generated on the fly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plugins.hookspecs import hookimpl
from tasks.base import Task

__all__ = ["SyntheticTask"]


class SyntheticTask(Task):
    name = "synthetic"
    description = "Seeded SymPy problems (fractions, equations, geometry, word problems) in English and Chinese"
    columns = ("question", "answer", "solution", "kind")
    splits = ("train", "heldout")
    score_columns = {"answer": "answer"}

    def read(self, source: str | Path | None, split: str | None = None) -> list[dict[str, Any]]:
        """Rows of a ``rlvr data synth`` file, or 1,000 problems of seed 0 when ``source`` is None."""
        if source is not None:
            return super().read(source, split)
        from tasks.synth import SynthConfig, synthesize

        return synthesize(SynthConfig())

    def to_row(self, row: dict[str, Any], index: int) -> dict[str, Any]:
        return {**row, "id": str(row.get("id", index)), "answer": str(row["answer"])}

    def select(self, rows: list[dict[str, Any]], split: str) -> list[dict[str, Any]]:
        return [row for row in rows if row.get("split") == split]


@hookimpl
def register_tasks(register):
    register(SyntheticTask)
