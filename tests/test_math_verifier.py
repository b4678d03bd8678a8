"""The `math` verifier as users meet it: registry, config, Verdict details, CLI, batch scoring."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pydantic
import pytest

from plugins import make_verifier
from verifiers.math.verifier import MathConfig, MathVerifier

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "RLVR_LOAD_PLUGINS": ""}
    command = [sys.executable, "-m", "rlvr.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=environment, cwd=ROOT, timeout=120)


def test_registered_as_math() -> None:
    with make_verifier("math", {"timeout": 3}) as verifier:
        assert isinstance(verifier, MathVerifier)
        assert verifier.config.timeout == 3


@pytest.mark.parametrize(
    "options",
    [
        {"timout": 3},  # a typo is an error naming the key
        {"timeout": 0},
        {"extractors": ["boxed", "bogus"]},
        {"workers": 0},
    ],
)
def test_bad_config_is_an_error(options: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        MathConfig(**options)


def test_details_show_why() -> None:
    with MathVerifier() as verifier:
        verdict = verifier.verify("So the answer is $0.5$.", "\\dfrac{1}{2}")
    assert verdict.passed is True and verdict.score == 1.0 and verdict.reason == "match"
    assert verdict.details == {
        "extracted": "0.5",
        "extractor": "answer_is",
        "normalized_reference": "\\frac{1}{2}",
        "normalized_answer": "0.5",
        "path": "fast",
    }


@pytest.mark.parametrize(
    ("completion", "reason"),
    [
        ("#### 46", "mismatch"),
        ("I'm not sure how to solve this problem.", "no answer found"),
        ("the answer is $\\boxed{64", "unterminated \\boxed{"),
        ("", "empty completion"),
    ],
)
def test_failing_reasons(completion: str, reason: str) -> None:
    with MathVerifier() as verifier:
        verdict = verifier.verify(completion, "64")
    assert (verdict.passed, verdict.score, verdict.reason) == (False, 0.0, reason)


def test_no_reference_is_not_applicable() -> None:
    with MathVerifier() as verifier:
        verdict = verifier.verify("\\boxed{1}", None)
    assert verdict.passed is None and not verdict.applicable


def test_last_number_fallback_switch() -> None:
    completion = "Adding them up gives 12 apples"
    with MathVerifier(last_number_fallback=False) as strict, MathVerifier() as lenient:
        assert strict.verify(completion, "12").reason == "no answer found"
        assert lenient.verify(completion, "12").passed is True


def test_tolerance_is_configurable() -> None:
    with MathVerifier(min_sig_figs=2) as lenient, MathVerifier() as strict:
        assert lenient.verify("\\boxed{0.33}", "\\frac{1}{3}").passed is True
        assert strict.verify("\\boxed{0.33}", "\\frac{1}{3}").passed is False


def test_batch_keeps_order_across_fast_and_sympy_paths() -> None:
    completions = ["#### 72", "\\boxed{\\sqrt{8}}", "#### 71", "\\boxed{(x+1)^2}"]
    references = ["72", "2\\sqrt{2}", "72", "x^2+2x+1"]
    with MathVerifier() as verifier:
        verdicts = verifier.verify_batch(completions, references)
    assert [v.passed for v in verdicts] == [True, True, False, True]
    assert [v.details["path"] for v in verdicts] == ["fast", "sympy", "fast", "sympy"]


def test_plain_numbers_never_import_sympy() -> None:
    script = (
        "import sys\n"
        "from verifiers.math.verifier import MathVerifier\n"
        "v = MathVerifier()\n"
        "assert v.verify('#### 1,234', '1234').passed\n"
        "assert v.verify('the answer is 0.5', '\\\\frac{1}{2}').passed\n"
        "assert v.verify('\\\\boxed{\\\\{2, 1\\\\}}', '1, 2').passed\n"
        "print('sympy' in sys.modules, v._pool is None)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stdout.split() == ["False", "True"], result.stderr


def test_cli_verify_prints_a_passing_verdict() -> None:
    result = run_cli("verify", "--verifier", "math", "--reference", "\\frac{1}{2}", "So the answer is $0.5$.")
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["passed"] is True and verdict["score"] == 1.0


def test_cli_score_with_two_workers(tmp_path: Path) -> None:
    rows = [
        {"completion": "#### 72", "answer": "72"},
        {"completion": "so \\boxed{\\sqrt{8}}", "answer": "2\\sqrt{2}"},
        {"completion": "\\boxed{(1-x)^3}", "answer": "(x-1)^3"},
        {"completion": "The answer is 7 1/2.", "answer": "7\\frac{1}{2}"},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    output = tmp_path / "out.jsonl"
    result = run_cli("score", str(source), "--verifier", "math", "--output", str(output), "--workers", "2")
    assert result.returncode == 0, result.stderr
    scored = [json.loads(line) for line in output.read_text().splitlines()]
    passed = {row["completion"]: row["verdicts"]["math"]["passed"] for row in scored}
    assert passed == {row["completion"]: want for row, want in zip(rows, [True, True, False, True], strict=True)}
