"""`rlvr score`: score a whole dataset, resumable, with a summary and a histogram per component."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rlvr.errors import InputFileError, ScoringError


def _job(args: argparse.Namespace) -> Any:
    from rewards.scoring.job import ScoreJob, build_spec, parse_column_map
    from rewards.scoring.table_io import is_stdin

    if args.resume and args.force:
        raise ScoringError("pass either --resume (continue) or --force (start over), not both")
    task = _task(args)
    task_columns = [f"{field}={column}" for field, column in task.score_columns.items()] if task else []
    columns, explicit = parse_column_map([*task_columns, *args.column])
    job = ScoreJob(
        input_path=Path(args.input),
        output_path=Path(args.output),
        spec=task.spec() if task else build_spec(args.reward, args.verifier, args.option),
        columns=columns,
        required={"completion"} | explicit,
        workers=args.workers,
        resume=args.resume,
        skip_invalid=args.skip_invalid,
        force=args.force,
        backend=args.backend,
        ray_address=args.address,
    )
    if not is_stdin(job.input_path) and not job.input_path.is_file():
        raise InputFileError(f"input file {job.input_path} does not exist")
    return job


def _recognised_task(args: argparse.Namespace) -> Any:
    """With no --task, --reward or --verifier: the registered task whose columns the file's first row has."""
    from plugins.tasks import recognise_task
    from rewards.scoring.table_io import is_stdin, read_rows

    path = Path(args.input)
    if is_stdin(path) or not path.is_file():
        return None
    first = next((item.row for item in read_rows(path) if item.row is not None), None)
    return None if first is None else recognise_task(first)


def _task(args: argparse.Namespace) -> Any:
    """The ``--task`` whose column mapping and reward spec score the file (None without ``--task``).

    Without --task, --reward or --verifier, a file in a known task's format is scored as that task,
    and the run says which task it assumed.
    """
    if args.task is None and not (args.reward or args.verifier):
        task = _recognised_task(args)
        if task is None:
            raise ScoringError("name what to score with: --task NAME, --reward spec.yaml or --verifier NAME "
                               "(the file's columns match no known task)")
        print(f"rlvr score: no --task given; the columns look like a {task.name!r} file, so scoring as "
              f"--task {task.name}", file=sys.stderr)
        return task
    if args.task is None:
        return None
    if args.reward or args.verifier or args.option:
        raise ScoringError("--task brings its own reward spec; leave out --reward, --verifier and --option")
    from plugins.tasks import get_task

    return get_task(args.task)


def cmd_score(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from rewards.scoring.report import summarize, write_histogram
    from rewards.scoring.run import score_rows
    from rewards.scoring.table_io import count_rows, source_name

    job = _job(args)
    console = Console(stderr=True)
    columns_shown = [TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns_shown, console=console, transient=True) as progress:
        task = progress.add_task("score", total=count_rows(job.input_path))
        result = score_rows(job, progress=lambda n: progress.advance(task, n))
    for _line, error in result.skipped:
        console.print(f"[yellow]skipped[/] {error}", markup=True, highlight=False)
    rows = _output_rows(job.output_path)
    names = job.spec.names
    summary = summarize(rows, names)
    _print_summary(console, summary, result)
    if rows:
        png = write_histogram(rows, names, job.output_path, f"{source_name(job.input_path)}: {len(rows)} rows")
        console.print(f"wrote {job.output_path} and {png}", highlight=False)
    else:
        console.print(f"wrote {job.output_path} (no rows, so no histogram)", highlight=False)
    if rows and summary.no_reward_rows > len(rows) / 2:
        console.print(f"[red]error:[/] {summary.no_reward_rows} of {len(rows)} rows got no reward: no component "
                      "could judge them (a missing reference or tests column? see `verdicts` for the reasons)",
                      highlight=False)
        return 1
    return 0


def _output_rows(output_path: Path) -> list[dict]:
    from rewards.scoring.table_io import read_jsonl

    if output_path.suffix != ".parquet":
        return read_jsonl(output_path)
    import pyarrow.parquet as pq

    rows = pq.read_table(output_path).to_pylist()
    return [{**row, "verdicts": json.loads(row["verdicts"])} for row in rows if "verdicts" in row]


def _print_summary(console, summary, result) -> None:
    from rich.table import Table

    table = Table("metric", "value", title="rlvr score")
    table.add_row("rows", str(summary.rows))
    if result.resumed:
        table.add_row("rows from the previous run", str(result.resumed))
    table.add_row("rows skipped (invalid)", str(len(result.skipped)))
    table.add_row("rows with no reward", str(summary.no_reward_rows))
    table.add_row("mean reward", "n/a" if summary.mean_reward is None else f"{summary.mean_reward:.4f}")
    for name, component in summary.components.items():
        mean = "n/a" if component.mean is None else f"{component.mean:.4f}"
        table.add_row(f"{name}: mean score", f"{mean} over {component.scored} rows")
        table.add_row(f"{name}: rows not scored", str(component.not_scored))
        if component.pass_rate is not None:
            table.add_row(f"pass rate: {name}", f"{component.pass_rate:.1%}")
        if set(component.statuses) - {"ok"}:
            counts = ", ".join(f"{status} {n}" for status, n in sorted(component.statuses.items()))
            table.add_row(f"verdicts: {name}", counts)
    rate = result.scored / result.seconds if result.seconds > 0 else 0.0
    table.add_row("rows/s (this run)", f"{rate:.1f}")
    console.print(table)
    for note in result.notes:
        console.print(f"note: {note}", highlight=False)


def add_parser(verbs: argparse._SubParsersAction) -> None:
    parser = verbs.add_parser("score", help="score a JSONL, CSV or Parquet file of completions")
    parser.add_argument("input", help="a .jsonl, .csv or .parquet file, or - to read JSONL from standard input")
    parser.add_argument("--reward", default=None, metavar="SPEC.yaml", help="a reward spec (YAML or JSON)")
    parser.add_argument("--verifier", action="append", default=[], metavar="NAME[=WEIGHT]",
                        help="shorthand for a spec: one component per verifier")
    parser.add_argument("--option", action="append", default=[], metavar="NAME.KEY=VALUE",
                        help="a component's config, as in math.timeout=5")
    parser.add_argument("--output", required=True, help="JSONL, or Parquet when it ends in .parquet")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--backend", choices=("local", "ray"), default="local",
                        help="ray: score on a Ray cluster (pip install 'rlvr[ray]'), --workers actors")
    parser.add_argument("--address", default=None,
                        help="with --backend ray: the cluster to join (default: start a local one)")
    parser.add_argument("--resume", action="store_true",
                        help="continue an interrupted run (refused if its settings differ)")
    parser.add_argument("--force", action="store_true",
                        help="start over: remove the output, its settings, skipped file and histogram first")
    parser.add_argument("--column", action="append", default=[], metavar="FIELD=COLUMN")
    parser.add_argument("--task", default=None, metavar="NAME",
                        help="a benchmark's columns and default reward spec, as in --task gsm8k")
    parser.add_argument("--skip-invalid", action="store_true", help="report and skip malformed rows")
    parser.set_defaults(func=cmd_score)
