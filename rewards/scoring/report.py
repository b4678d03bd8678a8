"""The end of an offline scoring run: a summary table and a histogram of rewards."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlvr.plots import save_png

__all__ = ["ScoreSummary", "summarize", "write_histogram"]


@dataclass(frozen=True)
class ScoreSummary:
    """Totals over every row in the output (including rows from a resumed run)."""

    rows: int
    mean_reward: float | None
    rewarded_rows: int
    pass_rates: dict[str, float | None]
    statuses: dict[str, Counter[str]]  # component -> verdict status -> rows


def summarize(rows: list[dict[str, Any]], component_names: list[str]) -> ScoreSummary:
    """Mean reward, pass rate per component (over the rows it judged) and verdict status counts."""
    rewards = [row["reward"] for row in rows if row.get("reward") is not None]
    pass_rates: dict[str, float | None] = {}
    statuses: dict[str, Counter[str]] = {}
    for name in component_names:
        verdicts = [row["verdicts"].get(name) for row in rows]
        verdicts = [verdict for verdict in verdicts if verdict is not None]
        judged = [verdict["passed"] for verdict in verdicts if verdict["passed"] is not None]
        pass_rates[name] = sum(judged) / len(judged) if judged else None
        statuses[name] = Counter(verdict.get("status", "ok") for verdict in verdicts)
    mean = sum(rewards) / len(rewards) if rewards else None
    return ScoreSummary(len(rows), mean, len(rewards), pass_rates, statuses)


def histogram_path(output_path: Path) -> Path:
    return output_path.with_name(output_path.stem + ".rewards.png")


def write_histogram(rewards: list[float], output_path: Path, title: str) -> Path:
    """A PNG histogram of the rewards beside the output file."""

    def draw(axes: list[Any]) -> None:
        axes[0].hist(rewards, bins=20, range=(0.0, 1.0), color="#4c72b0", edgecolor="white")
        axes[0].set_xlabel("reward")
        axes[0].set_ylabel("rows")
        axes[0].set_title(title)

    return save_png(histogram_path(output_path), draw)
