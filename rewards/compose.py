"""Evaluate a reward spec on a batch: per-component scores, gates, and the weighted total.

A component's score is ``None`` where it does not apply (the verifier said not applicable, or a
gate is closed); a total is the weighted sum over the components that apply, and ``None`` only
when none does. ``None`` is never turned into 0 here.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rewards.shaping import SHAPING_TERMS
from rewards.spec import Component, RewardSpec
from rlvr.errors import RewardInputError
from verifiers.base import Verdict

__all__ = ["BatchRewards", "ComponentResult", "RewardBatch", "RewardInputError", "SpecEvaluator", "evaluate_spec"]

# Names a verifier receives positionally; a dataset column of that name is not passed on.
_RESERVED_FIELDS = frozenset({"completion", "completions", "reference", "references"})
_CACHE_SIZE = 64



@dataclass
class RewardBatch:
    """Completions (plain text) with their prompts, dataset columns and token counts, all aligned."""

    completions: list[str]
    prompts: list[str] | None = None
    columns: dict[str, list[Any]] = field(default_factory=dict)
    token_counts: list[int] | None = None

    def __post_init__(self) -> None:
        n = len(self.completions)
        named = {"prompts": self.prompts, "token_counts": self.token_counts, **self.columns}
        for key, values in named.items():
            if values is not None and len(values) != n:
                raise RewardInputError(f"{key!r} has {len(values)} values for {n} completions")

    def __len__(self) -> int:
        return len(self.completions)

    def subset(self, rows: Sequence[int]) -> RewardBatch:
        def pick(values: list[Any] | None) -> list[Any] | None:
            return None if values is None else [values[i] for i in rows]

        columns = {key: pick(values) for key, values in self.columns.items()}
        return RewardBatch(pick(self.completions), pick(self.prompts), columns, pick(self.token_counts))

    def fingerprint(self) -> int:
        columns = tuple((key, repr(values)) for key, values in sorted(self.columns.items()))
        return hash((tuple(self.completions), tuple(self.prompts or ()), tuple(self.token_counts or ()), columns))


@dataclass(frozen=True)
class ComponentResult:
    """One component on a batch: scores (None = not applicable), pass/fail where it has one, and
    the verifier's verdicts (None for shaping terms and rows behind a closed gate)."""

    scores: list[float | None]
    passed: list[bool | None]
    verdicts: list[Verdict | None]


@dataclass
class BatchRewards:
    """Every component's scores, unweighted, the weighted totals, and the verifiers' verdicts."""

    components: dict[str, list[float | None]]
    totals: list[float | None]
    verdicts: dict[str, list[Verdict | None]] = field(default_factory=dict, repr=False)

    def means(self) -> dict[str, float | None]:
        """The mean of each component (and ``total``) over the rows where it applies."""
        columns = {**self.components, "total": self.totals}
        means: dict[str, float | None] = {}
        for name, values in columns.items():
            present = [value for value in values if value is not None]
            means[name] = sum(present) / len(present) if present else None
        return means


def weighted_total(spec: RewardSpec, components: dict[str, list[float | None]], row: int) -> float | None:
    """The weighted sum over the components that apply to ``row``; None when none applies."""
    terms = [c.weight * components[c.name][row] for c in spec.components if components[c.name][row] is not None]
    return sum(terms) if terms else None


