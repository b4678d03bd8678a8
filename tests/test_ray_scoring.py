"""`rlvr score --backend ray` on a real local Ray cluster (2 CPUs): the local backend's output,
``--resume`` exactly once, and a killed Ray worker that costs no row and duplicates none."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
import ray

from rewards.scoring.job import DEFAULT_COLUMNS, ScoreJob
from rewards.scoring.ray_backend import RayScorer
from rewards.scoring.run import score_rows
from rewards.spec import RewardSpec

SPEC = RewardSpec.from_dict({"components": [
    {"name": "exact", "verifier": "exact"},
    {"name": "format", "shaping": "format", "weight": 0.5},
]})  # fmt: skip
ROWS = [{"n": n, "completion": f"<think>t</think> {n % 7}" if n % 2 else str(n % 7), "answer": str(n % 5)}
        for n in range(240)]  # fmt: skip


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="warning")
    yield
    ray.shutdown()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def score(source: Path, output: Path, backend: str, resume: bool = False) -> list[dict]:
    score_rows(ScoreJob(source, output, SPEC, workers=2, backend=backend, resume=resume, chunk_size=16))
    return read_jsonl(output)


@pytest.fixture
def source(tmp_path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    return path


def test_ray_backend_writes_what_the_local_backend_writes(local_ray, source, tmp_path):
    local = score(source, tmp_path / "local.jsonl", "local")
    assert score(source, tmp_path / "ray.jsonl", "ray") == local
    assert [row["n"] for row in local] == list(range(240))


def test_resume_on_ray_keeps_every_row_exactly_once(local_ray, source, tmp_path):
    expected = score(source, tmp_path / "local.jsonl", "local")
    output = tmp_path / "out.jsonl"
    lines = (tmp_path / "local.jsonl").read_text().splitlines(keepends=True)
    for sidecar in tmp_path.glob("local.jsonl.*"):
        sidecar.rename(tmp_path / sidecar.name.replace("local.jsonl", "out.jsonl"))
    output.write_text("".join(lines[:100]) + lines[100][:20])  # a run killed mid-line
    assert score(source, output, "ray", resume=True) == expected


def test_a_killed_ray_worker_is_restarted_and_each_row_arrives_once(local_ray):
    scorer = RayScorer(SPEC, workers=2)
    chunks = [ROWS[start : start + 8] for start in range(0, len(ROWS), 8)]
    scored: list[dict] = []
    killed = False
    try:
        for rows in scorer.run(iter(chunks), DEFAULT_COLUMNS):
            scored.extend(rows)
            if not killed:
                os.kill(ray.get(scorer.actors[1].pid.remote()), signal.SIGKILL)  # chunks are queued on it
                killed = True
    finally:
        scorer.close()
    assert [row["n"] for row in scored] == list(range(240))
    assert [row["rewards"]["exact"] for row in scored] == [float(n % 7 == n % 5) for n in range(240)]
