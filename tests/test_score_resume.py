"""Safe reruns: settings beside the output, --resume checks them, --force starts over, failed starts leave nothing."""

from __future__ import annotations

import json

import pytest
from test_cli import ROWS, read_jsonl, rlvr, write_jsonl


def _files(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_settings_are_recorded_and_a_different_resume_is_refused_naming_the_difference(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "o.jsonl"
    rlvr("score", str(source), "--verifier", "choice", "--option", "choice.letters=ABC", "--output", str(out))
    settings = json.loads((tmp_path / "o.jsonl.settings.json").read_text())
    assert [c["verifier"] for c in settings["reward"]["components"]] == ["choice"]
    assert settings["columns"]["completion"] == "completion" and settings["input_identity"]["size"] > 0
    scored = out.read_text()

    other_verifier = rlvr("score", str(source), "--verifier", "exact", "--output", str(out), "--resume", check=False)
    assert other_verifier.returncode == 2 and "components[choice]" in other_verifier.stderr
    assert "components[exact]" in other_verifier.stderr and "--force" in other_verifier.stderr
    other_option = rlvr("score", str(source), "--verifier", "choice", "--option", "choice.letters=ABCD",
                        "--output", str(out), "--resume", check=False)
    assert other_option.returncode == 2 and 'letters: "ABC" before, "ABCD" now' in other_option.stderr
    write_jsonl(source, ROWS + ROWS)
    other_input = rlvr("score", str(source), "--verifier", "choice", "--option", "choice.letters=ABC",
                       "--output", str(out), "--resume", check=False)
    assert other_input.returncode == 2 and "the input is not the data the first run read" in other_input.stderr
    assert out.read_text() == scored  # nothing mixed in

    rlvr("score", str(source), "--verifier", "exact", "--output", str(out), "--force")
    assert [row["rewards"] for row in read_jsonl(out)] == [{"exact": 0.0}, {"exact": 0.0}, {"exact": 1.0}] * 2
    assert not (tmp_path / "o.jsonl.skipped.jsonl").exists()


PRED_ROWS = [{"pred": row["completion"], "answer": row["answer"]} for row in ROWS]


@pytest.mark.parametrize(
    "lines, fix",
    [
        (["{broken", *ROWS], ["--skip-invalid"]),  # following the error's own advice works at once
        (PRED_ROWS, ["--column", "completion=pred"]),  # a set-up error: no completion column
    ],
)
def test_a_run_that_fails_before_its_first_row_leaves_nothing_behind(tmp_path, lines, fix):
    source = write_jsonl(tmp_path / "in.jsonl", lines)
    out = tmp_path / "o.parquet"
    failed = rlvr("score", str(source), "--verifier", "choice", "--output", str(out), check=False)
    assert failed.returncode == 2 and "line 1" in failed.stderr
    assert _files(tmp_path) == ["in.jsonl"]  # no empty output, settings, skipped file or lock
    rlvr("score", str(source), "--verifier", "choice", "--output", str(out), *fix)
    assert out.exists() and not (tmp_path / "o.parquet.partial.jsonl").exists()


def test_force_removes_the_old_run_and_its_side_files(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [ROWS[0], "[1]", ROWS[1]])
    out = tmp_path / "o.jsonl"
    rlvr("score", str(source), "--verifier", "exact", "--output", str(out), "--skip-invalid")
    assert _files(tmp_path) == ["in.jsonl", "o.jsonl", "o.jsonl.settings.json", "o.jsonl.skipped.jsonl",
                                "o.rewards.png"]
    write_jsonl(source, ROWS)
    refused = rlvr("score", str(source), "--verifier", "exact", "--output", str(out), check=False)
    assert refused.returncode == 2 and "--resume" in refused.stderr and "--force" in refused.stderr
    rlvr("score", str(source), "--verifier", "exact", "--output", str(out), "--force")
    assert _files(tmp_path) == ["in.jsonl", "o.jsonl", "o.jsonl.settings.json", "o.rewards.png"]
    assert [row["id"] for row in read_jsonl(out)] == [1, 2, 3]
    both = rlvr("score", str(source), "--verifier", "exact", "--output", str(out), "--force", "--resume", check=False)
    assert both.returncode == 2 and "not both" in both.stderr


def test_an_empty_leftover_output_is_no_wall(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "o.jsonl"
    out.write_text("")  # what a run killed before its first row (or an older rlvr's failed start) left
    rlvr("score", str(source), "--verifier", "exact", "--output", str(out))
    assert [row["id"] for row in read_jsonl(out)] == [1, 2, 3]
