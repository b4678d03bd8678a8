"""The verifier contract: a Verdict, and the base class every verifier subclasses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["BatchVerifier", "Status", "Verdict", "Verifier", "VerifierConfig", "aligned_references"]

# ok: the sample was judged; unparseable: the sample could not be read (a wrong answer's kin);
# timeout: judging the sample ran out of time (the sample's fault: it scores 0);
# error: the verifier's own trouble (a crashed worker, no free worker): never a reward.
Status = Literal["ok", "unparseable", "timeout", "error"]


class Verdict(BaseModel):
    """The outcome of checking one completion.

    ``score`` is in [0, 1]; ``passed`` is None when a pass/fail judgement does not apply
    (for a continuous score, or when the verifier is not applicable to the row). ``status`` says
    how judging went: a verdict with status ``error`` is the verifier's trouble, not the sample's,
    and carries no reward.

    Example:
        >>> Verdict.error("the math worker crashed").applicable
        False
    """

    model_config = ConfigDict(extra="forbid")

    score: float = Field(ge=0.0, le=1.0)
    passed: bool | None = None
    reason: str = ""
    details: dict[str, Any] = Field(default_factory=dict)
    status: Status = "ok"

    @classmethod
    def not_applicable(cls, reason: str, **details: Any) -> Verdict:
        """A verdict for a row the verifier cannot judge (no reference, no tests...)."""
        return cls(score=0.0, passed=None, reason=reason, details={"applicable": False, **details})

    @classmethod
    def error(cls, reason: str, **details: Any) -> Verdict:
        """The verifier could not judge the row through no fault of the sample; carries no reward."""
        return cls(score=0.0, passed=None, reason=reason, details=details, status="error")

    @property
    def applicable(self) -> bool:
        """False when the verifier did not judge the row (or failed to); such a verdict carries no reward."""
        return self.status != "error" and self.details.get("applicable", True) is not False


def aligned_references(
    completions: Sequence[str], references: Sequence[Any] | None, columns: dict[str, Sequence[Any]]
) -> list[Any]:
    """The references as a list aligned with ``completions``; a column of another length is an error."""
    n = len(completions)
    references = list(references) if references is not None else [None] * n
    for key, values in {"references": references, **columns}.items():
        if len(values) != n:
            raise ValueError(f"{key!r} has {len(values)} values for {n} completions")
    return references


class VerifierConfig(BaseModel):
    """Base for every verifier's Config: unknown keys are an error that names the key."""

    model_config = ConfigDict(extra="forbid")


class Verifier:
    """Base class for verifiers.

    Subclasses set ``name`` (unique, lowercase), ``description`` (one line), a ``Config``
    (a :class:`VerifierConfig` subclass) and implement :meth:`verify`. Verifiers that gain
    from batching (a model, a process pool) override :meth:`verify_batch`.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    Config: ClassVar[type[VerifierConfig]] = VerifierConfig
    needs_reference: ClassVar[bool] = True  # False: judges the completion alone (format, coherence)

    def __init__(self, config: VerifierConfig | dict[str, Any] | None = None, **options: Any):
        if isinstance(config, VerifierConfig):
            if options:  # validated like any other config, never copied in unchecked
                config = type(config).model_validate({**config.model_dump(), **options})
        else:
            config = self.Config(**{**(config or {}), **options})
        if not isinstance(config, self.Config):
            raise TypeError(f"{type(self).__name__} expects a {self.Config.__name__}, got {type(config).__name__}")
        self.config = config

    def verify(self, completion: str, reference: Any = None, **fields: Any) -> Verdict:
        """Check one completion against its reference; ``fields`` are the row's other columns."""
        raise NotImplementedError(f"{type(self).__name__}.verify is not implemented")

    def verify_batch(
        self,
        completions: Sequence[str],
        references: Sequence[Any] | None = None,
        **columns: Sequence[Any],
    ) -> list[Verdict]:
        """Check many completions; ``columns`` are lists aligned with ``completions``."""
        n = len(completions)
        references = aligned_references(completions, references, columns)
        return [
            self.verify(completions[i], references[i], **{key: values[i] for key, values in columns.items()})
            for i in range(n)
        ]

    def close(self) -> None:
        """Release worker processes or models; the default has nothing to release."""

    def __enter__(self) -> Verifier:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})"


class BatchVerifier(Verifier):
    """A verifier whose natural form is the batch (a model, a process pool): ``verify`` is a batch of one."""

    def verify(self, completion: str, reference: Any = None, **fields: Any) -> Verdict:
        return self.verify_batch([completion], [reference], **{key: [value] for key, value in fields.items()})[0]

    def verify_batch(
        self,
        completions: Sequence[str],
        references: Sequence[Any] | None = None,
        **columns: Sequence[Any],
    ) -> list[Verdict]:
        raise NotImplementedError(f"{type(self).__name__}.verify_batch is not implemented")