class SpecEvaluator:
    """Scores batches against a spec, building its verifiers once and lazily. Thread-safe.

    Results are cached per (batch, component) so that TRL calling one reward function per
    component does not re-run a gate's verifier.

    Example:
        >>> spec = RewardSpec.from_dict({"components": [
        ...     {"name": "choice", "verifier": "choice"},
        ...     {"name": "format", "shaping": "format", "weight": 0.5, "gate": "choice"}]})
        >>> batch = RewardBatch(["<think>B fits</think> (B)", "<think>hmm</think> (C)", "(B)", "(B)"],
        ...                     columns={"answer": ["B", "B", "B", None]})
        >>> SpecEvaluator(spec).evaluate(batch)
        BatchRewards(components={'choice': [1.0, 0.0, 1.0, None], 'format': [1.0, None, 0.0, None]}, \
totals=[1.5, 0.0, 1.0, None])
    """

    def __init__(self, spec: RewardSpec):
        self.spec = spec
        self._verifiers: dict[str, Any] = {}
        self._cache: OrderedDict[tuple[int, str], ComponentResult] = OrderedDict()
        self._lock = threading.RLock()

    def component_scores(self, name: str, batch: RewardBatch) -> list[float | None]:
        """The scores of component ``name`` on ``batch``, with its gate applied."""
        return list(self.component_result(name, batch).scores)

    def component_result(self, name: str, batch: RewardBatch) -> ComponentResult:
        """Scores, pass/fail and verdicts of component ``name`` on ``batch``, with its gate applied."""
        with self._lock:
            return self._result(self.spec.component(name), batch, batch.fingerprint())

    def evaluate(self, batch: RewardBatch) -> BatchRewards:
        """Every component and the weighted totals for ``batch``."""
        with self._lock:
            key = batch.fingerprint()
            results = {c.name: self._result(c, batch, key) for c in self.spec.components}
        components = {name: list(result.scores) for name, result in results.items()}
        totals = [weighted_total(self.spec, components, row) for row in range(len(batch))]
        verdicts = {c.name: list(results[c.name].verdicts) for c in self.spec.components if c.verifier is not None}
        return BatchRewards(components, totals, verdicts)

    def close(self) -> None:
        """Release the verifiers' workers."""
        with self._lock:
            for verifier in self._verifiers.values():
                verifier.close()
            self._verifiers.clear()
            self._cache.clear()

    def _result(self, component: Component, batch: RewardBatch, key: int) -> ComponentResult:
        cached = self._cache.get((key, component.name))
        if cached is not None:
            self._cache.move_to_end((key, component.name))
            return cached
        open_rows = self._open_rows(component, batch, key)
        scores: list[float | None] = [component.gate.otherwise if component.gate else None] * len(batch)
        passed: list[bool | None] = [None] * len(batch)
        verdicts: list[Verdict | None] = [None] * len(batch)
        if open_rows:
            whole = len(open_rows) == len(batch)
            inner = self._score(component, batch if whole else batch.subset(open_rows))
            for position, row in enumerate(open_rows):
                scores[row], passed[row] = inner.scores[position], inner.passed[position]
                verdicts[row] = inner.verdicts[position]
        result = ComponentResult(scores, passed, verdicts)
        self._cache[(key, component.name)] = result
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return result

    def _open_rows(self, component: Component, batch: RewardBatch, key: int) -> list[int]:
        gate = component.gate
        if gate is None:
            return list(range(len(batch)))
        target = self._result(self.spec.component(gate.component), batch, key)
        if gate.min_score is None:
            return [row for row, ok in enumerate(target.passed) if ok is True]
        return [row for row, score in enumerate(target.scores) if score is not None and score >= gate.min_score]

    def _score(self, component: Component, batch: RewardBatch) -> ComponentResult:
        if component.shaping is not None:
            return _shaping_result(component, batch)
        verifier = self._verifiers.get(component.name)
        if verifier is None:
            from plugins import make_verifier

            verifier = self._verifiers[component.name] = make_verifier(component.verifier, component.config)
        references, columns = _verifier_inputs(component, type(verifier).needs_reference, batch)
        verdicts = self._verdicts(component, verifier, batch, references, columns)
        return ComponentResult(
            [verdict.score if verdict.applicable else None for verdict in verdicts],
            [verdict.passed if verdict.applicable else None for verdict in verdicts],
            list(verdicts),
        )

    @staticmethod
    def _verdicts(component: Component, verifier: Any, batch: RewardBatch, references: Any, columns: Any):
        """The verifier's verdicts; rows whose verdict has status ``error`` are tried once more."""
        verdicts = _run_verifier(component, verifier, batch.completions, references, columns)
        retry = [row for row, verdict in enumerate(verdicts) if verdict.status == "error"]
        if retry:
            def pick(values: list[Any] | None) -> list[Any] | None:
                return None if values is None else [values[row] for row in retry]

            again = _run_verifier(component, verifier, pick(batch.completions), pick(references),
                                  {key: pick(values) for key, values in columns.items()})
            for row, verdict in zip(retry, again, strict=True):
                verdicts[row] = verdict
        return verdicts


