"""`rlvr eval`: accuracy, robustness, generalization and efficiency of a model, or of generations made elsewhere;
`rlvr eval --compare A B`: paired differences between two evaluations, each an earlier output folder or a model
evaluated first with the same options."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rlvr.commands.data import _progress, _say


def _config(args: argparse.Namespace) -> Any:
    from evaluation.run import EvalConfig

    perturb = [kind.strip() for kind in (args.perturb or "").split(",") if kind.strip()]
    return EvalConfig.checked(
        model=args.model, predictions=args.predictions, tasks=args.task, data=args.data, split=args.split,
        limit=args.limit, n=args.n, temperature=args.temperature, top_p=args.top_p,
        max_new_tokens=args.max_new_tokens, batch_size=args.batch_size, seed=args.seed, perturb=perturb,
        prompt=args.prompt, backend=args.backend, output=args.output or "eval-out",
    )


def _evaluate(args: argparse.Namespace) -> int:
    from evaluation.report import markdown
    from evaluation.run import prepare

    config = _config(args)
    plan = prepare(config)  # every check before the model loads
    report = _run(config, plan)
    print(markdown(report))
    return 0


def _run(config: Any, plan: Any) -> dict[str, Any]:
    """Generate (or read) and score a prepared evaluation; write its folder; the report."""
    from evaluation.report import versions, write_report
    from evaluation.run import run_eval

    result = run_eval(config, _progress, plan)
    report = {**result["report"], "versions": versions()}
    paths = write_report(report, result["records"], Path(config.output))
    _say(f"wrote {', '.join(str(path) for path in paths)}")
    return report


def _compared_runs(args: argparse.Namespace, folder: Path) -> list[str]:
    """The two run folders to compare: an earlier output folder as it is, a model evaluated first (into
    ``folder/A`` or ``folder/B``) with this command's options; both models are checked before either loads."""
    from evaluation.run import prepare

    runs, pending = list(args.compare), []
    for index, (label, value) in enumerate(zip("AB", args.compare, strict=True)):
        if (Path(value) / "eval.json").is_file():
            continue
        config = _config(argparse.Namespace(**{**vars(args), "model": value, "output": str(folder / label)}))
        pending.append((config, prepare(config)))
        runs[index] = config.output
    for config, plan in pending:
        _run(config, plan)
    return runs


def _compare(args: argparse.Namespace) -> int:
    from evaluation.charts import paired_chart
    from evaluation.compare import accuracy_change_line, compare_markdown, compare_runs, generalization_matrix
    from evaluation.report import read_run

    folder = Path(args.output or "eval-compare")
    runs = _compared_runs(args, folder)
    (report_a, records_a), (report_b, records_b) = read_run(runs[0]), read_run(runs[1])
    comparison = compare_runs(records_a, records_b, seed=args.seed)
    matrix = generalization_matrix({"A": report_a, "B": report_b})
    text = compare_markdown(comparison, runs[0], runs[1], matrix)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "compare.json").write_text(json.dumps({"a": runs[0], "b": runs[1], **comparison,
                                                     "matrix": matrix}, indent=2) + "\n", encoding="utf-8")
    (folder / "compare.md").write_text(text, encoding="utf-8")
    labels, sides = [], {"A": [], "B": []}
    for task, kinds in comparison["tasks"].items():
        for kind, row in kinds.items():
            labels.append(task if kind == "original" else f"{task}/{kind}")
            sides["A"].append(row["before"])
            sides["B"].append(row["after"])
        if "original" in kinds:
            row = kinds["original"]
            print(f"{task}: " + accuracy_change_line(row["before"]["accuracy"], row["after"]["accuracy"], row["pairs"]))
    paired_chart(labels, sides, folder / "compare.png", "A vs B on the same rows")
    print(text)
    _say(f"wrote {folder / 'compare.json'}, {folder / 'compare.md'}, {folder / 'compare.png'}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    if args.compare:
        return _compare(args)
    return _evaluate(args)


def add_parser(verbs: argparse._SubParsersAction) -> None:
    parser = verbs.add_parser("eval", help="evaluate a model (or predictions): accuracy, robustness, efficiency")
    parser.add_argument("model", nargs="?", default=None,
                        help="a model folder or checkpoint, a .gguf, 'smollm2-135m-instruct' or 'tiny'")
    parser.add_argument("--task", default="synthetic", help="registered tasks, comma-separated; NAME=FILE for data")
    parser.add_argument("--data", action="append", default=[], help="a task's data file, in --task order")
    parser.add_argument("--split", default=None, help="the split of the task's data")
    parser.add_argument("--limit", type=int, default=None, help="evaluate the first N rows of each task")
    parser.add_argument("--n", type=int, default=1, help="samples per problem (pass@k, maj@k); above 1 samples")
    parser.add_argument("--temperature", type=float, default=None, help="0 = greedy (default for --n 1; else 0.7)")
    parser.add_argument("--top-p", dest="top_p", type=float, default=1.0)
    parser.add_argument("--max-new-tokens", dest="max_new_tokens", type=int, default=64)
    parser.add_argument("--batch-size", dest="batch_size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0, help="seeds sampling, perturbations and the bootstrap")
    parser.add_argument("--perturb", default="", help="augmentation kinds for paired variants, as typos,distractor")
    parser.add_argument("--prompt", choices=("task", "bare"), default="task",
                        help="task: the task's prompt and instruction; bare: the question only (as the trainers)")
    parser.add_argument("--backend", choices=("auto", "transformers", "vllm"), default="auto")
    parser.add_argument("--predictions", default=None, help="score generations made elsewhere (rlvr JSONL, lm-eval)")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"),
                        help="two earlier output folders, or models evaluated first with these options")
    parser.add_argument("--output", "-o", default=None, help="output folder (default eval-out / eval-compare)")
    parser.set_defaults(func=cmd_eval)
