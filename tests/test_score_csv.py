"""CSV cells: JSON lists and objects where needed, numbers that stay numbers, answers that stay text."""

from __future__ import annotations

import csv
import json

import pytest
from test_cli import read_jsonl, rlvr, write_jsonl

from rewards.scoring.cells import CellRules

CHOICES = {"label": ["A", "B", "C"], "text": ["river", "bank", "shop"]}
ROWS = [
    {"id": 1, "completion": "Money goes to the bank.", "answer": "B", "choices": CHOICES, "weight": 0.5},
    {"id": 2, "completion": "By the river, surely.", "answer": "B", "choices": CHOICES, "weight": 2},
    {"id": 3, "completion": "1.50", "answer": "007", "choices": ["007", "1.5"], "weight": 1},
]


def write_csv(path, rows):
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({key: json.dumps(value) if isinstance(value, list | dict) else value
                             for key, value in row.items()})
    return path


def test_csv_scores_like_jsonl_and_keeps_types(tmp_path):
    from_jsonl, from_csv = tmp_path / "j.jsonl", tmp_path / "c.jsonl"
    rlvr("score", str(write_jsonl(tmp_path / "in.jsonl", ROWS)), "--verifier", "choice", "--output", str(from_jsonl))
    result = rlvr("score", str(write_csv(tmp_path / "in.csv", ROWS)), "--verifier", "choice",
                  "--output", str(from_csv))
    jsonl_rows, csv_rows = read_jsonl(from_jsonl), read_jsonl(from_csv)
    assert [row["reward"] for row in csv_rows] == [row["reward"] for row in jsonl_rows] == [1.0, 0.0, 0.0]
    assert csv_rows[0]["choices"] == CHOICES and csv_rows[2]["choices"] == ["007", "1.5"]
    assert [row["id"] for row in csv_rows] == [1, 2, 3] and [row["weight"] for row in csv_rows] == [0.5, 2, 1]
    assert csv_rows[2]["completion"] == "1.50" and csv_rows[2]["answer"] == "007"  # answers stay text
    assert "CSV column 'choices': 3 cells read as JSON lists or objects" in result.stderr


def test_csv_column_map_decides_which_cells_are_structures(tmp_path):
    rows = [{"pred": "(B)", "gold": "B", "opts": json.dumps(["x", "y"]), "choices": "[1, 2]"}]
    out = tmp_path / "o.jsonl"
    rlvr("score", str(write_csv(tmp_path / "in.csv", rows)), "--verifier", "choice", "--column", "completion=pred",
         "--column", "answer=gold", "--column", "choices=opts", "--output", str(out))
    row = read_jsonl(out)[0]
    assert row["opts"] == ["x", "y"] and row["choices"] == "[1, 2]" and row["reward"] == 1.0


RULES = CellRules(text=frozenset({"answer", "label"}), structured=frozenset({"test_list", "choices"}))


@pytest.mark.parametrize(
    "column, cell, expected",
    [
        ("n", "12", 12),
        ("n", "-3", -3),
        ("n", "0.5", 0.5),
        ("n", "3.0", 3.0),
        ("n", "007", "007"),  # a leading zero is not how a number writes itself: text
        ("n", "1.50", "1.50"),  # a trailing zero too
        ("n", "1e5", "1e5"),  # exponent forms stay text
        ("n", "nan", "nan"),
        ("n", "9" * 40, "9" * 40),  # too long to be an ID-like number
        ("n", "", None),  # an empty cell is null
        ("completion", "", ""),  # but an empty completion is the empty text
        ("completion", "42", "42"),
        ("answer", "42", "42"),  # answers are text for the verifiers
        ("label", "3", "3"),  # a spec's reference column too
        ("test_list", '["assert f(1) == 2"]', ["assert f(1) == 2"]),
        ("test_list", "['assert f(1) == 2']", ["assert f(1) == 2"]),  # a Python literal, as pandas writes
        ("choices", '{"label": ["A"], "text": ["x"]}', {"label": ["A"], "text": ["x"]}),
        ("choices", "A) 1 , B) 2", "A) 1 , B) 2"),  # MathQA options are text
        ("choices", "[" * 500 + "]" * 500, "[" * 500 + "]" * 500),  # too deep: left as text
        ("notes", '["a"]', '["a"]'),  # other columns are not parsed as JSON
    ],
)
def test_cell_rule(column, cell, expected):
    assert RULES.cell(column, cell)[0] == expected
