"""SymPy generation: seeded, distinct, split by structure, the same problem in English and Chinese."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from plugins.tasks import get_task
from tasks import check_references
from tasks.synth import ALL_FAMILIES, SynthConfig, split_of, synthesize


def test_seeded_and_reproducible():
    config = SynthConfig(n=200, seed=7)
    assert synthesize(config) == synthesize(config)
    assert synthesize(config) != synthesize(SynthConfig(n=200, seed=8))


def test_distinct_problems_and_split_by_structure():
    rows = synthesize(SynthConfig(n=3000, seed=1, langs=("en", "zh"), heldout=0.2))
    assert len({(row["question"], row["lang"]) for row in rows}) == len(rows)
    by_structure: dict[str, set[str]] = {}
    for row in rows:
        by_structure.setdefault(row["structure"], set()).add(row["split"])
    assert all(len(splits) == 1 for splits in by_structure.values())  # en and zh never straddle the split
    heldout = sum(row["split"] == "heldout" for row in rows) / len(rows)
    assert 0.15 < heldout < 0.25


def test_languages_share_numbers_and_answer():
    en, zh = synthesize(SynthConfig(n=1, seed=2, langs=("en", "zh"), families=("packs",)))
    assert (en["answer"], en["structure"], en["split"]) == (zh["answer"], zh["structure"], zh["split"])
    assert en["question"].isascii() and not zh["question"].isascii()


@pytest.mark.parametrize("family", sorted(ALL_FAMILIES))  # the math and the physics families
def test_every_family_solution_passes_the_math_verifier(family):
    task = get_task("synthetic")
    rows = synthesize(SynthConfig(n=15, seed=3, families=(family,), langs=("en", "zh")))
    report = check_references(task, rows)
    assert report.failures == []


def test_split_is_a_fixed_function_of_the_structure():
    assert split_of("linear:3,4,5", 0.5) == split_of("linear:3,4,5", 0.5)
    assert split_of("linear:3,4,5", 0.0) == "train" and split_of("linear:3,4,5", 1.0) == "heldout"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"families": ("cubic",)}, "unknown families"),
        ({"langs": ("fr",)}, "langs"),
        ({"n": 0}, "greater than or equal to 1"),
        ({"sizes": 3}, "Extra inputs are not permitted"),  # a typo in a key is an error
    ],
)
def test_bad_config_names_the_key(options, message):
    with pytest.raises(ValidationError, match=message):
        SynthConfig(**options)


def test_synthetic_task_splits():
    task = get_task("synthetic")
    heldout = task.load(split="heldout")
    assert heldout and all(row["split"] == "heldout" for row in heldout)


@pytest.mark.parametrize(
    ("family", "numbers"),
    [
        ("linear", (0, 88, 43)),  # 0x + 43 = 43: every x, the answer would be nan
        ("change", (-1, 15, 88)),  # buys -1 tickets
        ("triangle_area", (-1, 15)),  # a base of -1 cm
        ("rectangle", (79, 38, -2)),  # neither area nor perimeter
        ("fraction_sum", (5, 9, -1, 4, 1)),
    ],
)
def test_numbers_outside_a_familys_fixed_bounds_make_no_problem(family, numbers):
    """What a changed condition (one number moved by up to 3) can produce; the family refuses it, so the
    augmentation tries another change instead of writing a wrong or meaningless reference."""
    assert ALL_FAMILIES[family].build(numbers, 0) is None


def test_changed_conditions_of_math_rows_keep_finite_answers():
    from tasks.augment import augment

    task = get_task("synthetic")
    rows = [task.to_row(row, i) for i, row in enumerate(synthesize(SynthConfig(n=1500, seed=5)))]
    variants, _ = augment(rows, ["changed_condition"], seed=1)
    assert len(variants) > 1400
    assert not [v for v in variants if any(word in v["answer"] for word in ("nan", "zoo", "oo"))]
    for variant in variants:
        assert ALL_FAMILIES[variant["kind"]].build(tuple(variant["numbers"]), variant["story"]) is not None
