"""`python -m trainers.grpo`: GRPO with verifier rewards, held-out accuracy before and after.

python -m trainers.grpo                                   # CPU default: tiny model warm-started by SFT
python -m trainers.grpo --model smollm2-135m-instruct --max_steps 200 --report_to tensorboard
python -m trainers.grpo --config recipe.yaml --reward spec.yaml --task gsm8k.jsonl
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trainers.cli import resume_point, start_run
from trainers.data import format_prompt

__all__ = ["GRPO_DEFAULTS", "main", "rl_dataset_rows", "saved_starting_policy"]

GRPO_DEFAULTS: dict[str, Any] = {
    "output_dir": "runs/grpo",
    "max_steps": 80,  # the CPU default's sampled accuracy passes 95% within ~60 steps (docs/BENCHMARKS.md)
    "per_device_train_batch_size": 64,
    "num_generations": 8,
    "max_completion_length": 40,
    "learning_rate": 5e-5,  # 2e-4 and above lowered the tiny policy's held-out accuracy (docs/BENCHMARKS.md)
    "lr_scheduler_type": "constant",
    "beta": 0.04,  # a KL anchor to the starting policy keeps the tiny model's arithmetic from drifting
    "logging_steps": 5,
    "save_steps": 20,
    "disable_tqdm": True,
}


def rl_dataset_rows(rows: list[dict[str, Any]], tokenizer: Any) -> list[dict[str, Any]]:
    """Rows with a ``prompt`` (text or chat messages) and every column the reward may read."""
    return [
        {"prompt": format_prompt(row["question"], tokenizer), **{k: v for k, v in row.items() if k != "solution"}}
        for row in rows
    ]


def starting_policy(setup: dict[str, Any], run_args: Any, seed: int) -> tuple[Any, Any]:
    """The tiny SFT warm start on a CPU without --model; else the named model."""
    from trainers.models import load_policy
    from trainers.sft import warm_start_policy

    if not setup["cpu_default"]:
        return load_policy(setup["source"], seed=seed)
    task, warm_rows = setup["task"], setup["warm_rows"]
    kinds = "/".join(sorted({row.get("kind") or task.name for row in warm_rows}))
    print(
        f"no --model on a CPU: using a small config-built model warm-started by {run_args.warm_start_steps} SFT steps "
        f"on {len(warm_rows)} of the {kinds} training rows ({100 * run_args.warm_start_wrong_fraction:.0f}% of "
        f"the two-step ones worked by a wrong procedure, {100 * run_args.warm_start_bare_fraction:.0f}% answered "
        f"without working); RL trains on the other {len(task.train)} rows. Cached after the first run; pass "
        "--model smollm2-135m-instruct for the real model",
        flush=True,
    )
    warm_seed = seed if run_args.warm_start_seed is None else run_args.warm_start_seed
    model, tokenizer, _ = warm_start_policy(
        warm_rows, run_args.warm_start_steps, warm_seed, run_args.warm_start_bare_fraction,
        run_args.warm_start_wrong_fraction,
    )
    return model, tokenizer


def saved_starting_policy(model: Any, tokenizer: Any, output_dir: str) -> None:
    """Give an in-memory starting policy a folder, from which TRL loads the frozen reference model.

    With ``beta > 0`` GRPOTrainer builds the reference model from ``model.config._name_or_path``;
    a config-built or freshly trained model has none, so it is saved once under ``output_dir``.
    """
    if Path(getattr(model.config, "_name_or_path", "") or "").joinpath("config.json").is_file():
        return
    folder = Path(output_dir) / "starting_policy"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    model.config._name_or_path = str(folder)


def main(argv: list[str] | None = None) -> None:
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from plugins import make_verifier
    from rewards.grpo import get_reward_funcs
    from trainers.evaluate import evaluate_policy, report_run
    from trainers.schedule import TemperatureSchedule
    from trainers.sft import lora_config
    from trainers.tracking import log_run_result, prepare_tracking

    run_args, config, setup = start_run(GRPOConfig, GRPO_DEFAULTS, argv)
    prepare_tracking(config)
    task, spec = setup["task"], setup["spec"]
    checkpoint = resume_point(config)
    model, tokenizer = starting_policy(setup, run_args, config.seed)
    verifier = make_verifier(task.verifier)
    before = evaluate_policy(model, tokenizer, task.heldout, verifier, run_args.eval_max_new_tokens)
    print(f"held-out accuracy of the starting policy: {100 * before.accuracy:.1f}% (n={before.n})", flush=True)
    if config.beta and not run_args.lora:
        saved_starting_policy(model, tokenizer, config.output_dir)
    funcs, weights = get_reward_funcs(spec)
    config.reward_weights = weights
    schedule = TemperatureSchedule(run_args.temperature_start, run_args.temperature_end)
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=funcs,
        args=config,
        train_dataset=Dataset.from_list(rl_dataset_rows(task.train, tokenizer)),
        processing_class=tokenizer,
        callbacks=[schedule],
        peft_config=lora_config(run_args),
    )
    schedule.trainer = trainer
    trainer.train(resume_from_checkpoint=checkpoint)
    trainer.save_model(config.output_dir)
    after = evaluate_policy(trainer.model, tokenizer, task.heldout, verifier, run_args.eval_max_new_tokens)
    log_run_result(trainer, run_args, spec, before, after)
    verifier.close()
    report_run(before, after, trainer.state.log_history, "reward", config.output_dir)


if __name__ == "__main__":
    main()
