"""`rlvr eval` benchmark: the trainers' CPU default model before and after RL on its 200 held-out problems
(wall time, accuracy, robustness on five perturbation kinds, --compare), lm-eval parity with the task pack,
and SmolLM2-135M-Instruct on GSM8K test problems.

    python benchmarks/bench_eval.py --before WARM_START_DIR --after RL_OUTPUT_DIR [--smollm 100] [--out DIR]
    python benchmarks/bench_eval.py --before WARM_START_DIR --after RL_OUTPUT_DIR --domains 100 [--out DIR]
    python benchmarks/bench_eval.py --smollm 100 [--smollm-perturb substitute,distractor,typos,number_format]

``--before`` is the cached SFT warm start of the CPU default (``$RLVR_CACHE/warm-start/tiny-sft-*``),
``--after`` the output_dir of ``python -m trainers.grpo`` with no --model. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PUBLIC = ROOT.parent / "shared" / "data" / "public"
KINDS = "typos,spacing,number_format,reorder,distractor"


def heldout_file(folder: Path, seed: int) -> Path:
    """The trainers' CPU-default held-out problems (two_step, 200, --seed) as a synthetic task file."""
    from trainers.cli import CPU_DEFAULT_TASK
    from trainers.data import load_task

    task = load_task("synthetic", n_heldout=200, seed=seed, **CPU_DEFAULT_TASK)
    path = folder / "heldout.jsonl"
    path.write_text("".join(json.dumps({"id": f"h{i}", **row}) + "\n" for i, row in enumerate(task.heldout)))
    return path


def rlvr_eval(args: list[str]) -> str:
    """Run ``rlvr eval`` as a user would (a fresh process); its wall time and CPU time (the machine is shared)."""
    command = [sys.executable, "-m", "rlvr.cli", "eval", *args]
    print("$ rlvr eval " + " ".join(args), flush=True)
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime - cpu.ru_utime + after.ru_stime - cpu.ru_stime
    return f"{wall:.1f} s wall, {used:.1f} s CPU, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def summary(folder: Path, task: str) -> str:
    report = json.loads((folder / "eval.json").read_text())
    acc, eff = report["tasks"][task], report["efficiency"]
    line = f"pass@1 {100 * acc['pass@1']:.1f}% [{100 * acc['interval']['low']:.1f}, " \
           f"{100 * acc['interval']['high']:.1f}] on {acc['problems']}; "
    if "problems_per_second" in eff:  # generated here, not read from a predictions file
        line += f"{eff['problems_per_second']:.1f} problems/s (generation, originals+variants), " \
                f"{eff['tokens_per_answer']:.1f} tokens/answer, "
    line += f"{eff['steps_per_answer']:.2f} steps/answer, verifier {eff['verifier_ms_per_sample']:.1f} ms/sample"
    for kind, row in report["robustness"].get(task, {}).items():
        boot = row["bootstrap_change"]
        line += (f"\n  {kind}: {100 * row['original']['accuracy']:.1f}% -> {100 * row['variant']['accuracy']:.1f}% "
                 f"(n={row['pairs']}, change 95% CI [{100 * boot['low']:.1f}, {100 * boot['high']:.1f}], "
                 f"McNemar p={row['mcnemar']['p_value']:.3g})")
    return line


def cpu_default(before: str, after: str, out: Path, seed: int) -> None:
    data = heldout_file(out, seed)
    plain = out / "plain"
    seconds = rlvr_eval([after, "--task", f"synthetic={data}", "--prompt", "bare", "--max-new-tokens", "48",
                         "--batch-size", "200", "-o", str(plain)])
    print(f"after, 200 problems only: {seconds}\n  {summary(plain, 'synthetic')}")
    runs = {}
    for name, model in (("before", before), ("after", after)):
        runs[name] = out / name
        seconds = rlvr_eval([model, "--task", f"synthetic={data}", "--prompt", "bare", "--max-new-tokens", "48",
                             "--batch-size", "200", "--perturb", KINDS, "-o", str(runs[name])])
        print(f"{name}: {seconds} (200 problems + their variants)\n  {summary(runs[name], 'synthetic')}")
    subprocess.run([sys.executable, "-m", "rlvr.cli", "eval", "--compare", str(runs["before"]), str(runs["after"]),
                    "-o", str(out / "compare")], check=True, cwd=ROOT)
    lm_eval_parity(after, data, out)


