"""Evaluating a spec on a batch: None handling, gates, weighted totals, batching and errors."""

from __future__ import annotations

import pytest
from reward_plugins import FlakyVerifier, ParityVerifier

from rewards.compose import RewardBatch, RewardInputError, SpecEvaluator
from rewards.spec import RewardSpec


def evaluator(*components: dict) -> SpecEvaluator:
    return SpecEvaluator(RewardSpec.from_dict({"components": list(components)}))


def test_not_applicable_is_none_and_left_out_of_the_total():
    spec = evaluator({"name": "exact", "verifier": "exact", "weight": 2.0}, {"name": "fmt", "shaping": "format"})
    batch = RewardBatch(["4", "<think>t</think> 5", "x"], columns={"answer": ["4", "4", None]})
    result = spec.evaluate(batch)
    assert result.components == {"exact": [1.0, 0.0, None], "fmt": [0.0, 1.0, 0.0]}
    assert result.totals == [2.0, 1.0, 0.0]  # row 3: only the format term applies
    assert result.means() == {"exact": 0.5, "fmt": 1 / 3, "total": 1.0}


def test_total_is_none_when_nothing_applies():
    result = evaluator({"name": "exact", "verifier": "exact"}).evaluate(RewardBatch(["4"], columns={"answer": [None]}))
    assert result.totals == [None] and result.means() == {"exact": None, "total": None}


@pytest.mark.parametrize(
    "gate, expected_format",
    [
        ("exact", [1.0, None, None]),  # counts only where exact passed; None elsewhere
        ({"component": "exact", "otherwise": 0.0}, [1.0, 0.0, 0.0]),  # an explicit value where closed
        ({"component": "exact", "min_score": 0.0}, [1.0, 1.0, None]),  # any score opens it; None does not
    ],
)
def test_gate(gate, expected_format):
    spec = evaluator({"name": "exact", "verifier": "exact"}, {"name": "format", "shaping": "format", "gate": gate})
    good = "<think>t</think> 4"
    batch = RewardBatch([good, "<think>t</think> 5", good], columns={"answer": [good, good, None]})
    result = spec.evaluate(batch)
    assert result.components == {"exact": [1.0, 0.0, None], "format": expected_format}


def test_gated_verifier_runs_only_on_open_rows(test_verifiers):
    spec = evaluator({"name": "exact", "verifier": "exact"}, {"name": "parity", "verifier": "parity", "gate": "exact"})
    batch = RewardBatch(["ab", "abc", "ab"], columns={"answer": ["ab", "x", "ab"]})
    assert spec.evaluate(batch).components["parity"] == [1.0, None, 1.0]
    assert ParityVerifier.batches == [(["ab", "ab"], ["ab", "ab"])]


def test_gate_chain_on_a_threshold(test_verifiers):
    spec = evaluator(
        {"name": "parity", "verifier": "parity"},
        {"name": "len", "shaping": "length", "config": {"max_tokens": 4, "buffer_tokens": 2}, "gate": "parity"},
        {"name": "fmt", "shaping": "format", "gate": {"component": "len", "min_score": -0.5}},
    )
    batch = RewardBatch(["ab", "abcd", "abc"], columns={"answer": [1, 1, 1]}, token_counts=[2, 4, 3])
    assert spec.evaluate(batch).components == {
        "parity": [1.0, 1.0, 0.0],
        "len": [0.0, -1.0, None],
        "fmt": [0.0, None, None],
    }


def test_one_batch_call_per_component_and_cached_for_gates(test_verifiers):
    spec = evaluator({"name": "parity", "verifier": "parity"}, {"name": "fmt", "shaping": "format", "gate": "parity"})
    batch = RewardBatch(["ab", "abc", "abcd"], columns={"answer": [1, 1, 1]})
    spec.component_scores("parity", batch)
    spec.component_scores("fmt", batch)  # needs parity's verdicts: from the cache
    spec.evaluate(batch)
    assert ParityVerifier.batches == [(["ab", "abc", "abcd"], [1, 1, 1])]


def test_columns_reach_the_verifier_by_name_and_by_mapping():
    spec = evaluator(
        {"name": "choice", "verifier": "choice", "reference_column": "label", "columns": {"choices": "opts"}}
    )
    batch = RewardBatch(["I pick (B)", "Paris"], columns={"label": ["B", "A"], "opts": [["x", "y"], ["Paris", "Rome"]]})
    assert spec.evaluate(batch).components["choice"] == [1.0, 1.0]


def test_missing_reference_column_is_a_setup_error():
    spec = evaluator({"name": "exact", "verifier": "exact"})
    with pytest.raises(RewardInputError, match="'answer'.*columns: solution"):
        spec.evaluate(RewardBatch(["4"], columns={"solution": ["4"]}))


def test_ragged_batch_is_rejected():
    with pytest.raises(RewardInputError, match="'answer' has 1 values for 2 completions"):
        RewardBatch(["a", "b"], columns={"answer": ["a"]})


def test_a_verifier_bug_raises_and_is_never_a_zero(test_verifiers):
    spec = evaluator({"name": "broken", "verifier": "broken"})
    with pytest.raises(ZeroDivisionError):
        spec.evaluate(RewardBatch(["4"], columns={"answer": ["4"]}))


def test_length_term_uses_token_counts_when_given():
    spec = evaluator({"name": "len", "shaping": "length", "config": {"max_tokens": 10, "buffer_tokens": 5}})
    text = "one two three"  # 3 words
    assert spec.evaluate(RewardBatch([text], token_counts=[10])).components["len"] == [-1.0]
    assert spec.evaluate(RewardBatch([text])).components["len"] == [0.0]  # without counts: word pieces


def test_error_verdicts_are_retried_once_then_carry_no_reward(test_verifiers):
    FlakyVerifier.tries.clear()
    spec = evaluator({"name": "flaky", "verifier": "flaky"}, {"name": "fmt", "shaping": "format", "weight": 0.5})
    result = spec.evaluate(RewardBatch(["0", "1", "2"]))  # the number: how many tries fail
    assert FlakyVerifier.tries == {"0": 1, "1": 2, "2": 2}  # only rows with an error verdict are tried again
    assert result.components["flaky"] == [1.0, 1.0, None]  # still an error after the retry: not applicable
    assert [v.status for v in result.verdicts["flaky"]] == ["ok", "ok", "error"]
    assert result.totals == [1.0, 1.0, 0.0]  # never a 0.0 for the verifier's trouble; the format term stays
