"""`rlvr data synth|augment|check` run as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rlvr.cli import main

DATA = Path(__file__).parent / "data" / "public"


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_synth_writes_seeded_rows_and_never_overwrites(tmp_path, capsys):
    out = tmp_path / "synth.jsonl"
    args = ["data", "synth", "--n", "50", "--seed", "3", "--lang", "en,zh", "--output", str(out)]
    assert main(args) == 0
    rows = read(out)
    assert len(rows) == 100 and {row["lang"] for row in rows} == {"en", "zh"}
    assert "problems/s" in capsys.readouterr().err
    assert main(args) == 2  # the output exists
    assert "already exists; pass --force" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0 and read(out) == rows  # same seed, same rows


def test_synth_to_parquet(tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "synth.parquet"
    assert main(["data", "synth", "--n", "20", "--families", "linear,quadratic", "--output", str(out)]) == 0
    assert {row["kind"] for row in pq.read_table(out).to_pylist()} <= {"linear", "quadratic"}


def test_augment_recognises_the_task_and_counts_skips(tmp_path, capsys):
    out = tmp_path / "variants.jsonl"
    args = ["data", "augment", str(DATA / "gsm8k_test.jsonl"), "--kinds", "typos,substitute", "--output", str(out)]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "assuming --task gsm8k" in err and "typos: 7 variants, 0 rows skipped" in err
    rows = read(out)
    assert {row["perturbation"] for row in rows} == {"typos", "substitute"}
    assert all(row["source_id"] == row["id"].split(":")[0] for row in rows)


def test_augment_with_originals(tmp_path):
    out = tmp_path / "all.jsonl"
    args = ["data", "augment", str(DATA / "commonsenseqa_dev.jsonl"), "--task", "commonsenseqa",
            "--kinds", "distractor", "--with-originals", "--output", str(out)]  # fmt: skip
    assert main(args) == 0
    assert len(read(out)) == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--task", "math"], "is not a math file: missing column(s) 'problem', 'solution'"),  # another task's file
        (["--task", "gsm9k"], "unknown task 'gsm9k'"),
        (["--kinds", "typoz"], "unknown augmentation kind(s) typoz"),
    ],
)
def test_augment_errors_are_one_line(tmp_path, capsys, args, message):
    out = str(tmp_path / "o.jsonl")
    base = ["data", "augment", str(DATA / "gsm8k_test.jsonl"), "--kinds", "typos", "--output", out]
    assert main(base + args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert message in err[-1] and err[-1].startswith("rlvr data: error:")


def test_augment_of_an_unknown_format(tmp_path, capsys):
    (tmp_path / "in.jsonl").write_text('{"prompt": "p", "completion": "c"}\n')
    args = ["data", "augment", str(tmp_path / "in.jsonl"), "--kinds", "typos", "--output", str(tmp_path / "o.jsonl")]
    assert main(args) == 2
    assert "no task recognises the columns (completion, prompt); pass --task NAME" in capsys.readouterr().err


def test_check_reports_and_drops_overlap(tmp_path, capsys):
    train = tmp_path / "train.jsonl"
    shutil.copy(DATA / "gsm8k_train.jsonl", train)
    with train.open("a") as handle:  # a test question leaked into training
        handle.write((DATA / "gsm8k_test.jsonl").read_text().splitlines()[2] + "\n")
    clean = tmp_path / "clean.jsonl"
    args = ["data", "check", str(train), "--against", str(DATA / "gsm8k_test.jsonl"), "--drop", str(clean)]
    assert main(args) == 0
    assert "1 of 4 training rows overlap" in capsys.readouterr().out
    assert read(clean) == read(DATA / "gsm8k_train.jsonl")
    assert main(args) == 2  # --drop output exists


@pytest.mark.parametrize(
    ("fixture", "task", "completion", "rewarded"),
    [
        ("gsm8k_test.jsonl", "gsm8k", lambda row: row["answer"], 1.0),  # the worked solution, "####" and all
        ("gsm8k_test.jsonl", "gsm8k", lambda row: "The answer is 1000.", 0.0),
        ("commonsenseqa_dev.jsonl", "commonsenseqa", lambda row: f"The answer is ({row['answerKey']}).", 1.0),
        ("math500_test.jsonl", "math", lambda row: f"\\boxed{{{row['answer']}}}", 1.0),
        ("mbpp.jsonl", "mbpp", lambda row: row["code"], 1.0),
    ],
)
def test_score_with_task_maps_columns_and_spec(tmp_path, fixture, task, completion, rewarded):
    rows = read(DATA / fixture)[:2]
    source = tmp_path / "completions.jsonl"
    source.write_text("".join(json.dumps({**row, "completion": completion(row)}) + "\n" for row in rows))
    out = tmp_path / "scored.jsonl"
    assert main(["score", str(source), "--task", task, "--output", str(out)]) == 0
    first = get_task_spec_names(task)[0]
    assert [row["rewards"][first] for row in read(out)] == [rewarded] * len(rows)


def get_task_spec_names(task: str) -> list[str]:
    from plugins.tasks import get_task

    return get_task(task).spec().names


def test_score_with_task_refuses_a_second_spec(tmp_path, capsys):
    args = ["score", str(DATA / "gsm8k_test.jsonl"), "--task", "gsm8k", "--verifier", "math", "--output",
            str(tmp_path / "o.jsonl")]  # fmt: skip
    assert main(args) == 2
    assert "--task brings its own reward spec" in capsys.readouterr().err
