"""The summary and the PNG account for every row: no-reward rows, rows a component did not score, one panel each."""

from __future__ import annotations

import pytest
import yaml
from test_cli import read_jsonl, rlvr, write_jsonl

from rewards.scoring import report

SPEC = {"components": [
    {"name": "letter", "verifier": "choice"},
    {"name": "style", "shaping": "format", "weight": 0.5, "gate": "letter"},
]}
ROWS = [
    {"completion": "<think>B fits</think> (B)", "answer": "B"},
    {"completion": "(C)", "answer": "B"},  # wrong: the gate closes the format term
    {"completion": "(B)", "answer": None},  # no reference: nothing applies, so no reward
    {"completion": "<think>ok</think> (A)", "answer": "A"},
]


def test_summary_and_png_count_every_row(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(SPEC))
    out = tmp_path / "o.jsonl"
    result = rlvr("score", str(write_jsonl(tmp_path / "in.jsonl", ROWS)), "--reward", str(spec), "--output", str(out))
    lines = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in result.stderr.splitlines()
             if line.count("│") == 3}
    assert lines["rows"] == "4" and lines["rows with no reward"] == "1"
    assert lines["letter: rows not scored"] == "1" and lines["style: rows not scored"] == "2"
    assert lines["pass rate: letter"] == "66.7%" and lines["letter: mean score"] == "0.6667 over 3 rows"
    png = tmp_path / "o.rewards.png"
    from PIL import Image

    assert Image.open(png).size[0] == 3 * 320  # one panel per component plus the total
    assert [row["reward"] for row in read_jsonl(out)] == [1.5, 0.0, None, 1.5]


def test_panels_add_up_and_count_axes_are_whole_numbers(tmp_path, monkeypatch):
    rows = [{"reward": r, "rewards": {"a": a, "b": b}} for r, a, b in
            [(1.0, 1.0, None), (None, None, None), (0.5, 0.5, 0.0), (2.0, 1.0, 1.0)]]
    panels = report._panels(rows, ["a", "b"])
    assert [(title, len(values)) for title, values, _ in panels] == [
        ("a: 3 of 4 scored", 3), ("b: 2 of 4 scored", 2), ("total: 3 of 4 rewarded", 3)]
    assert panels[-1][2] == (0.0, 2.0)  # the total's axis reaches the largest weighted sum
    seen = []
    real_save = report.save_png

    def save_and_look(path, draw, **kwargs):
        def draw_then_look(axes):
            draw(axes)
            seen.extend(axis.yaxis.get_major_locator() for axis in axes)
        return real_save(path, draw_then_look, **kwargs)

    monkeypatch.setattr(report, "save_png", save_and_look)
    report.write_histogram(rows, ["a", "b"], tmp_path / "o.jsonl", "t")
    assert len(seen) == 3 and all(locator._integer for locator in seen)


@pytest.mark.parametrize("rows, no_reward", [([], 0), ([{"reward": None, "rewards": {}, "verdicts": {}}], 1)])
def test_summary_of_empty_and_unrewarded_outputs(rows, no_reward):
    summary = report.summarize(rows, [])
    assert summary.no_reward_rows == no_reward and summary.mean_reward is None
