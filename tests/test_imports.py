"""Heavy libraries load only in the functions that need them: listing plugins or scoring math stays fast."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "trl", "bert_score")

CHECK = """
import json, sys
{body}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def heavy_modules_after(body: str, tmp_path: Path) -> list[str]:
    code = CHECK.format(body=body, heavy=HEAVY)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RLVR_LOAD_PLUGINS": ""}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "body",
    [
        "import trainers.ppo, trainers.grpo, trainers.sft",
        "from rlvr.cli import main; main(['plugins', '--json'])",
        "import rewards; from rewards.spec import RewardSpec; RewardSpec.default()",
    ],
)
def test_no_heavy_import(body, tmp_path):
    assert heavy_modules_after(body, tmp_path) == []


def test_scoring_math_imports_no_torch(tmp_path):
    (tmp_path / "in.jsonl").write_text(json.dumps({"completion": "\\boxed{4}", "answer": "4"}) + "\n")
    body = "from rlvr.cli import main; main(['score', 'in.jsonl', '--verifier', 'math', '--output', 'o.jsonl'])"
    assert heavy_modules_after(body, tmp_path) == []
    assert json.loads((tmp_path / "o.jsonl").read_text())["reward"] == 1.0
