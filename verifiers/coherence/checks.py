"""The symbolic checks of a chain: numeric grounding, equation validity, answer derivation,
question coverage, and lexical overlap for the redundancy penalty.

A number a step uses is *grounded* (1.0) when the question gives it, an earlier step or a
checked equation produced it, or it is a known constant; *implied* (0.5) when one operation
on grounded numbers gives it (``4 people`` from "3 friends and himself"); otherwise
*unsupported* (0.0), and it stays so when later steps reuse it. An equation result is only as
grounded as its least grounded operand, so a valid ``360 - 115 = 245`` built on an unsupported
360 does not ground 245.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from verifiers.coherence.equations import (
    Number,
    extract_equations,
    extract_numbers,
    same_value,
    word_number_values,
)

__all__ = ["NumericReport", "check_numbers", "content_tokens", "copied_fraction", "extract_final_answer"]

IMPLIED = 0.5
MAX_OPERANDS = 48  # recent grounded values searched for an implied number, per table
MAX_NUMBERS = 24  # numbers judged per step
_ANSWER = re.compile(
    r"(?i)(?:answer\s*(?:is|:|=)|\\boxed\{|####)\s*(?:[A-Za-z ]{0,12}?(?:is|=|:)\s*)?"
    r"(?P<num>\$?-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?)"
)
_TOKENS = re.compile(r"[a-z]+|\d+(?:\.\d+)?")


@dataclass
class NumericReport:
    """What the numeric checks found, step by step and for the whole chain."""

    step_grounding: list[float | None] = field(default_factory=list)
    valid_equations: int = 0
    invalid_equations: int = 0
    invalid: list[str] = field(default_factory=list)
    unsupported: list[float] = field(default_factory=list)
    coverage: float = 1.0
    answer: float | None = None
    answer_derivation: float = 0.0


def _key(value: float) -> float:
    """A lookup key: equal values (to nine significant digits) share it."""
    return float(f"{value:.9g}")


def _operand_windows(a: float, target: float, slack: float) -> list[tuple[str, float, float]]:
    """For each operation, the interval a second operand b must fall in for ``a op b`` to be ``target``."""
    windows = [("+", target - a - slack, target - a + slack), ("-", a - target - slack, a - target + slack)]
    if a:
        low, high = sorted(((target - slack) / a, (target + slack) / a))
        windows.append(("*", low, high))
    if (target - slack) * (target + slack) > 0:
        low, high = sorted((a / (target - slack), a / (target + slack)))
        windows.append(("/", low, high))
    return windows


class _Ledger:
    """Every value seen so far: how well grounded it is, given and computed kept apart.

    Lookups are by key, and an implied value is searched among the last :data:`MAX_OPERANDS`
    grounded values with a sorted list, so a chain of thousands of numbers stays fast.
    """

    def __init__(self) -> None:
        self.given: dict[float, float] = {}
        self.computed: dict[float, float] = {}
        self.implied_operands: list[float] = []  # values used by implied steps (they count as used)

    def status(self, number: Number) -> float | None:
        found = [
            s for table in (self.given, self.computed) for v in number.values if (s := table.get(_key(v))) is not None
        ]
        return max(found) if found else None

    def computed_status(self, value: float) -> float:
        return self.computed.get(_key(value)) or 0.0

    def record(self, value: float, status: float, computed: bool) -> None:
        table = self.computed if computed else self.given
        key = _key(value)
        table[key] = max(status, table.get(key, 0.0))

    def _operands(self) -> tuple[list[float], list[float]]:
        known = [
            (v, s) for table in (self.given, self.computed) for v, s in list(table.items())[-MAX_OPERANDS:] if s > 0
        ]
        known.sort()
        return [v for v, _ in known], [s for _, s in known]

    def implied(self, number: Number) -> float:
        """IMPLIED times the weaker operand if one operation on known values gives ``number``."""
        values, statuses = self._operands()
        best, operands = 0.0, ()
        for target in number.values:
            slack = 1e-9 * max(1.0, abs(target)) + (0.5 * 10.0 ** (-number.decimals) if number.decimals else 0.0)
            for a, sa in zip(values, statuses, strict=True):
                for op, low, high in _operand_windows(a, target, slack):
                    for index in range(bisect_left(values, low), bisect_right(values, high)):
                        b, sb = values[index], statuses[index]
                        if op in "-/" and same_value(a, b):
                            continue  # a - a and a / a would imply 0 and 1 from anything
                        if IMPLIED * min(sa, sb) > best:
                            best, operands = IMPLIED * min(sa, sb), (a, b)
        self.implied_operands += operands
        return best

    def ground(self, number: Number) -> float:
        """The status of a number a step uses; a new one is recorded as implied or unsupported."""
        status = self.status(number)
        if status is None:
            status = self.implied(number)
            self.record(number.value, status, computed=True)
        return status


def _question_ledger(question: str, constants: Iterable[float]) -> tuple[_Ledger, list[Number]]:
    ledger = _Ledger()
    given = extract_numbers(question)
    for number in given:
        for value in number.values:
            ledger.record(value, 1.0, computed=False)
    for value in [*word_number_values(question), *constants]:
        ledger.record(value, 1.0, computed=False)
    return ledger, given


def _check_step(step: str, ledger: _Ledger, report: NumericReport) -> list[Number]:
    """Check one step's equations and numbers; returns the numbers it used."""
    used: list[Number] = []
    for equation in extract_equations(step):
        if equation.status == "constraint":
            continue
        operand_status = min((ledger.ground(n) for n in equation.operands), default=1.0)
        used += equation.operands
        if equation.status == "valid":
            report.valid_equations += 1
        else:
            report.invalid_equations += 1
            report.invalid.append(equation.text)
            operand_status = 0.0
        for result in equation.results:
            ledger.record(result.value, operand_status, computed=True)
    for value in word_number_values(step):
        ledger.record(value, 1.0, computed=False)
    mentions = extract_numbers(step)[:MAX_NUMBERS]
    statuses = []
    for number in mentions:
        status = ledger.ground(number)
        statuses.append(status)
        if status == 0.0 and number.value not in report.unsupported:
            report.unsupported.append(number.value)
    report.step_grounding.append(sum(statuses) / len(statuses) if statuses else None)
    return used + mentions


