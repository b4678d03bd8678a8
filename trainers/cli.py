"""Shared command line: rlvr's run options plus a TRL config class, parsed by TrlParser.

Every TRL field (``--learning_rate``, ``--max_steps``, ``--report_to`` ...) works on the command
line and in ``--config recipe.yaml``; the options below add the model, task and reward. Bad
input is checked here, before any model is loaded.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlvr.errors import RlvrError, SetupError

__all__ = [
    "RunArguments",
    "SetupError",
    "latest_checkpoint",
    "parse_args",
    "prepare_run",
    "resume_point",
    "save_result",
    "start_run",
]


@dataclass
class RunArguments:
    """rlvr's options, next to the TRL config's own."""

    model: str | None = field(
        default=None,
        metadata={
            "help": "hub id (cached), model folder, .gguf file, 'smollm2-135m-instruct' or 'tiny'. "
            "Default: 'tiny' warm-started by SFT (cached) on a CPU, the embedded SmolLM2 on a GPU"
        },
    )
    task: str = field(
        default="synthetic",
        metadata={"help": "'synthetic', 'humaneval', a registered task (gsm8k, math, commonsenseqa, mathqa) with "
                  "--data, 'physics' (generated), or a JSONL/JSON/Parquet file"},
    )
    data: str | None = field(
        default=None, metadata={"help": "the data of a registered --task: a file, a folder or a datasets save"}
    )
    reward: str | None = field(
        default=None,
        metadata={"help": "reward spec YAML, or a named reward: default (math + format), format-only, trl-accuracy"},
    )
    n_train: int | None = field(
        default=None, metadata={"help": "synthetic training problems (default 8000; 4000 on the CPU default)"}
    )
    n_heldout: int = field(default=200, metadata={"help": "held-out problems for the before/after accuracy"})
    max_number: int | None = field(
        default=None,
        metadata={"help": "largest operand in synthetic problems, the difficulty (default 15; 9 on the CPU default)"},
    )
    kinds: str | None = field(
        default=None,
        metadata={
            "help": "synthetic problem kinds, comma-separated, from arithmetic, fraction, linear, word, two_step "
            "(default: all but two_step; two_step on the CPU default)"
        },
    )
    temperature_start: float = field(default=0.7, metadata={"help": "sampling temperature at the first step"})
    temperature_end: float = field(default=0.3, metadata={"help": "sampling temperature at the last step"})
    eval_max_new_tokens: int = field(default=48, metadata={"help": "generation length for held-out evaluation"})
    lora: bool = field(default=False, metadata={"help": "train LoRA adapters (peft) instead of all weights"})
    lora_r: int = field(default=16, metadata={"help": "LoRA rank"})
    warm_start_steps: int = field(default=400, metadata={"help": "SFT steps of the tiny model's warm start"})
    warm_start_seed: int | None = field(
        default=None, metadata={"help": "seed of the warm start (default: --seed); fix it to vary only the RL seed"}
    )
    warm_start_bare_fraction: float = field(
        default=0.0,
        metadata={"help": "share of the warm start's SFT examples that give the bare answer without working"},
    )
    warm_start_wrong_fraction: float = field(
        default=0.6,
        metadata={"help": "share of the warm start's two-step examples worked by a wrong procedure (adding "
                  "what was given away)"},
    )


def has_gpu() -> bool:
    import torch

    return torch.cuda.is_available()


def parse_args(config_class: type, defaults: dict[str, Any], argv: list[str] | None = None) -> tuple[Any, Any]:
    """``(RunArguments, config)`` from argv and ``--config``; ``defaults`` are this trainer's CPU defaults."""
    from trl import TrlParser

    parser = TrlParser((RunArguments, config_class))
    gpu = has_gpu()
    parser.set_defaults(**{"bf16": gpu, "use_cpu": not gpu, "report_to": "none", "save_total_limit": 3, **defaults})
    try:
        run_args, config = parser.parse_args_and_config(args=argv)
    except ValueError as error:  # an unknown option, or a config TRL rejects
        fail(error)
    return run_args, config


def start_run(
    config_class: type, defaults: dict[str, Any], argv: list[str] | None, default_model: str | None = None
) -> tuple[RunArguments, Any, dict[str, Any]]:
    """Parse the command line and check the model, task and reward; a bad one exits with one line."""
    # TRL 1.12 calls transformers' renamed gradient-checkpointing methods at every save; the
    # FutureWarnings are not actionable for a user and bury the training log.
    warnings.filterwarnings("ignore", message=r".*gradient_checkpointing.* is deprecated", category=FutureWarning)
    run_args, config = parse_args(config_class, defaults, argv)
    try:
        return run_args, config, prepare_run(run_args, default_model)
    except SetupError as error:
        fail(error)


