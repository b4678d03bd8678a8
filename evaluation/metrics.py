"""The statistics of an evaluation: pass@k, maj@k, Wilson intervals, McNemar's exact test, a paired bootstrap.

Everything here is plain arithmetic on lists of booleans (or answers), so it is exact and fast,
and the tests check it against closed forms and textbook tables.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

__all__ = ["Interval", "maj_at_k", "mcnemar_exact", "paired_bootstrap", "pass_at_k", "wilson_interval"]

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    """A point estimate with its lower and upper bounds."""

    estimate: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        return {"estimate": self.estimate, "low": self.low, "high": self.high}


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased pass@k of one problem with ``c`` of ``n`` samples correct (Chen et al., 2021).

    ``1 - C(n-c, k) / C(n, k)``, computed as a product so that large ``n`` does not overflow.

    Example:
        >>> round(pass_at_k(10, 3, 1), 6), pass_at_k(10, 8, 5)
        (0.3, 1.0)
    """
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"pass@k needs 0 <= c <= n and 1 <= k <= n; got n={n}, c={c}, k={k}")
    if n - c < k:
        return 1.0
    product = 1.0
    for i in range(n - c + 1, n + 1):
        product *= 1.0 - k / i
    return 1.0 - product


def maj_at_k(answers: Sequence[Hashable | None], passed: Sequence[bool], k: int) -> bool:
    """Whether the most common answer among the first ``k`` samples is right (ties: the earliest answer).

    Samples without an answer (None) do not vote; with no vote at all the problem counts as wrong.

    Example:
        >>> maj_at_k(["4", "5", "4"], [True, False, True], 3), maj_at_k(["5", "4"], [False, True], 2)
        (True, False)
    """
    votes = Counter(answer for answer in answers[:k] if answer is not None)
    if not votes:
        return False
    top = max(votes.values())
    winner = next(answer for answer in answers[:k] if answer is not None and votes[answer] == top)
    return bool(passed[list(answers).index(winner)])


def wilson_interval(successes: int, n: int, z: float = Z95) -> Interval:
    """The Wilson score interval of a proportion (95% by default); ``n == 0`` gives (0, 0, 1).

    Example:
        >>> [round(x, 4) for x in vars(wilson_interval(81, 263)).values()]
        [0.308, 0.2553, 0.3662]
    """
    if n == 0:
        return Interval(0.0, 0.0, 1.0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # the bounds always hold the estimate (at 0 and 1 rounding could put them a hair outside it)
    return Interval(p, min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half)))


def mcnemar_exact(before: Sequence[bool], after: Sequence[bool]) -> dict[str, float | int]:
    """McNemar's exact (conditional binomial) test on paired outcomes: two-sided p-value.

    ``b`` counts pairs right before and wrong after, ``c`` wrong before and right after; the
    p-value is ``min(1, 2 * P(X <= min(b, c)))`` with ``X ~ Binomial(b + c, 1/2)``.

    Example:
        >>> mcnemar_exact([True] * 1 + [False] * 7, [False] * 1 + [True] * 7)["p_value"]
        0.0703125
    """
    if len(before) != len(after):
        raise ValueError(f"paired outcomes differ in length: {len(before)} and {len(after)}")
    b = sum(1 for x, y in zip(before, after, strict=True) if x and not y)
    c = sum(1 for x, y in zip(before, after, strict=True) if y and not x)
    n = b + c
    tail = sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2**n
    return {"b": b, "c": c, "p_value": min(1.0, 2 * tail) if n else 1.0}


def paired_bootstrap(
    before: Sequence[float], after: Sequence[float], resamples: int = 2000, seed: int = 0, level: float = 0.95
) -> Interval:
    """The mean of ``after - before`` over pairs with a percentile bootstrap interval (pairs resampled).

    Example:
        >>> paired_bootstrap([1, 1, 0, 0], [1, 1, 0, 0]).as_dict()
        {'estimate': 0.0, 'low': 0.0, 'high': 0.0}
    """
    if len(before) != len(after):
        raise ValueError(f"paired outcomes differ in length: {len(before)} and {len(after)}")
    differences = [float(y) - float(x) for x, y in zip(before, after, strict=True)]
    n = len(differences)
    if n == 0:
        return Interval(0.0, 0.0, 0.0)
    rng = random.Random(seed)
    means = sorted(sum(differences[rng.randrange(n)] for _ in range(n)) / n for _ in range(resamples))
    tail = (1 - level) / 2
    low = means[int(math.floor(tail * (resamples - 1)))]
    high = means[int(math.ceil((1 - tail) * (resamples - 1)))]
    return Interval(sum(differences) / n, low, high)
