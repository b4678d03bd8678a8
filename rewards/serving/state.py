"""What one running server holds: settings, evaluator, code runner, jobs, metrics and queue depth."""

from __future__ import annotations

from dataclasses import dataclass

from rewards.compose import SpecEvaluator
from rewards.serving.code_routes import CodeRunner
from rewards.serving.jobs import JobRunner
from rewards.serving.metrics import ServerMetrics
from rewards.serving.settings import ServeSettings

__all__ = ["ServerState"]


@dataclass
class ServerState:
    settings: ServeSettings
    evaluator: SpecEvaluator
    code: CodeRunner
    metrics: ServerMetrics
    jobs: JobRunner | None = None
    in_flight: int = 0

    def close(self) -> None:
        """Stop running jobs (resumable), then the verifiers' worker processes."""
        if self.jobs is not None:
            self.jobs.close()
        self.evaluator.close()
        self.code.close()
        self.metrics.close()
