"""Plugin trouble seen from the command line: one line naming the plugin and the problem, exit code 2."""

from __future__ import annotations

import json
import os

from plugin_fixtures import install_plugin
from test_cli import ROOT, rlvr

BAD_NAME = """
from plugins import hookimpl
from verifiers.base import Verdict, Verifier


class Loud(Verifier):
    name = "Loud Verifier"
    description = "A verifier whose name is not a lowercase identifier"

    def verify(self, completion, reference=None, **fields):
        return Verdict(score=1.0)


@hookimpl
def register_verifiers(register):
    register(Loud)
"""


def test_bad_registration_is_a_one_line_error(tmp_path):
    site = install_plugin(tmp_path / "site", dist="rlvr-loud", module="rlvr_loud", source=BAD_NAME)
    env = {"PYTHONPATH": f"{site}{os.pathsep}{ROOT}", "RLVR_LOAD_PLUGINS": "rlvr-loud"}
    result = rlvr("plugins", env=env, check=False)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "plugin 'rlvr_loud' registered 'Loud'" in result.stderr and "lowercase" in result.stderr


def test_misspelled_plugin_name_is_one_warning_line(tmp_path):
    site = install_plugin(tmp_path / "site")
    env = {"PYTHONPATH": f"{site}{os.pathsep}{ROOT}", "RLVR_LOAD_PLUGINS": "rlvr-shuot"}
    result = rlvr("plugins", "--json", env=env)
    assert result.stderr.strip().splitlines() == [
        "rlvr: warning: RLVR_LOAD_PLUGINS names 'rlvr-shuot', which is not installed; installed plugins: rlvr_shout"
    ]


def test_plugins_lists_tasks_too():
    listed = {item["name"]: item for item in json.loads(rlvr("plugins", "--tasks", "--json").stdout)}
    assert {"gsm8k", "math", "mbpp", "humaneval", "commonsenseqa", "mathqa", "synthetic"} <= set(listed)
    assert listed["gsm8k"]["plugin"] == "tasks.gsm8k"
