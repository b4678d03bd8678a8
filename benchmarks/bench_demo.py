"""The main job's ablation: held-out accuracy before -> after RL for each reward, trainer and warm-start seed.

Each run is the README's command with one change (``--reward``, ``--warm_start_seed``), in a fresh
output folder; warm starts are cached per seed in ``--cache`` and shared by the rewards and trainers,
so the comparison is between rewards from the same starting policy. Results are appended as JSON lines
to ``--results`` (a rerun skips what is already there) and summarised as a table.

    .venv/bin/python benchmarks/bench_demo.py [--trainers grpo,ppo] [--rewards default,format-only,trl-accuracy]
        [--seeds 42,1,2] [--cache runs/bench-demo/cache] [--results runs/bench-demo/results.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINE = re.compile(r"held-out accuracy: before (\d+\.\d)% -> after (\d+\.\d)% \(n=(\d+)\)")


def run_once(trainer: str, reward: str, seed: int, cache: Path, out: Path) -> dict:
    command = [sys.executable, "-m", f"trainers.{trainer}", "--reward", reward, "--warm_start_seed", str(seed),
               "--output_dir", str(out / f"{trainer}-{reward}-{seed}")]
    started = time.perf_counter()
    env = {**os.environ, "RLVR_CACHE": str(cache)}
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env)
    match = LINE.search(result.stdout)
    if result.returncode != 0 or match is None:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    before, after, n = float(match[1]), float(match[2]), int(match[3])
    return {"trainer": trainer, "reward": reward, "seed": seed, "before": before, "after": after, "n": n,
            "gain": round(after - before, 1), "seconds": round(time.perf_counter() - started, 1)}


def summarise(rows: list[dict]) -> None:
    print(f"{'trainer':8} {'reward':13} {'seed':>4} {'before':>7} {'after':>7} {'gain':>6} {'s':>6}")
    for row in rows:
        print(f"{row['trainer']:8} {row['reward']:13} {row['seed']:>4} {row['before']:>6.1f}% {row['after']:>6.1f}% "
              f"{row['gain']:>+6.1f} {row['seconds']:>6.0f}")
    by = {(r["trainer"], r["reward"], r["seed"]): r["gain"] for r in rows}
    for trainer in sorted({r["trainer"] for r in rows}):
        for reward in sorted({r["reward"] for r in rows if r["trainer"] == trainer}):
            gains = [g for (t, w, _), g in by.items() if (t, w) == (trainer, reward)]
            mean, low = statistics.mean(gains), min(gains)
            print(f"{trainer} {reward}: mean gain {mean:+.1f}, min {low:+.1f} (seeds: {len(gains)})")
        margins = [by[(trainer, "default", s)] - by[(trainer, "format-only", s)]
                   for (t, w, s) in by if t == trainer and w == "default" and (trainer, "format-only", s) in by]
        if margins:
            print(f"{trainer} default - format-only: mean {statistics.mean(margins):+.1f}, min {min(margins):+.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainers", default="grpo,ppo")
    parser.add_argument("--rewards", default="default,format-only,trl-accuracy")
    parser.add_argument("--seeds", default="42,1,2")
    parser.add_argument("--cache", type=Path, default=REPO / "runs" / "bench-demo" / "cache")
    parser.add_argument("--results", type=Path, default=REPO / "runs" / "bench-demo" / "results.jsonl")
    args = parser.parse_args()
    args.results.parent.mkdir(parents=True, exist_ok=True)
    done = [json.loads(line) for line in args.results.read_text().splitlines()] if args.results.exists() else []
    have = {(r["trainer"], r["reward"], r["seed"]) for r in done}
    for seed in (int(s) for s in args.seeds.split(",")):
        for trainer in args.trainers.split(","):
            for reward in args.rewards.split(","):
                if (trainer, reward, seed) in have:
                    continue
                row = run_once(trainer, reward, seed, args.cache, args.results.parent)
                print(json.dumps(row), flush=True)
                with args.results.open("a") as handle:
                    handle.write(json.dumps(row) + "\n")
                done.append(row)
    print(f"$ {' '.join(sys.argv)}")
    summarise(done)


if __name__ == "__main__":
    main()
