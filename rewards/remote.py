"""TRL reward functions that call a running ``rlvr serve``: rewards on another machine.

``funcs, weights = remote_reward_funcs("http://host:8000", api_key=...)`` gives one async
reward function per component of the served spec (TRL runs async reward functions
concurrently); all of them share one HTTP call per batch. Busy (429), unavailable (502/503/504)
and unreachable servers are retried with exponential backoff; a request the server refuses
(401, 413, 422) raises at once, since retrying cannot help.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from rewards.grpo import RewardFuncs, trl_batch
from rlvr.errors import RewardInputError, SetupError

__all__ = ["RemoteRewardFunc", "RemoteRewards", "remote_reward_funcs"]

RemoteRewardFunc = Callable[..., Awaitable[list[float | None]]]
_RETRY_STATUSES = frozenset({429, 502, 503, 504})
_KEPT_BATCHES = 8


class RemoteRewards:
    """One server's ``/v1/reward``, with retries and one call per batch for all components."""

    def __init__(self, url: str, api_key: str | None = None, timeout: float = 120.0, retries: int = 4,
                 backoff: float = 0.5):  # fmt: skip
        self.url = url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self._pending: OrderedDict[tuple[int, str], asyncio.Future] = OrderedDict()
        self._clients: dict[int, httpx.AsyncClient] = {}
        self._lock = threading.Lock()

    def spec(self) -> dict[str, Any]:
        """The served spec's component names and weights (``GET /v1/spec``)."""
        response = httpx.get(f"{self.url}/v1/spec", headers=self.headers, timeout=self.timeout)
        if response.status_code != 200:
            raise SetupError(f"{self.url}/v1/spec answered {response.status_code}: {response.text[:200]}")
        return response.json()

    async def scores(self, body: dict[str, Any]) -> dict[str, Any]:
        """The server's answer for ``body``; concurrent calls with the same body share one request."""
        payload = json.dumps(body, default=str, sort_keys=True)
        loop = asyncio.get_running_loop()
        key = (id(loop), payload)
        with self._lock:
            future = self._pending.get(key)
            if future is None:
                future = self._pending[key] = loop.create_task(self._post(loop, payload))
                while len(self._pending) > _KEPT_BATCHES:
                    self._pending.popitem(last=False)
        return await future

    def _client(self, loop: asyncio.AbstractEventLoop) -> httpx.AsyncClient:
        with self._lock:
            client = self._clients.get(id(loop))
            if client is None:
                client = self._clients[id(loop)] = httpx.AsyncClient(timeout=self.timeout, headers=self.headers)
            return client

    async def _post(self, loop: asyncio.AbstractEventLoop, payload: str) -> dict[str, Any]:
        client = self._client(loop)
        headers = {"content-type": "application/json"}
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = await client.post(f"{self.url}/v1/reward", content=payload, headers=headers)
            except httpx.TransportError:
                if last:
                    raise
                await asyncio.sleep(self._delay(attempt, None))
                continue
            if response.status_code == 200:
                return response.json()
            if response.status_code not in _RETRY_STATUSES or last:
                raise RewardInputError(f"{self.url}/v1/reward answered {response.status_code}: {response.text[:300]}")
            await asyncio.sleep(self._delay(attempt, response.headers.get("retry-after")))
        raise AssertionError("unreachable")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None and retry_after.isdigit():
            return float(retry_after)
        return self.backoff * (2**attempt) * (1 + random.random() / 2)


def _component_func(remote: RemoteRewards, name: str) -> RemoteRewardFunc:
    async def reward(prompts: list[Any] | None = None, completions: list[Any] | None = None,
                     **kwargs: Any) -> list[float | None]:  # fmt: skip
        if completions is None:
            raise TypeError(f"reward function {name!r} needs completions=")
        batch = trl_batch(prompts, completions, kwargs)
        body = {"completions": batch.completions, "prompts": batch.prompts, "columns": batch.columns,
                "token_counts": batch.token_counts}  # fmt: skip
        answer = await remote.scores(body)
        return answer["rewards"][name]

    reward.__name__ = reward.__qualname__ = name
    return reward


def remote_reward_funcs(url: str, api_key: str | None = None, timeout: float = 120.0, retries: int = 4,
                        backoff: float = 0.5) -> RewardFuncs:  # fmt: skip
    """One async TRL reward function per component of the spec served at ``url``, and its weights.

    Args:
        url: the server's base URL, as ``http://127.0.0.1:8000``.
        api_key: sent as ``Authorization: Bearer`` (needed when the server has one).
        timeout: seconds per HTTP request.
        retries: further attempts after a 429/502/503/504 or a connection error.
        backoff: the first wait between attempts (doubled each time; a 429's Retry-After wins).

    Returns:
        ``(funcs, weights)``: pass them as ``reward_funcs`` and ``reward_weights`` of GRPO or RLOO,
        exactly as with :func:`rewards.grpo.get_reward_funcs`.
    """
    remote = RemoteRewards(url, api_key, timeout, retries, backoff)
    spec = remote.spec()
    funcs = [_component_func(remote, name) for name in spec["components"]]
    return RewardFuncs((funcs, [spec["weights"][name] for name in spec["components"]]))
