"""Robustness: for each augmentation kind, accuracy on originals and on their paired variants, with statistics.

A variant row carries ``source_id`` (its original's id) and ``perturbation`` (the kind). Each
pair compares the original's outcome with its variant's: the drop, a Wilson interval for each
side, McNemar's exact test on first samples, and a paired bootstrap interval of the change.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from evaluation.metrics import mcnemar_exact, paired_bootstrap, wilson_interval
from evaluation.summary import problems

__all__ = ["consistency", "paired_change", "robustness"]

Record = dict[str, Any]


def _rate(samples: list[Record]) -> float:
    return sum(r["passed"] for r in samples) / len(samples)


def paired_change(before: list[list[Record]], after: list[list[Record]], seed: int = 0) -> dict[str, Any]:
    """Accuracy of two aligned lists of problems (each a list of samples), the change and its significance."""
    first_before = [samples[0]["passed"] for samples in before]
    first_after = [samples[0]["passed"] for samples in after]
    rates_before, rates_after = [_rate(s) for s in before], [_rate(s) for s in after]
    n = len(before)
    a, b = wilson_interval(round(sum(rates_before)), n), wilson_interval(round(sum(rates_after)), n)
    a_mean = sum(rates_before) / n if n else 0.0
    b_mean = sum(rates_after) / n if n else 0.0
    return {
        "pairs": n,
        "before": {"accuracy": a_mean, "low": a.low, "high": a.high},
        "after": {"accuracy": b_mean, "low": b.low, "high": b.high},
        "change": b_mean - a_mean,
        "bootstrap": paired_bootstrap(rates_before, rates_after, seed=seed).as_dict(),
        "mcnemar": mcnemar_exact(first_before, first_after),
    }


def robustness(records: list[Record], seed: int = 0) -> dict[str, dict[str, Any]]:
    """Per task, per perturbation kind: original vs variant accuracy on the pairs, the drop and its statistics."""
    grouped = problems(records)
    report: dict[str, dict[str, Any]] = defaultdict(dict)
    pairs: dict[tuple[str, str], list[tuple[list[Record], list[Record]]]] = defaultdict(list)
    for (task, _), samples in grouped.items():
        kind = samples[0]["perturbation"]
        original = grouped.get((task, samples[0]["source_id"]))
        if kind and original is not None:
            pairs[(task, kind)].append((original, samples))
    for (task, kind), matched in sorted(pairs.items()):
        change = paired_change([o for o, _ in matched], [v for _, v in matched], seed=seed)
        report[task][kind] = {
            "pairs": change["pairs"], "original": change["before"], "variant": change["after"],
            "drop": -change["change"], "bootstrap_change": change["bootstrap"], "mcnemar": change["mcnemar"],
        }
    return dict(report)


def consistency(records: list[Record]) -> dict[str, dict[str, Any]]:
    """Per task, over originals that have variants: the share whose every instantiation got the same outcome
    (first samples), and the share right on all of them."""
    grouped = problems(records)
    families: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for (task, _), samples in grouped.items():
        families[(task, samples[0]["source_id"])].append(samples[0]["passed"])
    result: dict[str, dict[str, Any]] = {}
    for task in sorted({task for task, _ in families}):
        varied = [outcomes for (t, _), outcomes in families.items() if t == task and len(outcomes) > 1]
        if varied:
            result[task] = {
                "problems": len(varied),
                "instantiations": sum(len(o) for o in varied) / len(varied),
                "consistent": sum(len(set(o)) == 1 for o in varied) / len(varied),
                "all_right": sum(all(o) for o in varied) / len(varied),
            }
    return result
