"""Regenerate the BERTScore rescaling baseline for the coherence verifier, offline.

bert-score rescales a score s to (s - b) / (1 - b), where b is the mean score of *unrelated*
sentence pairs. Its shipped baselines come from random Common Crawl pairs and cover no
all-MiniLM-L6-v2, so this script builds its own: a seeded generator writes sentences on
unrelated topics (word-problem statements, reasoning steps, everyday facts), random pairs of
sentences from different topics are scored at every layer, and the means are written in
bert-score's baseline format (CSV with columns LAYER,P,R,F; row k is layer k).

    python benchmarks/make_coherence_baseline.py [--pairs 3000] [--seed 0] [--out PATH]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verifiers.coherence.bertscore import BASELINE_PATH, MODEL_LAYERS, StepSimilarity  # noqa: E402

NAMES = ["Maya", "Tom", "Ana", "Leo", "Priya", "Omar", "Grace", "Ivan", "Lena", "Sam", "the farmer", "a baker"]
THINGS = ["apples", "marbles", "books", "tickets", "liters of water", "pencils", "cookies", "stamps", "miles", "coins"]
VERBS = ["buys", "sells", "gives away", "collects", "loses", "finds", "packs", "shares", "orders", "bakes"]
TOPICS = {
    "problem": [
        "{name} {verb} {n} {thing} every {period}.",
        "There are {n} {thing} in each box and {m} boxes on the shelf.",
        "How many {thing} does {name} have after {m} {period}s?",
        "A store charges ${n} for every {m} {thing}.",
    ],
    "step": [
        "So {name} has {n} + {m} = {s} {thing} in total.",
        "Multiplying gives {n} x {m} = {p} {thing}.",
        "The difference is {p} - {n}, which leaves {r} {thing}.",
        "Each group gets {p} / {m} = {n} {thing}.",
    ],
    "fact": [
        "The {adj} river flows slowly past the old {place}.",
        "Many people enjoy walking in the {place} on {day} mornings.",
        "The museum opened a new exhibit about {adj} paintings.",
        "Scientists study how {animal}s survive in {adj} climates.",
        "The {animal} slept under the {adj} tree all afternoon.",
        "Our train to the {place} was delayed by heavy rain.",
    ],
    "meta": [
        "Let me think about this carefully before I continue.",
        "This is an important detail to keep in mind.",
        "I will now check my work once more.",
        "Now we can move on to the next part of the {adj} problem.",
    ],
}
FILL = {
    "adj": ["quiet", "ancient", "bright", "cold", "famous", "narrow", "modern", "tropical"],
    "place": ["park", "harbor", "village", "library", "market", "station", "castle"],
    "day": ["Sunday", "Monday", "Friday", "winter", "summer"],
    "animal": ["fox", "whale", "sparrow", "camel", "turtle", "wolf"],
    "period": ["day", "week", "month", "hour"],
}


def make_sentence(rng: random.Random, topic: str) -> str:
    """One sentence of ``topic`` with random names, things and numbers."""
    n, m = rng.randint(2, 90), rng.randint(2, 12)
    values = {key: rng.choice(options) for key, options in FILL.items()}
    values.update(
        name=rng.choice(NAMES),
        thing=rng.choice(THINGS),
        verb=rng.choice(VERBS),
        n=n,
        m=m,
        s=n + m,
        p=n * m,
        r=n * m - n,
    )
    return rng.choice(TOPICS[topic]).format(**values)


def make_pairs(count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` pairs of sentences drawn from two different topics."""
    rng = random.Random(seed)
    topics = sorted(TOPICS)
    pairs = []
    for _ in range(count):
        first, second = rng.sample(topics, 2)
        pairs.append((make_sentence(rng, first), make_sentence(rng, second)))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=BASELINE_PATH)
    args = parser.parse_args()
    pairs = make_pairs(args.pairs, args.seed)
    rows = ["LAYER,P,R,F"]
    for layer in range(MODEL_LAYERS + 1):
        scores = StepSimilarity(num_layers=layer, rescale=False).score_pairs(pairs)
        means = [sum(s[k] for s in scores) / len(scores) for k in range(3)]
        rows.append(f"{layer}," + ",".join(f"{m:.6f}" for m in means))
        print(rows[-1], flush=True)
    args.out.write_text("\n".join(rows) + "\n")
    print(f"wrote {args.out} from {len(pairs)} pairs (seed {args.seed})")
    print("command: python benchmarks/make_coherence_baseline.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
