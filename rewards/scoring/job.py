"""What to score and how: a reward spec (from a file or from ``--verifier``/``--option`` flags) and columns.

Example:
    >>> spec = spec_from_flags(["math=2", "exact"], ["math.timeout=3"])
    >>> [(c.name, c.weight, c.config) for c in spec.components]
    [('math', 2.0, {'timeout': 3}), ('exact', 1.0, {})]
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rewards.scoring.cells import STRUCTURED_FIELDS, TEXT_FIELDS, CellRules
from rewards.spec import RewardSpec
from rlvr.errors import RewardSpecError, ScoringError

__all__ = ["DEFAULT_COLUMNS", "ScoreJob", "build_spec", "parse_column_map", "parse_verifier_weights", "spec_from_flags"]

# Logical field -> dataset column. "answer" is the reference answer.
DEFAULT_COLUMNS: dict[str, str] = {
    "completion": "completion",
    "answer": "answer",
    "prompt": "prompt",
    "question": "question",
    "tests": "tests",
    "entry_point": "entry_point",
    "test_list": "test_list",
    "choices": "choices",
}


def parse_verifier_weights(specs: Sequence[str]) -> dict[str, float]:
    """``["math=2", "exact"]`` -> ``{"math": 2.0, "exact": 1.0}``."""
    weights: dict[str, float] = {}
    for spec in specs:
        name, _, weight = spec.partition("=")
        try:
            value = float(weight) if weight else 1.0
        except ValueError:
            raise ScoringError(f"--verifier {spec!r}: the weight must be a number, as in math=2") from None
        if value < 0:
            raise ScoringError(f"--verifier {spec!r}: the weight must not be negative")
        if name in weights:
            raise ScoringError(f"--verifier {name!r} is given twice")
        weights[name] = value
    if not weights:
        raise ScoringError("name at least one --verifier, or pass --reward spec.yaml")
    return weights


def parse_options(pairs: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``["math.timeout=3"]`` -> ``{"math": {"timeout": 3}}``; values are JSON where they parse."""
    options: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        component, dot, option = key.partition(".")
        if not sep or not dot or not component or not option:
            raise ScoringError(f"--option {pair!r}: expected NAME.KEY=VALUE, as in math.timeout=5")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        options.setdefault(component, {})[option] = value
    return options


def _with_options(data: dict[str, Any], options: dict[str, dict[str, Any]]) -> dict[str, Any]:
    names = [component.get("name") for component in data.get("components", [])]
    unknown = sorted(set(options) - set(names))
    if unknown:
        raise ScoringError(f"--option names component {unknown[0]!r}, which the reward has not; it has: "
                           f"{', '.join(map(str, names))}")
    components = [{**c, "config": {**c.get("config", {}), **options.get(c.get("name"), {})}}
                  for c in data["components"]]
    return {**data, "components": components}


def spec_from_flags(verifiers: Sequence[str], options: Sequence[str] = ()) -> RewardSpec:
    """The reward spec that ``--verifier NAME[=WEIGHT]`` and ``--option NAME.KEY=VALUE`` stand for."""
    weights = parse_verifier_weights(verifiers)
    data = {"components": [{"name": name, "verifier": name, "weight": weight} for name, weight in weights.items()]}
    return RewardSpec.from_dict(_with_options(data, parse_options(options)))


def build_spec(reward: str | Path | None, verifiers: Sequence[str], options: Sequence[str] = ()) -> RewardSpec:
    """The spec of a scoring run: ``--reward FILE`` (with ``--option`` overrides) or the ``--verifier`` shorthand."""
    if reward is not None and verifiers:
        raise ScoringError("pass either --reward spec.yaml or --verifier flags, not both")
    if reward is None:
        return spec_from_flags(verifiers, options)
    spec = RewardSpec.from_yaml(reward)
    if not options:
        return spec
    try:
        return RewardSpec.from_dict(_with_options(spec.to_dict(), parse_options(options)))
    except RewardSpecError as error:
        raise RewardSpecError(f"{reward} with --option: {error}") from None


def parse_column_map(specs: Sequence[str]) -> tuple[dict[str, str], set[str]]:
    """``["completion=pred"]`` -> (full column map, the fields the user named explicitly)."""
    columns = dict(DEFAULT_COLUMNS)
    explicit: set[str] = set()
    for spec in specs:
        logical, sep, column = spec.partition("=")
        logical = "answer" if logical == "reference" else logical
        if not sep or not logical or not column:
            raise ScoringError(f"--column {spec!r}: expected FIELD=COLUMN, as in completion=pred")
        columns[logical] = column
        explicit.add(logical)
    return columns, explicit


@dataclass
class ScoreJob:
    """What to score and how; built by the CLI or by Python callers."""

    input_path: Path
    output_path: Path
    spec: RewardSpec
    columns: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_COLUMNS))
    required: set[str] = field(default_factory=lambda: {"completion"})
    workers: int = 1
    resume: bool = False
    skip_invalid: bool = False
    force: bool = False
    chunk_size: int = 32
    backend: str = "local"  # "local" (processes on this machine) or "ray" (rewards/scoring/ray_backend.py)
    ray_address: str | None = None  # a Ray cluster to join; None: start a local one for the run

    def cell_rules(self) -> CellRules:
        """What CSV cells mean for this job: its text columns (with the spec's reference columns) and structures."""
        text = {self.columns.get(name, name) for name in TEXT_FIELDS}
        structured = {self.columns.get(name, name) for name in STRUCTURED_FIELDS}
        for component in self.spec.components:  # a spec may read fields from columns of its own
            if component.reference_column:
                text.add(self.columns.get(component.reference_column, component.reference_column))
            for field_name, column in component.columns.items():
                kind = structured if field_name in STRUCTURED_FIELDS else text if field_name in TEXT_FIELDS else set()
                kind.add(self.columns.get(column, column))
        return CellRules(frozenset(text - structured), frozenset(structured), self.columns["completion"])
