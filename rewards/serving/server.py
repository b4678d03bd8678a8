"""Running the app on uvicorn: in the foreground (``rlvr serve``) or in a background thread.

uvicorn stops on SIGINT/SIGTERM gracefully: it stops accepting connections, lets in-flight
requests finish (up to ``graceful_shutdown_s``), then runs the app's shutdown, which stops the
verifiers' worker processes.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI

from rewards.serving.settings import ServeSettings

__all__ = ["bind", "serve_forever", "serving_in_thread"]


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: a free one; read it from ``getsockname()``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it, a response's header and body writes meet
    # Nagle's algorithm and the client's delayed ACK, ~40 ms per request on loopback.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _server(app: FastAPI, settings: ServeSettings):
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=settings.graceful_shutdown_s,
                            access_log=False, lifespan="on")  # fmt: skip
    return uvicorn.Server(config)


def serve_forever(app: FastAPI, settings: ServeSettings, on_ready=None) -> None:
    """Serve until SIGINT/SIGTERM; ``on_ready(url)`` is called once the socket is bound."""
    sock = bind(settings.host, settings.port)
    host, port = sock.getsockname()[:2]
    if on_ready is not None:
        on_ready(f"http://{host if ':' not in host else f'[{host}]'}:{port}")
    _server(app, settings).run(sockets=[sock])


@contextmanager
def serving_in_thread(app: FastAPI, settings: ServeSettings) -> Iterator[str]:
    """Serve ``app`` from a background thread on a free port of ``settings.host``; yields the base URL."""
    sock = bind(settings.host, 0)
    server = _server(app, settings)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        raise RuntimeError("the reward server did not start")
    try:
        yield f"http://{settings.host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=settings.graceful_shutdown_s + 10)
        sock.close()
