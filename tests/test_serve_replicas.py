"""`rlvr serve --replicas 2` as a user runs it: two worker processes on one loopback port, metrics
summed over them, jobs visible from either, and SIGTERM finishing the request in flight."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
CLOSE = {"Connection": "close"}  # a fresh connection per request, so the kernel may pick either replica


def metric(client: httpx.Client, line_start: str) -> float:
    text = client.get("/metrics", headers=CLOSE).text
    match = re.search(rf"^{re.escape(line_start)} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    jobs = tmp_path_factory.mktemp("jobs")
    environment = {**os.environ, "RLVR_LOAD_PLUGINS": "", "RLVR_API_KEY": ""}
    command = [sys.executable, "-m", "rlvr.cli", "serve", "--port", "0", "--replicas", "2", "--verifier", "exact",
               "--jobs-dir", str(jobs)]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=environment, cwd=ROOT)
    line = process.stderr.readline()
    match = re.search(r"on (http://\S+) ", line)
    try:
        assert match is not None, f"rlvr serve did not start: {line}"
        with httpx.Client(base_url=match.group(1), timeout=30) as client:
            yield process, client, jobs
    finally:
        process.kill()
        process.wait()


def answering_pids(client: httpx.Client, seconds: float = 60.0) -> set[int]:
    """The replicas seen answering ``/health`` (concurrently, on fresh connections) until two have."""
    pids: set[int] = set()
    deadline = time.monotonic() + seconds
    with ThreadPoolExecutor(4) as pool:
        while len(pids) < 2 and time.monotonic() < deadline:
            for answer in pool.map(lambda _: _health(client), range(8)):
                pids.update([answer] if answer else [])
    return pids


def _health(client: httpx.Client) -> int | None:
    try:
        return client.get("/health", headers=CLOSE).json()["pid"]
    except httpx.TransportError:
        return None  # the workers are still starting


def test_two_processes_answer_and_metrics_sum_over_them(server):
    process, client, _ = server
    pids = answering_pids(client)
    assert len(pids) == 2 and process.pid not in pids
    rows = {"rows": [{"completion": "4", "answer": "4"}, {"completion": "5", "answer": "4"}]}
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda _: client.post("/v1/verify", json=rows, headers=CLOSE).status_code, range(20)))
    assert statuses == [200] * 20
    for _ in range(4):  # whichever replica answers the scrape reports the total of both
        assert metric(client, 'rlvr_requests_total{route="/v1/verify",status="200"}') == 20.0
        assert metric(client, 'rlvr_rows_total{route="/v1/verify"}') == 40.0
        assert metric(client, 'rlvr_verdicts_total{component="exact",status="ok"}') == 40.0


def test_a_job_is_visible_from_every_replica(server):
    _, client, jobs = server
    body = {"rows": [{"n": n, "completion": str(n % 2), "answer": "1"} for n in range(50)], "output": "out.jsonl"}
    job_id = client.post("/v1/jobs", json=body, headers=CLOSE).json()["id"]
    deadline = time.monotonic() + 60
    states = []
    while (not states or states[-1] == "running") and time.monotonic() < deadline:
        states.append(client.get(f"/v1/jobs/{job_id}", headers=CLOSE).json()["status"])
    assert states[-1] == "succeeded"
    assert len((jobs / "out.jsonl").read_text().splitlines()) == 50


def test_sigterm_finishes_the_request_in_flight_on_every_replica(server):
    process, client, _ = server
    pids = answering_pids(client)
    answers: list[httpx.Response] = []
    slow = {"program": "while True: pass", "tests": ["assert x == 1"], "max_execution_time": 1.5}
    request = threading.Thread(target=lambda: answers.append(client.post("/test_program", json=slow, headers=CLOSE)))
    request.start()
    deadline = time.monotonic() + 30
    while metric(client, "rlvr_in_flight_requests") < 2 and time.monotonic() < deadline:
        pass  # the slow request and this scrape
    process.send_signal(signal.SIGTERM)
    request.join()
    assert answers[0].status_code == 200 and answers[0].json()["results"] == [0]
    assert process.wait(timeout=60) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids)  # every replica has stopped
    with pytest.raises(httpx.ConnectError):
        client.get("/health")
