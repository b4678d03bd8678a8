"""SandboxFusion's ``/run_code`` on a live server: the program's stdout, stderr and exit come back.

verl's SandboxFusion path compares ``run_result.stdout`` itself, so the output must be the
program's own, read by the sandbox's judge (:func:`verifiers.code.run_program`).
"""

from __future__ import annotations

import pytest
from serve_fixtures import live_server


@pytest.fixture(scope="module")
def client():
    with live_server() as client:
        yield client


CASES = [
    # body, status, run status, return code, stdout, text in stderr
    ({"code": "print(input()[::-1])\nprint(input())", "language": "python", "stdin": "abc\nxyz\n", "run_timeout": 5},
     "Success", "Finished", 0, "cba\nxyz\n", ""),
    # verl's body: compile_timeout, files and fetch_files are accepted and ignored
    ({"code": "a, b = map(int, input().split())\nprint(a + b)", "stdin": "2 40", "language": "python",
      "compile_timeout": 10, "run_timeout": 5, "memory_limit_MB": 512, "files": {}, "fetch_files": []},
     "Success", "Finished", 0, "42\n", ""),
    ({"code": "import sys\nprint('partial')\nprint('oops', file=sys.stderr)\nsys.exit(2)"},
     "Failed", "Error", 2, "partial\n", "oops"),
    ({"code": "print('before')\n1/0"}, "Failed", "Error", 1, "before\n", "ZeroDivisionError"),
    ({"code": "while True:\n    pass", "run_timeout": 1}, "Failed", "TimeLimitExceeded", None, "", ""),
]  # fmt: skip


@pytest.mark.parametrize("body, status, run_status, return_code, stdout, stderr", CASES)
def test_run_code_returns_the_programs_output(client, body, status, run_status, return_code, stdout, stderr):
    response = client.post("/run_code", json=body)
    assert response.status_code == 200
    answer = response.json()
    result = answer["run_result"]
    assert (answer["status"], result["status"], result["return_code"]) == (status, run_status, return_code), answer
    assert result["stdout"] == stdout and stderr in result["stderr"]
    assert isinstance(result["execution_time"], float)


def test_run_code_output_over_the_cap_is_cut_and_fails(client):
    answer = client.post("/run_code", json={"code": "print('a' * (2 << 20))", "run_timeout": 5}).json()
    assert answer["status"] == "Failed" and "cut at" in answer["message"]
    assert answer["run_result"]["stdout"] == "a" * (1 << 20)  # the code verifier's default output_limit
