"""Benchmark the `math` verifier against Math-Verify: its own test cases, real model answers, the dev pairs,
throughput and latency.

    python benchmarks/bench_math.py [--data ../shared/data/math_pairs.dev.jsonl] [--pairs 1000] [--mv-sample 300]

Math-Verify's test cases come from tests/data/math_verify_cases.jsonl (the general rows); Math-Verify
runs on them twice in the same run: called the way a user calls it (``verify(parse(gold),
parse(pred))``) and with the options its own test harness passes for each row. The real answers
are ../shared/data/real_dev/math_model_answers*.jsonl (labels two graders agree on, and hand labels).

Math-Verify runs on the main thread (its SIGALRM timeouts work there) with the gold wrapped in
``\\boxed{}``, which is its best setting. Our verifier uses one sympy worker process (workers=1).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from verifiers.math.verifier import MathVerifier  # noqa: E402

_ROOT = Path(__file__).resolve().parent.parent
_CASES = _ROOT / "tests" / "data" / "math_verify_cases.jsonl"
_PROSE = "We set up the equation from the problem statement and simplify step by step. "


def mix(n: int, seed: int = 0) -> list[tuple[str, str, str, bool]]:
    """``n`` (kind, gold, completion) pairs: GSM8K integers, fractions, expressions, sets, intervals; ~70% right."""
    rng = random.Random(seed)
    kinds = ["gsm8k", "fraction", "expression", "set", "interval"]
    pairs = []
    for i in range(n):
        kind, right = kinds[i % len(kinds)], rng.random() < 0.7
        a, b, c = rng.randint(1, 9), rng.randint(2, 9), rng.randint(1, 999)
        if kind == "gsm8k":
            gold, pred = str(c * 7), f"{c * 7 if right else c * 7 + 1:,}"
            pairs.append((kind, gold, f"{_PROSE}So {c} * 7 = {pred}.\n#### {pred}", right))
            continue
        if kind == "fraction":
            gold = f"\\frac{{{a}}}{{{a + b}}}"
            pred = f"{a * 2}/{(a + b) * 2}" if right else f"\\frac{{{a + b}}}{{{a}}}"
        elif kind == "expression":
            gold = f"x^2 + {2 * a}x + {a * a}"
            pred = f"(x+{a})^2" if right else f"(x-{a})^2"
        elif kind == "set":
            gold = f"\\{{{a}, -{b}, {c}\\}}"
            pred = f"{c}, {a}, -{b}" if right else f"{c}, {a}, {b}"
        else:
            gold = f"({a}, \\infty)"
            pred = f"x > {a}" if right else f"x \\ge {a}"
        pairs.append((kind, gold, f"{_PROSE}Therefore, the answer is $\\boxed{{{pred}}}$.", right))
    return pairs


def _score(name: str, judged: list[bool], expected: list[bool]) -> str:
    right = sum(j == e for j, e in zip(judged, expected, strict=True))
    false_accepts = sum(j and not e for j, e in zip(judged, expected, strict=True))
    false_rejects = sum(e and not j for j, e in zip(judged, expected, strict=True))
    return (f"  {name:<28} {right}/{len(expected)} = {right / len(expected):.1%} right, "
            f"{false_accepts} false accepts, {false_rejects} false rejects")


def _math_verify_call(gold: str, pred: str, options: dict | None = None) -> bool:
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

    try:
        if options is None or "match_types" not in options:
            return bool(verify(parse(gold), parse(pred)))
        targets = [LatexExtractionConfig(boxed_match_priority=0) if kind == "latex" else ExprExtractionConfig()
                   for kind in options["match_types"]]
        return bool(verify(parse(gold, targets), parse(pred, targets), float_rounding=options.get("precision", 6)))
    except Exception:  # Math-Verify's own failures count as "not equal"
        return False


def differential(verifier: MathVerifier, with_math_verify: bool) -> None:
    rows = [json.loads(line) for line in _CASES.read_text().splitlines() if line.strip()]
    rows = [row for row in rows if row["general"]]
    expected = [row["expected"] for row in rows]
    start = time.perf_counter()
    ours = [bool(v.passed) for v in verifier.verify_batch([r["pred"] for r in rows], [r["gold"] for r in rows])]
    ours_s = time.perf_counter() - start
    print(f"Math-Verify's test cases: {len(rows)} general rows ({_CASES.name})")
    print(_score("rlvr math", ours, expected) + f"  ({ours_s:.1f} s)")
    if not with_math_verify:
        return
    start = time.perf_counter()
    plain = [_math_verify_call(r["gold"], r["pred"]) for r in rows]
    plain_s = time.perf_counter() - start
    own = [_math_verify_call(r["gold"], r["pred"], r["options"]) for r in rows]
    print(_score("Math-Verify (parse/verify)", plain, expected) + f"  ({plain_s:.1f} s)")
    print(_score("Math-Verify (its harness)", own, expected))
    only_ours = [r["id"] for r, a, b, e in zip(rows, ours, plain, expected, strict=True) if a == e != b]
    only_theirs = [r["id"] for r, a, b, e in zip(rows, ours, plain, expected, strict=True) if b == e != a]
    print(f"  rlvr right where Math-Verify (parse/verify) is wrong: {len(only_ours)} {only_ours}")
    print(f"  Math-Verify right where rlvr is wrong: {len(only_theirs)} {only_theirs} "
          "(reasons: tests/test_math_differential.py)")


def real_answers(verifier: MathVerifier, data_dir: Path, with_math_verify: bool) -> None:
    for path in sorted(data_dir.glob("math_model_answers*.jsonl")):
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        verdicts = verifier.verify_batch([r["pred"] for r in rows], [r["gold"] for r in rows])
        expected = [r["equal"] for r in rows]
        print(f"real answers: {len(rows)} rows ({path.name})")
        print(_score("rlvr math", [bool(v.passed) for v in verdicts], expected))
        wrong = [r["id"] for r, v in zip(rows, verdicts, strict=True) if bool(v.passed) != r["equal"]]
        if wrong:
            print(f"    rlvr disagrees with the label on {wrong}")
        if with_math_verify:
            theirs = [_math_verify_call(f"\\boxed{{{r['gold']}}}", r["pred"]) for r in rows]
            print(_score("Math-Verify (gold boxed)", theirs, expected))


def _math_verify_judge():
    from math_verify import parse, verify

    def judge(gold: str, completion: str) -> bool:
        try:
            return bool(verify(parse(f"\\boxed{{{gold}}}"), parse(completion)))
        except Exception:  # Math-Verify's own failures count as "not equal"
            return False

    return judge


def accuracy(data: Path, verifier: MathVerifier, with_math_verify: bool) -> None:
    rows = [json.loads(line) for line in data.read_text().splitlines() if line.strip()]
    ours = verifier.verify_batch([r["pred"] for r in rows], [r["gold"] for r in rows])
    right = [v.passed == r["equal"] for v, r in zip(ours, rows, strict=True)]
    false_accepts = [r["id"] for v, r in zip(ours, rows, strict=True) if v.passed and not r["equal"]]
    near_miss = [r["id"] for r in rows if r["category"] == "near_miss" and r["id"] in false_accepts]
    print(f"dev pairs: {len(rows)} ({data.name})")
    print(f"  rlvr math   accuracy {sum(right) / len(rows):.1%}  false accepts {len(false_accepts)}  "
          f"near_miss false accepts {len(near_miss)}")
    for ok, r, v in zip(right, rows, ours, strict=True):
        if not ok:
            print(f"    wrong: {r['id']} {r['category']} want {r['equal']} got {v.passed} ({v.reason})")
    if with_math_verify:
        judge = _math_verify_judge()
        theirs = [judge(r["gold"], r["pred"]) == r["equal"] for r in rows]
        by_cat = Counter(r["category"] for r, ok in zip(rows, theirs, strict=True) if not ok)
        print(f"  Math-Verify accuracy {sum(theirs) / len(rows):.1%}  (gold boxed); misses by category: "
              f"{dict(by_cat.most_common(8))}")


def throughput(pairs: list[tuple[str, str, str, bool]], verifier: MathVerifier, mv_sample: int) -> None:
    golds, completions = [p[1] for p in pairs], [p[2] for p in pairs]
    verdicts = []
    start = time.perf_counter()
    for i in range(0, len(pairs), 64):  # the rewards layer's batch size
        verdicts += verifier.verify_batch(completions[i : i + 64], golds[i : i + 64])
    ours = len(pairs) / (time.perf_counter() - start)
    correct = sum(v.passed == p[3] for v, p in zip(verdicts, pairs, strict=True))
    latencies = []
    for gold, completion in zip(golds, completions, strict=True):
        t = time.perf_counter()
        verifier.verify(completion, gold)
        latencies.append(time.perf_counter() - t)
    latencies.sort()
    p50, p99 = statistics.median(latencies), latencies[int(0.99 * (len(latencies) - 1))]
    kinds = dict(Counter(p[0] for p in pairs))
    print(f"mix of {len(pairs)} pairs {kinds}; rlvr judged {correct / len(pairs):.1%} right")
    print(f"  rlvr math   {ours:9.0f} pairs/s (batches of 64)   single-call latency p50 {p50 * 1e3:.2f} ms  "
          f"p99 {p99 * 1e3:.2f} ms")
    if mv_sample:
        judge = _math_verify_judge()
        sample = pairs[:mv_sample]
        start = time.perf_counter()
        for _, gold, completion, _ in sample:
            judge(gold, completion)
        theirs = len(sample) / (time.perf_counter() - start)
        print(f"  Math-Verify {theirs:9.1f} pairs/s (first {len(sample)} pairs)   ratio {ours / theirs:.0f}x")


def gsm8k_rate(verifier: MathVerifier, n: int = 5000) -> None:
    pairs = [p for p in mix(n * 5, seed=1) if p[0] == "gsm8k"][:n]
    golds, completions = [p[1] for p in pairs], [p[2] for p in pairs]
    start = time.perf_counter()
    for i in range(0, n, 64):
        verifier.verify_batch(completions[i : i + 64], golds[i : i + 64])
    print(f"GSM8K integer answers: {n / (time.perf_counter() - start):.0f} pairs/s over {n} pairs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=_ROOT.parent / "shared" / "data" / "math_pairs.dev.jsonl")
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--mv-sample", type=int, default=300, help="pairs timed for Math-Verify (0: skip it)")
    args = parser.parse_args()
    print("command: python benchmarks/bench_math.py " + " ".join(sys.argv[1:]))
    with MathVerifier(workers=1) as verifier:
        verifier.verify("\\boxed{x+1}", "1+x")  # start the worker: timings below are warm
        differential(verifier, args.mv_sample > 0)
        real_dir = args.data.parent / "real_dev"
        if real_dir.exists():
            real_answers(verifier, real_dir, args.mv_sample > 0)
        else:
            print(f"no real answers at {real_dir}: skipped")
        if args.data.exists():
            accuracy(args.data, verifier, args.mv_sample > 0)
        else:
            print(f"no dev data at {args.data}: accuracy skipped")
        throughput(mix(args.pairs), verifier, args.mv_sample)
        gsm8k_rate(verifier)


if __name__ == "__main__":
    main()
