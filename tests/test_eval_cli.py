"""`rlvr eval` as a user runs it: the tiny model end to end, predictions files, --compare, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr.cli import main

DATA = Path(__file__).parent / "data" / "eval_gsm8k.jsonl"
# The fixture's answers are 12, 6, 1500, 35: these completions get rows 0, 1 and 3 right.
COMPLETIONS = {"0": "3*4=12\n#### 12", "1": "10-4=6\n#### 6", "2": "1200+300=1400\n#### 1400", "3": "#### 35"}


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def lm_eval_samples(path: Path, completions: dict[str, str]) -> Path:
    """An lm-eval --log_samples file: one line per document and filter, raw responses in resps."""
    docs = [json.loads(line) for line in DATA.read_text().splitlines()]
    lines = []
    for doc_id, doc in enumerate(docs):
        for name in ("strict-match", "flexible-extract"):
            lines.append({"doc_id": doc_id, "doc": doc, "target": doc["answer"],
                          "arguments": {"gen_args_0": {"arg_0": "Q", "arg_1": {}}},
                          "resps": [[completions[str(doc_id)]]], "filtered_resps": ["x"], "filter": name,
                          "metrics": ["exact_match"], "exact_match": 0.0})
    return write_jsonl(path, lines)


def test_tiny_model_end_to_end_with_paired_variants(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["eval", "tiny", "--task", "synthetic", "--limit", "3", "--max-new-tokens", "6", "--n", "2",
            "--perturb", "typos,distractor", "--seed", "1", "-o", str(out)]
    code, stdout, _ = run(argv, capsys)
    assert code == 0
    report = json.loads((out / "eval.json").read_text())
    accuracy = report["tasks"]["synthetic"]
    assert (accuracy["problems"], accuracy["samples"], accuracy["n"]) == (3, 6, 2)
    assert {"pass@1", "pass@2", "maj@1", "maj@2"} <= set(accuracy)
    assert set(report["robustness"]["synthetic"]) == {"typos", "distractor"}
    assert report["robustness"]["synthetic"]["typos"]["pairs"] == 3
    assert report["config"]["seed"] == 1 and report["versions"]["torch"]
    assert report["backend"] == "transformers"
    assert report["efficiency"]["tokens_per_answer"] <= 6
    for chart in ("accuracy.png", "robustness.png", "tokens.png"):
        assert (out / chart).stat().st_size > 1000
    assert "| synthetic | typos | 3 |" in stdout
    # the same seeds give the same samples, so a paired comparison of the two runs finds no change
    again = tmp_path / "again"
    assert run([*argv[:-1], str(again)], capsys)[0] == 0
    def generations(run_dir):  # what the model wrote; a verdict's status may differ on a loaded machine
        rows = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
        return [(row["id"], row["sample"], row["completion"], row["passed"]) for row in rows]

    assert generations(out) == generations(again)
    code, stdout, _ = run(["eval", "--compare", str(out), str(again), "-o", str(tmp_path / "cmp")], capsys)
    assert code == 0
    comparison = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert comparison["tasks"]["synthetic"]["original"]["mcnemar"] == {"b": 0, "c": 0, "p_value": 1.0}
    assert (tmp_path / "cmp" / "compare.png").stat().st_size > 1000


def test_predictions_from_rlvr_jsonl(tmp_path, capsys):
    predictions = write_jsonl(tmp_path / "p.jsonl", [{"id": k, "completion": v} for k, v in COMPLETIONS.items()])
    out = tmp_path / "run"
    code, _, _ = run(["eval", "--predictions", str(predictions), "--task", f"gsm8k={DATA}", "-o", str(out)], capsys)
    assert code == 0
    report = json.loads((out / "eval.json").read_text())
    assert report["tasks"]["gsm8k"]["pass@1"] == 0.75
    assert report["tasks"]["gsm8k"]["problems"] == 4
    assert report["backend"] is None  # scored, not generated
    assert (out / "accuracy.png").stat().st_size > 1000


def test_predictions_from_lm_eval_samples_match_the_jsonl(tmp_path, capsys):
    samples = lm_eval_samples(tmp_path / "samples_rlvr_gsm8k_2026.jsonl", COMPLETIONS)
    out = tmp_path / "run"
    code, _, _ = run(["eval", "--predictions", str(samples), "--task", "gsm8k", "-o", str(out)], capsys)
    assert code == 0
    report = json.loads((out / "eval.json").read_text())
    assert report["tasks"]["gsm8k"]["pass@1"] == 0.75  # one document per doc_id, however many filters
    records = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert [r["passed"] for r in records] == [True, True, False, True]


def test_compare_two_prediction_runs(tmp_path, capsys):
    better = {**COMPLETIONS, "2": "#### 1500"}
    worse = {key: "#### 0" for key in COMPLETIONS}
    runs = []
    for name, completions in (("a", worse), ("b", better)):
        path = write_jsonl(tmp_path / f"{name}.jsonl", [{"id": k, "completion": v} for k, v in completions.items()])
        runs.append(tmp_path / name)
        assert run(["eval", "--predictions", str(path), "--task", f"gsm8k={DATA}", "-o", str(runs[-1])], capsys)[0] == 0
    code, stdout, _ = run(["eval", "--compare", str(runs[0]), str(runs[1]), "-o", str(tmp_path / "c")], capsys)
    assert code == 0
    assert "gsm8k: held-out accuracy: before 0.0% -> after 100.0% (n=4)" in stdout
    row = json.loads((tmp_path / "c" / "compare.json").read_text())["tasks"]["gsm8k"]["original"]
    assert row["mcnemar"] == {"b": 0, "c": 4, "p_value": 0.125}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["tiny", "--task", "nosuchtask"], "unknown task 'nosuchtask'"),
        (["no/such-model-here", "--task", "synthetic"], "unknown model 'no/such-model-here'"),
        (["missing.gguf"], "GGUF file 'missing.gguf' does not exist"),
        (["tiny", "--perturb", "typo"], "unknown perturbation(s) typo"),
        (["tiny", "--n", "2", "--temperature", "0"], "--n above 1 needs sampling"),
        (["--task", "synthetic"], "give a MODEL to generate with, or --predictions FILE"),
        (["tiny", "--task", "gsm8k"], "task 'gsm8k' has no packaged data"),
        # a predictions file whose rows lack the completion
        (["--predictions", "{bad}", "--task", f"gsm8k={DATA}"], "line 1 has no 'completion' or 'completions' field"),
        # a prediction for a row the data does not have
        (["--predictions", "{stray}", "--task", f"gsm8k={DATA}"], "id '99' is not a row of task 'gsm8k'"),
        (["--predictions", "{missing}", "--task", f"gsm8k={DATA}"], "does not exist"),
    ],
)
def test_bad_input_fails_with_one_line_before_generation(tmp_path, capsys, argv, message):
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"id": "0", "text": "#### 12"}])
    stray = write_jsonl(tmp_path / "stray.jsonl", [{"id": "99", "completion": "#### 12"}])
    files = {"bad": bad, "stray": stray, "missing": tmp_path / "missing.jsonl"}
    argv = [arg.format(**files) for arg in argv]
    code, stdout, stderr = run(["eval", *argv, "-o", str(tmp_path / "out")], capsys)
    assert code == 2
    assert stderr.count("\n") == 1 and message in stderr, stderr
    assert stderr.startswith("rlvr eval: error:")
    assert not (tmp_path / "out").exists()  # nothing generated, nothing written


def test_compare_two_models_evaluates_both_with_the_same_options(tmp_path, capsys):
    out = tmp_path / "cmp"
    argv = ["eval", "--compare", "tiny", "tiny", "--task", "synthetic", "--limit", "3", "--max-new-tokens", "4",
            "-o", str(out)]
    code, stdout, _ = run(argv, capsys)
    assert code == 0
    assert (out / "A" / "eval.json").is_file() and (out / "B" / "eval.json").is_file()
    comparison = json.loads((out / "compare.json").read_text())
    assert (comparison["a"], comparison["b"]) == (str(out / "A"), str(out / "B"))
    assert comparison["tasks"]["synthetic"]["original"]["mcnemar"]["p_value"] == 1.0  # the same greedy model
    assert "synthetic: held-out accuracy: before" in stdout


def test_compare_checks_both_models_before_generating(tmp_path, capsys):
    out = tmp_path / "cmp"
    code, _, stderr = run(["eval", "--compare", "tiny", "no/such-model-here", "--task", "synthetic", "-o", str(out)],
                          capsys)
    assert code == 2 and "unknown model 'no/such-model-here'" in stderr and stderr.count("\n") == 1
    assert not out.exists()  # the first model was not evaluated either
