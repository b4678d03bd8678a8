"""The `rlvr` command line: `plugins`, `verify` and `score`, one function per verb."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def cmd_plugins(args: argparse.Namespace) -> int:
    from plugins import verifier_entries

    entries = sorted(verifier_entries().values(), key=lambda entry: entry.name)
    if args.json:
        print(json.dumps([entry.as_dict() for entry in entries], indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table("verifier", "plugin", "version", "description", title="rlvr verifiers")
    for entry in entries:
        table.add_row(entry.name, entry.plugin, entry.version, entry.description)
    Console().print(table)
    return 0


def _parse_options(pairs: Sequence[str]) -> dict[str, object]:
    options: dict[str, object] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise ValueError(f"--option {pair!r}: expected KEY=VALUE, as in timeout=5")
        try:
            options[key] = json.loads(raw)
        except json.JSONDecodeError:
            options[key] = raw
    return options


def cmd_verify(args: argparse.Namespace) -> int:
    from plugins import make_verifier

    fields = _parse_options(args.field)
    with make_verifier(args.verifier, _parse_options(args.option)) as verifier:
        verdict = verifier.verify(args.completion, args.reference, **fields)
    print(verdict.model_dump_json(indent=2))
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from rewards.score_report import summarize, write_histogram
    from rewards.scoring import ScoreJob, parse_column_map, parse_verifier_weights, score_rows
    from rewards.table_io import count_rows

    columns, explicit = parse_column_map(args.column)
    job = ScoreJob(
        input_path=Path(args.input),
        output_path=Path(args.output),
        weights=parse_verifier_weights(args.verifier),
        columns=columns,
        required={"completion"} | explicit,
        workers=args.workers,
        resume=args.resume,
        skip_invalid=args.skip_invalid,
    )
    if not job.input_path.exists():
        raise FileNotFoundError(f"input file {job.input_path} does not exist")
    console = Console(stderr=True)
    columns_shown = [TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns_shown, console=console, transient=True) as progress:
        task = progress.add_task("score", total=count_rows(job.input_path))
        result = score_rows(job, progress=lambda n: progress.advance(task, n))
    for _line, error in result.skipped:
        console.print(f"[yellow]skipped[/] {error}")
    rows = _output_rows(job)
    summary = summarize(rows, list(job.weights))
    _print_summary(console, summary, result)
    rewards = [row["reward"] for row in rows if row["reward"] is not None]
    if rewards:
        png = write_histogram(rewards, job.output_path, f"{job.input_path.name}: {len(rows)} rows")
        console.print(f"wrote {job.output_path} and {png}")
    else:
        console.print(f"wrote {job.output_path} (no rewards, so no histogram)")
    return 0


def _output_rows(job) -> list[dict]:
    from rewards.table_io import read_jsonl

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
    rate = result.scored / result.seconds if result.seconds > 0 else 0.0
    table.add_row("rows/s (this run)", f"{rate:.1f}")
    console.print(table)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rlvr", description="Verifiable rewards for RL on reasoning models.")
    verbs = parser.add_subparsers(dest="verb", required=True)

    plugins = verbs.add_parser("plugins", help="list every verifier with its plugin and version")
    plugins.add_argument("--json", action="store_true", help="print a JSON list")
    plugins.set_defaults(func=cmd_plugins)

    verify = verbs.add_parser("verify", help="check one completion and print the Verdict as JSON")
    verify.add_argument("completion")
    verify.add_argument("--verifier", required=True)
    verify.add_argument("--reference", default=None)
    verify.add_argument("--option", action="append", default=[], metavar="KEY=VALUE", help="verifier config")
    verify.add_argument("--field", action="append", default=[], metavar="KEY=VALUE", help="a row column")
    verify.set_defaults(func=cmd_verify)

    score = verbs.add_parser("score", help="score a JSONL, CSV or Parquet file of completions")
    score.add_argument("input")
    score.add_argument("--verifier", action="append", default=[], metavar="NAME[=WEIGHT]", required=True)
    score.add_argument("--output", required=True, help="JSONL, or Parquet when it ends in .parquet")
    score.add_argument("--workers", type=int, default=1)
    score.add_argument("--resume", action="store_true", help="continue an interrupted run")
    score.add_argument("--column", action="append", default=[], metavar="FIELD=COLUMN")
    score.add_argument("--skip-invalid", action="store_true", help="report and skip malformed rows")
    score.set_defaults(func=cmd_score)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from plugins import PluginLoadError, UnknownVerifierError
    from rewards.scoring import ScoringError

    args = build_parser().parse_args(argv)
    setup_errors = (UnknownVerifierError, PluginLoadError, ScoringError, FileNotFoundError, ValueError)
    try:
        return args.func(args)
    except setup_errors as error:
        print(f"rlvr {args.verb}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
