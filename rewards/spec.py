"""Reward specs: verifiers and shaping terms with weights and gates, loaded from YAML or built in Python.

A spec is checked when it is loaded: an unknown verifier, a bad key in a verifier's config, a
gate on a missing component or a typo in a field name raises :class:`RewardSpecError` naming it.

.. code-block:: yaml

    components:
      - {name: math, verifier: math, weight: 1.0}          # reference from the "answer" column
      - {name: coherence, verifier: coherence, weight: 0.5, reference_column: null, gate: math}
      - {name: format, shaping: format, weight: 0.2}
      - {name: length, shaping: length, config: {max_tokens: 512, buffer_tokens: 128}}
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rewards.shaping import SHAPING_TERMS
from rlvr.errors import RewardSpecError, validation_message

__all__ = ["Component", "Gate", "RewardSpec", "RewardSpecError"]

NAME_PATTERN = r"^[a-z][a-z0-9_\-]*$"

# Named rewards. `format-only` and `trl-accuracy` are ablations: the first never checks the answer,
# the second checks it with TRL's own accuracy_reward (math-verify) instead of rlvr's `math`.
PRESETS: dict[str, dict[str, Any]] = {
    "default": {"components": [
        {"name": "math", "verifier": "math", "weight": 1.0},
        {"name": "format", "shaping": "format", "weight": 0.2},
    ]},
    "format-only": {"components": [{"name": "format", "shaping": "format", "weight": 1.0}]},
    "trl-accuracy": {"components": [
        {"name": "accuracy", "verifier": "trl-accuracy", "weight": 1.0},
        {"name": "format", "shaping": "format", "weight": 0.2},
    ]},
}


class Gate(BaseModel):
    """A component counts only where another one passed (or reached ``min_score``)."""

    model_config = ConfigDict(extra="forbid")

    component: str
    min_score: float | None = None  # None: the gate component's verdict must have passed
    otherwise: float | None = None  # the value where the gate is closed; None = not applicable


class Component(BaseModel):
    """One reward term: a registered verifier or a built-in shaping term, with a weight."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_PATTERN)
    verifier: str | None = None
    shaping: str | None = None
    weight: float = 1.0
    config: dict[str, Any] = Field(default_factory=dict)
    reference_column: str | None = "answer"  # dataset column with the reference; None: no reference
    columns: dict[str, str] = Field(default_factory=dict)  # verifier field -> dataset column
    gate: Gate | None = None

    @field_validator("gate", mode="before")
    @classmethod
    def _gate_shorthand(cls, value: Any) -> Any:
        return {"component": value} if isinstance(value, str) else value

    @field_validator("weight")
    @classmethod
    def _finite_weight(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError(f"weight must be a finite number, got {value}")
        return value

    @model_validator(mode="after")
    def _check_source(self) -> Component:
        if (self.verifier is None) == (self.shaping is None):
            raise ValueError(f"component {self.name!r} needs exactly one of 'verifier' or 'shaping'")
        if self.shaping is not None:
            if self.shaping not in SHAPING_TERMS:
                known = ", ".join(sorted(SHAPING_TERMS))
                raise ValueError(f"unknown shaping term {self.shaping!r} in component {self.name!r}; known: {known}")
            config_class = SHAPING_TERMS[self.shaping].config_class
            what = f"shaping term {self.shaping!r}"
        else:
            from plugins import UnknownVerifierError, get_verifier_class

            try:
                config_class = get_verifier_class(self.verifier).Config
            except UnknownVerifierError as error:
                raise ValueError(f"component {self.name!r}: {error}") from None
            what = f"verifier {self.verifier!r}"
        try:
            config_class.model_validate(self.config)
        except ValidationError as error:
            raise ValueError(f"component {self.name!r}, config for {what}: {validation_message(error)}") from None
        return self

    def shaping_config(self) -> BaseModel:
        """The validated config of this component's shaping term."""
        return SHAPING_TERMS[self.shaping].config_class.model_validate(self.config)


def _gives_pass(component: Component) -> bool:
    return component.shaping is None or SHAPING_TERMS[component.shaping].gives_pass


class RewardSpec(BaseModel):
    """Weighted components; a total is the weighted sum of the components that apply to a row.

    Example:
        >>> spec = RewardSpec.from_dict({"components": [
        ...     {"name": "exact", "verifier": "exact", "weight": 1.0},
        ...     {"name": "format", "shaping": "format", "weight": 0.2}]})
        >>> [(c.name, c.weight) for c in spec.components]
        [('exact', 1.0), ('format', 0.2)]
    """

    model_config = ConfigDict(extra="forbid")

    components: list[Component] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_names_and_gates(self) -> RewardSpec:
        seen: dict[str, Component] = {}
        for component in self.components:
            if component.name in seen:
                raise ValueError(f"component name {component.name!r} is used twice")
            gate = component.gate
            if gate is not None and gate.component not in seen:
                problem = "itself" if gate.component == component.name else f"{gate.component!r}"
                raise ValueError(
                    f"component {component.name!r} is gated on {problem}; a gate must name a component listed before it"
                )
            if gate is not None and gate.min_score is None and not _gives_pass(seen[gate.component]):
                raise ValueError(
                    f"component {component.name!r} is gated on {gate.component!r}, a score without pass/fail; "
                    "give the gate a min_score"
                )
            seen[component.name] = component
        return self

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RewardSpec:
        """Build and check a spec from plain data (as parsed from YAML or JSON)."""
        if not isinstance(data, dict):
            raise RewardSpecError(f"a reward spec is a mapping with a 'components' list, got {type(data).__name__}")
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            raise RewardSpecError(f"invalid reward spec: {validation_message(error)}") from None

    @classmethod
    def from_yaml(cls, path: str | Path) -> RewardSpec:
        """Load a spec from a YAML (or JSON) file; errors name the file and the field at fault."""
        import yaml

        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise RewardSpecError(f"cannot read reward spec {path}: {error}") from None
        try:
            return cls.from_dict(data)
        except RewardSpecError as error:
            raise RewardSpecError(f"{path}: {error}") from None

    @classmethod
    def default(cls) -> RewardSpec:
        """The default reward: the ``math`` verifier (weight 1) plus the format term (weight 0.2)."""
        return cls.preset("default")

    @classmethod
    def preset(cls, name: str) -> RewardSpec:
        """A named reward: ``default`` (math + format), or an ablation: ``format-only``, ``trl-accuracy``.

        Example:
            >>> [(c.name, c.weight) for c in RewardSpec.preset("format-only").components]
            [('format', 1.0)]
        """
        if name not in PRESETS:
            raise RewardSpecError(f"unknown reward {name!r}: give a spec file or one of {', '.join(PRESETS)}")
        return cls.from_dict(PRESETS[name])

    @classmethod
    def load(cls, name_or_path: str | Path) -> RewardSpec:
        """A preset by name (see :meth:`preset`) or a spec from a YAML/JSON file."""
        if str(name_or_path) in PRESETS:
            return cls.preset(str(name_or_path))
        return cls.from_yaml(name_or_path)

    def component(self, name: str) -> Component:
        """The component called ``name``."""
        for component in self.components:
            if component.name == name:
                return component
        raise KeyError(f"no component {name!r} in the spec; components: {', '.join(self.names)}")

    @property
    def names(self) -> list[str]:
        return [component.name for component in self.components]

    @property
    def weights(self) -> list[float]:
        return [component.weight for component in self.components]

    def to_dict(self) -> dict[str, Any]:
        """Plain data that :meth:`from_dict` turns back into an equal spec."""
        return self.model_dump(mode="json")
