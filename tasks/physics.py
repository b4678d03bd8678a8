"""Generated physics-style problems (units, kinematics): the math verifier on problems outside math benchmarks.

The families are in :mod:`tasks.physics_families`; ``rlvr data synth --families free_fall,braking``
writes them to a file like the math families, and this task reads such a file or generates 500
problems of seed 0 when given none, so ``rlvr eval MODEL --task gsm8k,physics`` works offline.

Example:
    >>> from plugins.tasks import get_task
    >>> task = get_task("physics")
    >>> rows = task.load(split="heldout")
    >>> sorted({row["group"] for row in rows})
    ['kinematics', 'units']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plugins.hookspecs import hookimpl
from tasks.synthetic import SyntheticTask

__all__ = ["PhysicsTask"]

PACKAGED_PROBLEMS = 500


class PhysicsTask(SyntheticTask):
    name = "physics"
    description = "Generated unit-conversion and kinematics problems (math methods on physics) in English and Chinese"

    def recognises(self, row: dict[str, Any]) -> bool:
        """A synth row of a physics family (the math families' rows are the ``synthetic`` task's)."""
        from tasks.physics_families import PHYSICS_FAMILIES

        return super().recognises(row) and row.get("kind") in PHYSICS_FAMILIES

    def read(self, source: str | Path | None, split: str | None = None) -> list[dict[str, Any]]:
        """Rows of a ``rlvr data synth --families ...`` file, or 500 problems of seed 0 when ``source`` is None."""
        if source is not None:
            return super().read(source, split)
        from tasks.physics_families import PHYSICS_FAMILIES
        from tasks.synth import SynthConfig, synthesize

        return synthesize(SynthConfig(n=PACKAGED_PROBLEMS, families=tuple(PHYSICS_FAMILIES), heldout=0.2))


@hookimpl
def register_tasks(register):
    register(PhysicsTask)
