"""`rlvr score` without --task: a file in a known task's format is scored as that task, and says so;
a run where most rows could not be judged exits non-zero with the reason."""

from __future__ import annotations

from test_cli import read_jsonl, rlvr, write_jsonl

GSM8K_ROWS = [
    {"question": "Ann has 3 pens and buys 4. How many?", "answer": "3 + 4 = 7\n#### 7",
     "completion": "<think>3 + 4 = 7</think> \\boxed{7}"},
    {"question": "Bob has 9 cards, gives 2. How many?", "answer": "9 - 2 = 7\n#### 7", "completion": "\\boxed{8}"},
]


def test_a_known_format_is_scored_as_its_task(tmp_path):
    out = tmp_path / "o.jsonl"
    result = rlvr("score", str(write_jsonl(tmp_path / "in.jsonl", GSM8K_ROWS)), "--output", str(out))
    assert "look like a 'gsm8k' file" in result.stderr
    assert [row["rewards"]["math"] for row in read_jsonl(out)] == [1.0, 0.0]


def test_an_unknown_format_without_a_reward_is_one_line(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": "hello", "completion": "x"}])
    result = rlvr("score", str(source), "--output", str(tmp_path / "o.jsonl"), check=False)
    assert result.returncode == 2 and "--task NAME, --reward spec.yaml or --verifier NAME" in result.stderr


def test_most_rows_not_scored_exits_non_zero_with_the_reason(tmp_path):
    rows = [{"completion": "\\boxed{1}", "answer": None}] * 3 + [{"completion": "\\boxed{1}", "answer": "1"}]
    out = tmp_path / "o.jsonl"
    result = rlvr("score", str(write_jsonl(tmp_path / "in.jsonl", rows)), "--verifier", "math",
                  "--output", str(out), check=False)
    assert result.returncode == 1 and "3 of 4 rows got no reward" in result.stderr
    assert len(read_jsonl(out)) == 4  # every row is still written
