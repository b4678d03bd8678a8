"""`rlvr score` benchmark: the same rows from CSV and from JSONL score the same, and how fast lines are read.

    python benchmarks/bench_score.py [--data ../shared/data/public] [--csqa 300] [--mbpp 60] [--lines 50000]

Writes CommonsenseQA and MBPP rows (reference solutions as completions, a wrong option for every
fourth CommonsenseQA row) to JSONL and to CSV (lists and objects as JSON cells), runs the
`rlvr score` command on each, and prints the mean rewards; then times reading JSONL and CSV lines.
Prints numbers; nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def csqa_rows(path: Path, n: int) -> list[dict]:
    rows = []
    for index, line in enumerate(path.read_text().splitlines()[:n]):
        item = json.loads(line)
        texts = dict(zip(item["choices"]["label"], item["choices"]["text"], strict=True))
        wrong = next(label for label in texts if label != item["answerKey"])
        picked = wrong if index % 4 == 0 else item["answerKey"]
        rows.append({"id": index, "completion": f"I would say {texts[picked]}.", "answer": item["answerKey"],
                     "choices": item["choices"]})
    return rows


def mbpp_rows(path: Path, n: int) -> list[dict]:
    rows = []
    for line in path.read_text().splitlines()[:n]:
        item = json.loads(line)
        rows.append({"task_id": item["task_id"], "completion": item["code"], "test_list": item["test_list"],
                     "test_setup_code": item.get("test_setup_code", "")})
    return rows


def write_both(rows: list[dict], folder: Path, name: str) -> tuple[Path, Path]:
    jsonl, table = folder / f"{name}.jsonl", folder / f"{name}.csv"
    jsonl.write_text("".join(json.dumps(row) + "\n" for row in rows))
    with table.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows({k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in row.items()}
                         for row in rows)
    return jsonl, table


def mean_reward(source: Path, verifier: str, workers: int) -> tuple[float, float]:
    out = source.with_name(source.name + ".scored.jsonl")
    command = [sys.executable, "-m", "rlvr.cli", "score", str(source), "--verifier", verifier,
               "--output", str(out), "--workers", str(workers), "--force"]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env={**os.environ, "RLVR_LOAD_PLUGINS": ""})
    rewards = [json.loads(line)["reward"] for line in out.read_text().splitlines()]
    present = [reward for reward in rewards if reward is not None]
    return sum(present) / len(rewards), time.perf_counter() - started


def read_speed(folder: Path, lines: int) -> None:
    from rewards.scoring.table_io import read_rows

    rows = [{"id": i, "completion": f"The answer is \\boxed{{{i}}}", "answer": str(i), "prompt": "What is x?"}
            for i in range(lines)]
    print("\n| format | lines | seconds | lines/s |\n|---|---|---|---|")
    for source in write_both(rows, folder, "speed"):
        started = time.perf_counter()
        count = sum(1 for item in read_rows(source) if item.row is not None)
        seconds = time.perf_counter() - started
        print(f"| {source.suffix[1:]} | {count} | {seconds:.2f} | {count / seconds:,.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "public")
    parser.add_argument("--csqa", type=int, default=300)
    parser.add_argument("--mbpp", type=int, default=60)
    parser.add_argument("--lines", type=int, default=50_000)
    args = parser.parse_args()
    print(f"$ python benchmarks/bench_score.py --csqa {args.csqa} --mbpp {args.mbpp} --lines {args.lines}")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        print("| data | rows | verifier | mean reward JSONL | mean reward CSV | seconds JSONL / CSV |")
        print("|---|---|---|---|---|---|")
        sets = [("commonsenseqa", csqa_rows(args.data / "commonsenseqa/dev_rand_split.jsonl", args.csqa), "choice", 1),
                ("mbpp", mbpp_rows(args.data / "mbpp/mbpp.jsonl", args.mbpp), "code", 2)]
        for name, rows, verifier, workers in sets:
            jsonl, table = write_both(rows, folder, name)
            (from_jsonl, t_jsonl), (from_csv, t_csv) = (mean_reward(p, verifier, workers) for p in (jsonl, table))
            print(f"| {name} | {len(rows)} | {verifier} | {from_jsonl:.4f} | {from_csv:.4f} "
                  f"| {t_jsonl:.1f} / {t_csv:.1f} |")
        read_speed(folder, args.lines)


if __name__ == "__main__":
    main()
