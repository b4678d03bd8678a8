"""The `exact` verifier: normalised string equality."""

from __future__ import annotations

import re
import string
import unicodedata
from typing import Any

from plugins.hookspecs import hookimpl
from verifiers.base import Verdict, Verifier
from verifiers.final_answer import NO_FINAL_ANSWER, FinalAnswerOptions, final_answer_text

__all__ = ["ExactConfig", "ExactVerifier", "normalize_text"]

_EDGE_PUNCTUATION = string.punctuation + "“”‘’«»"


def normalize_text(text: str, case_sensitive: bool = False, strip_punctuation: bool = True) -> str:
    """Unicode-normalise, collapse whitespace, optionally casefold and trim edge punctuation."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", " ", text).strip()
    if strip_punctuation:
        text = text.strip(_EDGE_PUNCTUATION + " ")
    return text if case_sensitive else text.casefold()


class ExactConfig(FinalAnswerOptions):
    case_sensitive: bool = False
    strip_punctuation: bool = True


class ExactVerifier(Verifier):
    """Passes when the completion equals the reference after normalisation."""

    name = "exact"
    description = "Normalised string match (whitespace, case, edge punctuation)"
    Config = ExactConfig

    def verify(self, completion: str, reference: Any = None, **fields: Any) -> Verdict:
        if reference is None:
            return Verdict.not_applicable("no reference")
        text, expected = str(completion or ""), str(reference)
        if self.config.final_answer_only:
            text = final_answer_text(text, self.config.reasoning_tags)
            if text is None:
                return Verdict(score=0.0, passed=False, reason=NO_FINAL_ANSWER)
            # a reference written as a whole completion is compared by its final answer too
            expected = final_answer_text(expected, self.config.reasoning_tags) or expected
        options = {"case_sensitive": self.config.case_sensitive, "strip_punctuation": self.config.strip_punctuation}
        got = normalize_text(text, **options)
        want = normalize_text(expected, **options)
        passed = got == want
        return Verdict(
            score=float(passed),
            passed=passed,
            reason="match" if passed else "mismatch",
            details={"normalized_completion": got[:200], "normalized_reference": want[:200]},
        )


@hookimpl
def register_verifiers(register):
    register(ExactVerifier)
