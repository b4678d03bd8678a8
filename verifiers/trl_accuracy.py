"""The `trl-accuracy` verifier: TRL's own ``accuracy_reward`` (math-verify), as a baseline to compare against.

``python -m trainers.grpo --reward trl-accuracy`` trains with it in place of rlvr's ``math`` verifier,
so that an ablation can show what rlvr's checker adds. It needs the ``math-verify`` package (installed
with rlvr's ``dev`` extra). TRL runs it in the calling thread; off the main thread math-verify's
signal-based timeouts are off, as TRL documents.
"""

from __future__ import annotations

from typing import Any

from plugins.hookspecs import hookimpl
from rlvr.errors import SetupError
from verifiers.base import Verdict, Verifier, VerifierConfig

__all__ = ["TrlAccuracyConfig", "TrlAccuracyVerifier"]


class TrlAccuracyConfig(VerifierConfig):
    """No options: the baseline is TRL's function as it ships."""


class TrlAccuracyVerifier(Verifier):
    """Scores a completion with ``trl.rewards.accuracy_reward`` against the reference answer."""

    name = "trl-accuracy"
    description = "TRL's accuracy_reward (math-verify), as a baseline for ablations"
    Config = TrlAccuracyConfig

    def __init__(self, config: Any = None, **options: Any):
        super().__init__(config, **options)
        import importlib.util

        if importlib.util.find_spec("math_verify") is None:
            raise SetupError("the trl-accuracy verifier needs math-verify: pip install math-verify")

    def verify(self, completion: str, reference: Any = None, **fields: Any) -> Verdict:
        from trl.rewards import accuracy_reward

        if reference is None:
            return Verdict.not_applicable("no reference")
        (score,) = accuracy_reward([[{"role": "assistant", "content": str(completion)}]], [str(reference)])
        if score is None:
            return Verdict.not_applicable("math-verify cannot parse the reference")
        return Verdict(score=float(score), passed=score == 1.0, reason="math-verify: equal" if score else "not equal")


@hookimpl
def register_verifiers(register):
    register(TrlAccuracyVerifier)
