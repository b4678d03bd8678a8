"""Row reading and crash recovery of JSONL output."""

from __future__ import annotations

import json

import pytest

from rewards.scoring.cells import known_type_error
from rewards.scoring.decode import decode_json_line
from rewards.scoring.job import parse_column_map, parse_options, parse_verifier_weights, spec_from_flags
from rewards.scoring.table_io import read_rows, recover_jsonl
from rlvr.errors import RewardSpecError, ScoringError


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


@pytest.mark.parametrize(
    "pairs, expected",
    [
        (["math.timeout=3"], {"math": {"timeout": 3}}),  # JSON values become numbers
        (["exact.case_sensitive=true", "exact.x=abc"], {"exact": {"case_sensitive": True, "x": "abc"}}),
    ],
)
def test_parse_options(pairs, expected):
    assert parse_options(pairs) == expected


@pytest.mark.parametrize("pairs", [["timeout=3"], ["math.=3"], [".timeout=3"], ["math.timeout"]])
def test_bad_options_say_the_form(pairs):
    with pytest.raises(ScoringError, match="NAME.KEY=VALUE"):
        parse_options(pairs)


def test_options_are_validated_and_name_the_key():
    with pytest.raises(RewardSpecError, match="timeout"):
        spec_from_flags(["math"], ["math.timeout=0"])
    with pytest.raises(RewardSpecError, match="timout"):
        spec_from_flags(["math"], ["math.timout=3"])
    with pytest.raises(ScoringError, match="'exact'"):
        spec_from_flags(["math"], ["exact.case_sensitive=true"])


@pytest.mark.parametrize(
    "raw, expected",
    [
        (b'{"a": 1}\n', {"a": 1}),
        (b'{"a": "\\ud83d\\ude00"}', {"a": "\U0001f600"}),  # a surrogate pair is one character, fine
        (b'{"a": "\\ud800"}', "lone surrogate"),
        (b"\xff\xfe{}", "not UTF-8 text: byte 0xff at column 1"),
        (b'{"a": "\x00"}', "binary data"),
        (b"[" * 100_000, "nested too deep"),  # Python's own recursion limit
        (b'{"a":' + b"[" * 70 + b"]" * 70 + b"}", "nested too deep"),  # over MAX_DEPTH
        (b'{"n": ' + b"1" * 5000 + b"}", "a number too big to read"),
        (b"[1, 2]", "expected a JSON object, got list"),
        (b"{oops", "invalid JSON"),
    ],
)
def test_decode_json_line(raw, expected):
    row, error = decode_json_line(raw)
    if isinstance(expected, dict):
        assert (row, error) == (expected, None)
    else:
        assert row is None and expected in error


@pytest.mark.parametrize(
    "row, columns, expected",
    [
        ({"completion": "x", "entry_point": "f"}, {}, None),
        ({"completion": 42}, {}, None),  # a number is a fine completion
        ({"completion": "x", "entry_point": 3}, {}, "'entry_point' must be text"),
        ({"pred": ["x"]}, {"completion": "pred"}, "'pred' must be text"),  # checked after the --column mapping
        ({"completion": "x", "tests": {"inputs": []}}, {}, None),  # the code verifier judges odd test shapes
        ({"completion": "x", "test_list": ["assert 1", 2]}, {}, "'test_list' must be a list of assert strings"),
        ({"completion": "x", "choices": 3}, {}, "'choices' must be"),
    ],
)
def test_known_column_types(row, columns, expected):
    error = known_type_error(row, columns)
    assert error is None if expected is None else expected in error


def test_csv_rows_after_a_bad_record_are_read(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"completion,answer\na,b\nonly one field\n\xff,x\nc,d\n")
    rows = list(read_rows(path))
    assert [(row.line, row.row) for row in rows] == [(2, {"completion": "a", "answer": "b"}), (3, None), (4, None),
                                                     (5, {"completion": "c", "answer": "d"})]
    assert "expected 2 fields, got 1" in rows[1].error and "not UTF-8" in rows[2].error


def test_a_csv_header_that_names_a_column_twice_is_an_error(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("completion,answer,answer\na,b,c\n")
    rows = list(read_rows(path))
    assert len(rows) == 1 and rows[0].row is None and "'answer' is named twice" in rows[0].error
