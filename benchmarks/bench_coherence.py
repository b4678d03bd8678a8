"""Benchmark the coherence verifier: AUROC, gaming variants, throughput.

    python benchmarks/bench_coherence.py [DATA] [--chains 200] [--config JSON]

DATA defaults to ../shared/data/coherence_chains.dev.jsonl (relative to the repository); the real
chains are ../shared/data/real_dev/coherence_prm800k.dev.jsonl (split by problem, baselines:
adjacent-step BERTScore and chain length). ``--skip gaming,throughput`` for AUROC and speed only.
Prints AUROC (coherent vs incoherent) overall, per defect type, and on the two halves of a
split that alternates within each defect group (tuning half, held-out half); the textbook recipe (mean
BERTScore F1 of adjacent steps) is scored on the same rows as the baseline. Then, for every
coherent chain, the five gaming variants are scored against the clean chain. Throughput
uses 5-step chains in the batch form, next to the baseline recipe's throughput in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verifiers.coherence.bertscore import LibraryScorer  # noqa: E402
from verifiers.coherence.checks import extract_final_answer  # noqa: E402
from verifiers.coherence.steps import segment_steps, split_sentences  # noqa: E402
from verifiers.coherence.verifier import CoherenceVerifier  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "coherence_chains.dev.jsonl"
FILLERS = (
    "Let me think about this carefully.",
    "This is an important step in the reasoning.",
    "I am confident this is correct so far.",
    "Good, let us keep going.",
)


def auroc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """P(random positive scores above random negative), ties count half."""
    pairs = [(p > n) + 0.5 * (p == n) for p in positives for n in negatives]
    return sum(pairs) / len(pairs) if pairs else float("nan")


def adjacent_bertscore(verifier: CoherenceVerifier, rows: list[dict]) -> list[float]:
    """The textbook recipe: mean BERTScore F1 between adjacent steps."""
    chains = [segment_steps(row["chain"]).steps for row in rows]
    pairs = [(s[i + 1], s[i]) for s in chains for i in range(len(s) - 1)]
    scores = iter(verifier.similarity.score_pairs(pairs))
    return [sum(next(scores)[2] for _ in range(len(s) - 1)) / max(1, len(s) - 1) for s in chains]


def stratified_halves(rows: list[dict]) -> list[int]:
    """0 (tuning) or 1 (held out) per row: alternate within each defect group, in id order.

    Real chains (rows with a ``problem_ref``) are split by problem instead: a fixed hash puts a
    third of the problems, with all their chains, in the held-out part.
    """
    if all("problem_ref" in row for row in rows):
        return [int(hashlib.sha256(row["problem_ref"].encode()).hexdigest(), 16) % 3 == 0 for row in rows]
    halves = [0] * len(rows)
    groups: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(_defect(row), []).append(index)
    for members in groups.values():
        for rank, index in enumerate(sorted(members, key=lambda i: rows[i]["id"])):
            halves[index] = rank % 2
    return halves


def _defect(row: dict) -> str:
    return row.get("defect") or row.get("chain_kind", "none")


def report_auroc(label: str, rows: list[dict], scores: list[float], baseline: list[float]) -> None:
    def split(values: list[float], keep: Callable[[dict], bool]) -> tuple[list[float], list[float]]:
        good = [v for v, r in zip(values, rows, strict=False) if r["label"] == "coherent" and keep(r)]
        bad = [v for v, r in zip(values, rows, strict=False) if r["label"] != "coherent" and keep(r)]
        return good, bad

    groups: dict[str, Callable[[dict], bool]] = {"overall": lambda r: True}
    for defect in sorted({_defect(r) for r in rows if r["label"] != "coherent"}):
        groups[defect] = lambda r, d=defect: r["label"] == "coherent" or _defect(r) == d
    lengths = [float(len(segment_steps(r["chain"]).steps)) for r in rows]
    print(f"\n[{label}] {len(rows)} rows")
    for name, keep in groups.items():
        ours, recipe, length = auroc(*split(scores, keep)), auroc(*split(baseline, keep)), auroc(*split(lengths, keep))
        print(f"  {name:22s} AUROC {ours:.3f}   (adjacent BERTScore: {recipe:.3f}; chain length: {length:.3f})")


def variants(row: dict) -> dict[str, list[str]]:
    """The gaming variants of one coherent chain (each family may hold several texts)."""
    steps = segment_steps(row["chain"]).steps
    answer = extract_final_answer(steps)
    answer_text = re.sub(r"\.0$", "", f"{answer.value}") if answer else "0"
    return {
        "duplicated": ["\n".join(steps + steps)],
        "step_x3": ["\n".join(steps[: i + 1] + [steps[i]] * 2 + steps[i + 1 :]) for i in range(len(steps))],
        "filler": ["\n".join(f"{s}\n{filler}" for s in steps) for filler in FILLERS],
        "question_answer": ["\n".join([*split_sentences(row["question"]), f"The answer is {answer_text}."])],
        "answer_x3": ["\n".join(steps + [steps[-1]] * 2)],
    }


def report_gaming(verifier: CoherenceVerifier, rows: list[dict]) -> None:
    coherent = [r for r in rows if r["label"] == "coherent"]
    clean = [
        v.score
        for v in verifier.verify_batch([r["chain"] for r in coherent], question=[r["question"] for r in coherent])
    ]
    print(f"\n[gaming] {len(coherent)} coherent chains; a variant must never score above its clean chain")
    families: dict[str, list[float]] = {}
    for row, base in zip(coherent, clean, strict=False):
        for family, texts in variants(row).items():
            got = verifier.verify_batch(texts, question=[row["question"]] * len(texts))
            families.setdefault(family, []).extend(v.score - base for v in got)
    for family, gaps in families.items():
        wins = sum(g > 0 for g in gaps)
        print(f"  {family:16s} variants {len(gaps):3d}  above clean: {wins}  max(variant - clean) {max(gaps):+.3f}")


def _shift_numbers(text: str, offset: int) -> str:
    return re.sub(r"\d+", lambda m: str(int(m.group(0)) + offset), text)


def five_step_chains(rows: list[dict], count: int) -> tuple[list[str], list[str]]:
    """``count`` distinct 5-step chains with their questions: dev chains with shifted numbers."""
    source = [r for r in rows if len(segment_steps(r["chain"]).steps) >= 4]
    chains, questions = [], []
    for k in range(count):
        row = source[k % len(source)]
        steps = segment_steps(row["chain"]).steps[:4] + ["So the result is confirmed."]
        offset = k // len(source)
        chains.append(_shift_numbers("\n".join(steps), offset))
        questions.append(_shift_numbers(row["question"], offset))
    return chains, questions


def report_throughput(verifier: CoherenceVerifier, rows: list[dict], count: int, rounds: int = 3) -> None:
    """Alternate our batch form and the recipe ``rounds`` times; the machine is shared, so report the best."""
    chains, questions = five_step_chains(rows, count)
    fake_rows = [{"chain": c, "question": q} for c, q in zip(chains, questions, strict=True)]
    verifier.verify_batch(chains[:8], question=questions[:8])  # warm-up: model load
    ours, recipe = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        verifier.verify_batch(chains, question=questions)
        ours.append(count / (time.perf_counter() - start))
        start = time.perf_counter()
        adjacent_bertscore(verifier, fake_rows)
        recipe.append(count / (time.perf_counter() - start))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n[throughput] {count} distinct five-step chains, batch form, {rounds} rounds (load average {load})")
    print(f"  coherence: best {max(ours):.1f} chains/s; rounds " + ", ".join(f"{x:.1f}" for x in ours))
    recipe_rounds = ", ".join(f"{x:.1f}" for x in recipe)
    print(f"  adjacent-BERTScore recipe: best {max(recipe):.1f} chains/s; rounds {recipe_rounds}")
    print(f"  ratio of bests: {max(ours) / max(recipe):.2f}")


def report_old_path(verifier: CoherenceVerifier, rows: list[dict], count: int, rounds: int = 3) -> None:
    """The first ``count`` chains through the batched encoder (cold cache) and bert-score's ``BERTScorer``.

    The two paths alternate ``rounds`` times on the shared machine; the best round of each is compared.
    """
    chains, questions = [r["chain"] for r in rows[:count]], [r["question"] for r in rows[:count]]
    new_path, cfg = verifier.similarity, verifier.config
    old_path = LibraryScorer(cfg.bertscore_layer, cfg.rescale_with_baseline, cfg.batch_size, cfg.device)
    old_path.score_pairs([("Load the model.", "Once.")])
    timings: dict[str, list[float]] = {"batched encoder": [], "bert-score BERTScorer": []}
    for _ in range(rounds):
        for name, similarity in (("batched encoder", new_path), ("bert-score BERTScorer", old_path)):
            new_path.encoder.clear()
            verifier.similarity = similarity
            start = time.perf_counter()
            verifier.verify_batch(chains, question=questions)
            timings[name].append(len(chains) / (time.perf_counter() - start))
    verifier.similarity = new_path
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    rates = "; ".join(f"{name} {', '.join(f'{r:.1f}' for r in got)}" for name, got in timings.items())
    ratio = max(timings["batched encoder"]) / max(timings["bert-score BERTScorer"])
    print(f"[old path] first {len(chains)} chains, chains/s per round (load average {load}): {rates}")
    print(f"  ratio of bests (batched / bert-score): {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--chains", type=int, default=200, help="5-step chains for the throughput run")
    parser.add_argument("--compare-old", type=int, default=40, help="chains timed on the old bert-score path too")
    parser.add_argument("--config", default="{}", help="CoherenceVerifier config as JSON")
    parser.add_argument("--skip", default="", help="comma list of sections to skip: auroc,gaming,throughput")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    rows = [json.loads(line) for line in args.data.read_text().splitlines() if line.strip()]
    verifier = CoherenceVerifier(json.loads(args.config))
    print("command: python benchmarks/bench_coherence.py " + " ".join(sys.argv[1:]))
    if "auroc" not in skip:
        verifier.verify_batch([r["chain"] for r in rows[:4]], question=[r["question"] for r in rows[:4]])  # load
        start = time.perf_counter()
        verdicts = verifier.verify_batch([r["chain"] for r in rows], question=[r["question"] for r in rows])
        seconds = time.perf_counter() - start
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"[speed] {len(rows)} chains in one batch: {len(rows) / seconds:.1f} chains/s (load average {load})")
        if args.compare_old:
            report_old_path(verifier, rows, args.compare_old)
        statuses = {s: sum(v.status == s for v in verdicts) for s in ("ok", "unparseable", "timeout", "error")}
        print(f"[status] {statuses}")
        scores = [v.score for v in verdicts]
        baseline = adjacent_bertscore(verifier, rows)
        report_auroc("all", rows, scores, baseline)
        halves = stratified_halves(rows)
        for half, name in ((0, "tuning half"), (1, "held-out half")):
            keep = [i for i in range(len(rows)) if halves[i] == half]
            report_auroc(name, [rows[i] for i in keep], [scores[i] for i in keep], [baseline[i] for i in keep])
    if "gaming" not in skip:
        report_gaming(verifier, rows)
    if "throughput" not in skip:
        report_throughput(verifier, rows, args.chains)


if __name__ == "__main__":
    main()
