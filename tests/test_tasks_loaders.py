"""Each built-in task loads its fixture (cut from the real file) and maps it to the verifier columns."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from plugins.tasks import get_task
from rlvr.errors import InputFileError, TaskError
from tasks import check_references
from tasks.references import batch_columns

DATA = Path(__file__).parent / "data" / "public"


@pytest.mark.parametrize(
    ("task", "fixture", "rows", "first"),
    [
        ("gsm8k", "gsm8k_test.jsonl", 7, {"id": "0", "answer": "18"}),
        ("gsm8k", "gsm8k_train.jsonl", 3, {"answer": "72"}),
        ("math", "math500_test.jsonl", 3, {"id": "test/precalculus/807.json", "level": 2, "subject": "Precalculus"}),
        ("math", "math_test.jsonl", 3, {"id": "0", "answer": "2", "level": 3, "subject": "Algebra"}),  # from \boxed
        ("mbpp", "mbpp.jsonl", 5, {"id": "2", "answer": None, "test_setup_code": ""}),
        ("commonsenseqa", "commonsenseqa_dev.jsonl", 3, {"answer": "A", "solution": "The answer is (A)."}),
        ("commonsenseqa", "commonsenseqa_tau.jsonl", 3, {"answer": "A", "question_concept": "revolving door"}),
        ("mathqa", "mathqa.json", 2, {"answer": "A", "category": "gain"}),  # a JSON array file
    ],
)
def test_fixture_maps_to_verifier_columns(task, fixture, rows, first):
    loaded = get_task(task).load(DATA / fixture)
    assert len(loaded) == rows
    assert first.items() <= loaded[0].items()
    assert {"id", "question", "answer", "solution"} <= set(loaded[0])


def test_commonsenseqa_schemas_give_the_same_rows():
    task = get_task("commonsenseqa")
    flat, nested = task.load(DATA / "commonsenseqa_dev.jsonl"), task.load(DATA / "commonsenseqa_tau.jsonl")
    assert flat == nested
    assert flat[0]["choices"]["text"][:2] == ["bank", "library"]
    assert flat[0]["question"].endswith("(E) new york")


def test_mathqa_options_become_choices():
    row = get_task("mathqa").load(DATA / "mathqa.json")[0]
    assert row["choices"] == {"label": list("ABCDE"),
                              "text": ["rs . 400", "rs . 300", "rs . 500", "rs . 350", "none of these"]}


def test_humaneval_packaged_file_maps_test_to_tests():
    rows = get_task("humaneval").load()
    assert len(rows) == 164
    assert {"tests", "entry_point"} <= set(rows[0]) and "def check(candidate)" in rows[0]["tests"]
    assert rows[0]["solution"].startswith(rows[0]["question"])


def test_mbpp_split_and_setup_code():
    task = get_task("mbpp")
    rows = task.load(DATA / "mbpp.jsonl")
    assert [r["task_id"] for r in task.load(DATA / "mbpp.jsonl", split="test")] == [11, 12, 367]
    assert [r["task_id"] for r in task.load(DATA / "mbpp.jsonl", split="train")] == [601]
    assert any(r["test_setup_code"] for r in rows)
    assert all("\r" not in r["solution"] and len(r["test_list"]) == 3 for r in rows)


def test_mbpp_from_csv_keeps_its_test_list(tmp_path):
    source = [json.loads(line) for line in (DATA / "mbpp.jsonl").read_text().splitlines()]
    with (tmp_path / "mbpp.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(source[0]))
        writer.writeheader()
        writer.writerows({**row, "test_list": str(row["test_list"])} for row in source)
    rows = get_task("mbpp").load(tmp_path / "mbpp.csv")
    assert rows[0]["test_list"] == source[0]["test_list"]


def test_datasets_save_and_folder_of_files(tmp_path):
    from datasets import Dataset

    raw = [json.loads(line) for line in (DATA / "math_test.jsonl").read_text().splitlines()]
    Dataset.from_list(raw).save_to_disk(str(tmp_path / "saved"))
    (tmp_path / "folder" / "algebra").mkdir(parents=True)
    for i, row in enumerate(raw):  # Hendrycks' layout: one JSON file per problem
        (tmp_path / "folder" / "algebra" / f"{i}.json").write_text(json.dumps(row))
    task = get_task("math")
    expected = task.load(DATA / "math_test.jsonl")
    assert task.load(tmp_path / "saved") == expected
    assert task.load(tmp_path / "folder") == expected


@pytest.mark.parametrize(
    ("task", "fixture", "error", "message"),
    [
        ("math", "gsm8k_test.jsonl", TaskError,  # another task's file: the error names the task that fits
         r"is not a math file: missing column\(s\) 'problem', 'solution' .*looks like a 'gsm8k' file"),
        ("mbpp", "commonsenseqa_dev.jsonl", TaskError, r"missing column\(s\) 'text', 'code', 'test_list'"),
        ("gsm8k", "missing.jsonl", InputFileError, r"missing.jsonl does not exist"),
        ("mbpp", "mbpp.jsonl", TaskError, r"no split 'dev'; its splits: prompt, test, validation, train"),
    ],
)
def test_bad_input_is_one_clear_line(task, fixture, error, message):
    split = "dev" if task == "mbpp" and fixture == "mbpp.jsonl" else None
    with pytest.raises(error, match=message) as caught:
        get_task(task).load(DATA / fixture, split=split)
    assert "\n" not in str(caught.value)


def test_prompts_plain_and_chat():
    task = get_task("gsm8k")
    row = task.load(DATA / "gsm8k_test.jsonl")[0]
    assert task.prompt(row).startswith("Q: Janet") and task.prompt(row).endswith("\nA:")
    chat = task.prompt(row, chat=True)
    assert chat[0]["role"] == "user" and "####" in chat[0]["content"]
    humaneval = get_task("humaneval")
    he_row = humaneval.load()[0]
    assert humaneval.prompt(he_row) == he_row["question"]  # a continuation prompt
    assert "```python" in humaneval.prompt(he_row, chat=True)[0]["content"]


@pytest.mark.parametrize(
    ("task", "fixture"),
    [
        ("gsm8k", "gsm8k_test.jsonl"),
        ("math", "math500_test.jsonl"),
        ("math", "math_test.jsonl"),
        ("commonsenseqa", "commonsenseqa_dev.jsonl"),
        ("mathqa", "mathqa.json"),
        ("mbpp", "mbpp.jsonl"),
        ("humaneval", None),  # the packaged file, first rows
    ],
)
def test_reference_solutions_pass_the_tasks_reward(task, fixture):
    chosen = get_task(task)
    rows = chosen.load(DATA / fixture if fixture else None)[:4]
    report = check_references(chosen, rows)
    assert report.failures == [] and report.passed == len(rows)


def test_batch_columns_only_carry_what_rows_have():
    columns = batch_columns([{"answer": "1", "choices": {"label": ["A"], "text": ["x"]}}, {"answer": "2"}])
    assert columns == {"answer": ["1", "2"], "choices": [{"label": ["A"], "text": ["x"]}, None]}
