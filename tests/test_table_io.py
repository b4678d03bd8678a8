"""Row reading and crash recovery of JSONL output."""

from __future__ import annotations

import json

import pytest

from rewards.scoring import ScoringError, parse_column_map, parse_verifier_weights, weighted_reward
from rewards.table_io import read_rows, recover_jsonl
from verifiers.base import Verdict


def test_recover_cuts_a_torn_last_line(tmp_path):
    path = tmp_path / "o.jsonl"
    path.write_text(json.dumps({"a": 1}) + "\n" + json.dumps({"a": 2}) + "\n" + '{"a": 3, "b"')
    assert recover_jsonl(path) == 2
    assert path.read_text().count("\n") == 2 and path.read_text().endswith("}\n")


def test_recover_of_missing_file_is_zero(tmp_path):
    assert recover_jsonl(tmp_path / "none.jsonl") == 0


def test_jsonl_rows_have_line_numbers_and_errors(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"a": 1}\n\n"text"\n{"a": 2}\n')
    rows = list(read_rows(path))
    assert [(row.line, row.row) for row in rows] == [(1, {"a": 1}), (3, None), (4, {"a": 2})]
    assert "expected a JSON object" in rows[1].error


@pytest.mark.parametrize(
    "specs, expected",
    [
        (["math"], {"math": 1.0}),
        (["math=2", "code=0.5"], {"math": 2.0, "code": 0.5}),
    ],
)
def test_parse_verifier_weights(specs, expected):
    assert parse_verifier_weights(specs) == expected


@pytest.mark.parametrize("specs", [["math=x"], ["math", "math"], ["math=-1"], []])
def test_bad_verifier_weights(specs):
    with pytest.raises(ScoringError):
        parse_verifier_weights(specs)


def test_column_map_accepts_reference_alias():
    columns, explicit = parse_column_map(["reference=gold", "completion=pred"])
    assert columns["answer"] == "gold" and columns["completion"] == "pred"
    assert explicit == {"answer", "completion"}


def test_weighted_reward_ignores_not_applicable():
    verdicts = {"a": Verdict(score=1.0, passed=True), "b": Verdict.not_applicable("no tests")}
    assert weighted_reward(verdicts, {"a": 1.0, "b": 3.0}) == 1.0
    assert weighted_reward({"b": verdicts["b"]}, {"b": 1.0}) is None
