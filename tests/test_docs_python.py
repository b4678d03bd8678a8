"""Every Python example in docs/python.md runs, each block on its own, and prints what the page says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "python.md").read_text(), re.S)


def test_the_page_has_examples():
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_example_runs_and_prints_what_the_page_says(index, tmp_path):
    code = BLOCKS[index]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RLVR_LOAD_PLUGINS": "", "RLVR_CACHE": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    printed = result.stdout.splitlines()
    for expected in re.findall(r"^# (.+)$", code, re.M):  # a comment line right under a print shows its output
        assert expected in printed, (expected, printed)