def _run_verifier(component: Component, verifier: Any, completions: list[str], references: Any, columns: Any):
    verdicts = list(verifier.verify_batch(completions, references, **columns))
    if len(verdicts) != len(completions):
        raise RuntimeError(f"verifier {component.verifier!r} returned {len(verdicts)} verdicts for {len(completions)}")
    return verdicts


def _shaping_result(component: Component, batch: RewardBatch) -> ComponentResult:
    term = SHAPING_TERMS[component.shaping]
    config = component.shaping_config()
    counts = batch.token_counts or [None] * len(batch)
    scores = [term.score(text, count, config) for text, count in zip(batch.completions, counts, strict=True)]
    passed = [score >= 1.0 if term.gives_pass else None for score in scores]
    return ComponentResult(scores, passed, [None] * len(scores))


def _verifier_inputs(
    component: Component, needs_reference: bool, batch: RewardBatch
) -> tuple[list[Any] | None, dict[str, list[Any]]]:
    def column(name: str, purpose: str) -> list[Any]:
        if name not in batch.columns:
            available = ", ".join(sorted(batch.columns)) or "none"
            raise RewardInputError(
                f"component {component.name!r} reads the {purpose} from column {name!r}, which the batch lacks; "
                f"columns: {available} (set reference_column/columns in the spec)"
            )
        return batch.columns[name]

    reference_column = component.reference_column
    if reference_column is None or (not needs_reference and reference_column not in batch.columns):
        references = None  # a verifier that judges without a reference needs no reference column
    else:
        references = column(reference_column, "reference")
    columns = {key: values for key, values in batch.columns.items() if key not in _RESERVED_FIELDS}
    if batch.prompts is not None:
        columns["prompt"] = batch.prompts
    for field_name, column_name in component.columns.items():
        columns[field_name] = column(column_name, f"field {field_name!r}")
    return references, columns


_shared: dict[tuple[int, str], SpecEvaluator] = {}
_shared_lock = threading.Lock()


def shared_evaluator(spec: RewardSpec) -> SpecEvaluator:
    """This process's evaluator for ``spec``: verifiers are built once per process, never inherited."""
    key = (os.getpid(), spec.model_dump_json())
    with _shared_lock:
        evaluator = _shared.get(key)
        if evaluator is None:
            if not _shared:
                atexit.register(_close_shared)
            evaluator = _shared[key] = SpecEvaluator(spec)
        return evaluator


def _close_shared() -> None:
    with _shared_lock:
        for (pid, _), evaluator in list(_shared.items()):
            if pid == os.getpid():
                evaluator.close()
        _shared.clear()


def evaluate_spec(spec: RewardSpec, batch: RewardBatch) -> BatchRewards:
    """Evaluate ``spec`` on ``batch`` with this process's shared evaluator.

    Example:
        >>> spec = RewardSpec.from_dict({"components": [
        ...     {"name": "exact", "verifier": "exact"}, {"name": "format", "shaping": "format", "weight": 0.5}]})
        >>> evaluate_spec(spec, RewardBatch(["<think>2+2</think>4", "5"], columns={"answer": ["4", "4"]})).totals
        [1.5, 0.0]
    """
    return shared_evaluator(spec).evaluate(batch)
