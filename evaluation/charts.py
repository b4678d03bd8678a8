"""The PNG charts of an evaluation, drawn with :func:`rlvr.plots.save_png`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rlvr.plots import save_png

__all__ = ["accuracy_chart", "paired_chart", "robustness_chart", "tokens_chart"]


def _bars(ax: Any, rows: dict[str, dict[str, Any]], title: str) -> None:
    """Horizontal bars, one per name, top to bottom: long names (``math/Counting & Probability``) stay legible."""
    names = list(rows)
    values = [100 * rows[name]["pass@1"] for name in names]
    low = [max(0.0, v - 100 * rows[n]["interval"]["low"]) for n, v in zip(names, values, strict=True)]
    high = [max(0.0, 100 * rows[n]["interval"]["high"] - v) for n, v in zip(names, values, strict=True)]
    ax.barh(range(len(names)), values, xerr=[low, high], capsize=3, color="tab:blue")
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("pass@1 (%)")
    ax.set_title(title, fontsize=9)


def accuracy_chart(report: dict[str, Any], path: Path) -> Path:
    """pass@1 with 95% Wilson intervals, per task and per domain; as tall as the longer list needs."""

    def draw(axes: list[Any]) -> None:
        _bars(axes[0], report["tasks"], "per task")
        _bars(axes[1], report["domains"], "per domain")

    rows = max(len(report["tasks"]), len(report["domains"]))
    return save_png(path, draw, panels=2, title="accuracy", size=(9.0, max(3.5, 1.4 + 0.28 * rows)))


def paired_chart(labels: list[str], sides: dict[str, list[dict[str, float]]], path: Path, title: str) -> Path:
    """Two bars per label (``accuracy``, ``low``, ``high`` of each side), with their intervals."""

    def draw(axes: list[Any]) -> None:
        ax = axes[0]
        for offset, (side, rows) in zip((-0.2, 0.2), sides.items(), strict=True):
            values = [100 * r["accuracy"] for r in rows]
            errors = [[max(0.0, v - 100 * r["low"]) for v, r in zip(values, rows, strict=True)],
                      [max(0.0, 100 * r["high"] - v) for v, r in zip(values, rows, strict=True)]]
            ax.bar([i + offset for i in range(len(rows))], values, width=0.4, yerr=errors, capsize=3, label=side)
        ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=7)
        ax.set_ylim(0, 100)
        ax.set_ylabel("accuracy on the pairs (%)")
        ax.legend(fontsize=7)

    return save_png(path, draw, title=title)


def robustness_chart(robustness: dict[str, dict[str, Any]], path: Path) -> Path:
    """Original and variant accuracy on the pairs of each (task, perturbation), with Wilson intervals."""
    labels, sides = [], {"original": [], "variant": []}
    for task, kinds in robustness.items():
        for kind, row in kinds.items():
            labels.append(f"{task}/{kind}" if len(robustness) > 1 else kind)
            for side in sides:
                sides[side].append(row[side])
    return paired_chart(labels, sides, path, "robustness: originals vs paired variants")


def tokens_chart(records: list[dict[str, Any]], path: Path) -> Path:
    """Accuracy against generated tokens: the samples binned by length, per task."""

    def draw(axes: list[Any]) -> None:
        ax = axes[0]
        for task in sorted({r["task"] for r in records}):
            mine = sorted((r["tokens"], r["passed"]) for r in records if r["task"] == task and r["tokens"] is not None)
            size = max(1, len(mine) // 8)
            bins = [mine[i : i + size] for i in range(0, len(mine), size)]
            ax.plot([sum(t for t, _ in b) / len(b) for b in bins], [100 * sum(p for _, p in b) / len(b) for b in bins],
                    marker="o", label=task)
        ax.set_xlabel("generated tokens")
        ax.set_ylabel("right (%)")
        ax.set_ylim(-2, 102)
        ax.legend(fontsize=7)

    return save_png(path, draw, title="accuracy against tokens")
