"""Scoring jobs on a live server (``/v1/jobs``): ``rlvr score``'s engine, every row exactly once."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_fixtures import SPEC, live_server

from plugins import hookimpl
from rewards.scoring.job import ScoreJob
from rewards.scoring.run import score_rows
from rewards.serving.jobs import RECORDS
from verifiers.base import Verdict, Verifier

KEY = "s3cret-key-for-jobs"
AUTH = {"Authorization": f"Bearer {KEY}"}
ROWS = [{"n": n, "completion": f"<think>t</think> \\boxed{{{n % 7}}}" if n % 2 else str(n % 7), "answer": str(n % 5)}
        for n in range(150)]  # fmt: skip


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def wait(client: httpx.Client, job_id: str, seconds: float = 60.0) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get(f"/v1/jobs/{job_id}", headers=AUTH).json()
        if status["status"] != "running":
            return status
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still running after {seconds} s")


def scored_by_rlvr_score(tmp_path: Path, rows: list[dict]) -> list[dict]:
    source = write_jsonl(tmp_path / "reference-in.jsonl", rows)
    score_rows(ScoreJob(source, tmp_path / "reference-out.jsonl", SPEC))
    return read_jsonl(tmp_path / "reference-out.jsonl")


@pytest.fixture(scope="module")
def jobs_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("jobs")


@pytest.fixture(scope="module")
def client(jobs_dir):
    with live_server(api_key=KEY, jobs_dir=jobs_dir, max_rows=200) as client:
        yield client


def test_a_file_job_writes_every_row_once_as_rlvr_score_does(client, jobs_dir, tmp_path):
    write_jsonl(jobs_dir / "data.jsonl", ROWS)
    submitted = client.post("/v1/jobs", json={"input": "data.jsonl", "output": "out/data.scored.jsonl"}, headers=AUTH)
    assert submitted.status_code == 202, submitted.text
    status = wait(client, submitted.json()["id"])
    assert status["status"] == "succeeded", status
    assert status["rows_done"] == status["rows_total"] == len(ROWS)
    written = read_jsonl(jobs_dir / "out" / "data.scored.jsonl")
    assert [row["n"] for row in written] == list(range(len(ROWS)))
    assert written == scored_by_rlvr_score(tmp_path, ROWS)
    assert 'rlvr_jobs_total{status="succeeded"}' in client.get("/metrics", headers=AUTH).text


def test_inline_rows_with_a_spec_of_their_own(client, jobs_dir):
    body = {"rows": ROWS[:20], "output": "inline.jsonl", "columns": {"reference": "answer"},
            "reward": {"components": [{"name": "exact", "verifier": "exact"}]}}  # fmt: skip
    submitted = client.post("/v1/jobs", json=body, headers=AUTH)
    assert submitted.status_code == 202, submitted.text
    assert wait(client, submitted.json()["id"])["status"] == "succeeded"
    written = read_jsonl(jobs_dir / "inline.jsonl")
    assert [row["rewards"] for row in written] == [{"exact": float(row["completion"] == row["answer"])}
                                                     for row in ROWS[:20]]  # fmt: skip


@pytest.mark.parametrize(
    "body, status, message",
    [
        ({"input": "missing.jsonl", "output": "x.jsonl"}, 404, "missing.jsonl does not exist"),
        ({"input": "data.jsonl", "output": "taken.jsonl"}, 409, "taken.jsonl exists"),
        ({"input": "../data.jsonl", "output": "y.jsonl"}, 422, "outside the server's jobs directory"),
        ({"input": "/etc/passwd", "output": "y.jsonl"}, 422, "must be relative"),
        ({"input": "data.jsonl", "output": "y.csv"}, 422, ".jsonl or .parquet"),
        ({"input": "data.jsonl", "output": ".rlvr-jobs/y.jsonl"}, 422, "outside"),  # the status files are the server's
        ({"input": "data.jsonl", "rows": ROWS[:1], "output": "y.jsonl"}, 422, "either input"),
        ({"rows": ROWS + ROWS, "output": "y.jsonl"}, 413, "the limit is 200"),
        ({"input": "data.jsonl", "output": "y.jsonl", "reward": {"components": []}}, 422, "component"),
        ({"input": "data.jsonl", "output": "y.jsonl", "typo": 1}, 422, "typo"),
    ],
)
def test_a_bad_job_is_a_4xx_with_a_clear_message(client, jobs_dir, body, status, message):
    write_jsonl(jobs_dir / "data.jsonl", ROWS[:3])
    (jobs_dir / "taken.jsonl").write_text("{}\n")
    response = client.post("/v1/jobs", json=body, headers=AUTH)
    assert response.status_code == status, response.text
    assert message in response.text
    assert not (jobs_dir / "y.jsonl").exists()


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("GET", "/v1/jobs/0123456789abcdef0123456789abcdef", 404),
        ("GET", "/v1/jobs/..%2F..%2Fetc", 404),  # not an id: never read as a path
        ("DELETE", "/v1/jobs/0123456789abcdef0123456789abcdef", 404),
    ],
)
def test_unknown_jobs(client, method, path, status):
    assert client.request(method, path, headers=AUTH).status_code == status


def test_jobs_need_the_key(client):
    assert client.post("/v1/jobs", json={"input": "data.jsonl", "output": "z.jsonl"}).status_code == 401
    assert client.get("/v1/jobs/0123456789abcdef0123456789abcdef").status_code == 401


def test_a_server_without_a_jobs_dir_runs_no_jobs():
    with live_server() as client:
        response = client.post("/v1/jobs", json={"rows": ROWS[:1], "output": "x.jsonl"})
    assert response.status_code == 404 and "--jobs-dir" in response.text


class SlowVerifier(Verifier):
    """A test verifier that takes 5 ms a row, so that a job is still running when it is cancelled."""

    name = "slow"
    description = "Test verifier: exact match, slowly"

    def verify(self, completion: str, reference: Any = None, **fields: Any) -> Verdict:
        time.sleep(0.005)
        return Verdict(score=float(completion == reference), passed=completion == reference)


class SlowPlugin:
    @hookimpl
    def register_verifiers(self, register):
        register(SlowVerifier)


SLOW_JOB = {"input": "many.jsonl", "reward": {"components": [{"name": "slow", "verifier": "slow"}]}}
MANY = [{"n": n, "completion": str(n % 3), "answer": "1"} for n in range(300)]


def started(client: httpx.Client, output: str, resume: bool = False) -> str:
    response = client.post("/v1/jobs", json={**SLOW_JOB, "output": output, "resume": resume}, headers=AUTH)
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    deadline = time.monotonic() + 30
    while client.get(f"/v1/jobs/{job_id}", headers=AUTH).json()["rows_done"] == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    return job_id


def check_once_each(path: Path, complete: bool) -> None:
    numbers = [row["n"] for row in read_jsonl(path)]
    assert numbers == list(range(len(numbers)))  # in order, none twice
    assert (len(numbers) == len(MANY)) == complete


def test_cancel_then_resume_keeps_every_row_exactly_once(client, jobs_dir, register_plugin):
    register_plugin(SlowPlugin(), name="slow-test-verifier")
    write_jsonl(jobs_dir / "many.jsonl", MANY)
    job_id = started(client, "cancelled.jsonl")
    cancelling = client.delete(f"/v1/jobs/{job_id}", headers=AUTH)
    assert cancelling.status_code == 202 and cancelling.json()["cancel_requested"]
    status = wait(client, job_id)
    assert status["status"] == "cancelled" and "stopped on request" in status["error"]
    assert 0 < status["rows_done"] < len(MANY)
    check_once_each(jobs_dir / "cancelled.jsonl", complete=False)
    assert client.delete(f"/v1/jobs/{job_id}", headers=AUTH).status_code == 409  # it has ended
    resumed = wait(client, started(client, "cancelled.jsonl", resume=True))
    assert resumed["status"] == "succeeded" and resumed["rows_resumed"] == status["rows_done"]
    check_once_each(jobs_dir / "cancelled.jsonl", complete=True)


def test_shutdown_interrupts_a_running_job_resumably(tmp_path, register_plugin):
    register_plugin(SlowPlugin(), name="slow-test-verifier")
    write_jsonl(tmp_path / "many.jsonl", MANY)
    with live_server(api_key=KEY, jobs_dir=tmp_path) as client:
        job_id = started(client, "out.jsonl")
    status = json.loads((tmp_path / RECORDS / f"{job_id}.json").read_text())
    assert status["status"] == "interrupted" and 0 < status["rows_done"] < len(MANY)
    check_once_each(tmp_path / "out.jsonl", complete=False)
    with live_server(api_key=KEY, jobs_dir=tmp_path) as client:
        assert wait(client, started(client, "out.jsonl", resume=True))["status"] == "succeeded"
    check_once_each(tmp_path / "out.jsonl", complete=True)


def test_a_job_on_ray_writes_what_rlvr_score_writes(tmp_path):
    pytest.importorskip("ray")
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    write_jsonl(jobs / "data.jsonl", ROWS)
    with live_server(jobs_dir=jobs, ray_address="local", job_workers=2) as client:  # a real 2-CPU local Ray
        submitted = client.post("/v1/jobs", json={"input": "data.jsonl", "output": "ray.jsonl"})
        assert submitted.status_code == 202 and submitted.json()["backend"] == "ray"
        status = wait(client, submitted.json()["id"], seconds=180)
    assert status["status"] == "succeeded", status
    assert read_jsonl(jobs / "ray.jsonl") == scored_by_rlvr_score(tmp_path, ROWS)
