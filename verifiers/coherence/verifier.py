"""The `coherence` verifier: does a reasoning chain hang together, and can it be farmed?

The chain (the completion) is split into steps (:mod:`verifiers.coherence.steps`). Six
components, each in [0, 1] and each reported in ``details``:

- ``grounding``: BERTScore precision of each step against the question, or F1 against an
  earlier step times that step's own grounding (support has to reach back to the question);
  mapped through ``grounding_range`` to [0, 1].
- ``novelty`` = 1 - redundancy: a step that repeats an earlier step (F1 over
  ``repeat_range``) or copies the question (share of its word bigrams found in the question,
  over ``copy_range``) is redundant, softly.
  Redundant steps also count less in grounding and numeric grounding, so repeating a good step
  never raises those averages.
- ``numeric_grounding``: numbers come from the question, an earlier step or a checked computation.
- ``coverage``: the share of the question's numbers the chain uses.
- ``equation_validity``: the share of ``a op b = c`` that hold (``no_equation_score`` if none).
- ``answer_derivation``: the final answer is the result of a grounded computation.
- ``validity``: 1.0 when no step states something false or unsupported
  (:mod:`verifiers.coherence.suspects`: a false equation, a contradicted value, an answer from
  nowhere), else ``suspect_floor`` times the share of steps before the first suspect step;
  ``first_suspect_step`` and ``suspects`` in ``details`` say which step and why.

BERTScore is computed between each step and the question and between adjacent steps (linear in
the chain's length); repeats of any earlier step are also caught lexically. Every input gets a
Verdict: a chain is read up to ``max_chain_chars``, every check is linear or capped, and a row
whose checks run past ``timeout_s`` gets status ``timeout``.

score = sum(weight_c * component_c) / sum(weight_c), and never more than the score of the same
chain with its exact repeated steps removed (so repeating a step or the answer line cannot
farm it). The reference is not used: this is a coherence score, not a correctness score.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pydantic import Field

from plugins.hookspecs import hookimpl
from verifiers.base import BatchVerifier, Verdict, VerifierConfig, aligned_references
from verifiers.coherence.bertscore import MODEL_LAYERS, StepSimilarity
from verifiers.coherence.checks import check_numbers, copied_fraction
from verifiers.coherence.steps import Segmentation, distinct_steps, segment_steps
from verifiers.coherence.suspects import Suspect, find_suspects

__all__ = ["CoherenceConfig", "CoherenceVerifier"]

Range = tuple[float, float]


class CoherenceWeights(VerifierConfig):
    """Weights of the components in the score (normalised by their sum)."""

    grounding: float = Field(0.2, ge=0)
    novelty: float = Field(0.4, ge=0)
    numeric_grounding: float = Field(0.1, ge=0)
    coverage: float = Field(0.4, ge=0)
    equation_validity: float = Field(0.1, ge=0)
    answer_derivation: float = Field(0.2, ge=0)
    validity: float = Field(0.3, ge=0)


class CoherenceConfig(VerifierConfig):
    weights: CoherenceWeights = Field(default_factory=CoherenceWeights)
    bertscore_layer: int = Field(4, ge=0, le=MODEL_LAYERS)
    rescale_with_baseline: bool = True
    grounding_range: Range = (0.1, 0.5)
    repeat_range: Range = (0.7, 0.95)
    copy_range: Range = (0.65, 0.95)
    no_equation_score: float = Field(0.5, ge=0, le=1)
    short_chain_score: float = Field(0.0, ge=0, le=1)
    constants: list[float] = Field(default_factory=lambda: [1.0, 2.0, 100.0])
    max_steps: int = Field(32, ge=2)
    max_step_chars: int = Field(400, ge=20)
    max_chain_chars: int = Field(32_000, ge=100)
    suspect_floor: float = Field(0.5, ge=0, le=1)
    answer_support_window: int | None = Field(None, ge=1)  # steps before the answer that may state it; None: all
    timeout_s: float = Field(10.0, gt=0)
    pass_threshold: float | None = Field(None, ge=0, le=1)
    batch_size: int = Field(64, ge=1)
    device: str = "cpu"


def _ramp(value: float, bounds: Range) -> float:
    low, high = bounds
    return min(1.0, max(0.0, (value - low) / (high - low))) if high > low else float(value >= high)


def _weighted_mean(values: Sequence[float | None], weights: Sequence[float], empty: float) -> float:
    pairs = [(v, w) for v, w in zip(values, weights, strict=False) if v is not None]
    total = sum(w for _, w in pairs)
    return sum(v * w for v, w in pairs) / total if total > 0 else empty


def _text(value: Any) -> str:
    """A plain string, or the joined contents of a chat-style message list (TRL conversational rows)."""
    if isinstance(value, list):
        return "\n".join(str(m.get("content", "")) if isinstance(m, dict) else str(m) for m in value)
    return "" if value is None else str(value)


def _pairs(question: str, steps: Sequence[str]) -> list[tuple[str, str]]:
    """(step, question) for every step, then (step i, step i - 1) for every i > 0."""
    return [(step, question) for step in steps] + [(steps[i], steps[i - 1]) for i in range(1, len(steps))]


def _no_gain_from_repeats(judged: list[Verdict]) -> Verdict:
    """The chain's verdict, never scoring above the same chain with its repeated steps removed."""
    verdict = judged[0]
    if len(judged) == 1 or judged[1].status != "ok" or verdict.status != "ok" or verdict.score <= judged[1].score:
        return verdict
    details = {**verdict.details, "capped_by_repeats": True}
    reason = f"{verdict.reason}; capped at the score without its repeated steps"
    return verdict.model_copy(
        update={"score": judged[1].score, "passed": judged[1].passed, "reason": reason, "details": details}
    )


