"""Hard limits: hostile inputs, calls from many threads, spawn-context process pools, clean shutdown."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from verifiers.base import Verdict
from verifiers.math.verifier import MathVerifier
from verifiers.math.workers import MathWorkerPool

TIMEOUT = 2.0
SLACK = 0.5  # the promise: a verdict within timeout + 0.5 s
ROOT = Path(__file__).resolve().parents[1]

HOSTILE = [
    "\\boxed{9^9^9^9}",  # power tower
    "\\boxed{10^{10^{10^{10^{10}}}}}",
    "\\boxed{100000!}",  # huge factorial
    "\\boxed{" + "(" * 300 + "1" + ")" * 300 + "}",  # 300 nested parentheses
    "\\boxed{" + "\\frac{1}{" * 150 + "2" + "}" * 150 + "}",  # deep nesting inside sympy's parser
    "Lorem ipsum. " * 8000 + "x",  # 100k characters, no answer
    "\\boxed{(x+1)^{1999}-(x-1)^{1999}}",  # heavy symbolic expansion
    "\\boxed{" + "{" * 5000,  # unterminated
    "\\boxed{2^{2^{2^{2^{2^{2}}}}}}",  # a power tower that the size guard refuses
    "\\boxed{\\lfloor 2^{190000}\\sqrt{2}\\rfloor}",  # a floor of a huge irrational: runs out of time
    "<answer>" * 125_000,  # 1 MB of opening tags: extraction stays linear
    "\\boxed " * 150_000,  # 1 MB of box commands without braces
    "\\boxed{1}" * 100_000,  # 1 MB of boxes: too many to be one answer
]
HOSTILE_STATUSES = {"ok", "unparseable", "timeout", "error"}


@pytest.fixture(scope="module")
def hostile_verifier():
    with MathVerifier(timeout=TIMEOUT, workers=2) as verifier:
        verifier.verify("\\boxed{x+1}", "1+x")  # a warm worker: start-up is not what these tests measure
        yield verifier


@pytest.mark.parametrize("completion", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_hostile_input_returns_a_failing_verdict_in_time(hostile_verifier: MathVerifier, completion: str) -> None:
    start = time.monotonic()
    verdict = hostile_verifier.verify(completion, "5")
    assert time.monotonic() - start < TIMEOUT + SLACK
    assert verdict.status in HOSTILE_STATUSES
    # a failing verdict, or (on a loaded machine, when a killed worker's replacement is still importing
    # sympy) an error verdict that carries no reward
    assert verdict.passed is (None if verdict.status == "error" else False)
    assert verdict.reason  # "timeout", "too large to compute", "no answer found", "unterminated \\boxed{" …


@pytest.mark.parametrize("offset", [0, 8])
def test_eight_threads_of_hostile_input(hostile_verifier: MathVerifier, offset: int) -> None:
    """TRL calls rewards off the main thread: the limits must hold there, for every caller at once.

    Two workers serve eight callers: a caller that finds no free worker in time gets an error
    verdict (no reward), never a wrong-answer 0.0 and never a late answer.
    """
    results: list[tuple[float, Verdict]] = []
    lock = threading.Lock()

    def call(completion: str) -> None:
        start = time.monotonic()
        verdict = hostile_verifier.verify(completion, "5")
        with lock:
            results.append((time.monotonic() - start, verdict))

    threads = [threading.Thread(target=call, args=(HOSTILE[(i + offset) % len(HOSTILE)],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 8
    assert all(seconds < TIMEOUT + SLACK for seconds, _ in results), results
    assert all(v.status in HOSTILE_STATUSES and v.passed is not True for _, v in results), results
    assert all(v.passed is None for _, v in results if v.status == "error")


def test_no_free_worker_is_an_error_not_a_zero() -> None:
    with MathVerifier(timeout=1.0, workers=1) as verifier:
        verifier.verify("\\boxed{x+1}", "1+x")
        busy = threading.Thread(target=verifier.verify, args=(HOSTILE[6], "5"))
        busy.start()
        time.sleep(0.2)
        verdict = verifier.verify("\\boxed{\\sqrt{8}}", "2\\sqrt{2}")
        busy.join()
    assert (verdict.status, verdict.passed) == ("error", None)
    # the busy worker is killed at its deadline; its replacement may still be importing sympy
    assert verdict.reason in ("no free math worker", "math worker did not start in time")
    assert not verdict.applicable


def test_a_crashed_worker_is_retried_once() -> None:
    with MathVerifier(timeout=5.0, workers=1) as verifier:
        verifier.verify("\\boxed{x+1}", "1+x")
        for worker in list(verifier._pool._all):
            worker.proc.kill()  # dies while idle: the next request finds a dead pipe
            worker.proc.wait()
        verdict = verifier.verify("\\boxed{\\sqrt{8}}", "2\\sqrt{2}")
    assert (verdict.status, verdict.passed, verdict.details.get("retried")) == ("ok", True, True)


def test_a_timeout_does_not_lose_the_rest_of_the_batch(hostile_verifier: MathVerifier) -> None:
    completions = ["\\boxed{\\sqrt{8}}", HOSTILE[6], "\\boxed{(x+1)^2}"]
    verdicts = hostile_verifier.verify_batch(completions, ["2\\sqrt{2}", "5", "x^2+2x+1"])
    assert [v.passed for v in verdicts[:2]] == [True, False]
    assert (verdicts[1].reason, verdicts[1].status) == ("timeout", "timeout")
    # The pair after the timeout is judged by a fresh worker. On a loaded machine that worker may still
    # be importing sympy when the pair's time is up: then it is the verifier's trouble (an error verdict,
    # no reward), never a wrong answer and never a lost row.
    assert verdicts[2].passed is True or (verdicts[2].status, verdicts[2].passed) == ("error", None)


def test_workers_run_under_the_memory_cap() -> None:
    pool = MathWorkerPool(size=1, timeout=20, memory_mb=300)
    try:
        assert pool.judge([("2\\sqrt{2}", "\\sqrt{8}")])[0]["equal"] is True
        [worker] = pool._all
        limits = Path(f"/proc/{worker.proc.pid}/limits").read_text()
    finally:
        pool.close()
    line = next(line for line in limits.splitlines() if line.startswith("Max address space"))
    assert line.split()[3:5] == [str(300 * 1024 * 1024)] * 2


def test_numbers_too_large_to_build_are_refused() -> None:
    pool = MathWorkerPool(size=1, timeout=20)
    try:
        [result] = pool.judge([("5", "2^{100000}^{20}")])
    finally:
        pool.close()
    assert (result["equal"], result["reason"], result["status"]) == (False, "too large to compute", "timeout")


def _score_in_child(pairs: list[tuple[str, str]]) -> list[bool | None]:
    with MathVerifier(timeout=5) as verifier:
        return [v.passed for v in verifier.verify_batch([c for c, _ in pairs], [g for _, g in pairs])]


def test_works_inside_a_spawn_process_pool() -> None:
    """`rlvr score --workers N` runs verifiers in daemonic spawn workers, which may not fork children."""
    pairs = [("\\boxed{\\sqrt{8}}", "2\\sqrt{2}"), ("#### 72", "72"), ("\\boxed{(1-x)^3}", "(x-1)^3")]
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as executor:
        assert executor.submit(_score_in_child, pairs).result(timeout=120) == [True, True, False]


def test_verifier_pickles_without_its_workers() -> None:
    # A generous timeout: the clone starts its own workers cold, which is not what this test measures.
    with MathVerifier(timeout=60, workers=1) as original:
        assert original.verify("\\boxed{x+1}", "1+x").passed is True  # the original holds a live worker
        clone = pickle.loads(pickle.dumps(original))
    try:
        assert clone.verify("\\boxed{\\sqrt{8}}", "2\\sqrt{2}").passed is True
    finally:
        clone.close()


def test_close_ends_every_worker_process() -> None:
    verifier = MathVerifier(workers=2)
    verifier.verify_batch(["\\boxed{\\sqrt{8}}"] * 2, ["2\\sqrt{2}"] * 2)
    processes = [worker.proc for worker in verifier._pool._all]
    assert processes
    verifier.close()
    assert all(proc.poll() is not None for proc in processes)


def test_no_worker_outlives_the_interpreter() -> None:
    """A script that never calls close() leaves no worker behind when it exits."""
    script = (
        "import os\n"
        "from verifiers.math.verifier import MathVerifier\n"
        "v = MathVerifier()\n"
        "v.verify('\\\\boxed{\\\\sqrt{8}}', '2\\\\sqrt{2}')\n"
        "print(' '.join(str(w.proc.pid) for w in v._pool._all))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)
    pids = [int(pid) for pid in result.stdout.split()]
    assert pids, result.stderr
    time.sleep(1.0)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
