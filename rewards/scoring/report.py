"""The end of an offline scoring run: a summary table and a histogram of rewards."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 3.5), dpi=100)
    axes.hist(rewards, bins=20, range=(0.0, 1.0), color="#4c72b0", edgecolor="white")
    axes.set_xlabel("reward")
    axes.set_ylabel("rows")
    axes.set_title(title)
    figure.tight_layout()
    path = histogram_path(output_path)
    figure.savefig(path)
    plt.close(figure)
    return path
