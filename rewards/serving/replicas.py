"""``rlvr serve --replicas N``: N uvicorn worker processes accepting on one listening socket.

The parent binds the socket, hands the spec and settings to the workers through the environment
(each worker builds its own app, verifiers and code sandbox with :func:`app_from_environment`),
and supervises them with uvicorn's own supervisor: a worker that dies is replaced, and SIGTERM or
SIGINT reach every worker, each of which finishes its in-flight requests before it stops.

Prometheus runs in multiprocess mode across the replicas (a fresh ``PROMETHEUS_MULTIPROC_DIR``,
removed at exit), so ``/metrics`` on any replica reports the sums over all of them. Limits such as
``--max-concurrency`` and ``--max-jobs`` hold per replica.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from fastapi import FastAPI

from rewards.serving.app import create_app
from rewards.serving.metrics import MULTIPROCESS_ENV
from rewards.serving.server import bind
from rewards.serving.settings import ServeSettings
from rewards.spec import RewardSpec

__all__ = ["REPLICA_ENV", "app_from_environment", "serve_replicas"]

REPLICA_ENV = "RLVR_SERVE_REPLICA"  # the spec and settings every worker builds its app from (JSON)


def app_from_environment() -> FastAPI:
    """The app of one replica (uvicorn's factory, called in each worker process)."""
    data = json.loads(os.environ[REPLICA_ENV])
    return create_app(RewardSpec.from_dict(data["spec"]), ServeSettings(**data["settings"]))


@contextmanager
def _metrics_directory() -> Iterator[str]:
    """The user's ``PROMETHEUS_MULTIPROC_DIR`` if set (theirs to wipe), else a fresh one removed at exit."""
    given = os.environ.get(MULTIPROCESS_ENV)
    if given:
        yield given
        return
    directory = tempfile.mkdtemp(prefix="rlvr-serve-metrics-")
    os.environ[MULTIPROCESS_ENV] = directory
    try:
        yield directory
    finally:
        del os.environ[MULTIPROCESS_ENV]
        shutil.rmtree(directory, ignore_errors=True)


def serve_replicas(spec: RewardSpec, settings: ServeSettings, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve ``spec`` from ``settings.replicas`` worker processes until SIGINT/SIGTERM."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    sock = bind(settings.host, settings.port)
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(f"{__name__}:app_from_environment", factory=True, workers=settings.replicas,
                            log_level="warning", access_log=False, lifespan="on",
                            timeout_graceful_shutdown=settings.graceful_shutdown_s)  # fmt: skip
    with _metrics_directory():
        os.environ[REPLICA_ENV] = json.dumps({"spec": spec.to_dict(), "settings": settings.model_dump(mode="json")})
        try:
            if on_ready is not None:
                on_ready(f"http://{host if ':' not in host else f'[{host}]'}:{port}")
            Multiprocess(config, sockets=[sock]).run()
        finally:
            del os.environ[REPLICA_ENV]
            sock.close()
