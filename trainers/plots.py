"""The PNG written at the end of a run: a metric (the reward, or the SFT loss) against the step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["save_curve"]


def save_curve(log_history: list[dict[str, Any]], metric: str, path: Path) -> Path | None:
    """Plot ``metric`` from a trainer's ``state.log_history``; None when nothing was logged."""
    points = [(entry["step"], entry[metric]) for entry in log_history if metric in entry and "step" in entry]
    if not points:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps, values = zip(*points, strict=True)
    figure, axes = plt.subplots(figsize=(6, 3.5))
    axes.plot(steps, values, marker="o", markersize=3)
    axes.set_xlabel("step")
    axes.set_ylabel(metric)
    axes.grid(alpha=0.3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
