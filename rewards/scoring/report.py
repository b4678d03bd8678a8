"""The end of an offline scoring run: a summary and one histogram per component plus the total.

Every row is accounted for: a row whose reward is null (no component applied) is counted as
such, and each component says on how many rows it gave no score (not applicable, a closed gate,
an error verdict), so the bars of each panel add up to the "scored" count in its title.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlvr.plots import save_png

__all__ = ["ComponentSummary", "ScoreSummary", "summarize", "write_histogram"]


@dataclass(frozen=True)
class ComponentSummary:
    """One component over the output's rows: how many it scored, its mean, pass rate and verdict statuses."""

    scored: int
    not_scored: int
    mean: float | None
    pass_rate: float | None  # over the rows its verifier judged pass/fail; None for shaping terms
    statuses: Counter[str]  # verdict status -> rows (verifier components only)


@dataclass(frozen=True)
class ScoreSummary:
    """Totals over every row in the output (including rows from a resumed run)."""

    rows: int
    mean_reward: float | None
    rewarded_rows: int
    components: dict[str, ComponentSummary]

    @property
    def no_reward_rows(self) -> int:
        return self.rows - self.rewarded_rows

    @property
    def pass_rates(self) -> dict[str, float | None]:
        return {name: summary.pass_rate for name, summary in self.components.items()}


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _component(rows: list[dict[str, Any]], name: str) -> ComponentSummary:
    scores = [row["rewards"].get(name) for row in rows]
    present = [score for score in scores if score is not None]
    verdicts = [row["verdicts"].get(name) for row in rows if row["verdicts"].get(name) is not None]
    judged = [verdict["passed"] for verdict in verdicts if verdict.get("passed") is not None]
    statuses = Counter(verdict.get("status", "ok") for verdict in verdicts)
    pass_rate = sum(judged) / len(judged) if judged else None
    return ComponentSummary(len(present), len(rows) - len(present), _mean(present), pass_rate, statuses)


def summarize(rows: list[dict[str, Any]], component_names: list[str]) -> ScoreSummary:
    """Mean reward, rows with no reward, and each component's scored rows, mean, pass rate and statuses."""
    rewards = [row["reward"] for row in rows if row.get("reward") is not None]
    components = {name: _component(rows, name) for name in component_names}
    return ScoreSummary(len(rows), _mean(rewards), len(rewards), components)


def histogram_path(output_path: Path) -> Path:
    return output_path.with_name(output_path.stem + ".rewards.png")


Panel = tuple[str, list[float], tuple[float, float]]  # title, values, range


def _panels(rows: list[dict[str, Any]], component_names: list[str]) -> list[Panel]:
    """(title, values, range) per component (scores are 0..1) and for the weighted total."""
    panels = []
    for name in component_names:
        values = [row["rewards"][name] for row in rows if row["rewards"].get(name) is not None]
        panels.append((f"{name}: {len(values)} of {len(rows)} scored", values, (0.0, 1.0)))
    totals = [row["reward"] for row in rows if row.get("reward") is not None]
    low, high = min([0.0, *totals]), max([1.0, *totals])
    panels.append((f"total: {len(totals)} of {len(rows)} rewarded", totals, (low, high)))
    return panels


def write_histogram(rows: list[dict[str, Any]], component_names: list[str], output_path: Path, title: str) -> Path:
    """A PNG beside the output: one histogram per component plus the total, with whole-number row counts."""
    from matplotlib.ticker import MaxNLocator

    panels = _panels(rows, component_names)

    def draw(axes: list[Any]) -> None:
        for axis, (label, values, value_range) in zip(axes, panels, strict=True):
            axis.hist(values, bins=20, range=value_range, color="#4c72b0", edgecolor="white")
            axis.set_title(label, fontsize=9)
            axis.set_xlabel("score" if axis is not axes[-1] else "reward")
            axis.set_ylabel("rows")
            axis.yaxis.set_major_locator(MaxNLocator(integer=True))

    return save_png(histogram_path(output_path), draw, panels=len(panels), title=title)
