"""`rlvr serve` as a user runs it: a subprocess on a free port, stopped by SIGTERM mid-request."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]


def start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    environment = {**os.environ, "RLVR_LOAD_PLUGINS": "", **(env or {})}
    command = [sys.executable, "-m", "rlvr.cli", "serve", "--port", "0", *args]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=environment, cwd=ROOT)
    line = process.stderr.readline()
    match = re.search(r"on (http://\S+) ", line)
    if match is None:
        process.kill()
        raise AssertionError(f"rlvr serve did not start: {line}{process.stderr.read()}")
    return process, match.group(1)


def test_sigterm_finishes_the_request_in_flight(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("components:\n  - {name: exact, verifier: exact}\n  - {name: format, shaping: format}\n")
    process, url = start("--reward", str(spec), env={"RLVR_API_KEY": "key-from-the-environment"})
    headers = {"Authorization": "Bearer key-from-the-environment"}
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
            assert client.get("/v1/spec").json()["components"] == ["exact", "format"]
            wrong_key = {"Authorization": "Bearer not-the-key"}
            assert client.post("/v1/verify", headers=wrong_key, json={"rows": []}).status_code == 401
            answers: list[httpx.Response] = []
            slow = {"program": "while True: pass", "tests": ["assert x == 1"], "max_execution_time": 1.5}
            request = threading.Thread(target=lambda: answers.append(client.post("/test_program", json=slow)))
            request.start()
            while client.get("/health").json()["in_flight"] == 0:
                pass
            process.send_signal(signal.SIGTERM)
            request.join()
        assert answers[0].status_code == 200 and answers[0].json()["results"] == [0]
        # uvicorn shuts down gracefully, then re-raises the signal, as a process stopped by it should
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/health")
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--host", "0.0.0.0"], "--api-key"),  # beyond loopback without a key
        (["--api-key", "short"], "api_key"),
        (["--reward", "missing.yaml"], "missing.yaml"),
    ],
)
def test_refuses_a_bad_setup_in_one_line(args, message):
    environment = {**os.environ, "RLVR_LOAD_PLUGINS": "", "RLVR_API_KEY": ""}
    result = subprocess.run([sys.executable, "-m", "rlvr.cli", "serve", *args], capture_output=True, text=True,
                            env=environment, cwd=ROOT, timeout=60)  # fmt: skip
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
