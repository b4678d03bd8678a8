"""What one running server holds: its settings, evaluator, code runner, metrics and queue depth."""

from __future__ import annotations

from dataclasses import dataclass

from rewards.compose import SpecEvaluator
from rewards.serving.code_routes import CodeRunner
from rewards.serving.metrics import ServerMetrics
from rewards.serving.settings import ServeSettings

__all__ = ["ServerState"]


@dataclass
class ServerState:
    settings: ServeSettings
    evaluator: SpecEvaluator
    code: CodeRunner
    metrics: ServerMetrics
    in_flight: int = 0

    def close(self) -> None:
        """Stop the verifiers' worker processes."""
        self.evaluator.close()
        self.code.close()
