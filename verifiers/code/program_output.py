"""The judge's side of running a program for its output (no tests): feed stdin, read stdout and stderr.

The program process is the same confined process a stdin/stdout test gets (the zygote forks it,
the harness runs it under RestrictedPython); in the style ``"run"`` it also has a stderr pipe and
exits with Python's own status. Both outputs are read here from pipes as bytes, and only here is
it decided whether they were cut: each keeps its first ``output_limit`` bytes, and the program is
allowed one character more, so an output that reaches the cap is seen to pass it.
"""

from __future__ import annotations

import base64
import os
import select
import time
from collections.abc import Callable
from typing import Any

from verifiers.code.wire import send_frame
from verifiers.code.zygote import Spawner

__all__ = ["judge_run"]

_CHUNK = 1 << 16


def judge_run(source: str, stdin_text: str, spawner: Spawner, limits: dict[str, Any],
              emit: Callable[[dict[str, Any]], None]) -> None:  # fmt: skip
    """Run the program once on ``stdin_text``; emit one ``run`` message (nothing if it could not start)."""
    limit = limits["output_limit"]
    started = spawner.spawn_streams("run", {**limits, "output_limit": limit + 1}, emit)
    if started is None:
        return
    pid, channel, stdin_w, readers = started
    clock = time.monotonic()
    deadline = clock + limits["test_timeout_s"]
    try:
        send_frame(channel, {"source": source})
    except OSError:
        pass
    os.close(channel)
    outputs, sizes, finished = _drain(stdin_w, readers, stdin_text.encode(), deadline, limit)
    status = spawner.wait(pid, max(0.0, deadline - time.monotonic())) if finished else None
    seconds = time.monotonic() - clock
    spawner.kill(pid)
    emit({"e": "run", "exit": status, "seconds": round(seconds, 4), "stdout_bytes": sizes[0],
          "stderr_bytes": sizes[1], "stdout": base64.b64encode(outputs[0]).decode(),
          "stderr": base64.b64encode(outputs[1]).decode()})  # fmt: skip


def _drain(stdin_w: int, readers: list[int], data: bytes, deadline: float,
           limit: int) -> tuple[list[bytes], list[int], bool]:  # fmt: skip
    """Write stdin and read every output to its end; (first ``limit`` bytes, sizes, all ended in time)."""
    kept: list[list[bytes]] = [[] for _ in readers]
    sizes = [0] * len(readers)
    open_readers = dict(enumerate(readers))
    view = memoryview(data)
    os.set_blocking(stdin_w, False)
    writers = [stdin_w] if data else []
    if not data:
        os.close(stdin_w)
    try:
        while open_readers:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            readable, writable, _ = select.select(list(open_readers.values()), writers, [], left)
            if writable:
                view = _feed(stdin_w, view)
                if not view:
                    writers = []
                    os.close(stdin_w)
            for index, fd in [(i, fd) for i, fd in open_readers.items() if fd in readable]:
                chunk = os.read(fd, _CHUNK)
                if not chunk:
                    del open_readers[index]
                    continue
                if sizes[index] < limit:
                    kept[index].append(chunk[: limit - sizes[index]])
                sizes[index] += len(chunk)  # read on past the cap (the program stops itself there), kept no more
    finally:
        if writers:
            os.close(stdin_w)
        for fd in readers:
            os.close(fd)
    return [b"".join(parts) for parts in kept], sizes, not open_readers


def _feed(stdin_w: int, view: memoryview) -> memoryview:
    try:
        return view[os.write(stdin_w, view[:_CHUNK]) :]
    except BrokenPipeError:  # the program stopped reading: the rest of its input is dropped
        return view[len(view) :]
