"""`rlvr serve` limits and security on a live server: 401, 413, 422, 429 (with Retry-After), 504."""

from __future__ import annotations

import threading
import time

import pytest
from serve_fixtures import live_server

from rewards.serving import ServeSettings
from rlvr.errors import SetupError

KEY = "s3cret-key-for-tests"
SLOW = {"code": "while True: pass", "language": "python", "run_timeout": 1}  # runs for its full second


@pytest.fixture(scope="module")
def client():
    with live_server(api_key=KEY, max_body_bytes=4096, max_rows=8) as client:
        yield client


def auth(key: str = KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


ROW = {"completion": "\\boxed{4}", "answer": "4"}


@pytest.mark.parametrize(
    "headers, status",
    [
        ({}, 401),
        (auth("wrong-key-wrong-key"), 401),
        ({"Authorization": KEY}, 401),  # the key without "Bearer"
        (auth(), 200),
    ],
)
def test_api_key(client, headers, status):
    response = client.post("/v1/verify", json={"rows": [ROW]}, headers=headers)
    assert response.status_code == status
    if status == 401:
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_health_needs_no_key_but_metrics_does(client):
    assert client.get("/health").status_code == 200
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=auth()).status_code == 200


def _chunks(data: bytes):
    for start in range(0, len(data), 1000):
        yield data[start : start + 1000]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"json": {"rows": [{"completion": "x" * 5000, "answer": "4"}]}},
        # no Content-Length: the body is streamed in chunks and cut off at the limit
        {"content": _chunks(b'{"rows": [{"completion": "' + b"x" * 5000 + b'"}]}')},
        {"json": {"rows": [ROW] * 9}},  # nine rows, the limit is eight
        {"json": {"program": "x = 1", "tests": ["assert x"] * 9}, "route": "/test_program"},
    ],
)
def test_too_large(client, kwargs):
    route = kwargs.pop("route", "/v1/verify")
    response = client.post(route, headers={**auth(), "content-type": "application/json"}, **kwargs)
    assert response.status_code == 413


@pytest.mark.parametrize(
    "route, body, field",
    [
        ("/v1/verify", b"{not json", "body"),
        ("/v1/verify", b'{"rows": [{"answer": "4"}]}', "completion"),
        ("/v1/verify", b'{"rows": [], "typo": 1}', "typo"),  # the native API refuses unknown keys
        ("/v1/reward", b'{"completions": ["a", "b"], "columns": {"answer": ["4"]}}', "'answer' has 1 values"),
        ("/get_reward", b'{"query": ["a"], "labels": ["1", "2"]}', "'labels' has 2 values"),
        ("/run_code", b'{"code": "print(1)", "language": "java"}', "language"),
        ("/test_program", b'{"program": "x = 1", "tests": "assert x"}', "tests"),
        ("/test_program_stdio", b'{"program": "x = 1", "tests": [{"input": "1"}]}', "output"),
    ],
)
def test_malformed_bodies_get_422_naming_the_field(client, route, body, field):
    response = client.post(route, content=body, headers={**auth(), "content-type": "application/json"})
    assert response.status_code == 422
    assert field in response.text


def _wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert condition()


def test_busy_server_answers_429_with_retry_after():
    with live_server(max_concurrency=1, retry_after_s=2) as client:
        slow = threading.Thread(target=client.post, args=("/run_code",), kwargs={"json": SLOW})
        slow.start()
        _wait_for(lambda: client.get("/health").json()["in_flight"] == 1)
        response = client.post("/v1/verify", json={"rows": [ROW]})
        slow.join()
        assert response.status_code == 429 and response.headers["Retry-After"] == "2"
        assert client.post("/v1/verify", json={"rows": [ROW]}).status_code == 200
        assert 'rlvr_rejected_total{reason="busy"} 1.0' in client.get("/metrics").text


def test_request_past_its_deadline_gets_504():
    with live_server(deadline_s=0.2) as client:
        response = client.post("/run_code", json=SLOW)
    assert response.status_code == 504 and "deadline" in response.json()["detail"]


@pytest.mark.parametrize(
    "settings, refused",
    [
        ({"host": "127.0.0.1"}, False),
        ({"host": "::1"}, False),
        ({"host": "0.0.0.0"}, True),  # another address needs a key
        ({"host": "0.0.0.0", "api_key": KEY}, False),
    ],
)
def test_binding_beyond_loopback_needs_a_key(settings, refused):
    if refused:
        with pytest.raises(SetupError, match="--api-key"):
            ServeSettings(**settings).checked()
    else:
        assert ServeSettings(**settings).checked().host == settings["host"]