def domains(before: str, after: str, out: Path, seed: int, limit: int) -> None:
    """The generalization matrix: both models on their own held-out problems and five other domains."""
    data = heldout_file(out, seed)
    tasks = ",".join([f"synthetic={data}", "physics", f"gsm8k={PUBLIC / 'gsm8k' / 'test.jsonl'}",
                      f"math={PUBLIC / 'math500' / 'test.jsonl'}",
                      f"commonsenseqa={PUBLIC / 'commonsenseqa' / 'dev_rand_split.jsonl'}",
                      f"mbpp={PUBLIC / 'mbpp' / 'mbpp.jsonl'}"])
    runs = {}
    for name, model in (("before", before), ("after", after)):
        runs[name] = out / f"domains-{name}"
        seconds = rlvr_eval([model, "--task", tasks, "--limit", str(limit), "--prompt", "bare", "--max-new-tokens",
                             "48", "--batch-size", "100", "-o", str(runs[name])])
        print(f"{name}, {limit} problems per task: {seconds}")
    subprocess.run([sys.executable, "-m", "rlvr.cli", "eval", "--compare", str(runs["before"]), str(runs["after"]),
                    "-o", str(out / "domains-compare")], check=True, cwd=ROOT)


def lm_eval_parity(model: str, data: Path, out: Path) -> None:
    """lm-eval with the task pack on the same problems, and the same samples rescored by rlvr eval."""
    import importlib.util

    if importlib.util.find_spec("lm_eval") is None:
        print("lm-eval is not installed: parity skipped")
        return
    rlvr_eval([model, "--task", f"synthetic={data}", "--max-new-tokens", "48", "--batch-size", "200",
               "-o", str(out / "task-prompt")])
    command = [sys.executable, "-m", "lm_eval", "--model", "hf", "--model_args", f"pretrained={model},dtype=float32",
               "--device", "cpu", "--tasks", "rlvr_synthetic",
               "--include_path", str(ROOT / "evaluation" / "lm_eval_tasks"),
               "--metadata", json.dumps({"data": str(data)}), "--gen_kwargs", "max_gen_toks=48", "--batch_size", "64",
               "--log_samples", "--output_path", str(out / "lm-eval")]
    print("$ " + " ".join(command[2:]), flush=True)
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    results = json.loads(next((out / "lm-eval").rglob("results_*.json")).read_text())
    samples = next((out / "lm-eval").rglob("samples_rlvr_synthetic_*.jsonl"))
    rlvr_eval(["--predictions", str(samples), "--task", "synthetic", "-o", str(out / "rescored")])
    print(f"lm-eval rlvr_synthetic acc {100 * results['results']['rlvr_synthetic']['acc,none']:.1f}% ({seconds:.1f} s)"
          f"\n  rlvr eval, own generations: {summary(out / 'task-prompt', 'synthetic')}"
          f"\n  rlvr eval --predictions lm-eval samples: {summary(out / 'rescored', 'synthetic')}")


def smollm(limit: int, kinds: str, max_new_tokens: int, out: Path) -> None:
    data = PUBLIC / "gsm8k" / "test.jsonl"
    folder = out / "smollm2"
    seconds = rlvr_eval(["smollm2-135m-instruct", "--task", f"gsm8k={data}", "--limit", str(limit),
                         "--max-new-tokens", str(max_new_tokens), "--batch-size", "50", "--perturb", kinds,
                         "-o", str(folder)])
    print(f"smollm2-135m-instruct, GSM8K test first {limit}: {seconds}\n  {summary(folder, 'gsm8k')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="the CPU default's warm start (model folder)")
    parser.add_argument("--after", help="the CPU default after GRPO (output_dir)")
    parser.add_argument("--seed", type=int, default=42, help="the trainer run's --seed (its held-out problems)")
    parser.add_argument("--domains", type=int, default=0, help="problems per task for the generalization matrix")
    parser.add_argument("--smollm", type=int, default=0, help="GSM8K test problems for SmolLM2 (0: skip)")
    parser.add_argument("--smollm-perturb", default="substitute,distractor,typos,number_format",
                        help="kinds for the SmolLM2 run")
    parser.add_argument("--smollm-tokens", type=int, default=192, help="--max-new-tokens of the SmolLM2 run")
    parser.add_argument("--out", default="bench-eval-out")
    args = parser.parse_args()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    if args.before and args.after:
        if args.domains:
            domains(args.before, args.after, out, args.seed, args.domains)
        else:
            cpu_default(args.before, args.after, out, args.seed)
    if args.smollm:
        smollm(args.smollm, args.smollm_perturb, args.smollm_tokens, out)


if __name__ == "__main__":
    main()
