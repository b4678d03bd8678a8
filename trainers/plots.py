"""The PNG written at the end of a run: a metric (the reward, or the SFT loss) against the step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rlvr.plots import save_png

__all__ = ["save_curve"]


def save_curve(log_history: list[dict[str, Any]], metric: str, path: Path) -> Path | None:
    """Plot ``metric`` from a trainer's ``state.log_history``; None when nothing was logged."""
    points = [(entry["step"], entry[metric]) for entry in log_history if metric in entry and "step" in entry]
    if not points:
        return None
    steps, values = zip(*points, strict=True)

    def draw(axes: list[Any]) -> None:
        axes[0].plot(steps, values, marker="o", markersize=3)
        axes[0].set_xlabel("step")
        axes[0].set_ylabel(metric)
        axes[0].grid(alpha=0.3)

    return save_png(path, draw)
