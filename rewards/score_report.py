"""The end of an offline scoring run: a summary table and a histogram of rewards."""

from __future__ import annotations

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

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "mean_reward": self.mean_reward,
            "rewarded_rows": self.rewarded_rows,
            "pass_rates": self.pass_rates,
        }


def summarize(rows: list[dict[str, Any]], verifier_names: list[str]) -> ScoreSummary:
    rewards = [row["reward"] for row in rows if row.get("reward") is not None]
    pass_rates: dict[str, float | None] = {}
    for name in verifier_names:
        judged = [row["verdicts"][name]["passed"] for row in rows if row["verdicts"][name]["passed"] is not None]
        pass_rates[name] = sum(judged) / len(judged) if judged else None
    mean = sum(rewards) / len(rewards) if rewards else None
    return ScoreSummary(len(rows), mean, len(rewards), pass_rates)


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
