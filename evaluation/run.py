"""One evaluation from start to end: check everything, generate (or read predictions), score, report.

:func:`prepare` resolves the model, the tasks, their data and the predictions file (names and
files only), so bad input fails with one line before any model is loaded or any token generated.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from evaluation.problems import EvalSet, TaskSource, load_eval_set, parse_tasks
from rlvr.errors import ConfigError, SetupError, validation_message

__all__ = ["EvalConfig", "EvalPlan", "prepare", "run_eval"]

Progress = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]


class EvalConfig(BaseModel):
    """What ``rlvr eval`` was asked; it is written into ``eval.json`` as given."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    predictions: str | None = None
    tasks: str = "synthetic"
    data: list[str] = Field(default_factory=list)
    split: str | None = None
    limit: int | None = Field(default=None, ge=1)
    n: int = Field(default=1, ge=1)
    temperature: float | None = Field(default=None, ge=0.0)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    max_new_tokens: int = Field(default=64, ge=1)
    batch_size: int = Field(default=32, ge=1)
    seed: int = 0
    perturb: list[str] = Field(default_factory=list)
    prompt: Literal["task", "bare"] = "task"
    backend: Literal["auto", "transformers", "vllm"] = "auto"
    output: str = "eval-out"

    @model_validator(mode="after")
    def _one_source(self) -> EvalConfig:
        if (self.model is None) == (self.predictions is None):
            raise ValueError("give a MODEL to generate with, or --predictions FILE, not both")
        if self.n > 1 and self.temperature == 0.0:
            raise ValueError("--n above 1 needs sampling: a --temperature above 0")
        return self

    @property
    def sampling_temperature(self) -> float:
        """The temperature used: as given, else greedy for one sample and 0.7 for several."""
        return self.temperature if self.temperature is not None else (0.0 if self.n == 1 else 0.7)

    @classmethod
    def checked(cls, **values: Any) -> EvalConfig:
        try:
            return cls(**values)
        except ValidationError as error:
            raise ConfigError(validation_message(error)) from None


@dataclass
class EvalPlan:
    """What :func:`prepare` checked: the config, the model source (or None), and one eval set per task."""

    config: EvalConfig
    model_source: Any
    sets: list[EvalSet]


def prepare(config: EvalConfig) -> EvalPlan:
    """Check the model, tasks, data, perturbations and predictions file; load nothing heavy."""
    from tasks.augment import KINDS

    unknown = [kind for kind in config.perturb if kind not in KINDS]
    if unknown:
        raise SetupError(f"unknown perturbation(s) {', '.join(unknown)}; known: {', '.join(KINDS)}")
    source = None
    if config.model is not None:
        from trainers.models import resolve_model

        source = resolve_model(config.model)
        if config.backend == "vllm":
            _check_vllm(source)
    sources = parse_tasks(config.tasks, config.data)
    if config.predictions is not None:
        return EvalPlan(config, None, _prediction_sets(config, sources))
    sets = [load_eval_set(s, config.limit, config.split, tuple(config.perturb), config.seed) for s in sources]
    return EvalPlan(config, source, sets)


def _check_vllm(source: Any) -> None:
    from evaluation.generate import vllm_available

    if not vllm_available():
        raise SetupError("--backend vllm needs the vllm package and a CUDA GPU; use --backend transformers")
    if source.kind == "tiny":
        raise SetupError("--backend vllm loads a model folder; the tiny model has none")


def _prediction_sets(config: EvalConfig, sources: list[TaskSource]) -> list[EvalSet]:
    """One eval set per task holding the rows the predictions file has, its samples attached.

    An lm-eval samples file carries its documents (no data needed); an rlvr file is matched by id
    to the task's data, with the same perturbations, so variant rows pair up again.
    """
    from evaluation.predictions import is_lm_eval_samples, read_predictions
    from plugins.tasks import get_task
    from tasks.loader import read_rows

    path = Path(config.predictions)
    first = read_rows(path)[:1] if path.is_file() else []
    if first and is_lm_eval_samples(first[0]):
        if len(sources) != 1:
            raise SetupError("an lm-eval samples file holds one task; name only that task with --task")
        task = get_task(sources[0].name)
        found = read_predictions(path, sources[0].name, task, None)
        limit = config.limit or len(found.rows)
        found.rows, found.completions = found.rows[:limit], found.completions[:limit]
        found.tokens = found.tokens[:limit]
        return [EvalSet(sources[0], task, found.rows, predictions=found)]
    sets = [load_eval_set(s, config.limit, config.split, tuple(config.perturb), config.seed) for s in sources]
    for eval_set in sets:
        found = read_predictions(path, eval_set.source.name, eval_set.task, eval_set.rows)
        eval_set.rows, eval_set.predictions = found.rows, found
    return sets


