"""One reward definition: `rlvr score --reward spec.yaml` and TRL's reward functions give the same numbers."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from plugin_fixtures import install_plugin
from test_cli import ROOT, read_jsonl, rlvr, write_jsonl

from rewards.grpo import get_reward_funcs
from rewards.spec import RewardSpec

SPEC = {
    "components": [
        {"name": "answer", "verifier": "math", "weight": 1.0},
        {"name": "letter", "verifier": "choice", "weight": 0.5, "reference_column": "label"},
        {"name": "style", "shaping": "format", "weight": 0.2, "gate": "answer"},
        {"name": "short", "shaping": "length", "weight": 0.1, "config": {"max_tokens": 40, "buffer_tokens": 20}},
    ]
}

ROWS = [
    {"completion": "<think>2+2 is 4</think> The answer is \\boxed{4}. (B)", "answer": "4", "label": "B"},
    {"completion": "\\boxed{5}", "answer": "4", "label": "B"},  # wrong answer: the gated format term is closed
    {"completion": "<think>hm</think> (C) \\boxed{\\frac{1}{2}}", "answer": "0.5", "label": "C"},
    {"completion": "no answer at all", "answer": None, "label": None},  # nothing to judge: verifiers say n/a
    {"completion": "x" * 400, "answer": "7", "label": "A"},  # long: the length term bites
]


def trl_totals(spec: RewardSpec, rows: list[dict]) -> tuple[dict[str, list], list]:
    """What TRL computes: each reward function, then the weighted sum over the ones that are not None."""
    funcs, weights = get_reward_funcs(spec)
    columns = {key: [row[key] for row in rows] for key in ("answer", "label")}
    per = {f.__name__: f(prompts=[""] * len(rows), completions=[row["completion"] for row in rows], **columns)
           for f in funcs}
    totals = []
    for i in range(len(rows)):
        terms = [w * per[f.__name__][i] for f, w in zip(funcs, weights, strict=True) if per[f.__name__][i] is not None]
        totals.append(sum(terms) if terms else None)
    return per, totals


def test_offline_and_training_rewards_are_identical(tmp_path):
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(yaml.safe_dump(SPEC))
    out = tmp_path / "o.jsonl"
    rlvr("score", str(write_jsonl(tmp_path / "in.jsonl", ROWS)), "--reward", str(spec_path), "--output", str(out))
    scored = read_jsonl(out)
    per, totals = trl_totals(RewardSpec.from_dict(SPEC), ROWS)
    assert [row["reward"] for row in scored] == totals
    for name, values in per.items():
        assert [row["rewards"][name] for row in scored] == values
    assert totals[3] is not None and scored[1]["rewards"]["style"] is None  # the gate held offline too
    assert scored[0]["verdicts"]["answer"]["passed"] is True and "style" not in scored[0]["verdicts"]


def test_option_is_validated_and_named_in_one_line(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    result = rlvr("score", str(source), "--verifier", "math", "--option", "math.timeout=0",
                  "--output", str(tmp_path / "o.jsonl"), check=False)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "timeout" in result.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_option_reaches_the_verifier(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"completion": "yes", "answer": "YES"}])
    out = tmp_path / "o.jsonl"
    rlvr("score", str(source), "--verifier", "exact", "--option", "exact.case_sensitive=true", "--output", str(out))
    assert read_jsonl(out)[0]["reward"] == 0.0


BUGGY = '''
from plugins import hookimpl
from verifiers.base import Verifier


class BuggyVerifier(Verifier):
    name = "buggy"
    description = "Raises on every row: a bug, not a verdict"

    def verify(self, completion, reference=None, **fields):
        raise ZeroDivisionError("a bug in the verifier")


@hookimpl
def register_verifiers(register):
    register(BuggyVerifier)
'''


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_verifier_bug_crashes_with_its_traceback_not_a_zero_reward(tmp_path, workers):
    site = install_plugin(tmp_path / "site", dist="rlvr-buggy", module="rlvr_buggy", source=BUGGY)
    env = {"PYTHONPATH": f"{site}{os.pathsep}{ROOT}", "RLVR_LOAD_PLUGINS": "rlvr-buggy"}
    out = tmp_path / "o.jsonl"
    result = rlvr("score", str(write_jsonl(tmp_path / "in.jsonl", ROWS)), "--verifier", "buggy",
                  "--output", str(out), "--workers", workers, env=env, check=False)
    assert result.returncode not in (0, 2)
    assert "Traceback" in result.stderr and "ZeroDivisionError: a bug in the verifier" in result.stderr
    assert not out.exists() or not [json.loads(line) for line in out.read_text().splitlines() if line]
