"""A live reward server on a free loopback port, for the serve tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from rewards.serving import ServeSettings, create_app, serving_in_thread
from rewards.spec import RewardSpec

SPEC = RewardSpec.from_dict({"components": [
    {"name": "math", "verifier": "math", "weight": 1.0},
    {"name": "format", "shaping": "format", "weight": 0.2},
]})  # fmt: skip


@contextmanager
def live_server(spec: RewardSpec = SPEC, **settings: object) -> Iterator[httpx.Client]:
    """A running server for ``spec``; yields a client with its base URL (and the app as ``client.app``)."""
    config = ServeSettings(**settings)
    app = create_app(spec, config)
    with serving_in_thread(app, config) as url, httpx.Client(base_url=url, timeout=60) as client:
        client.app = app
        yield client
