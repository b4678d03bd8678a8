"""Meta-tests: every hook is documented (exact signature) in docs/plugins.md and has a test."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from plugins import hookspecs

ROOT = Path(__file__).resolve().parents[1]
HOOKS = [
    name
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
    if hasattr(function, "rlvr_spec")
]


def test_there_are_hooks():
    assert "register_verifiers" in HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_with_its_signature(hook):
    function = getattr(hookspecs, hook)
    signature = f"{hook}({', '.join(inspect.signature(function).parameters)})"
    assert f"### `{signature}`" in (ROOT / "docs" / "plugins.md").read_text()


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_test(hook):
    sources = "\n".join(path.read_text() for path in (ROOT / "tests").glob("test_*.py"))
    assert f"def test_hook_{hook}(" in sources


def test_documented_example_runs(tmp_path):
    import os
    import re
    import subprocess
    import sys

    example = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "plugins.md").read_text(), re.S)[0]
    script = tmp_path / "rlvr_shout.py"
    script.write_text(example)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RLVR_LOAD_PLUGINS": ""}
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert result.stdout.strip() == "score=1.0 passed=True reason='loud' details={} status='ok'", result.stderr
