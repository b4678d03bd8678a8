"""`python -m trainers.sft`: supervised fine-tuning on worked solutions, and the tiny model's cached warm start.

python -m trainers.sft                          # tiny model, synthetic math, CPU-sized
python -m trainers.sft --model smollm2-135m-instruct --max_steps 200 --output_dir runs/sft
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from trainers.cli import RunArguments, resume_point, save_result, start_run
from trainers.data import format_prompt

__all__ = ["SFT_DEFAULTS", "lora_config", "main", "sft_dataset", "train_sft", "warm_start_policy"]

SFT_DEFAULTS: dict[str, Any] = {
    "output_dir": "runs/sft",
    "max_steps": 500,
    "per_device_train_batch_size": 64,
    "learning_rate": 5e-3,
    "lr_scheduler_type": "cosine",
    "warmup_steps": 20,
    "logging_steps": 25,
    "save_steps": 250,
    "max_length": 128,
    "disable_tqdm": True,
}
# Bump when the tiny model, its tokenizer or the synthetic task changes, so stale warm starts are not reused.
WARM_START_VERSION = 2


def sft_dataset(rows: list[dict[str, Any]], tokenizer: Any) -> Any:
    """A prompt/completion Dataset: the worked solution where there is one, else the boxed answer."""
    from datasets import Dataset

    records = []
    for row in rows:
        target = row.get("solution") or f"\\boxed{{{row['answer']}}}"
        prompt = format_prompt(row["question"], tokenizer)
        completion = [{"role": "assistant", "content": target}] if isinstance(prompt, list) else f" {target}"
        records.append({"prompt": prompt, "completion": completion})
    return Dataset.from_list(records)


def train_sft(
    model: Any, tokenizer: Any, rows: list[dict[str, Any]], config: Any, peft_config: Any = None,
    checkpoint: str | None = None,
) -> Any:
    """Fine-tune ``model`` on ``rows`` with TRL's SFTTrainer (from ``checkpoint`` if given); returns the trainer."""
    from trl import SFTTrainer

    trainer = SFTTrainer(
        model=model,
        args=config,
        train_dataset=sft_dataset(rows, tokenizer),
        processing_class=tokenizer,
        peft_config=peft_config,
    )
    trainer.train(resume_from_checkpoint=checkpoint)
    return trainer


def warm_start_policy(
    rows: list[dict[str, Any]], steps: int, seed: int = 0, bare_fraction: float = 0.0, wrong_fraction: float = 0.0
) -> tuple[Any, Any, str]:
    """The tiny model after ``steps`` of SFT on ``rows``: trained once, then loaded from the cache.

    A seeded ``wrong_fraction`` of the two-step examples are worked by a wrong procedure
    (:func:`trainers.synthetic.with_wrong_procedure`), and a seeded ``bare_fraction`` give the bare
    answer without working (:func:`trainers.synthetic.with_bare_answers`).

    Returns ``(model, tokenizer, folder)``.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig

    from trainers.models import cache_dir
    from trainers.synthetic import with_bare_answers, with_wrong_procedure
    from trainers.tiny import build_tiny_model, build_tiny_tokenizer

    rows = with_bare_answers(with_wrong_procedure(rows, wrong_fraction, seed), bare_fraction, seed)
    recipe = [WARM_START_VERSION, steps, seed, bare_fraction, wrong_fraction, rows[:50], len(rows)]
    key = hashlib.sha256(json.dumps(recipe).encode()).hexdigest()
    folder = cache_dir() / "warm-start" / f"tiny-sft-{key[:12]}"
    if (folder / "config.json").is_file():
        print(f"starting policy: tiny model warm-started by SFT, cached in {folder}", flush=True)
        tokenizer = AutoTokenizer.from_pretrained(folder)
        tokenizer.padding_side = "left"
        return AutoModelForCausalLM.from_pretrained(folder), tokenizer, str(folder)
    print(
        f"starting policy: tiny model, warm-starting it by {steps} SFT steps (once; cached in {folder})",
        flush=True,
    )
    tokenizer = build_tiny_tokenizer()
    model = build_tiny_model(tokenizer, seed=seed)
    config = SFTConfig(
        **{
            **SFT_DEFAULTS,
            "output_dir": str(folder) + ".run",
            "max_steps": steps,
            "save_strategy": "no",
            "logging_steps": max(steps // 5, 1),
        },
        use_cpu=True,
        bf16=False,
        report_to="none",
        seed=seed,
    )
    train_sft(model, tokenizer, rows, config)
    partial = folder.with_name(folder.name + ".partial")
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    partial.rename(folder)
    model.config._name_or_path = str(folder)  # where TRL loads a reference model from
    return model, tokenizer, str(folder)


def main(argv: list[str] | None = None) -> None:
    from trl import SFTConfig

    from plugins import make_verifier
    from trainers.evaluate import accuracy_line, evaluate_policy
    from trainers.models import load_policy
    from trainers.plots import save_curve

    run_args, config, setup = start_run(SFTConfig, SFT_DEFAULTS, argv, default_model="tiny")
    task = setup["task"]
    checkpoint = resume_point(config)
    model, tokenizer = load_policy(setup["source"], seed=config.seed)
    verifier = make_verifier(task.verifier)
    before = evaluate_policy(model, tokenizer, task.heldout, verifier, run_args.eval_max_new_tokens)
    trainer = train_sft(model, tokenizer, task.train, config, lora_config(run_args), checkpoint)
    model = trainer.model
    trainer.save_model(config.output_dir)
    tokenizer.save_pretrained(config.output_dir)
    after = evaluate_policy(model, tokenizer, task.heldout, verifier, run_args.eval_max_new_tokens)
    save_curve(trainer.state.log_history, "loss", Path(config.output_dir) / "loss_curve.png")
    verifier.close()
    line = accuracy_line(before, after)
    save_result(config.output_dir, line, before=before.accuracy, after=after.accuracy, n=after.n)
    print(line, flush=True)


def lora_config(run_args: RunArguments) -> Any:
    """A peft LoraConfig on all linear layers when ``--lora`` is set, else None (train every weight)."""
    if not run_args.lora:
        return None
    from peft import LoraConfig

    return LoraConfig(
        r=run_args.lora_r, lora_alpha=2 * run_args.lora_r, target_modules="all-linear", task_type="CAUSAL_LM"
    )


if __name__ == "__main__":
    main()
