"""Accuracy, robustness and comparison numbers from hand-made records, where every number is known."""

from __future__ import annotations

import pytest

from evaluation.compare import compare_runs, generalization_matrix
from evaluation.robustness import consistency, robustness
from evaluation.summary import accuracy, k_values


def record(id_: str, passed: bool, sample: int = 0, kind: str | None = None, answer: str | None = "1",
           task: str = "t") -> dict:
    source = id_.split(":")[0]
    return {"task": task, "id": id_, "source_id": source, "perturbation": kind, "domain": task, "sample": sample,
            "passed": passed, "answer_key": answer, "tokens": 5, "steps": 1, "status": "ok"}


@pytest.mark.parametrize(("n", "ks"), [(1, [1]), (2, [1, 2]), (5, [1, 2, 4, 5]), (8, [1, 2, 4, 8])])
def test_k_values(n, ks):
    assert k_values(n) == ks


def test_accuracy_pass_and_majority():
    records = [
        record("a", True, 0, answer="4"), record("a", False, 1, answer="5"), record("a", True, 2, answer="4"),
        record("b", False, 0, answer="7"), record("b", False, 1, answer="7"), record("b", True, 2, answer="3"),
    ]
    result = accuracy(records)
    assert (result["problems"], result["samples"], result["n"]) == (2, 6, 3)
    assert result["pass@1"] == pytest.approx(0.5)  # (2/3 + 1/3) / 2
    assert result["pass@3"] == 1.0  # each problem has a right sample
    assert result["maj@3"] == 0.5  # a votes 4 (right), b votes 7 (wrong)
    assert result["pass@2"] == pytest.approx((1 - 0 + 1 - 1 / 3) / 2)  # a: C(1,2)=0; b: 1 - C(2,2)/C(3,2)


def test_robustness_pairs_variants_with_their_originals():
    records = [record(str(i), True) for i in range(6)]
    records += [record(f"{i}:typos", i < 5, kind="typos") for i in range(6)]  # one pair lost
    records += [record(f"{i}:distractor", i < 1, kind="distractor") for i in range(6)]  # five pairs lost
    report = robustness(records)["t"]
    assert report["typos"]["pairs"] == 6
    assert report["typos"]["drop"] == pytest.approx(1 / 6)
    assert report["typos"]["mcnemar"] == {"b": 1, "c": 0, "p_value": 1.0}
    assert report["distractor"]["drop"] == pytest.approx(5 / 6)
    assert report["distractor"]["mcnemar"]["p_value"] == 0.0625  # 2 * (1/2)^5
    assert report["distractor"]["bootstrap_change"]["high"] < 0
    family = consistency(records)["t"]
    assert family["problems"] == 6 and family["instantiations"] == 3
    assert family["consistent"] == pytest.approx(1 / 6) and family["all_right"] == pytest.approx(1 / 6)


def test_compare_pairs_rows_by_id_and_kind():
    before = [record(str(i), i < 2) for i in range(4)] + [record("0:typos", False, kind="typos")]
    after = [record(str(i), True) for i in range(5)] + [record("0:typos", True, kind="typos")]
    result = compare_runs(before, after)
    original = result["tasks"]["t"]["original"]
    assert original["pairs"] == 4  # row 4 is only in the second run
    assert (original["before"]["accuracy"], original["after"]["accuracy"]) == (0.5, 1.0)
    assert original["mcnemar"] == {"b": 0, "c": 2, "p_value": 0.5}
    assert result["tasks"]["t"]["typos"]["change"] == 1.0
    assert (result["only_in_a"], result["only_in_b"]) == (0, 1)


def test_generalization_matrix():
    reports = {"A": {"domains": {"math/Algebra": {"pass@1": 0.5}}}, "B": {"domains": {"gsm8k": {"pass@1": 0.25}}}}
    assert generalization_matrix(reports) == {"A": {"math/Algebra": 0.5}, "B": {"gsm8k": 0.25}}
