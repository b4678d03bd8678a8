"""The gate every request passes before a route sees it: API key (401), body size (413),
concurrency (429 with ``Retry-After``), and the request counters and latency histogram.

A plain ASGI middleware, so a refused request costs no JSON parsing and no thread.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from rewards.serving.state import ServerState

__all__ = ["RequestGuard"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

OPEN_PATHS = frozenset({"/health"})  # answered without a key, never queued


async def _answer(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    extra = [(key.lower().encode(), value.encode()) for key, value in (headers or {}).items()]
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """Wraps the app; ``routes`` are the paths counted by name (others count as ``other``)."""

    def __init__(self, app: ASGIApp, state: ServerState, routes: set[str]):
        self.app, self.state, self.routes = app, state, routes
        self.settings, self.metrics = state.settings, state.metrics
        self._expected = None if state.settings.api_key is None else f"Bearer {state.settings.api_key}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = "/v1/jobs/{id}" if scope["path"].startswith("/v1/jobs/") else scope["path"]
        route = path if path in self.routes else "other"
        started = time.perf_counter()
        status_box = [500]

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = message["status"]
            await send(message)

        try:
            await self._guarded(scope, receive, counting_send)
        finally:
            self.metrics.observe(route, status_box[0], time.perf_counter() - started)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        if not self._authorized(scope):
            self.metrics.rejected.labels("unauthorized").inc()
            await _answer(send, 401, "missing or wrong API key: send 'Authorization: Bearer KEY'",
                          {"WWW-Authenticate": "Bearer"})  # fmt: skip
            return
        body = await self._read_body(scope, receive)
        if body is None:
            self.metrics.rejected.labels("too_large").inc()
            await _answer(send, 413, f"the body is larger than {self.settings.max_body_bytes} bytes")
            return
        if self.state.in_flight >= self.settings.max_concurrency:
            self.metrics.rejected.labels("busy").inc()
            retry = str(self.settings.retry_after_s)
            detail = f"{self.state.in_flight} requests in flight; retry after {retry} s"
            await _answer(send, 429, detail, {"Retry-After": retry})
            return
        await self._run(scope, _replay(body, receive), send)

    async def _run(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.state.in_flight += 1
        self.metrics.in_flight.set(self.state.in_flight)
        try:
            await self.app(scope, receive, send)
        finally:
            self.state.in_flight -= 1
            self.metrics.in_flight.set(self.state.in_flight)

    def _authorized(self, scope: Scope) -> bool:
        if self._expected is None:
            return True
        given = dict(scope["headers"]).get(b"authorization", b"")
        return hmac.compare_digest(given, self._expected)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it is known to pass the limit."""
        limit = self.settings.max_body_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the buffered body over once, then waits on the real one."""
    sent = [False]

    async def replay() -> Message:
        if not sent[0]:
            sent[0] = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
