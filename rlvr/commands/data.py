"""`rlvr data`: make, vary and check datasets (``synth``, ``augment``, ``check``).

Inputs are JSONL, JSON, CSV, Parquet, folders of them or ``datasets`` saves; outputs are JSONL,
Parquet (``.parquet``) or a ``datasets`` save (a path with no suffix), and an existing output is
replaced only with ``--force``.
"""

from __future__ import annotations

import argparse
from collections import Counter
from contextlib import contextmanager
from typing import Any


@contextmanager
def _progress(label: str, total: int | None):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = [TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


def _say(message: str) -> None:
    from rich.console import Console

    Console(stderr=True).print(message, highlight=False)


def load_task_rows(path: str, task_name: str | None) -> tuple[Any, list[dict[str, Any]]]:
    """Task rows of ``path``, with the named task or the one its columns say (reported)."""
    from rlvr.errors import TaskError
    from tasks import get_task, read_rows, recognise_task

    if task_name is not None:
        task = get_task(task_name)
        return task, task.load(path)
    raw = read_rows(path)
    task = recognise_task(raw[0]) if raw else None
    if task is None:
        columns = ", ".join(sorted(raw[0])) if raw else "none"
        raise TaskError(f"{path}: no task recognises the columns ({columns}); pass --task NAME")
    _say(f"{path}: assuming --task {task.name} from its columns")
    return task, task.load(path)


def cmd_synth(args: argparse.Namespace) -> int:
    import time

    from pydantic import ValidationError

    from rlvr.errors import SetupError, validation_message
    from tasks.loader import check_output, write_rows
    from tasks.synth import SynthConfig, synthesize

    check_output(args.output, args.force)
    options = {"n": args.n, "seed": args.seed, "top": args.top, "heldout": args.heldout,
               "langs": tuple(args.lang.split(","))}  # fmt: skip
    if args.families:
        options["families"] = tuple(args.families.split(","))
    try:
        config = SynthConfig(**options)
    except ValidationError as error:
        raise SetupError(validation_message(error)) from None
    start = time.perf_counter()
    with _progress("synth", config.n * len(config.langs)) as advance:
        rows = synthesize(config, progress=advance)
    seconds = time.perf_counter() - start
    write_rows(rows, args.output, force=args.force)
    splits = Counter(row["split"] for row in rows)
    _say(f"wrote {len(rows)} rows ({config.n} problems x {len(config.langs)} languages; "
         f"train {splits['train']}, heldout {splits['heldout']}) to {args.output} "
         f"at {config.n / seconds:,.0f} problems/s")  # fmt: skip
    return 0


def cmd_augment(args: argparse.Namespace) -> int:
    from tasks.augment import augment
    from tasks.loader import check_output, write_rows

    check_output(args.output, args.force)
    _, rows = load_task_rows(args.input, args.task)
    kinds = [kind.strip() for kind in args.kinds.split(",") if kind.strip()]
    with _progress("augment", len(rows)) as advance:
        variants, skipped = augment(rows, kinds, seed=args.seed, progress=advance)
    out = [*rows, *variants] if args.with_originals else variants
    write_rows(out, args.output, force=args.force)
    made = Counter(row["perturbation"] for row in variants)
    for kind in kinds:
        _say(f"{kind}: {made[kind]} variants, {skipped[kind]} rows skipped")
    _say(f"wrote {len(out)} rows to {args.output}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from tasks.decontam import find_overlap
    from tasks.loader import check_output, read_rows, write_rows

    if args.drop:
        check_output(args.drop, args.force)
    train = read_rows(args.train)
    evals = {path: read_rows(path) for path in args.against}
    with _progress("check", len(train)) as advance:
        report = find_overlap(train, evals, n=args.ngram, min_shared=args.min_shared, progress=advance)
    _print_report(report, args.train, args.show)
    if args.drop:
        flagged = report.flagged_ids
        kept = [row for i, row in enumerate(train) if str(row.get("id", row.get("task_id", i))) not in flagged]
        write_rows(kept, args.drop, force=args.force)
        _say(f"wrote {len(kept)} rows without the {report.flagged} overlapping ones to {args.drop}")
    return 0


def _print_report(report: Any, train: str, show: int) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("evaluation set", "training rows overlapping", title=f"{report.n}-gram overlap of {train}")
    for name, count in report.per_set.items():
        table.add_row(name, f"{count} of {report.rows}")
    console = Console()
    console.print(table)
    for match in report.matches[:show]:
        console.print(f"row {match.train_id} ~ {match.eval_set} row {match.eval_id}: "
                      f"{match.shared} shared, e.g. '{match.example}'", highlight=False)  # fmt: skip
    console.print(f"{report.flagged} of {report.rows} training rows overlap an evaluation set")


def add_parser(verbs: argparse._SubParsersAction) -> None:
    parser = verbs.add_parser("data", help="make, augment and decontaminate datasets")
    actions = parser.add_subparsers(dest="action", required=True)

    synth = actions.add_parser("synth", help="generate SymPy problems with worked solutions")
    synth.add_argument("--n", type=int, default=1000, help="number of problems")
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--top", type=int, default=100, help="difficulty: numbers go up to about this")
    synth.add_argument("--families", default="",
                       help="comma-separated families (default: the math ones; the physics ones are named in "
                            "tasks/physics_families.py: speed_units, free_fall, braking, ...)")
    synth.add_argument("--lang", default="en", help="en, zh or en,zh")
    synth.add_argument("--heldout", type=float, default=0.1, help="share of problem structures held out")
    synth.add_argument("--output", required=True)
    synth.add_argument("--force", action="store_true", help="overwrite an existing output")
    synth.set_defaults(func=cmd_synth)

    aug = actions.add_parser("augment", help="add variants that keep or recompute the answer")
    aug.add_argument("input")
    aug.add_argument("--task", default=None, help="the input's task (default: recognised from its columns)")
    aug.add_argument("--kinds", required=True, help="comma-separated kinds, e.g. typos,distractor,substitute")
    aug.add_argument("--seed", type=int, default=0)
    aug.add_argument("--with-originals", action="store_true", help="write the original rows too")
    aug.add_argument("--output", required=True)
    aug.add_argument("--force", action="store_true", help="overwrite an existing output")
    aug.set_defaults(func=cmd_augment)

    check = actions.add_parser("check", help="n-gram overlap between training and evaluation sets")
    check.add_argument("train")
    check.add_argument("--against", nargs="+", required=True, metavar="EVAL", help="evaluation files")
    check.add_argument("--ngram", type=int, default=13, help="words per n-gram")
    check.add_argument("--min-shared", type=int, default=1, help="n-grams in common that flag a row")
    check.add_argument("--show", type=int, default=10, help="overlapping rows to print")
    check.add_argument("--drop", default=None, metavar="OUTPUT", help="write the training rows that do not overlap")
    check.add_argument("--force", action="store_true", help="overwrite an existing --drop output")
    check.set_defaults(func=cmd_check)