def _generate(plan: EvalPlan, progress: Progress) -> Iterator[tuple[EvalSet, list[list[str]], list[list[Any]], float]]:
    """Each eval set with its completions, token counts and generation seconds (0 for predictions)."""
    config = plan.config
    if config.predictions is not None:
        for eval_set in plan.sets:
            found = eval_set.predictions
            yield eval_set, found.completions, found.tokens, 0.0
        return
    from evaluation.generate import SamplingSettings, generate_hf, generate_vllm

    settings = SamplingSettings(config.n, config.sampling_temperature, config.top_p, config.max_new_tokens,
                                config.batch_size, config.seed)
    use_vllm = _backend(plan) == "vllm"
    model, tokenizer = _load(plan, use_vllm)
    for eval_set in plan.sets:
        prompts = [_prompt(config, eval_set, row, tokenizer) for row in eval_set.rows]
        if use_vllm:
            made = generate_vllm(model, prompts, settings)
        else:
            with progress(f"generating {eval_set.source.name}", len(prompts)) as advance:
                made = generate_hf(model, tokenizer, prompts, settings, advance)
        yield eval_set, made.completions, made.tokens, made.seconds


def _backend(plan: EvalPlan) -> str | None:
    """What generates: vLLM (asked for, or ``auto`` with vLLM and a GPU, for a model with a folder), transformers,
    or None when a predictions file is scored."""
    from evaluation.generate import vllm_available

    config = plan.config
    if config.predictions is not None:
        return None
    if config.backend == "vllm" or (config.backend == "auto" and plan.model_source.kind != "tiny" and vllm_available()):
        return "vllm"
    return "transformers"


def _load(plan: EvalPlan, use_vllm: bool) -> tuple[Any, Any]:
    from trainers.models import offline_policy

    if use_vllm:
        from transformers import AutoTokenizer

        from evaluation.generate import load_vllm
        from trainers.models import model_folder

        folder = model_folder(plan.model_source)
        return load_vllm(folder, plan.config.seed), AutoTokenizer.from_pretrained(folder)
    import torch

    if plan.model_source.kind == "tiny" and not torch.cuda.is_available():
        torch.set_num_threads(1)  # a tiny model gains nothing from more, and a busy CPU loses much to spin-waits
    return offline_policy(plan.config.model or "tiny", seed=plan.config.seed)


def _prompt(config: EvalConfig, eval_set: EvalSet, row: dict[str, Any], tokenizer: Any) -> str:
    from evaluation.generate import prompt_text

    if config.prompt == "bare":
        from trainers.evaluate import prompt_texts

        return prompt_texts([row], tokenizer)[0]
    return prompt_text(eval_set.task, row, tokenizer)


def _no_progress(label: str, total: int) -> AbstractContextManager[Callable[[int], None]]:
    return nullcontext(lambda n: None)


def run_eval(config: EvalConfig, progress: Progress = _no_progress, plan: EvalPlan | None = None) -> dict[str, Any]:
    """Generate (or read), score and summarize; returns the report (see :mod:`evaluation.report`) and records."""
    from evaluation.robustness import consistency, robustness
    from evaluation.scoring import score_samples
    from evaluation.summary import efficiency, summarize

    plan = plan or prepare(config)
    started = time.perf_counter()
    records: list[dict[str, Any]] = []
    generation_seconds = scoring_seconds = 0.0
    for eval_set, completions, tokens, seconds in _generate(plan, progress):
        generation_seconds += seconds
        with progress(f"scoring {eval_set.source.name}", sum(map(len, completions))) as advance:
            scored = score_samples(eval_set.source.name, eval_set.task, eval_set.rows, completions, tokens, advance)
        records += scored.records
        scoring_seconds += scored.seconds
    report = {
        "config": config.model_dump(), "seeds": {"seed": config.seed, "perturbation_seed": config.seed},
        "temperature": config.sampling_temperature, "model_kind": plan.model_source.kind if plan.model_source else None,
        "backend": _backend(plan),
        **summarize(records), "robustness": robustness(records, config.seed), "consistency": consistency(records),
        "skipped_variants": {s.source.name: dict(s.skipped) for s in plan.sets if s.skipped},
        "efficiency": efficiency(records, generation_seconds or None, scoring_seconds),
        "wall_seconds": time.perf_counter() - started,
    }
    return {"report": report, "records": records}
