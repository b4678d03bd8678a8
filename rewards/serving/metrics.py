"""Prometheus metrics of one server: requests, latency, verdict statuses and queue depth.

Each app has its own registry, so two servers in one process (tests) never share counters.

With ``--replicas N`` (several processes), ``PROMETHEUS_MULTIPROC_DIR`` is set for every replica:
prometheus-client then keeps each process's values in files there, and ``GET /metrics`` on any
replica answers the sum over all of them (counters and histograms summed, the gauges summed over
the replicas that are alive), so a scrape means the same whichever replica answers it.
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from verifiers.base import Verdict

__all__ = ["CONTENT_TYPE_LATEST", "MULTIPROCESS_ENV", "ServerMetrics"]

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


class ServerMetrics:
    """The counters a reward server exports at ``GET /metrics``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("rlvr_requests", "HTTP requests answered", ["route", "status"],
                                registry=self.registry)  # fmt: skip
        self.latency = Histogram("rlvr_request_seconds", "time to answer a request", ["route"],
                                 buckets=_LATENCY_BUCKETS, registry=self.registry)  # fmt: skip
        self.rows = Counter("rlvr_rows", "rows (or tests) judged", ["route"], registry=self.registry)
        self.verdicts = Counter("rlvr_verdicts", "verifier verdicts by status", ["component", "status"],
                                registry=self.registry)  # fmt: skip
        self.in_flight = Gauge("rlvr_in_flight_requests", "requests being handled (the queue depth)",
                               registry=self.registry, multiprocess_mode="livesum")  # fmt: skip
        self.jobs_running = Gauge("rlvr_jobs_running", "scoring jobs running", registry=self.registry,
                                  multiprocess_mode="livesum")  # fmt: skip
        self.jobs = Counter("rlvr_jobs", "scoring jobs ended, by how they ended", ["status"], registry=self.registry)
        self.rejected = Counter("rlvr_rejected", "requests refused before they ran", ["reason"],
                                registry=self.registry)  # fmt: skip

    def count_verdicts(self, verdicts: dict[str, list[Verdict | None]]) -> None:
        for component, values in verdicts.items():
            for verdict in values:
                if verdict is not None:
                    self.verdicts.labels(component, verdict.status).inc()

    def observe(self, route: str, status: int, seconds: float) -> None:
        self.requests.labels(route, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def exposition(self) -> bytes:
        """The Prometheus text format of every metric (of every replica, in multiprocess mode)."""
        directory = os.environ.get(MULTIPROCESS_ENV)
        if not directory:
            return generate_latest(self.registry)
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
        return generate_latest(registry)

    def close(self) -> None:
        """In multiprocess mode: this process's live gauges stop counting (its counters stay in the sums)."""
        if os.environ.get(MULTIPROCESS_ENV):
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(os.getpid())
