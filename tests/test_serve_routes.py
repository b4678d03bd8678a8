"""`rlvr serve` routes on a live server: rlvr's own API and the bodies OpenRLHF, SandboxFusion and
open-instruct send (copied from their docs and tests), with the numbers the spec evaluator gives."""

from __future__ import annotations

import os

import pytest
from serve_fixtures import SPEC, live_server

from rewards.compose import RewardBatch, SpecEvaluator
from rewards.scoring.job import DEFAULT_COLUMNS
from rewards.scoring.run import row_batch

ROWS = [
    {"completion": "<think>2+2</think> \\boxed{4}", "answer": "4"},
    {"completion": "The answer is 5", "answer": "4"},
    {"completion": "no reference here", "prompt": "say hi"},  # no answer: math does not apply
]


@pytest.fixture(scope="module")
def client():
    with live_server() as client:
        yield client


def test_verify_totals_are_the_spec_evaluators(client):
    response = client.post("/v1/verify", json={"rows": ROWS})
    assert response.status_code == 200
    results = response.json()["results"]
    expected = SpecEvaluator(SPEC).evaluate(row_batch([dict(r) for r in ROWS], DEFAULT_COLUMNS))
    assert [r["total"] for r in results] == expected.totals == [1.2, 0.0, 0.0]
    assert [r["components"]["math"] for r in results] == [1.0, 0.0, None]
    assert results[0]["verdicts"]["math"]["passed"] is True and set(results[0]["verdicts"]) == {"math"}


def test_reward_has_trls_shape(client):
    body = {
        "prompts": [[{"role": "user", "content": "2+2?"}]] * 2,
        "completions": [[{"role": "assistant", "content": "\\boxed{4}"}], "<think>hm</think> 5"],
        "columns": {"answer": ["4", "4"]},
    }
    answer = client.post("/v1/reward", json=body).json()
    batch = RewardBatch(["\\boxed{4}", "<think>hm</think> 5"], ["2+2?"] * 2, {"answer": ["4", "4"]})
    expected = SpecEvaluator(SPEC).evaluate(batch)
    assert answer == {"rewards": expected.components, "weights": {"math": 1.0, "format": 0.2},
                      "totals": expected.totals}  # fmt: skip


@pytest.mark.parametrize(
    "body, rewards, logs",
    [
        # OpenRLHF's remote_rm body: each query is the prompt followed by the response
        ({"query": ["Q: 2+2? A: \\boxed{4}", "Q: 1+1? A: 3"], "prompts": ["Q: 2+2?", "Q: 1+1?"], "labels": ["4", "2"]},
         [1.0, 0.0], {"math": [1.0, 0.0], "format": [0.0, 0.0], "applicable": [1.0, 1.0]}),
        # empty lists answer 200 with empty lists
        ({"query": [], "prompts": [], "labels": []}, [], {"math": [], "format": [], "applicable": []}),
    ],
)
def test_get_reward_speaks_openrlhf(client, body, rewards, logs):
    response = client.post("/get_reward", json=body)
    assert response.status_code == 200
    assert response.json() == {"rewards": rewards, "scores": rewards, "extra_logs": logs}


@pytest.mark.parametrize(
    "body, status, run_status, return_code",
    [
        ({"code": "print(input())", "language": "python", "stdin": "hi", "run_timeout": 5}, "Success", "Finished", 0),
        ({"code": "1/0", "language": "python", "compile_timeout": 10, "files": {}}, "Failed", "Error", 1),
        # a syntax error is reported as a run error, as SandboxFusion does for Python
        ({"code": "print(1", "language": "python"}, "Failed", "Error", 1),
        ({"code": "while True: pass", "language": "python", "run_timeout": 1}, "Failed", "TimeLimitExceeded", None),
    ],
)
def test_run_code_speaks_sandboxfusion(client, body, status, run_status, return_code):
    answer = client.post("/run_code", json=body).json()
    assert answer["status"] == status
    assert answer["run_result"]["status"] == run_status and answer["run_result"]["return_code"] == return_code
    assert isinstance(answer["run_result"]["stdout"], str)  # the program's output (tests/test_serve_run_code.py)


@pytest.mark.parametrize(
    "route, body, results",
    [
        ("/test_program", {"program": "def add(a, b): return a + b",
                           "tests": ["assert add(1, 2) == 3", "assert add(-1, 1) == 0", "assert add(0, 0) == 1"],
                           "max_execution_time": 1.0}, [1, 1, 0]),  # fmt: skip
        # tests may come JSON-encoded, as open-instruct's datasets store them
        ("/test_program", {"program": "def f(): return 1", "tests": '["assert f() == 1"]'}, [1]),
        ("/test_program", {"program": "x = 1", "tests": []}, []),
        ("/test_program_stdio", {"program": "a, b = map(int, input().split())\nprint(a + b)",
                                 "tests": [{"input": "5 3", "output": "8"}, {"input": "10 -2", "output": "8"},
                                           {"input": "0 0", "output": "1"}], "max_execution_time": 1.0},
         [1, 1, 0]),  # fmt: skip
    ],
)
def test_test_program_speaks_open_instruct(client, route, body, results):
    answer = client.post(route, json=body).json()
    assert answer["results"] == results
    assert len(answer["runtimes"]) == len(results) and all(t >= 0 for t in answer["runtimes"])


def test_health_spec_and_metrics(client):
    health = {"status": "ok", "components": ["math", "format"], "in_flight": 0, "pid": os.getpid()}
    assert client.get("/health").json() == health  # served from a thread of this process
    spec = client.get("/v1/spec").json()
    assert spec["components"] == ["math", "format"] and spec["weights"] == {"math": 1.0, "format": 0.2}
    client.post("/v1/verify", json={"rows": ROWS})
    client.post("/v1/verify", json={"rows": [{}]})
    text = client.get("/metrics").text
    assert 'rlvr_requests_total{route="/v1/verify",status="200"}' in text
    assert 'rlvr_requests_total{route="/v1/verify",status="422"} 1.0' in text
    assert 'rlvr_verdicts_total{component="math",status="ok"}' in text
    assert "rlvr_request_seconds_bucket" in text and "rlvr_in_flight_requests" in text


def test_openapi_documents_every_route(client):
    paths = client.get("/openapi.json").json()["paths"]
    expected = {"/v1/verify", "/v1/reward", "/v1/spec", "/get_reward", "/run_code", "/test_program",
                "/test_program_stdio", "/health", "/metrics", "/v1/jobs", "/v1/jobs/{job_id}"}  # fmt: skip
    assert expected <= set(paths)
