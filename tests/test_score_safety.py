"""Nothing lost, nothing doubled: malformed lines, an output that is the input, two runs at once, Parquet types."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from plugin_fixtures import install_plugin
from test_cli import ROOT, read_jsonl, rlvr, write_jsonl

from rlvr.cli import main

GOOD_1 = json.dumps({"id": 1, "completion": "yes", "answer": "yes"}).encode()
GOOD_3 = json.dumps({"id": 3, "completion": "no", "answer": "yes"}).encode()


def score(capsys, *args: str) -> tuple[int, str]:
    """`rlvr score ...` through the console script's entry point, in this process."""
    code = main(["score", *args])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    "line, reason",
    [
        (b'{"completion": "caf\xe9", "answer": "x"}', "not UTF-8 text: byte 0xe9"),  # Latin-1, not UTF-8
        (bytes(range(256)).replace(b"\n", b""), "binary data"),  # every byte value but a newline
        (b"[" * 100_000 + b"]" * 100_000, "nested too deep"),
        (b'{"completion": "a", "answer": ' + b"7" * 5000 + b"}", "a number too big to read"),
        (b'{"completion": "\\ud800", "answer": "x"}', "lone surrogate"),
        (b'{"completion": "def f(): pass", "answer": "x", "entry_point": 3}', "'entry_point' must be text"),
        (b'{"completion": ["chat"], "answer": "x"}', "'completion' must be text"),
        (b'{"completion": "a", "test_list": [1, 2]}', "'test_list' must be a list of assert strings"),
        (b'{"completion": "a"', "invalid JSON"),
    ],
)
def test_a_malformed_line_is_one_line_with_its_number_or_skipped(tmp_path, capsys, line, reason):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join([GOOD_1, line, GOOD_3]) + b"\n")
    out = tmp_path / "o.jsonl"
    code, err = score(capsys, str(source), "--verifier", "exact", "--output", str(out))
    assert code == 2 and "line 2" in err and reason in err and len(err.strip().splitlines()) == 1
    assert [row["id"] for row in read_jsonl(out)] == [1]  # the row before it is kept, nothing after it

    code, err = score(capsys, str(source), "--verifier", "exact", "--output", str(out), "--resume", "--skip-invalid")
    assert code == 0
    assert [row["id"] for row in read_jsonl(out)] == [1, 3]  # the rest of the chunk is never lost
    skipped = read_jsonl(tmp_path / "o.jsonl.skipped.jsonl")
    assert [record["line"] for record in skipped] == [2] and reason in skipped[0]["error"]


def test_csv_fields_over_128_kb_are_read_and_bad_bytes_are_skipped(tmp_path, capsys):
    source = tmp_path / "in.csv"
    big = "x" * 300_000  # Python's csv refuses fields over 131,072 characters by default
    source.write_bytes(f"completion,answer\n{big},{big}\n".encode() + b"caf\xe9,x\nyes,yes\n")
    out = tmp_path / "o.jsonl"
    code, err = score(capsys, str(source), "--verifier", "exact", "--output", str(out), "--skip-invalid")
    assert code == 0 and "line 3: not UTF-8 text" in err
    assert [row["reward"] for row in read_jsonl(out)] == [1.0, 1.0]


@pytest.mark.parametrize("link", ["same", "symlink", "hardlink"])
def test_an_output_that_is_the_input_is_refused(tmp_path, capsys, link):
    source = write_jsonl(tmp_path / "in.jsonl", [json.loads(GOOD_1), json.loads(GOOD_3)])
    before = source.read_bytes()
    out = {"same": source, "symlink": tmp_path / "link.jsonl", "hardlink": tmp_path / "hard.jsonl"}[link]
    if link == "symlink":
        out.symlink_to(source)
    if link == "hardlink":
        os.link(source, out)
    code, err = score(capsys, str(source), "--verifier", "exact", "--output", str(out), "--resume", "--skip-invalid")
    assert code == 2 and "is the input" in err
    assert source.read_bytes() == before


def test_output_is_input_as_a_user_runs_it(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [json.loads(GOOD_1)] * 7)
    result = rlvr("score", str(source), "--verifier", "exact", "--output", str(tmp_path / "." / "in.jsonl"),
                  "--resume", "--skip-invalid", check=False)
    assert result.returncode == 2 and "is the input" in result.stderr
    assert len(read_jsonl(source)) == 7


def test_a_second_run_on_the_same_output_fails_at_once_naming_the_first(tmp_path):
    site = install_plugin(tmp_path / "site", delay=0.05)
    env = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{ROOT}", "RLVR_LOAD_PLUGINS": "rlvr-shout"}
    source = write_jsonl(tmp_path / "in.jsonl", [{"n": n, "completion": "YES"} for n in range(400)])
    out = tmp_path / "o.jsonl"
    command = [sys.executable, "-m", "rlvr.cli", "score", str(source), "--verifier", "shout", "--output", str(out)]
    first = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        lock = tmp_path / "o.jsonl.lock"
        deadline = time.monotonic() + 60
        while not (lock.exists() and lock.read_text()) and time.monotonic() < deadline:
            time.sleep(0.02)
        second = subprocess.run(command + ["--resume"], env=env, cwd=ROOT, capture_output=True, text=True,
                                timeout=60)
        assert first.poll() is None  # the first run still held the output when the second one gave up
        assert second.returncode == 2 and f"pid {first.pid}" in second.stderr
    finally:
        first.kill()
        first.wait()
    numbers = [row["n"] for row in read_jsonl(out)] if out.exists() else []
    assert numbers == list(range(len(numbers)))  # only the first run wrote: nothing doubled


def test_a_lock_file_left_by_a_killed_run_does_not_block(tmp_path, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", [json.loads(GOOD_1)])
    (tmp_path / "o.jsonl.lock").write_text("999999")  # its process is gone, so no one holds the lock
    code, _ = score(capsys, str(source), "--verifier", "exact", "--output", str(tmp_path / "o.jsonl"))
    assert code == 0 and not (tmp_path / "o.jsonl.lock").exists()


def test_parquet_names_a_mixed_type_column_and_resume_finishes_a_failed_write(tmp_path, capsys):
    import pyarrow.parquet as pq

    rows = [{"id": 1, "completion": "yes", "answer": "yes"}, {"id": "b", "completion": "no", "answer": "yes"},
            {"id": 3, "completion": "no", "answer": "yes", "late": True}]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "o.parquet"
    (tmp_path / "o.parquet.tmp").mkdir()  # the Parquet write fails after every row is scored
    with pytest.raises(IsADirectoryError):
        score(capsys, str(source), "--verifier", "exact", "--output", str(out))
    assert len(read_jsonl(tmp_path / "o.parquet.partial.jsonl")) == 3  # the scored rows are kept
    (tmp_path / "o.parquet.tmp").rmdir()
    code, err = score(capsys, str(source), "--verifier", "exact", "--output", str(out), "--resume")
    assert code == 0 and "rows from the previous run" in err and "column 'id' mixes int and str" in err
    table = pq.read_table(out).to_pylist()
    assert [row["id"] for row in table] == ["1", '"b"', "3"]  # JSON text: nothing is lost or confused
    assert [row["late"] for row in table] == [None, None, True]  # a column only a later row has is kept
    assert [row["reward"] for row in table] == [1.0, 0.0, 0.0]
