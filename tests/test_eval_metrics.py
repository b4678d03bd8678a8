"""The evaluation statistics against closed forms and textbook tables."""

from __future__ import annotations

import math

import pytest

from evaluation.metrics import maj_at_k, mcnemar_exact, paired_bootstrap, pass_at_k, wilson_interval


def closed_form(n: int, c: int, k: int) -> float:
    return 1.0 if n - c < k else 1 - math.comb(n - c, k) / math.comb(n, k)


@pytest.mark.parametrize("n", [1, 2, 5, 10, 20, 100])
def test_pass_at_k_matches_the_closed_form(n):
    for c in range(n + 1):
        for k in range(1, n + 1):
            assert pass_at_k(n, c, k) == pytest.approx(closed_form(n, c, k), abs=1e-12)


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (10, 3, 1, 0.3),  # pass@1 is the fraction correct
        (10, 0, 5, 0.0),
        (10, 10, 1, 1.0),
        (5, 1, 5, 1.0),  # every sample drawn: the right one is among them
        (4, 2, 2, 1 - 1 / 6),  # C(2,2)/C(4,2)
    ],
)
def test_pass_at_k_values(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected)


@pytest.mark.parametrize(("n", "c", "k"), [(3, 4, 1), (3, 1, 0), (3, 1, 4)])
def test_pass_at_k_refuses_impossible_counts(n, c, k):
    with pytest.raises(ValueError):
        pass_at_k(n, c, k)


@pytest.mark.parametrize(
    ("b", "c", "p_value"),
    [
        # Fagerland, Lydersen & Laake (2013), BMC Med Res Methodol 13:91, airway hyper-responsiveness
        # table (Bentur et al.): b=1, c=7, exact conditional McNemar p = 0.070.
        (1, 7, 0.0703125),
        (7, 1, 0.0703125),  # symmetric in b and c
        (0, 5, 0.0625),  # 2 * (1/2)^5
        (3, 3, 1.0),  # no difference: p capped at 1
        (0, 0, 1.0),  # no discordant pair
        (2, 12, 0.012939453125),  # 2 * (1 + 14 + 91) / 2^14
    ],
)
def test_mcnemar_exact_matches_the_table(b, c, p_value):
    before = [True] * b + [False] * c + [True, False]  # one concordant pair of each kind
    after = [False] * b + [True] * c + [True, False]
    result = mcnemar_exact(before, after)
    assert (result["b"], result["c"]) == (b, c)
    assert result["p_value"] == pytest.approx(p_value, abs=1e-12)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3 (Wilson score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombe(successes, n, low, high):
    interval = wilson_interval(successes, n)
    assert (round(interval.low, 4), round(interval.high, 4)) == (low, high)
    assert interval.estimate == successes / n


def test_wilson_interval_of_nothing_is_everything():
    assert wilson_interval(0, 0).as_dict() == {"estimate": 0.0, "low": 0.0, "high": 1.0}


@pytest.mark.parametrize(
    ("answers", "passed", "k", "expected"),
    [
        (["4", "4", "5"], [True, True, False], 3, True),
        (["5", "5", "4"], [False, False, True], 3, False),
        (["5", "4", "4"], [False, True, True], 1, False),  # only the first sample votes
        (["5", "4"], [False, True], 2, False),  # a tie goes to the earliest answer
        ([None, None, "4"], [False, False, True], 3, True),  # unanswered samples do not vote
        ([None, None], [False, False], 2, False),  # nobody voted
    ],
)
def test_maj_at_k(answers, passed, k, expected):
    assert maj_at_k(answers, passed, k) is expected


def test_paired_bootstrap_is_seeded_and_brackets_the_mean():
    before = [1, 0, 0, 1, 0, 0, 1, 0, 0, 0] * 5
    after = [1, 1, 0, 1, 1, 0, 1, 0, 1, 0] * 5
    first, second = paired_bootstrap(before, after, seed=3), paired_bootstrap(before, after, seed=3)
    assert first == second
    assert first.estimate == pytest.approx(0.3)
    assert first.low < 0.3 < first.high
    assert first.low > 0  # every discordant pair points the same way


def test_paired_outcomes_must_pair():
    with pytest.raises(ValueError, match="differ in length"):
        mcnemar_exact([True], [True, False])


@pytest.mark.parametrize(("successes", "n"), [(0, n) for n in range(1, 300)] + [(n, n) for n in range(1, 300)])
def test_wilson_bounds_hold_the_estimate_at_the_edges(successes, n):
    interval = wilson_interval(successes, n)  # float rounding once put the lower bound a hair above 0
    assert interval.low <= interval.estimate <= interval.high
