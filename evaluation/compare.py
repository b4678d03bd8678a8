"""Comparing two evaluations: per task and per perturbation, paired by row id, with McNemar and a bootstrap.

The trainers' "held-out accuracy: before X% -> after Y%" line is :func:`accuracy_change_line`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from evaluation.robustness import paired_change
from evaluation.summary import problems

__all__ = ["accuracy_change_line", "compare_markdown", "compare_runs", "generalization_matrix"]

ORIGINAL = "original"


def accuracy_change_line(before: float, after: float, n: int) -> str:
    """``held-out accuracy: before 41.5% -> after 57.0% (n=200)``.

    Example:
        >>> accuracy_change_line(0.415, 0.57, 200)
        'held-out accuracy: before 41.5% -> after 57.0% (n=200)'
    """
    return f"held-out accuracy: before {100 * before:.1f}% -> after {100 * after:.1f}% (n={n})"


def compare_runs(before: list[dict[str, Any]], after: list[dict[str, Any]], seed: int = 0) -> dict[str, Any]:
    """Per task, per perturbation (``original`` for the originals): the rows both runs scored, paired by id."""
    rows_a, rows_b = problems(before), problems(after)
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for key in sorted(set(rows_a) & set(rows_b)):
        groups[(key[0], rows_a[key][0]["perturbation"] or ORIGINAL)].append(key)
    result: dict[str, Any] = defaultdict(dict)
    for (task, kind), keys in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] != ORIGINAL, item[0][1])):
        result[task][kind] = paired_change([rows_a[k] for k in keys], [rows_b[k] for k in keys], seed=seed)
    return {"tasks": dict(result), "only_in_a": len(set(rows_a) - set(rows_b)),
            "only_in_b": len(set(rows_b) - set(rows_a))}


def generalization_matrix(reports: dict[str, dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Runs by domain: pass@1 of each run (a label) on each domain it evaluated."""
    return {label: {domain: row["pass@1"] for domain, row in report["domains"].items()}
            for label, report in reports.items()}


def compare_markdown(
    comparison: dict[str, Any], label_a: str, label_b: str, matrix: dict[str, dict[str, float]]
) -> str:
    """The comparison as Markdown: the paired table, then the generalization matrix."""
    lines = [f"# rlvr eval --compare: A = {label_a}, B = {label_b}", "",
             "| task | rows | A % | B % | B − A (pts) | 95% bootstrap | McNemar b/c | p |",
             "|---|---:|---:|---:|---:|---|---|---:|"]
    for task, kinds in comparison["tasks"].items():
        for kind, row in kinds.items():
            name = task if kind == ORIGINAL else f"{task} / {kind}"
            boot, test = row["bootstrap"], row["mcnemar"]
            lines.append(
                f"| {name} | {row['pairs']} | {100 * row['before']['accuracy']:.1f} "
                f"| {100 * row['after']['accuracy']:.1f} "
                f"| {100 * row['change']:+.1f} | {100 * boot['low']:+.1f} to {100 * boot['high']:+.1f} "
                f"| {test['b']}/{test['c']} | {test['p_value']:.3g} |")
    domains = sorted({domain for row in matrix.values() for domain in row})
    lines += ["", "## Generalization matrix (pass@1 %)", "", "| run | " + " | ".join(domains) + " |",
              "|---|" + "---:|" * len(domains)]
    for label, row in matrix.items():
        lines.append(f"| {label} | " + " | ".join(f"{100 * row[d]:.1f}" if d in row else "" for d in domains) + " |")
    return "\n".join(lines) + "\n"
