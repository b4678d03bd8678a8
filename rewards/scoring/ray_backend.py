"""Scoring on a Ray cluster: ``rlvr score ... --backend ray [--address ADDR]``.

Each Ray actor builds its spec evaluator (and so its verifiers, with their own killable
worker processes and hard timeouts) once, then scores chunks of rows. Results come back in
input order to the same writer the local backend uses, so the output and ``--resume`` behave
exactly alike. An actor whose process dies is restarted by Ray and its pending chunks are
retried on it; a chunk's result is written only once, whichever attempt produced it.

Without ``--address`` a local Ray instance with ``--workers`` CPUs is started for the run and
stopped after it; with one, the run joins that cluster (the workers must have rlvr installed).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from typing import Any

from rewards.compose import SpecEvaluator
from rewards.spec import RewardSpec
from rlvr.errors import SetupError

__all__ = ["ChunkScorer", "RayScorer", "ray_chunks"]


class ChunkScorer:
    """The body of one Ray actor: a spec evaluator, built once, scoring chunks of rows."""

    def __init__(self, spec_data: dict[str, Any]):
        self.evaluator = SpecEvaluator(RewardSpec.from_dict(spec_data))

    def score(self, rows: list[dict[str, Any]], columns: dict[str, str]) -> list[dict[str, Any]]:
        from rewards.scoring.run import score_chunk

        return score_chunk(self.evaluator, rows, columns)

    def pid(self) -> int:
        return os.getpid()


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise SetupError("--backend ray needs Ray: pip install 'rlvr[ray]'") from None
    return ray


class RayScorer:
    """``workers`` scoring actors on a Ray cluster (a local one when ``address`` is None)."""

    def __init__(self, spec: RewardSpec, workers: int, address: str | None = None):
        ray = _ray()
        self._owns_ray = not ray.is_initialized()
        if self._owns_ray:
            ray.init(address=address, num_cpus=None if address else workers, include_dashboard=False,
                     log_to_driver=False, logging_level="warning")  # fmt: skip
        actor = ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=-1)(ChunkScorer)
        self.actors = [actor.remote(spec.to_dict()) for _ in range(workers)]

    def run(self, chunks: Iterator[list[dict[str, Any]]], columns: dict[str, str]) -> Iterator[list[dict[str, Any]]]:
        """Scored chunks in input order, with at most two chunks queued per actor."""
        ray = _ray()
        in_flight: deque[Any] = deque()
        for index, rows in enumerate(chunks):
            in_flight.append(self.actors[index % len(self.actors)].score.remote(rows, columns))
            if len(in_flight) >= 2 * len(self.actors):
                yield ray.get(in_flight.popleft())
        while in_flight:
            yield ray.get(in_flight.popleft())

    def close(self) -> None:
        ray = _ray()
        for actor in self.actors:
            ray.kill(actor)
        self.actors = []
        if self._owns_ray:
            ray.shutdown()


def ray_chunks(job: Any, chunks: Iterator[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
    """The Ray form of the local backend's chunk loop, for :func:`rewards.scoring.run.score_rows`."""
    scorer = RayScorer(job.spec, max(1, job.workers), job.ray_address)
    try:
        yield from scorer.run(chunks, job.columns)
    finally:
        scorer.close()