def extract_final_answer(steps: Sequence[str]) -> Number | None:
    """The final answer: the last "answer is X" / ``#### X`` / ``\\boxed{X}``, else the last step's last number."""
    for step in reversed(steps):
        matches = list(_ANSWER.finditer(step))
        if matches:
            return extract_numbers(matches[-1].group("num").lstrip("-"))[0]
    numbers = extract_numbers(steps[-1]) if steps else []
    return numbers[-1] if numbers else None


def check_numbers(question: str, steps: Sequence[str], constants: Iterable[float] = (1, 2, 100)) -> NumericReport:
    """Walk the steps in order, grounding every number and checking every equation."""
    ledger, given = _question_ledger(question, constants)
    report = NumericReport()
    used: list[Number] = []
    for step in steps:
        used += _check_step(step, ledger, report)
    used_values = [v for number in used for v in number.values] + ledger.implied_operands
    covered = [n for n in given if any(same_value(v, u) for v in n.values for u in used_values)]
    report.coverage = len(covered) / len(given) if given else 1.0
    answer = extract_final_answer(steps)
    if answer is not None:
        report.answer = answer.value
        report.answer_derivation = max(ledger.computed_status(v) for v in answer.values)
    return report


def content_tokens(text: str) -> list[str]:
    """Lower-cased words and numbers of ``text``, in order (``$1,200`` is ``1200``)."""
    return _TOKENS.findall(text.lower().replace(",", ""))


def _bigrams(tokens: Sequence[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + 2]) for i in range(len(tokens) - 1)} if len(tokens) > 1 else {tuple(tokens)}


def copied_fraction(step: str, source: str) -> float:
    """The share of ``step``'s word bigrams found in ``source``: 1.0 for a verbatim copied sentence."""
    mine = _bigrams(content_tokens(step))
    return len(mine & _bigrams(content_tokens(source))) / len(mine) if mine else 0.0
