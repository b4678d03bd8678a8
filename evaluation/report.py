"""An evaluation's report: ``eval.json`` (every number, the config, versions, seeds), ``samples.jsonl``
(one record per sample, for ``--compare``), ``eval.md`` (tables) and PNG charts."""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["markdown", "read_run", "save_charts", "versions", "write_report"]

_PACKAGES = ("rlvr", "torch", "transformers", "trl", "vllm", "lm-eval")


def versions() -> dict[str, str | None]:
    """Python's version and the installed versions of the packages an evaluation depends on (None: absent)."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}"


def _accuracy_table(title: str, rows: dict[str, dict[str, Any]]) -> list[str]:
    ks = sorted({key for row in rows.values() for key in row if key.startswith(("pass@", "maj@"))},
                key=lambda key: (key.split("@")[0] != "pass", int(key.split("@")[1])))
    lines = [f"## {title}", "", "| | problems | " + " | ".join(ks) + " | 95% interval (pass@1) |",
             "|---|---:|" + "---:|" * len(ks) + "---|"]
    for name, row in rows.items():
        interval = row.get("interval") or {}
        cells = " | ".join(_pct(row.get(k)) for k in ks)
        bounds = f"{_pct(interval.get('low'))}–{_pct(interval.get('high'))}"
        lines.append(f"| {name} | {row['problems']} | {cells} | {bounds} |")
    return [*lines, ""]


def _robustness_table(robustness: dict[str, dict[str, Any]]) -> list[str]:
    lines = ["## Robustness (paired originals and variants)", "",
             "| task | perturbation | pairs | original % | variant % | drop (pts) | 95% bootstrap of change "
             "| McNemar p |",
             "|---|---|---:|---:|---:|---:|---|---:|"]
    for task, kinds in robustness.items():
        for kind, row in kinds.items():
            boot = row["bootstrap_change"]
            lines.append(
                f"| {task} | {kind} | {row['pairs']} | {_pct(row['original']['accuracy'])} | "
                f"{_pct(row['variant']['accuracy'])} | {100 * row['drop'] + 0.0:.1f} | "
                f"{100 * boot['low']:.1f} to {100 * boot['high']:.1f} | {row['mcnemar']['p_value']:.3g} |")
    return [*lines, ""]


def markdown(report: dict[str, Any]) -> str:
    """The Markdown summary of an ``eval.json`` report."""
    lines = [f"# rlvr eval: {report['config'].get('model') or report['config'].get('predictions')}", ""]
    lines += _accuracy_table("Accuracy", report["tasks"])
    lines += _accuracy_table("Generalization (domains)", report["domains"])
    if report.get("robustness"):
        lines += _robustness_table(report["robustness"])
    for task, row in report.get("consistency", {}).items():
        lines.append(f"- {task}: {100 * row['consistent']:.1f}% of {row['problems']} problems got one outcome on all "
                     f"{row['instantiations']:.1f} instantiations; {100 * row['all_right']:.1f}% right on all")
    for task, kinds in report.get("skipped_variants", {}).items():
        lines.append(f"- {task}: rows a kind could not vary: " + ", ".join(f"{k} {n}" for k, n in kinds.items()))
    if report.get("consistency") or report.get("skipped_variants"):
        lines.append("")
    eff = report["efficiency"]
    lines += ["## Efficiency", "", "| measure | value |", "|---|---:|"]
    lines += [f"| {key} | {value:.4g} |" if isinstance(value, float) else f"| {key} | {value} |"
              for key, value in eff.items() if value is not None]
    return "\n".join(lines) + "\n"


def save_charts(report: dict[str, Any], folder: Path, records: list[dict[str, Any]]) -> list[Path]:
    """accuracy.png (per task and domain, Wilson intervals), robustness.png, tokens.png (accuracy vs tokens)."""
    from evaluation.charts import accuracy_chart, robustness_chart, tokens_chart

    paths = [accuracy_chart(report, folder / "accuracy.png")]
    if report.get("robustness"):
        paths.append(robustness_chart(report["robustness"], folder / "robustness.png"))
    if any(r["tokens"] is not None for r in records):
        paths.append(tokens_chart(records, folder / "tokens.png"))
    return paths


def write_report(report: dict[str, Any], records: list[dict[str, Any]], folder: Path) -> list[Path]:
    """Write samples.jsonl, eval.json, eval.md and the charts into ``folder``; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    samples = folder / "samples.jsonl"
    samples.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")
    charts = save_charts(report, folder, records)
    report["files"] = [p.name for p in (samples, *charts)] + ["eval.md"]
    (folder / "eval.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "eval.md").write_text(markdown(report), encoding="utf-8")
    return [folder / "eval.json", folder / "eval.md", samples, *charts]


def read_run(folder: str | Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The ``eval.json`` and ``samples.jsonl`` of an earlier ``rlvr eval`` output folder."""
    from rlvr.errors import InputFileError

    folder = Path(folder)
    report_path, samples_path = folder / "eval.json", folder / "samples.jsonl"
    for path in (report_path, samples_path):
        if not path.is_file():
            raise InputFileError(f"{folder} is not an rlvr eval output folder: it has no {path.name}")
    records = [json.loads(line) for line in samples_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return json.loads(report_path.read_text(encoding="utf-8")), records
