"""The `math` verifier: extract the final answer, normalise it, compare numerically or with sympy."""

from __future__ import annotations

import functools
import threading
import time
import traceback
from collections.abc import Sequence
from typing import Any

from pydantic import Field, field_validator

from plugins.hookspecs import hookimpl
from verifiers.base import BatchVerifier, Verdict, aligned_references
from verifiers.final_answer import NO_FINAL_ANSWER, FinalAnswerOptions, final_answer_text
from verifiers.math.compare import NeedsSympy, NumericComparer, answers_equivalent
from verifiers.math.extract import EXTRACTORS, answer_from_reference, extract_final_answer
from verifiers.math.normalize import normalize_answer
from verifiers.math.units import Quantity, convert_answer, read_quantity

__all__ = ["MathConfig", "MathVerifier"]

_SHOWN = 200  # characters of an answer kept in Verdict.details


class MathConfig(FinalAnswerOptions):
    timeout: float = Field(5.0, gt=0, description="wall-clock seconds per symbolic comparison (hard, any thread)")
    memory_mb: int = Field(1024, ge=0, description="address-space cap of each worker process in MiB; 0: none")
    workers: int = Field(2, ge=1, le=64, description="most sympy worker processes this verifier may start")
    rel_tol: float = Field(1e-9, ge=0, lt=1, description="relative tolerance for decimals against exact values")
    min_sig_figs: int = Field(6, ge=1, description="significant figures a decimal needs to match an exact value")
    extractors: list[str] = Field(default_factory=lambda: list(EXTRACTORS), description="answer finders, in order")
    last_number_fallback: bool = Field(True, description="use the last number when no extractor finds an answer")

    @field_validator("extractors")
    @classmethod
    def _known_extractors(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in EXTRACTORS]
        if unknown:
            raise ValueError(f"unknown extractor(s) {unknown}; choose from {list(EXTRACTORS)}")
        return value


class MathVerifier(BatchVerifier):
    """Passes when the completion's final answer equals the reference answer mathematically."""

    name = "math"
    description = "Final math answer (boxed, ####, 'the answer is'…) equal to the reference: numbers, LaTeX, sets"
    Config = MathConfig

    def __init__(self, config: MathConfig | dict[str, Any] | None = None, **options: Any):
        super().__init__(config, **options)
        self._pool = None
        self._pool_lock = threading.Lock()

    def _workers(self):
        from verifiers.math.workers import MathWorkerPool

        with self._pool_lock:
            if self._pool is None:
                cfg = self.config
                self._pool = MathWorkerPool(cfg.workers, cfg.timeout, cfg.memory_mb, cfg.min_sig_figs, cfg.rel_tol)
            return self._pool

    def verify_batch(
        self, completions: Sequence[str], references: Sequence[Any] | None = None, **columns: Sequence[Any]
    ) -> list[Verdict]:
        """Fast path in-process; the rest goes to the workers as one batch (one round trip per worker).

        Every row gets a Verdict: a verifier bug or worker trouble is ``Verdict.error`` (no reward),
        never an exception and never a 0.0.
        """
        references = aligned_references(completions, references, columns)
        verdicts: list[Verdict | None] = []
        pending: list[tuple[int, str, str, dict[str, Any]]] = []
        for i, (completion, reference) in enumerate(zip(completions, references, strict=True)):
            try:
                verdict, job = self._prepare(completion, reference)
            except Exception as error:  # noqa: BLE001 - a bug on one row is that row's error verdict
                verdict, job = _bug(error), None
            verdicts.append(verdict)
            if job is not None:
                pending.append((i, *job))
        if pending:
            results = self._judge([(gold, pred) for _, gold, pred, _ in pending])
            for (i, _, _, details), result in zip(pending, results, strict=True):
                verdicts[i] = _worker_verdict(result, details)
        return verdicts  # type: ignore[return-value]

    def _judge(self, pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
        """Judge with the workers; pairs that met worker trouble are retried once while time allows."""
        start = time.monotonic()
        results = self._workers().judge(pairs)
        retry = [i for i, result in enumerate(results) if result.get("status") == "error" and "bug" not in result]
        if retry and time.monotonic() - start < self.config.timeout / 2:
            again = self._workers().judge([pairs[i] for i in retry])
            for i, result in zip(retry, again, strict=True):
                results[i] = {**result, "retried": True}
        return results

    def _prepare(self, completion: Any, reference: Any) -> tuple[Verdict | None, tuple[str, str, dict] | None]:
        if reference is None or not str(reference).strip():
            return Verdict.not_applicable("no reference"), None
        cfg = self.config
        text = str(completion or "")
        if cfg.final_answer_only:
            text = final_answer_text(text, cfg.reasoning_tags)
            if text is None:
                return _verdict(False, NO_FINAL_ANSWER, {"extracted": None}, "extract"), None
        extraction = extract_final_answer(text, cfg.extractors, cfg.last_number_fallback)
        gold = _normalized_reference(str(reference))
        details: dict[str, Any] = {
            "extracted": None if extraction.answer is None else extraction.answer[:_SHOWN],
            "extractor": extraction.method,
            "normalized_reference": gold[:_SHOWN],
        }
        if extraction.answer is None:
            return _verdict(False, extraction.reason or "no answer found", details, "extract"), None
        pred = normalize_answer(extraction.answer)
        converted = convert_answer(_reference_quantity(str(reference)), extraction.answer)
        if converted is not None:  # both sides state a unit: the answer in the reference's unit
            value, details["units"] = converted
            if value is None:
                return _verdict(False, f"units differ ({details['units']})", details, "units"), None
            pred = value
        details["normalized_answer"] = pred[:_SHOWN]
        if not pred:
            return _verdict(False, "no answer found", details, "extract"), None
        try:
            equal = answers_equivalent(gold, pred, NumericComparer(cfg.min_sig_figs, cfg.rel_tol))
        except (NeedsSympy, RecursionError):
            return None, (gold, pred, details)
        return _verdict(equal, "match" if equal else "mismatch", details, "fast"), None

    def close(self) -> None:
        with self._pool_lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.config = state["config"]
        self._pool = None
        self._pool_lock = threading.Lock()


@functools.lru_cache(maxsize=4096)
def _normalized_reference(reference: str) -> str:
    """References repeat (GRPO scores many completions per prompt): normalise each once."""
    return normalize_answer(answer_from_reference(reference))


@functools.lru_cache(maxsize=4096)
def _reference_quantity(reference: str) -> Quantity | None:
    """The reference's number and unit when it states one (read once per reference, like its normal form)."""
    return read_quantity(answer_from_reference(reference))


def _verdict(equal: bool, reason: str, details: dict[str, Any], path: str, status: str = "ok") -> Verdict:
    return Verdict(score=float(equal), passed=bool(equal), reason=reason, details={**details, "path": path},
                   status=status)


def _worker_verdict(result: dict[str, Any], details: dict[str, Any]) -> Verdict:
    details = {**details, "path": "sympy"}
    if result.get("error"):
        details["error"] = result["error"][:_SHOWN]
    if result.get("retried"):
        details["retried"] = True
    if result["status"] == "error":
        return Verdict.error(result["reason"], **details)
    return _verdict(result["equal"], result["reason"], details, "sympy", result["status"])


def _bug(error: Exception) -> Verdict:
    trace = "".join(traceback.format_exception(error))[-2000:]
    return Verdict.error(f"math verifier bug: {type(error).__name__}: {error}"[:_SHOWN], traceback=trace)


@hookimpl
def register_verifiers(register):
    register(MathVerifier)
