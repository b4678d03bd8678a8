"""Every `rlvr` verb, run as a user runs it: a subprocess with the console script."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from plugin_fixtures import install_plugin

ROOT = Path(__file__).resolve().parents[1]


def rlvr(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
    environment = {**os.environ, "RLVR_LOAD_PLUGINS": "", **(env or {})}
    command = [sys.executable, "-m", "rlvr.cli", *args]
    result = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=ROOT, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows))
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


ROWS = [
    {"id": 1, "completion": "The answer is (B)", "answer": "B"},
    {"id": 2, "completion": "A.", "answer": "B"},
    {"id": 3, "completion": "C", "answer": "C"},
]


def test_plugins_json_lists_builtins():
    listed = json.loads(rlvr("plugins", "--json").stdout)
    names = {item["name"]: item for item in listed}
    assert {"exact", "choice"} <= set(names)
    assert set(names["exact"]) == {"name", "plugin", "version", "description"}


def test_plugins_table():
    assert "exact" in rlvr("plugins").stdout


def test_verify_prints_verdict_json():
    verdict = json.loads(rlvr("verify", "--verifier", "choice", "--reference", "B", "I think (B).").stdout)
    assert verdict["passed"] is True and verdict["score"] == 1.0


def test_unknown_verifier_lists_available():
    result = rlvr("verify", "--verifier", "nope", "x", check=False)
    assert result.returncode == 2
    assert "unknown verifier 'nope'" in result.stderr and "available: " in result.stderr
    assert "choice" in result.stderr and "exact" in result.stderr


def test_score_jsonl_keeps_fields_and_adds_reward(tmp_path):
    out = tmp_path / "out.jsonl"
    result = rlvr("score", str(write_jsonl(tmp_path / "in.jsonl", ROWS)), "--verifier", "choice=2",
                  "--verifier", "exact", "--output", str(out))
    rows = read_jsonl(out)
    assert [row["id"] for row in rows] == [1, 2, 3]
    assert rows[0]["reward"] == pytest.approx(2.0)  # the weighted sum: choice passes (weight 2), exact fails
    assert rows[0]["rewards"] == {"choice": 1.0, "exact": 0.0}
    assert rows[2]["verdicts"]["exact"]["passed"] is True
    assert (tmp_path / "out.rewards.png").stat().st_size > 1000
    assert "mean reward" in result.stderr and "pass rate: choice" in result.stderr


def test_score_csv_to_parquet_with_column_map(tmp_path):
    source = tmp_path / "in.csv"
    with source.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, ["pred", "gold"])
        writer.writeheader()
        writer.writerows([{"pred": "yes", "gold": "Yes."}, {"pred": "no", "gold": "yes"}])
    out = tmp_path / "out.parquet"
    rlvr("score", str(source), "--verifier", "exact", "--column", "completion=pred", "--column", "answer=gold",
         "--output", str(out))
    import pyarrow.parquet as pq

    rows = pq.read_table(out).to_pylist()
    assert [row["reward"] for row in rows] == [1.0, 0.0]
    assert json.loads(rows[0]["verdicts"])["exact"]["passed"] is True


def test_score_parquet_input(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), source)
    out = tmp_path / "out.jsonl"
    rlvr("score", str(source), "--verifier", "choice", "--output", str(out))
    assert [row["reward"] for row in read_jsonl(out)] == [1.0, 0.0, 1.0]


def test_missing_column_names_it_and_the_columns_present(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    result = rlvr("score", str(source), "--verifier", "exact", "--column", "completion=pred",
                  "--output", str(tmp_path / "o.jsonl"), check=False)
    assert result.returncode == 2
    assert "'pred'" in result.stderr and "answer, completion, id" in result.stderr


def test_malformed_line_stops_with_line_number(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [ROWS[0], "{broken", ROWS[1]])
    out = tmp_path / "o.jsonl"
    result = rlvr("score", str(source), "--verifier", "exact", "--output", str(out), check=False)
    assert result.returncode == 2 and "line 2" in result.stderr
    assert [row["id"] for row in read_jsonl(out)] == [1]  # nothing written for the bad line


def test_skip_invalid_reports_and_skips(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [ROWS[0], "[1, 2]", ROWS[1]])
    out = tmp_path / "o.jsonl"
    result = rlvr("score", str(source), "--verifier", "exact", "--output", str(out), "--skip-invalid")
    assert [row["id"] for row in read_jsonl(out)] == [1, 2]
    assert "skipped line 2" in result.stderr
    assert read_jsonl(tmp_path / "o.jsonl.skipped.jsonl")[0]["line"] == 2


def test_empty_file_is_zero_rows(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("")
    result = rlvr("score", str(source), "--verifier", "exact", "--output", str(tmp_path / "o.jsonl"))
    assert "│ rows" in result.stderr and " 0 " in result.stderr


def test_existing_output_is_never_overwritten(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = write_jsonl(tmp_path / "o.jsonl", [{"keep": "me"}])
    result = rlvr("score", str(source), "--verifier", "exact", "--output", str(out), check=False)
    assert result.returncode == 2 and "--resume" in result.stderr
    assert read_jsonl(out) == [{"keep": "me"}]


def test_third_party_plugin_in_plugins_and_score(tmp_path):
    site = install_plugin(tmp_path / "site")
    env = {"PYTHONPATH": f"{site}{os.pathsep}{ROOT}", "RLVR_LOAD_PLUGINS": "rlvr-shout"}
    listed = {item["name"]: item for item in json.loads(rlvr("plugins", "--json", env=env).stdout)}
    assert listed["shout"]["plugin"] == "rlvr_shout" and listed["shout"]["version"] == "1.2.3"
    source = write_jsonl(tmp_path / "in.jsonl", [{"completion": "HEY"}, {"completion": "hey"}])
    out = tmp_path / "o.jsonl"
    rlvr("score", str(source), "--verifier", "shout", "--output", str(out), "--workers", "2", env=env)
    assert [row["reward"] for row in read_jsonl(out)] == [1.0, 0.0]


def test_broken_installed_plugin_is_a_one_line_error(tmp_path):
    site = install_plugin(tmp_path / "site", dist="rlvr-broken", module="rlvr_broken", source="import nothing_here")
    env = {"PYTHONPATH": f"{site}{os.pathsep}{ROOT}", "RLVR_LOAD_PLUGINS": "rlvr-broken"}
    result = rlvr("plugins", env=env, check=False)
    assert result.returncode == 2
    assert "rlvr_broken" in result.stderr and "RLVR_LOAD_PLUGINS" in result.stderr


def _line_count(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_sigkill_then_resume_keeps_every_row_exactly_once(tmp_path):
    """SIGKILL `rlvr score` mid-run three times; --resume must end with each row exactly once."""
    site = install_plugin(tmp_path / "site", delay=0.01)
    env = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{ROOT}", "RLVR_LOAD_PLUGINS": "rlvr-shout"}
    rows = [{"n": n, "completion": "YES" if n % 3 else "no"} for n in range(400)]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "o.jsonl"
    command = [sys.executable, "-m", "rlvr.cli", "score", str(source), "--verifier", "shout",
               "--output", str(out), "--workers", "2"]
    kills = 0
    for attempt, kill_after in enumerate([60, 160, 260]):
        process = subprocess.Popen(command + (["--resume"] if attempt else []), env=env, cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while _line_count(out) < kill_after and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            kills += 1
        process.wait()
    assert kills >= 2  # the run really was interrupted
    assert _line_count(out) < 400
    subprocess.run(command + ["--resume"], env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
    assert [row["n"] for row in read_jsonl(out)] == list(range(400))
    assert [row["reward"] for row in read_jsonl(out)] == [float(n % 3 != 0) for n in range(400)]


def test_version_lists_rlvr_and_each_plugin(tmp_path):
    from rlvr import __version__

    site = install_plugin(tmp_path / "site")
    env = {"PYTHONPATH": f"{site}{os.pathsep}{ROOT}", "RLVR_LOAD_PLUGINS": "rlvr-shout"}
    lines = rlvr("--version", env=env).stdout.splitlines()
    assert lines[0] == f"rlvr {__version__}"
    assert any(line.split() == ["rlvr_shout", "1.2.3", "(shout)"] for line in lines)
    assert any(line.split() == ["verifiers.exact", __version__, "(exact)"] for line in lines)


def test_dash_reads_jsonl_from_standard_input(tmp_path):
    out = tmp_path / "o.jsonl"
    command = [sys.executable, "-m", "rlvr.cli", "score", "-", "--verifier", "choice", "--output", str(out)]
    data = "".join(json.dumps(row) + "\n" for row in ROWS)
    result = subprocess.run(command, input=data, capture_output=True, text=True, cwd=ROOT, timeout=120,
                            env={**os.environ, "RLVR_LOAD_PLUGINS": ""})
    assert result.returncode == 0, result.stderr
    assert [row["reward"] for row in read_jsonl(out)] == [1.0, 0.0, 1.0]
    assert json.loads((tmp_path / "o.jsonl.settings.json").read_text())["input_path"] == "-"
