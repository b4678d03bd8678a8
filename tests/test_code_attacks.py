"""Hostile programs against the code verifier, replayed in a separate process tree.

The replay runs in its own pid namespace when ``unshare`` is allowed (else its own session),
so that a sandbox failure (``kill(-1)``, a fork bomb) fails these tests instead of killing
the test run. Every attack must be contained: reward 0, nothing written outside the scratch
directory, no canary touched, no connection made, no secret leaked, no process left behind,
and the verifier still healthy afterwards.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROWS = [json.loads(line) for line in (HERE / "data" / "code_attacks.jsonl").read_text().splitlines() if line]


def _isolating_prefix() -> tuple[list[str], bool]:
    if shutil.which("unshare"):
        probe = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"], capture_output=True)
        if probe.returncode == 0:
            return ["unshare", "--pid", "--fork", "--mount-proc"], True
    return ["setsid"], False


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    prefix, own_namespace = _isolating_prefix()
    command = [*prefix, sys.executable, str(HERE / "code_replay.py"), str(HERE / "data" / "code_attacks.jsonl")]
    if own_namespace:
        command.append("--own-namespace")
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, start_new_session=True)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["by_id"] = {verdict["id"]: verdict for verdict in report["verdicts"]}
    return report


@pytest.mark.parametrize("row", ROWS, ids=[f"{row['category']}-{row['id']}" for row in ROWS])
def test_attack_is_contained(replay, row):
    verdict = replay["by_id"][row["id"]]
    assert verdict["score"] == 0.0, verdict["reason"]
    assert not verdict["leaks_secret"]
    assert verdict["processes_left"] == []


def test_canaries_untouched(replay):
    canary = replay["canary"]
    assert canary["keep_intact"] and canary["files_after"] == canary["files_before"]
    assert canary["connections"] in ([], ["unobserved"])


def test_verifier_healthy_and_nothing_left(replay):
    assert replay["healthy"]
    assert replay["leftover_processes"] == []
