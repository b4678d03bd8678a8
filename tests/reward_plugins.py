"""Test verifiers for the reward tests, registered through the ordinary hook.

``parity``: passes when the stripped completion has an even length; not applicable without a
reference. It records every batch it sees (completions, references) in this process, so a test
can recompute what a trainer should have logged from the completions the trainer produced.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from plugins import hookimpl
from verifiers.base import Verdict, Verifier

__all__ = ["BrokenVerifier", "FlakyVerifier", "ParityVerifier", "RewardTestPlugin"]


class ParityVerifier(Verifier):
    name = "parity"
    description = "Test verifier: even-length completions pass"
    batches: ClassVar[list[tuple[list[str], list[Any]]]] = []

    def verify_batch(self, completions: Sequence[str], references: Sequence[Any] | None = None, **columns: Any):
        ParityVerifier.batches.append((list(completions), list(references or [None] * len(completions))))
        return super().verify_batch(completions, references, **columns)

    def verify(self, completion: str, reference: Any = None, **fields: Any) -> Verdict:
        if reference is None:
            return Verdict.not_applicable("no reference")
        passed = len(completion.strip()) % 2 == 0
        return Verdict(score=float(passed), passed=passed, reason="even" if passed else "odd")


def parity_score(completion: str, reference: Any) -> float | None:
    """What ``parity`` gives one completion (None = not applicable)."""
    return None if reference is None else float(len(completion.strip()) % 2 == 0)


class BrokenVerifier(Verifier):
    name = "broken"
    description = "Test verifier: a bug (raises) on every call"

    def verify(self, completion: str, reference: Any = None, **fields: Any) -> Verdict:
        raise ZeroDivisionError("verifier bug")


class FlakyVerifier(Verifier):
    """``error`` verdicts (the verifier's own trouble) on a completion's first ``fails`` tries, then a pass."""

    name = "flaky"
    description = "Test verifier: infrastructure errors on the first tries of completions that say how many"
    needs_reference = False
    tries: ClassVar[dict[str, int]] = {}

    def verify(self, completion: str, reference: Any = None, **fields: Any) -> Verdict:
        FlakyVerifier.tries[completion] = FlakyVerifier.tries.get(completion, 0) + 1
        if FlakyVerifier.tries[completion] <= int(completion):
            return Verdict.error("no free worker")
        return Verdict(score=1.0, passed=True)


class RewardTestPlugin:
    @hookimpl
    def register_verifiers(self, register):
        register(ParityVerifier)
        register(BrokenVerifier)
        register(FlakyVerifier)
