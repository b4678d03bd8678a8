"""Augmentation kinds keep the answer or recompute it, and every variant points at its original."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugins.tasks import get_task
from rlvr.errors import SetupError
from tasks.augment import KINDS, UNDETERMINED, augment
from tasks.synth import SynthConfig, synthesize

DATA = Path(__file__).parent / "data" / "public"
GSM8K = get_task("gsm8k").load(DATA / "gsm8k_test.jsonl")
KEEP = ["typos", "spacing", "number_format", "reorder", "distractor"]


@pytest.mark.parametrize("kind", KEEP)
def test_surface_kinds_keep_the_answer(kind):
    variants, skipped = augment(GSM8K, [kind], seed=1)
    assert len(variants) + skipped[kind] == len(GSM8K) and variants
    for variant in variants:
        source = next(row for row in GSM8K if row["id"] == variant["source_id"])
        assert variant["perturbation"] == kind and variant["answer"] == source["answer"]
        assert variant["question"] != source["question"]


def test_number_formats_keep_the_value():
    from tasks.calculator import to_number

    variants, _ = augment(GSM8K, ["number_format"], seed=2)
    for variant in variants:
        source = next(row for row in GSM8K if row["id"] == variant["source_id"])
        old, new = source["question"].split(), variant["question"].split()
        changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
        assert len(changed) == 1
        before, after = changed[0]
        words = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
        value = words.index(after) if after in words else to_number(after.strip(".,?"))
        assert value == to_number(before.strip(".,?"))


@pytest.mark.parametrize("kind", ["substitute", "expand", "decimal"])
def test_recomputed_kinds_agree_with_a_second_computation(kind):
    variants, skipped = augment(GSM8K, [kind], seed=4)
    assert variants
    for variant in variants:
        assert variant["solution"] is None  # the original working no longer holds
        assert float(variant["answer"]) == pytest.approx(variant["check_answer"])


def test_critical_thinking_removes_a_needed_number():
    variants, _ = augment(GSM8K, ["critical_thinking"], seed=0)
    assert variants
    for variant in variants:
        assert variant["answer"] == UNDETERMINED
        assert variant["removed"] not in variant["question"].replace(",", "")


def test_changed_condition_is_re_solved():
    from verifiers.math.verifier import MathVerifier

    rows = synthesize(SynthConfig(n=30, seed=5, langs=("en", "zh")))
    variants, skipped = augment(rows, ["changed_condition"], seed=5)
    assert len(variants) == len(rows) and not skipped
    verifier = MathVerifier()
    for variant in variants:
        assert variant["numbers"] != next(r for r in rows if r["id"] == variant["source_id"])["numbers"]
        assert verifier.verify(variant["solution"], variant["answer"]).passed  # its worked solution is right


def test_kinds_that_do_not_apply_are_skipped_and_counted():
    variants, skipped = augment(GSM8K, ["changed_condition"], seed=0)  # GSM8K rows have no family
    assert variants == [] and skipped["changed_condition"] == len(GSM8K)


def test_unknown_kind_is_a_setup_error():
    with pytest.raises(SetupError, match="unknown augmentation kind"):
        augment(GSM8K, ["typoz"])


def test_all_kinds_are_listed():
    assert set(KEEP) | {"substitute", "expand", "decimal", "changed_condition", "critical_thinking"} == set(KINDS)


# GSM8K test row 13: every decimal change (90.5, 7.5 lemons, $2, $3.5) makes the years a repeating fraction
LEMON_TREE = {
    "question": "Carlos is planting a lemon tree. The tree will cost $90 to plant. Each year it will grow 7 lemons, "
    "which he can sell for $1.5 each. It costs $3 a year to water and feed the tree. How many years will it take "
    "before he starts earning money on the lemon tree?",
    "answer": "He makes $10.5 selling lemons each year because 7 x 1.5 = <<7*1.5=10.5>>10.5\nHe earns $7.5 each year "
    "from the lemon tree because 10.5 - 3 = <<10.5-3=7.5>>7.5\nIt will take 12 years to earn enough to pay off the "
    "tree because 90 / 7.5 = <<90/7.5=12>>12\nHe will make money in year 13 because 12 + 1 = <<12+1=13>>13\n#### 13",
}


def test_a_decimal_variant_has_an_answer_a_person_can_write():
    row = get_task("gsm8k").to_row(LEMON_TREE, 0)
    variants, skipped = augment([row], ["decimal"], seed=0)
    assert variants == [] and skipped["decimal"] == 1  # not 101/11 years
    variants, _ = augment(GSM8K, ["decimal"], seed=0)
    assert variants and all("/" not in variant["answer"] for variant in variants)
