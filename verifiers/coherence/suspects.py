"""Steps that state something false or unsupported: the strongest sign of a broken chain.

Three kinds, each tied to the step that shows it:
- ``false_equation``: an equation whose two sides differ when the arithmetic is done exactly
  (``2.83*30.5=86.065``, ``3!*7!*8/10! = 1/10``), or that has no real value (``0^-1 = 4``);
- ``contradiction``: a name given a value that differs from the value an earlier step gave it
  (``x = 5`` ... ``x = 7``, ``so 180 km`` ... ``total distance is 360 km`` is not caught: only names);
- ``unsupported_answer``: the final answer (after ``# Answer``, ``\\boxed{}``, "the answer is")
  appears in no earlier step (or none of the ``window`` steps just before it) and is not the
  result of a valid equation in its own step. On the real chains' tuning part a window of two
  separates bad final steps better alone (AUROC 0.643 vs 0.605), but inside the score it did
  not hold on the held-out part, so the default reads every earlier step.

The question is not an earlier step: restating a given number as the answer supports nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from verifiers.coherence.equations import Equation, extract_equations

__all__ = ["Suspect", "extract_answer_text", "find_suspects", "normalise_math"]

_MARKER = re.compile(r"(?i)#+\s*answer\s*:?|\\boxed\s*\{|\b(?:final\s+)?answer\s+is\s*:?|\banswer\s*[:=]")
_ASSIGNMENT = re.compile(r"(?<![\w\\^_{])([a-zA-Z])\s*=\s*(-?\d+(?:\.\d+)?)(?![\d.]*\s*[-+*/^(\\\w])")
_NOISE = re.compile(r"\\left|\\right|\\[,!;: ]|\\displaystyle|\\text\{[^{}]*\}|[\s$]|\\boxed|[{}]|\.$")


@dataclass(frozen=True)
class Suspect:
    """A step that states something false or unsupported."""

    step: int
    kind: str  # "false_equation", "contradiction" or "unsupported_answer"
    text: str


def normalise_math(text: str) -> str:
    """``text`` without spacing, dollars, braces and ``\\left``/``\\right`` (``\\dfrac`` is ``\\frac``)."""
    return _NOISE.sub("", text.replace("dfrac", "frac").replace("tfrac", "frac")).rstrip(".")


def _boxed(text: str, start: int) -> str:
    """The contents of the brace group opened just before ``start`` (unclosed: the rest)."""
    depth = 1
    for position in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[position], 0)
        if depth == 0:
            return text[start:position]
    return text[start:]


def extract_answer_text(step: str) -> str | None:
    """The answer a step states after its last answer marker, normalised; None without a marker."""
    matches = list(_MARKER.finditer(step[-4000:]))
    if not matches:
        return None
    marker, tail = matches[-1], step[-4000:][matches[-1].end() :]
    text = _boxed(tail, 0) if marker.group(0).rstrip().endswith("{") else re.split(r"(?<=[^\d\\])\.\s|\n\n", tail)[0]
    answer = normalise_math(text)
    return answer or None


def _answer_suspect(
    steps: Sequence[str], equations: Sequence[Sequence[Equation]], window: int | None
) -> Suspect | None:
    index = next((i for i in range(len(steps) - 1, -1, -1) if extract_answer_text(steps[i]) is not None), None)
    if index is None or index == 0:
        return None
    answer = extract_answer_text(steps[index]) or ""
    if any(answer in normalise_math(step) for step in steps[max(0, index - (window or index)) : index]):
        return None
    derived = [
        normalise_math(n_text) for eq in equations[index] if eq.status == "valid" for n_text in eq.text.split("=")[-1:]
    ]
    if any(answer == d for d in derived):
        return None
    return Suspect(index, "unsupported_answer", answer[:80])


def _contradictions(steps: Sequence[str]) -> list[Suspect]:
    values: dict[str, str] = {}
    found: list[Suspect] = []
    for index, step in enumerate(steps):
        for name, value in _ASSIGNMENT.findall(step[:4000]):
            earlier = values.setdefault(name, value)
            if float(earlier) != float(value):
                found.append(Suspect(index, "contradiction", f"{name} = {value} after {name} = {earlier}"))
                values[name] = value
    return found


def find_suspects(steps: Sequence[str], window: int | None = None) -> list[Suspect]:
    """Every suspect step, in step order (the first is the first suspect step)."""
    equations = [extract_equations(step) for step in steps]
    found = [
        Suspect(i, "false_equation", eq.text) for i, eqs in enumerate(equations) for eq in eqs if eq.status == "invalid"
    ]
    found += _contradictions(steps)
    answer = _answer_suspect(steps, equations, window)
    if answer is not None:
        found.append(answer)
    return sorted(found, key=lambda s: s.step)
