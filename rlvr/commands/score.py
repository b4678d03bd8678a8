"""`rlvr score`: score a whole dataset, resumable, with a summary and a histogram."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rlvr.errors import InputFileError


def cmd_score(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from rewards.scoring.job import ScoreJob, build_spec, parse_column_map
    from rewards.scoring.report import summarize, write_histogram
    from rewards.scoring.run import score_rows
    from rewards.scoring.table_io import count_rows

    columns, explicit = parse_column_map(args.column)
    job = ScoreJob(
        input_path=Path(args.input),
        output_path=Path(args.output),
        spec=build_spec(args.reward, args.verifier, args.option),
        columns=columns,
        required={"completion"} | explicit,
        workers=args.workers,
        resume=args.resume,
        skip_invalid=args.skip_invalid,
    )
    if not job.input_path.exists():
        raise InputFileError(f"input file {job.input_path} does not exist")
    console = Console(stderr=True)
    columns_shown = [TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns_shown, console=console, transient=True) as progress:
        task = progress.add_task("score", total=count_rows(job.input_path))
        result = score_rows(job, progress=lambda n: progress.advance(task, n))
    for _line, error in result.skipped:
        console.print(f"[yellow]skipped[/] {error}")
    rows = _output_rows(job)
    summary = summarize(rows, [c.name for c in job.spec.components if c.verifier is not None])
    _print_summary(console, summary, result)
    rewards = [row["reward"] for row in rows if row["reward"] is not None]
    if rewards:
        png = write_histogram(rewards, job.output_path, f"{job.input_path.name}: {len(rows)} rows")
        console.print(f"wrote {job.output_path} and {png}")
    else:
        console.print(f"wrote {job.output_path} (no rewards, so no histogram)")
    return 0


def _output_rows(job) -> list[dict]:
    from rewards.scoring.table_io import read_jsonl

    if job.output_path.suffix != ".parquet":
        return read_jsonl(job.output_path)
    import pyarrow.parquet as pq

    rows = pq.read_table(job.output_path).to_pylist()
    return [{**row, "verdicts": json.loads(row["verdicts"])} for row in rows if "verdicts" in row]


def _print_summary(console, summary, result) -> None:
    from rich.table import Table

    table = Table("metric", "value", title="rlvr score")
    table.add_row("rows", str(summary.rows))
    if result.resumed:
        table.add_row("rows from the previous run", str(result.resumed))
    table.add_row("rows skipped (invalid)", str(len(result.skipped)))
    mean = "n/a" if summary.mean_reward is None else f"{summary.mean_reward:.4f}"
    table.add_row("mean reward", mean)
    for name, rate in summary.pass_rates.items():
        table.add_row(f"pass rate: {name}", "n/a" if rate is None else f"{rate:.1%}")
        counts = summary.statuses[name]
        if set(counts) - {"ok"}:
            table.add_row(f"verdicts: {name}", ", ".join(f"{status} {n}" for status, n in sorted(counts.items())))
    rate = result.scored / result.seconds if result.seconds > 0 else 0.0
    table.add_row("rows/s (this run)", f"{rate:.1f}")
    console.print(table)


def add_parser(verbs: argparse._SubParsersAction) -> None:
    parser = verbs.add_parser("score", help="score a JSONL, CSV or Parquet file of completions")
    parser.add_argument("input")
    parser.add_argument("--reward", default=None, metavar="SPEC.yaml", help="a reward spec (YAML or JSON)")
    parser.add_argument("--verifier", action="append", default=[], metavar="NAME[=WEIGHT]",
                        help="shorthand for a spec: one component per verifier")
    parser.add_argument("--option", action="append", default=[], metavar="NAME.KEY=VALUE",
                        help="a component's config, as in math.timeout=5")
    parser.add_argument("--output", required=True, help="JSONL, or Parquet when it ends in .parquet")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run")
    parser.add_argument("--column", action="append", default=[], metavar="FIELD=COLUMN")
    parser.add_argument("--skip-invalid", action="store_true", help="report and skip malformed rows")
    parser.set_defaults(func=cmd_score)