class CoherenceVerifier(BatchVerifier):
    """Scores how coherent a reasoning chain is against its question, resisting repetition farming."""

    name = "coherence"
    description = "Reasoning-chain coherence: BERTScore grounding, redundancy, numeric and equation checks"
    Config = CoherenceConfig
    needs_reference = False  # judges the chain itself

    def __init__(self, config: CoherenceConfig | dict[str, Any] | None = None, **options: Any):
        super().__init__(config, **options)
        cfg = self.config
        self.similarity = StepSimilarity(cfg.bertscore_layer, cfg.rescale_with_baseline, cfg.batch_size, cfg.device)

    def verify_batch(
        self, completions: Sequence[str], references: Sequence[Any] | None = None, **columns: Sequence[Any]
    ) -> list[Verdict]:
        n = len(completions)
        aligned_references(completions, references, columns)
        cfg = self.config
        questions = [
            _text(q)[: cfg.max_chain_chars] for q in (columns.get("question") or columns.get("prompt") or [None] * n)
        ]
        segmentations = [
            segment_steps(_text(c), cfg.max_steps, cfg.max_step_chars, max_chars=cfg.max_chain_chars)
            for c in completions
        ]
        scorable = [i for i in range(n) if questions[i] and len(segmentations[i].steps) >= 2]
        variants = {i: self._variants(segmentations[i]) for i in scorable}
        all_pairs = [pair for i in scorable for steps in variants[i] for pair in _pairs(questions[i], steps)]
        scores = iter(self.similarity.score_pairs(all_pairs))
        verdicts = []
        for i in range(n):
            if not questions[i]:
                verdicts.append(Verdict.not_applicable("no question: pass the problem as the `question` column"))
            elif i not in scorable or segmentations[i].empty_steps:
                verdicts.append(self._short(segmentations[i]))
            else:
                judged = []
                for steps in variants[i]:
                    pair_scores = [next(scores) for _ in _pairs(questions[i], steps)]
                    segmentation = replace(segmentations[i], steps=steps)
                    judged.append(self._judge_safely(questions[i], segmentation, pair_scores, time.perf_counter()))
                verdicts.append(_no_gain_from_repeats(judged))
        return verdicts

    @staticmethod
    def _variants(segmentation: Segmentation) -> list[list[str]]:
        """The chain's steps, and the same without exact repeats when it has any (scored too, see below)."""
        distinct = distinct_steps(segmentation.steps)
        return [segmentation.steps, distinct] if 2 <= len(distinct) < len(segmentation.steps) else [segmentation.steps]

    def _short(self, segmentation: Segmentation) -> Verdict:
        count, empty = len(segmentation.steps), segmentation.empty_steps
        reason = f"{empty} empty step(s)" if empty and count >= 2 else f"only {count} step(s): a chain needs two"
        return Verdict(
            score=self.config.short_chain_score,
            passed=False if self.config.pass_threshold is not None else None,
            reason=reason,
            details={"steps": segmentation.steps, "empty_steps": empty},
        )

    def _step_signals(self, question: str, steps: Sequence[str], pair_scores: Sequence[tuple[float, float, float]]):
        """Per-step grounding (propagated through the previous step) and redundancy, in ``_pairs`` order."""
        cfg = self.config
        grounding: list[float] = []
        redundancy: list[float] = []
        n = len(steps)
        for i, step in enumerate(steps):
            previous = pair_scores[n + i - 1][2] if i else 0.0
            support = max(pair_scores[i][0], previous * grounding[-1] if i else 0.0)
            grounding.append(_ramp(support, cfg.grounding_range))
            copied = max([copied_fraction(step, earlier) for earlier in steps[:i]], default=0.0)
            repeat = max(_ramp(previous, cfg.repeat_range), _ramp(copied, cfg.copy_range))
            redundancy.append(max(repeat, _ramp(copied_fraction(step, question), cfg.copy_range)))
        return grounding, redundancy

    def _validity(self, steps: Sequence[str]) -> tuple[float, list[Suspect]]:
        suspects = find_suspects(steps, self.config.answer_support_window)
        if not suspects:
            return 1.0, suspects
        return self.config.suspect_floor * suspects[0].step / len(steps), suspects

    def _judge_safely(self, question: str, segmentation: Segmentation, pair_scores, started: float) -> Verdict:
        """The verdict of one chain; its checks' own failure is an error verdict, never a raised exception."""
        try:
            verdict = self._judge(question, segmentation, pair_scores)
        except Exception as error:  # a checker bug must not take down the reward batch
            return Verdict.error(f"coherence checks failed: {type(error).__name__}: {error}")
        elapsed = time.perf_counter() - started
        if elapsed > self.config.timeout_s:
            return Verdict(
                score=0.0, reason=f"coherence checks took {elapsed:.1f}s > {self.config.timeout_s}s", status="timeout"
            )
        return verdict

    def _judge(self, question: str, segmentation: Segmentation, pair_scores: Sequence[tuple[float, float, float]]):
        cfg = self.config
        steps = segmentation.steps
        grounding, redundancy = self._step_signals(question, steps, pair_scores)
        novelty = [1.0 - r for r in redundancy]
        numbers = check_numbers(question, steps, cfg.constants)
        equations = numbers.valid_equations + numbers.invalid_equations
        validity, suspects = self._validity(steps)
        components = {
            "grounding": _weighted_mean(grounding, novelty, 0.0),
            "novelty": sum(novelty) / len(novelty),
            "numeric_grounding": _weighted_mean(numbers.step_grounding, novelty, 0.0),
            "coverage": numbers.coverage,
            "equation_validity": numbers.valid_equations / equations if equations else cfg.no_equation_score,
            "answer_derivation": numbers.answer_derivation,
            "validity": validity,
        }
        weights = cfg.weights.model_dump()
        score = sum(weights[k] * v for k, v in components.items()) / (sum(weights.values()) or 1.0)
        score = min(1.0, max(0.0, score))
        weakest = min(components, key=components.get)
        details = {
            **{k: round(v, 4) for k, v in components.items()},
            "redundancy": round(1.0 - components["novelty"], 4),
            "steps": steps,
            "step_grounding": [round(g, 3) for g in grounding],
            "step_redundancy": [round(r, 3) for r in redundancy],
            "step_numeric_grounding": numbers.step_grounding,
            "invalid_equations": numbers.invalid,
            "unsupported_numbers": numbers.unsupported,
            "final_answer": numbers.answer,
            "truncated_steps": segmentation.truncated_steps,
            "truncated_chars": segmentation.truncated_chars,
            "first_suspect_step": suspects[0].step if suspects else None,
            "suspects": [{"step": x.step, "kind": x.kind, "text": x.text} for x in suspects[:8]],
        }
        passed = None if cfg.pass_threshold is None else score >= cfg.pass_threshold
        reason = f"coherence {score:.2f} over {len(steps)} steps; weakest: {weakest} {components[weakest]:.2f}"
        return Verdict(score=score, passed=passed, reason=reason, details=details)

    def close(self) -> None:
        self.similarity.close()


@hookimpl
def register_verifiers(register):
    register(CoherenceVerifier)
