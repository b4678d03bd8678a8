"""Trainer callbacks: the sampling temperature schedule (default 0.7 -> 0.3, linear) and PPO's resumed step count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from transformers import TrainerCallback

__all__ = ["ResumeFromStep", "TemperatureSchedule", "scheduled_generate"]


class TemperatureSchedule(TrainerCallback):
    """Sets the trainer's sampling temperature before each step.

    GRPO keeps it in ``trainer.temperature`` and ``trainer.generation_config``; PPO reads
    ``args.temperature`` when it turns logits into log-probabilities and samples through the
    policy's ``generate``, which :func:`scheduled_generate` points at the same value.
    """

    def __init__(self, start: float, end: float, trainer: Any = None):
        if start <= 0 or end <= 0:
            raise ValueError(f"temperatures must be positive, got {start} -> {end}")
        self.start, self.end, self.trainer = start, end, trainer
        self.current = start

    def value(self, step: int, max_steps: int) -> float:
        """The temperature at ``step`` of ``max_steps`` (linear from start to end)."""
        if max_steps <= 1:
            return self.start
        fraction = min(max(step / (max_steps - 1), 0.0), 1.0)
        return self.start + (self.end - self.start) * fraction

    def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.apply(args, state.global_step, state.max_steps)

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.apply(args, state.global_step, state.max_steps)

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        # PPO calls no on_step_begin: set the next step's temperature here.
        self.apply(args, state.global_step, state.max_steps)

    def apply(self, args: Any, step: int, max_steps: int) -> None:
        self.current = self.value(step, max_steps)
        args.temperature = self.current
        if self.trainer is not None and hasattr(self.trainer, "temperature"):
            self.trainer.temperature = self.current
        generation_config = getattr(self.trainer, "generation_config", None)
        if generation_config is not None:
            generation_config.temperature = self.current


def scheduled_generate(model: Any, schedule: TemperatureSchedule) -> None:
    """Make ``model.generate`` sample at the schedule's current temperature (PPO builds its config once)."""
    original = model.generate

    def generate(*args: Any, generation_config: Any = None, **kwargs: Any) -> Any:
        if generation_config is not None and generation_config.do_sample:
            generation_config.temperature = schedule.current + 1e-7
        return original(*args, generation_config=generation_config, **kwargs)

    model.generate = generate


class ResumeFromStep(TrainerCallback):
    """Continue the step count of a resumed run, and save the value model with each checkpoint."""

    def __init__(self, value_model: Any, start_step: int, total_steps: int, value_folder: str):
        self.value_model, self.start_step, self.total_steps = value_model, start_step, total_steps
        self.value_folder = value_folder

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        state.global_step, state.max_steps = self.start_step, self.total_steps

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        folder = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        if folder.is_dir():
            self.value_model.save_pretrained(folder / self.value_folder)
