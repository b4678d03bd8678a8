"""`python -m trainers.ppo`: PPO (trl.experimental.ppo) with a verifier reward model, accuracy before and after.

    python -m trainers.ppo                                    # CPU default: tiny model warm-started by SFT
    python -m trainers.ppo --model smollm2-135m-instruct --max_steps 200 --output_dir runs/ppo-smollm2

TRL's PPO scores only through a model, so the reward spec runs inside
``rewards.ppo.VerifierRewardModel``. ``--max_steps`` counts PPO updates (``total_episodes`` is
derived from it). PPOTrainer cannot resume by itself: a rerun loads the policy and value model
from the latest ``checkpoint-N`` and trains the remaining updates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trainers.cli import resume_point, start_run
from trainers.grpo import starting_policy

__all__ = ["PPO_DEFAULTS", "main"]

PPO_DEFAULTS: dict[str, Any] = {
    "output_dir": "runs/ppo",
    "max_steps": 100,
    "per_device_train_batch_size": 64,
    "num_mini_batches": 2,
    "num_ppo_epochs": 2,
    "response_length": 40,
    "stop_token": "eos",
    "learning_rate": 3e-5,  # 2e-4 with kl_coef 0.01 collapsed the tiny policy (docs/BENCHMARKS.md)
    "lr_scheduler_type": "constant",
    "kl_coef": 0.05,
    "num_sample_generations": 0,
    "logging_steps": 5,
    "save_steps": 20,
    "disable_tqdm": True,
}
VALUE_FOLDER = "value_model"


def _resume_point(checkpoint: str | None) -> int:
    if checkpoint is None:
        return 0
    return int(json.loads((Path(checkpoint) / "trainer_state.json").read_text())["global_step"])


def _policy_and_value(setup: dict[str, Any], run_args: Any, checkpoint: str | None, seed: int) -> tuple[Any, ...]:
    """Policy, tokenizer and value model: from the checkpoint when resuming, else the starting policy."""
    import tempfile

    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

    model, tokenizer = starting_policy(setup, run_args, seed)
    if checkpoint is not None:
        print(f"resuming from {checkpoint}", flush=True)
        model = AutoModelForCausalLM.from_pretrained(checkpoint)
        value_source = Path(checkpoint) / VALUE_FOLDER
        if value_source.is_dir():
            return model, tokenizer, AutoModelForSequenceClassification.from_pretrained(value_source)
    with tempfile.TemporaryDirectory() as folder:
        model.save_pretrained(folder)
        value_model = AutoModelForSequenceClassification.from_pretrained(folder, num_labels=1)
    value_model.config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer, value_model


def _prompt_rows(rows: list[dict[str, Any]], tokenizer: Any) -> tuple[Any, list[dict[str, Any]]]:
    """The token-only dataset PPOTrainer pads, and the same rows with their columns for the reward."""
    from datasets import Dataset

    from trainers.evaluate import prompt_texts

    ids = tokenizer(prompt_texts(rows, tokenizer), add_special_tokens=False)["input_ids"]
    full = [
        {"input_ids": i, **{k: v for k, v in row.items() if k != "solution"}} for i, row in zip(ids, rows, strict=True)
    ]
    return Dataset.from_dict({"input_ids": ids}), full


def main(argv: list[str] | None = None) -> None:
    from trl.experimental.ppo import PPOConfig, PPOTrainer

    from plugins import make_verifier
    from rewards.ppo import VerifierRewardModel, add_reward_logging
    from trainers.evaluate import evaluate_policy, report_run
    from trainers.schedule import ResumeFromStep, TemperatureSchedule, scheduled_generate
    from trainers.sft import lora_config
    from trainers.tracking import log_run_result, prepare_tracking

    run_args, config, setup = start_run(PPOConfig, PPO_DEFAULTS, argv)
    prepare_tracking(config)
    task, spec = setup["task"], setup["spec"]
    checkpoint = resume_point(config)
    done, total = _resume_point(checkpoint), config.max_steps
    model, tokenizer, value_model = _policy_and_value(setup, run_args, checkpoint, config.seed)
    verifier = make_verifier(task.verifier)
    before = evaluate_policy(model, tokenizer, task.heldout, verifier, run_args.eval_max_new_tokens)
    print(f"held-out accuracy of the starting policy: {100 * before.accuracy:.1f}% (n={before.n})", flush=True)
    train_dataset, reward_rows = _prompt_rows(task.train, tokenizer)
    config.total_episodes = (
        max(total - done, 0) * config.per_device_train_batch_size * config.gradient_accumulation_steps
    )
    schedule = TemperatureSchedule(run_args.temperature_start, run_args.temperature_end)
    reward_model = VerifierRewardModel(spec, tokenizer, reward_rows)
    trainer = PPOTrainer(
        args=config,
        processing_class=tokenizer,
        model=model,
        ref_model=None,
        reward_model=reward_model,
        train_dataset=train_dataset,
        value_model=value_model,
        callbacks=[ResumeFromStep(value_model, done, total, VALUE_FOLDER), schedule],
        peft_config=lora_config(run_args),
    )
    add_reward_logging(trainer, reward_model)
    scheduled_generate(trainer.model.policy, schedule)
    if config.total_episodes:
        trainer.train()
    trainer.save_model(config.output_dir)
    policy = trainer.model.policy
    after = evaluate_policy(policy, tokenizer, task.heldout, verifier, run_args.eval_max_new_tokens)
    log_run_result(trainer, run_args, spec, before, after)
    reward_model.close()
    verifier.close()
    report_run(before, after, trainer.state.log_history, "rewards/total/mean", config.output_dir)


if __name__ == "__main__":
    main()
