"""The `choice` verifier: multiple-choice answers as a letter or as the option's text."""

from __future__ import annotations

import re
from typing import Any

from plugins.hookspecs import hookimpl
from verifiers.base import Verdict, Verifier
from verifiers.exact import normalize_text
from verifiers.final_answer import NO_FINAL_ANSWER, FinalAnswerOptions, final_answer_text

__all__ = ["ChoiceConfig", "ChoiceVerifier", "extract_choice", "parse_options"]

# MathQA: "a ) 38 , b ) 27.675 , c ) 30"
_MATHQA_OPTION = re.compile(r"(?:^|,)\s*([a-zA-Z])\s*\)\s*(.*?)\s*(?=,\s*[a-zA-Z]\s*\)|$)")


def parse_options(options: Any) -> dict[str, str]:
    """Options as {LETTER: text} from CommonsenseQA dicts, MathQA strings, lists or dicts."""
    if options is None:
        return {}
    if isinstance(options, dict) and "label" in options and "text" in options:
        return {str(k).upper(): str(v) for k, v in zip(options["label"], options["text"], strict=False)}
    if isinstance(options, dict):
        return {str(k).upper(): str(v) for k, v in options.items()}
    if isinstance(options, str):
        return {m.group(1).upper(): m.group(2) for m in _MATHQA_OPTION.finditer(options)}
    if isinstance(options, list | tuple):
        return {chr(ord("A") + i): str(text) for i, text in enumerate(options)}
    raise TypeError(f"cannot read multiple-choice options of type {type(options).__name__}")


def _letter_patterns(letters: str) -> list[re.Pattern[str]]:
    group = f"([{letters}{letters.lower()}])"
    return [
        re.compile(rf"answer\s*(?:is|:)?\s*:?\s*(?:option\s*)?[\(\[]?{group}[\)\]]?(?![A-Za-z])", re.I),
        re.compile(rf"\\boxed\{{\s*(?:\\text\{{)?\(?{group}\)?\}}"),
        re.compile(rf"[\(\[]{group}[\)\]]"),
        re.compile(rf"(?:^|\s){group}[\.\):](?:\s|$)"),
        re.compile(rf"^\s*{group}\s*$"),
    ]


def _is_article(match: re.Match[str], text: str) -> bool:
    """'a' in "the answer is a library" is an article, not option (a)."""
    letter = match.group(1)
    return letter.islower() and re.match(r"\s+[A-Za-z]", text[match.end(1):]) is not None


def extract_choice(completion: str, options: dict[str, str], letters: str = "ABCDE") -> str | None:
    """The chosen letter: the last explicit marker wins, else a unique option text mentioned."""
    for pattern in _letter_patterns(letters):
        matches = [match for match in pattern.finditer(completion) if not _is_article(match, completion)]
        if matches:
            return matches[-1].group(1).upper()
    text = normalize_text(completion)
    mentioned = [letter for letter, option in options.items() if option and normalize_text(option) in text]
    exact = [letter for letter, option in options.items() if normalize_text(option) == text]
    if exact:
        return exact[0]
    return mentioned[0] if len(mentioned) == 1 else None


class ChoiceConfig(FinalAnswerOptions):
    letters: str = "ABCDE"


class ChoiceVerifier(Verifier):
    """Passes when the chosen option is the reference (a letter or the option's text)."""

    name = "choice"
    description = "Multiple-choice answer: a letter like (B), 'B.', 'The answer is B', or the option text"
    Config = ChoiceConfig

    def verify(self, completion: str, reference: Any = None, **fields: Any) -> Verdict:
        if reference is None:
            return Verdict.not_applicable("no reference")
        options = parse_options(fields.get("choices", fields.get("options")))
        letters = "".join(sorted(set(self.config.letters.upper()) | set(options)))
        want = str(reference).strip().strip("().").upper()
        if want not in letters or len(want) != 1:
            matches = [k for k, v in options.items() if normalize_text(v) == normalize_text(str(reference))]
            if not matches:
                raise ValueError(f"reference {reference!r} is neither an option letter nor an option's text")
            want = matches[0]
        text = str(completion or "")
        if self.config.final_answer_only:
            text = final_answer_text(text, self.config.reasoning_tags)
            if text is None:
                return Verdict(score=0.0, passed=False, reason=NO_FINAL_ANSWER, details={"expected": want})
        got = extract_choice(text, options, letters)
        if got is None:
            return Verdict(score=0.0, passed=False, reason="no choice found", details={"expected": want})
        passed = got == want
        return Verdict(
            score=float(passed),
            passed=passed,
            reason="correct choice" if passed else f"chose {got}, expected {want}",
            details={"extracted": got, "expected": want},
        )


@hookimpl
def register_verifiers(register):
    register(ChoiceVerifier)