def prepare_run(run_args: RunArguments, default_model: str | None = None) -> dict[str, Any]:
    """Resolve the model, task and reward spec (files and names only); raise SetupError on bad input."""
    from rewards.spec import RewardSpec
    from trainers.data import load_task
    from trainers.models import resolve_model

    name = run_args.model or default_model or ("smollm2-135m-instruct" if has_gpu() else "tiny")
    cpu_default = run_args.model is None and not has_gpu()
    try:
        source = resolve_model(name)
        task = load_task(run_args.task, n_heldout=run_args.n_heldout, data=run_args.data,
                         **synthetic_options(run_args, cpu_default))
        if run_args.reward:
            spec = RewardSpec.load(run_args.reward)
        else:
            spec = RewardSpec.from_dict(task.info["spec"]) if "spec" in task.info else _default_spec(task.verifier)
        _check_spec_columns(spec, task.train[0] if task.train else {})
    except (RlvrError, FileNotFoundError) as error:
        raise SetupError(str(error)) from error
    if source.kind == "tiny" and not has_gpu():
        import torch

        # A tiny model gains nothing from a second thread, and on a busy CPU the threads' spin-waits
        # make each step many times slower.
        torch.set_num_threads(1)
    warm_rows: list[dict[str, Any]] = []
    if cpu_default:  # the warm start and RL never train on the same rows
        warm_rows, rl_rows = split_for_warm_start(task.train)
        task = dataclasses.replace(task, train=rl_rows)
    elif source.kind == "tiny":
        print("--model tiny is a randomly initialised model with no training; omit --model for the CPU default, "
              "the tiny model warm-started by SFT", flush=True)
    return {"source": source, "task": task, "spec": spec, "cpu_default": cpu_default, "warm_rows": warm_rows}


def split_for_warm_start(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Half the training rows for the SFT warm start, the other half for RL: no row is used by both.

    Example:
        >>> split_for_warm_start([{"q": n} for n in range(5)])
        ([{'q': 0}, {'q': 2}, {'q': 4}], [{'q': 1}, {'q': 3}])
    """
    return rows[0::2], rows[1::2]


# The synthetic task of the CPU default: two-step word problems (have - given + more, numbers up to
# 9), whose worked steps need only one-digit facts that the tiny model learns in its short warm
# start. Options the user sets win.
CPU_DEFAULT_TASK: dict[str, Any] = {"n_train": 4000, "top": 9, "kinds": ("two_step",)}
GENERAL_TASK: dict[str, Any] = {"n_train": 8000, "top": 15, "kinds": ("arithmetic", "fraction", "linear", "word")}


def synthetic_options(run_args: RunArguments, cpu_default: bool) -> dict[str, Any]:
    """``n_train``, ``top`` and ``kinds`` for :func:`trainers.data.load_task` from the options and defaults."""
    options = dict(CPU_DEFAULT_TASK if cpu_default else GENERAL_TASK)
    if run_args.n_train is not None:
        options["n_train"] = run_args.n_train
    if run_args.max_number is not None:
        options["top"] = run_args.max_number
    if run_args.kinds:
        options["kinds"] = tuple(kind.strip() for kind in run_args.kinds.split(",") if kind.strip())
    return options


def _default_spec(verifier: str) -> Any:
    from rewards.spec import RewardSpec

    if verifier == "math":
        return RewardSpec.default()
    return RewardSpec.from_dict(
        {
            "components": [
                {
                    "name": "code",
                    "verifier": "code",
                    "reference_column": None,
                    "columns": {"tests": "test", "entry_point": "entry_point"},
                }
            ]
        }
    )


def _check_spec_columns(spec: Any, row: dict[str, Any]) -> None:
    for component in spec.components:
        needed = [component.reference_column] if component.verifier and component.reference_column else []
        needed += list(component.columns.values())
        missing = [column for column in needed if column not in row]
        if missing:
            raise SetupError(
                f"reward component {component.name!r} reads column(s) {missing} that the task lacks; "
                f"it has {sorted(row)}"
            )


def fail(error: Exception) -> None:
    """Print a setup error as one line and exit with status 2."""
    print(f"error: {error}", file=sys.stderr)
    raise SystemExit(2)


RESULT_FILE = "run_result.json"


def latest_checkpoint(output_dir: str) -> str | None:
    """The newest ``checkpoint-N`` in ``output_dir``, or None."""
    from transformers.trainer_utils import get_last_checkpoint

    return get_last_checkpoint(output_dir) if Path(output_dir).is_dir() else None


def resume_point(config: Any) -> str | None:
    """The checkpoint to resume from: only when asked (``--resume_from_checkpoint PATH|true``), as in TRL.

    A run into an ``output_dir`` that already holds a run is never a silent resume: a finished run
    is shown with its result (exit 0); an unfinished one is an error that names both ways on.
    """
    asked, output_dir = config.resume_from_checkpoint, config.output_dir
    if asked:
        if str(asked).lower() not in ("true", "latest"):
            if not Path(asked).is_dir():
                fail(SetupError(f"--resume_from_checkpoint {asked}: no such checkpoint folder"))
            return str(asked)
        checkpoint = latest_checkpoint(output_dir)
        if checkpoint is None:
            fail(SetupError(f"--resume_from_checkpoint {asked}: {output_dir} has no checkpoint-N to resume from"))
        return checkpoint
    result = Path(output_dir) / RESULT_FILE
    if result.is_file():
        line = json.loads(result.read_text(encoding="utf-8")).get("line", "")
        print(f"{output_dir} holds a finished run ({line}); nothing to do. Pass --resume_from_checkpoint true "
              "with a larger --max_steps to train it further, or another --output_dir for a fresh run.", flush=True)
        raise SystemExit(0)
    if latest_checkpoint(output_dir) is not None:
        fail(SetupError(f"{output_dir} has checkpoints of an unfinished run: pass --resume_from_checkpoint true to "
                        "continue it, or another --output_dir for a fresh run"))
    return None


def save_result(output_dir: str, line: str, **numbers: Any) -> None:
    """Mark ``output_dir`` as a finished run, with its held-out result."""
    path = Path(output_dir) / RESULT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"line": line, **numbers}, indent=2) + "\n", encoding="utf-8")
