"""Reward adapter overheads on a tiny model, each compared with a baseline measured in the same run.

1. PPO: median step time with ``VerifierRewardModel`` (math + format) over the median step with a
   constant reward model of the same shape (backbone + score), runs interleaved. Goal: <= 1.05x.
   Also the time inside the adapter's forward (forward hooks) per step, a less noisy estimate:
   1 + adapter time / constant step.
2. GRPO: time spent in the reward functions for 64 math completions, as a share of a GRPO step
   (64 completions) on the same tiny model, and the reward time for 64 real dev completions. Goal: < 5%.

    .venv/bin/python benchmarks/bench_rewards.py [--data ../shared/data] [--rounds 5] [--steps 3]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]


def load_math_rows(data_dir: Path, n: int) -> list[dict]:
    """``n`` (prompt, answer, completion) rows from the math dev set, or synthetic ones without it."""
    path = data_dir / "math_pairs.dev.jsonl"
    if path.exists():
        pairs = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        rows = [{"prompt": f"Q{i}: solve.", "answer": p["gold"], "completion": p["pred"]} for i, p in enumerate(pairs)]
    else:
        rows = [{"prompt": f"{i}+{i}=", "answer": str(2 * i), "completion": f"so \\boxed{{{2 * i}}}"} for i in range(n)]
    return [rows[i % len(rows)] for i in range(n)]


class StepTimer:
    """A TrainerCallback-compatible recorder of step durations."""

    def __init__(self):
        self.marks: list[float] = []

    def __getattr__(self, event):
        if not event.startswith("on_"):
            raise AttributeError(event)

        def record(args, state, control, **kwargs):
            if event in ("on_train_begin", "on_step_end"):
                self.marks.append(time.perf_counter())

        return record

    def steps(self) -> list[float]:
        return [b - a for a, b in zip(self.marks, self.marks[1:], strict=False)][1:]  # first step: warm-up


def constant_reward_model():
    import torch
    from torch import nn
    from transformers.modeling_outputs import BaseModelOutput

    class ConstantBackbone(nn.Module):
        def forward(self, input_ids, attention_mask=None, **_):
            hidden = torch.full((*input_ids.shape, 1), 0.5, device=input_ids.device)
            return BaseModelOutput(last_hidden_state=hidden, hidden_states=(hidden,))

    class ConstantRewardModel(nn.Module):
        base_model_prefix = "backbone"

        def __init__(self):
            super().__init__()
            self.backbone, self.score = ConstantBackbone(), nn.Identity()

    return ConstantRewardModel()


def ppo_steps(reward_model, data, tokenizer, steps: int, batch: int, shape: dict) -> list[float]:
    from tiny_models import build_tiny_causal_lm, build_tiny_value_model
    from trl.experimental.ppo import PPOConfig, PPOTrainer

    timer = StepTimer()
    config = PPOConfig(
        output_dir=tempfile.mkdtemp(), per_device_train_batch_size=batch, num_mini_batches=1,
        total_episodes=batch * (steps + 1), response_length=shape["length"], num_ppo_epochs=1, report_to="none",
        bf16=False, use_cpu=True, save_strategy="no", logging_steps=1, num_sample_generations=0, stop_token="eos",
        disable_tqdm=True, seed=0,
    )  # fmt: skip
    trainer = PPOTrainer(
        args=config, processing_class=tokenizer, model=build_tiny_causal_lm(tokenizer, **shape["model"]),
        ref_model=None, reward_model=reward_model, value_model=build_tiny_value_model(tokenizer, **shape["model"]),
        train_dataset=data.select_columns(["input_ids"]), callbacks=[timer],
    )  # fmt: skip
    trainer.train()
    return timer.steps()


def bench_ppo(rows: list[dict], rounds: int, steps: int, shape: dict) -> dict:
    from datasets import Dataset
    from tiny_models import build_char_tokenizer

    from rewards.ppo import VerifierRewardModel
    from rewards.spec import RewardSpec

    tokenizer = build_char_tokenizer()
    data = Dataset.from_list([{"prompt": r["prompt"], "answer": r["answer"]} for r in rows])
    data = data.map(lambda row: {"input_ids": tokenizer(row["prompt"])["input_ids"]})
    adapter = VerifierRewardModel(RewardSpec.default(), tokenizer, data)
    adapter(_padded(rows, tokenizer))  # start the verifier's workers (fast and symbolic paths)
    adapter.pop_metrics()
    inside: list[float] = []
    adapter.backbone.register_forward_pre_hook(lambda module, args: inside.append(-time.perf_counter()))
    adapter.backbone.register_forward_hook(lambda module, args, output: inside.append(time.perf_counter()))
    times: dict[str, list[float]] = {"constant": [], "adapter": []}
    for _ in range(rounds):
        times["constant"] += ppo_steps(constant_reward_model(), data, tokenizer, steps, 16, shape)
        times["adapter"] += ppo_steps(adapter, data, tokenizer, steps, 16, shape)
    adapter.close()
    medians = {name: statistics.median(values) for name, values in times.items()}
    per_step = sum(inside) / (rounds * (steps + 1))
    return {
        "ppo_step_s": medians,
        "ppo_ratio": medians["adapter"] / medians["constant"],
        "adapter_forward_per_step_s": per_step,
        "ppo_ratio_from_forward_time": 1 + per_step / medians["constant"],
    }


def _padded(rows: list[dict], tokenizer):
    """Dataset prompts followed by the dev completions, left-padded as PPOTrainer pads them."""
    import torch

    ids = [tokenizer(r["prompt"])["input_ids"] + tokenizer(r["completion"])["input_ids"] for r in rows]
    width = max(map(len, ids))
    return torch.tensor([[tokenizer.pad_token_id] * (width - len(row)) + row for row in ids])


class TimedReward:
    """Wraps a reward function and adds up the time spent in it (same ``__name__``)."""

    def __init__(self, func):
        self.func, self.__name__, self.seconds = func, func.__name__, 0.0

    def __call__(self, **kwargs):
        start = time.perf_counter()
        try:
            return self.func(**kwargs)
        finally:
            self.seconds += time.perf_counter() - start


def time_dev_completions(funcs, real: dict, warm: dict) -> tuple[float, float]:
    """Best-of-3 seconds for the 64 dev completions: through the reward functions, and math alone."""
    from plugins import make_verifier

    verifier = make_verifier("math", {})  # the verifier alone, for the adapter's own overhead
    verifier.verify_batch(warm["completions"], real["answer"])
    real_reward, verifier_only = math.inf, math.inf
    for trial in range(1, 4):  # alternate, fresh texts each time (no cache hits), keep the best of each
        texts = [c + " " * trial + "\n" for c in real["completions"]]
        start = time.perf_counter()
        for func in funcs:
            func(**{**real, "completions": texts})
        real_reward = min(real_reward, time.perf_counter() - start)
        start = time.perf_counter()
        verifier.verify_batch([c + " " * trial + "\t" for c in real["completions"]], real["answer"])
        verifier_only = min(verifier_only, time.perf_counter() - start)
    verifier.close()
    return real_reward, verifier_only


def bench_grpo(rows: list[dict], steps: int, shape: dict) -> dict:
    from datasets import Dataset
    from tiny_models import build_char_tokenizer, build_tiny_causal_lm
    from trl import GRPOConfig, GRPOTrainer

    from rewards.grpo import get_reward_funcs
    from rewards.spec import RewardSpec

    tokenizer = build_char_tokenizer()
    funcs, weights = get_reward_funcs(RewardSpec.default())
    real = {"prompts": [r["prompt"] for r in rows], "completions": [r["completion"] for r in rows]}
    real["answer"] = [r["answer"] for r in rows]
    warm = {**real, "completions": [c + " " for c in real["completions"]]}  # not the measured batch: no cache hit
    for func in funcs:  # warm up the verifiers (worker start-up is not a per-step cost)
        func(**warm)
    timed = [TimedReward(func) for func in funcs]
    timer = StepTimer()
    config = GRPOConfig(
        output_dir=tempfile.mkdtemp(), per_device_train_batch_size=64, num_generations=8,
        max_completion_length=shape["length"], max_steps=steps + 1, logging_steps=1, report_to="none",
        reward_weights=weights, bf16=False, use_cpu=True, save_strategy="no", disable_tqdm=True, seed=0,
    )  # fmt: skip
    data = Dataset.from_list([{"prompt": r["prompt"], "answer": r["answer"]} for r in rows])
    trainer = GRPOTrainer(
        model=build_tiny_causal_lm(tokenizer, **shape["model"]), reward_funcs=timed, args=config, train_dataset=data,
        processing_class=tokenizer, callbacks=[timer],
    )  # fmt: skip
    trainer.train()
    step = statistics.median(timer.steps())
    in_step = sum(t.seconds for t in timed) / (steps + 1)
    real_reward, verifier_only = time_dev_completions(funcs, real, warm)
    return {
        "grpo_step_s": step,
        "reward_in_step_s": in_step,
        "reward_share_in_step": in_step / step,
        "reward_64_dev_completions_s": real_reward,
        "reward_share_dev_completions": real_reward / step,
        "math_verify_batch_only_64_dev_s": verifier_only,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--hidden", type=int, default=128, help="tiny Llama width (the CPU demo model's)")
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--length", type=int, default=64, help="completion tokens per sample")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    import torch
    import transformers

    torch.set_num_threads(1)  # the CPU is shared: one thread gives steadier step times for both sides
    transformers.logging.set_verbosity_error()
    rows = load_math_rows(args.data, 64)
    print("command:", " ".join(["python", *sys.argv]))
    shape = {"model": {"hidden_size": args.hidden, "layers": args.layers}, "length": args.length}
    grpo = bench_grpo(rows, args.steps, shape)
    print(json.dumps(grpo, indent=1))
    ppo = bench_ppo(rows, args.rounds, args.steps, shape)
    print(json.dumps(ppo, indent=1))
    print(f"PPO step, adapter / constant reward model: {ppo['ppo_ratio']:.3f}x median steps, "
          f"{ppo['ppo_ratio_from_forward_time']:.3f}x from the adapter's own time (goal <= 1.05)")  # fmt: skip
    print(f"GRPO reward share of a step (64 completions): {grpo['reward_share_in_step']:.2%} in the step, "
          f"{grpo['reward_share_dev_completions']:.2%} for 64 dev completions (goal < 5%)")  # fmt: skip


if __name__ == "__main__":
    main()
