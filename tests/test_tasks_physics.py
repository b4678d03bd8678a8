"""Generated physics-style problems: exact answers, the structure split, augmentation, and a domain in `rlvr eval`."""

from __future__ import annotations

import json

import pytest
import sympy

from plugins.tasks import get_task
from rlvr.cli import main
from tasks.augment import augment
from tasks.families import FAMILIES
from tasks.physics_families import PHYSICS_FAMILIES
from tasks.synth import SynthConfig, synthesize


@pytest.mark.parametrize(
    ("family", "numbers", "answer"),
    [
        ("speed_units", (3, 0), 15),  # 54 km/h = 15 m/s
        ("speed_units", (3, 1), 54),  # 15 m/s = 54 km/h
        ("time_units", (1, 2, 3), 3723),
        ("uniform_motion", (60, 90, 0), 90),  # 60 km/h for 90 min = 90 km
        ("uniform_motion", (40, 30, 1), 30),  # 20 km at 40 km/h takes 30 min
        ("acceleration", (2, 3, 4, 0), 14),  # final speed
        ("acceleration", (1, 9, 1, 1), "11/2"),  # distance
        ("free_fall", (3, 0), 45),
        ("free_fall", (3, 1), 3),  # dropped from 45 m: 3 s
        ("braking", (20, 4), 50),
        ("average_speed", (60, 1, 30, 2), 40),  # 120 km in 3 h
    ],
)
def test_each_family_solves_its_problem(family, numbers, answer):
    built = PHYSICS_FAMILIES[family].build(numbers, 0)
    assert str(built.answer) == str(answer)
    assert built.question["en"].isascii() and not built.question["zh"].isascii()


@pytest.mark.parametrize(
    ("family", "numbers"),
    [
        ("free_fall", (0, 0)),  # no time, no fall: out of the physical range
        ("braking", (20, -1)),  # a negative deceleration never stops the car
        ("time_units", (1, 75, 0)),  # 75 minutes past the hour
        ("acceleration", (2, 3, 4, 2)),  # no third kind of question
        ("uniform_motion", (45, 10, 1)),  # 7.5 km is not a whole distance to state
        ("average_speed", (60, 1, 60, 2)),  # one speed throughout
        ("average_speed", (60, 1, 31, 2)),  # 122 km in 3 h: not a whole km/h
    ],
)
def test_unfair_numbers_make_no_problem(family, numbers):
    assert PHYSICS_FAMILIES[family].build(numbers, 0) is None


def test_packaged_task_has_both_groups_and_a_heldout_split():
    task = get_task("physics")
    rows = task.load()
    assert len(rows) == 500 and len({row["id"] for row in rows}) == 500
    assert {row["group"] for row in rows} == {"units", "kinematics"}
    assert {row["kind"] for row in rows} == set(PHYSICS_FAMILIES)
    heldout = task.load(split="heldout")
    assert heldout and all(row["split"] == "heldout" for row in heldout)


def test_math_synth_default_is_unchanged_and_physics_is_asked_for_by_name():
    assert set(SynthConfig().families) == set(FAMILIES)
    rows = synthesize(SynthConfig(n=5, seed=1, families=("braking", "free_fall")))
    assert {row["kind"] for row in rows} <= {"braking", "free_fall"}


def test_changed_condition_recomputes_a_physics_answer():
    row = get_task("physics").to_row(synthesize(SynthConfig(n=1, seed=4, families=("braking",)))[0], 0)
    [variant], _ = augment([row], ["changed_condition"], seed=0)
    speed, deceleration = variant["numbers"]
    assert variant["question"] != row["question"]
    assert variant["answer"] == str(sympy.Rational(speed * speed, 2 * deceleration))


def test_eval_reports_physics_domains(tmp_path, capsys):
    rows = get_task("physics").load(split="heldout")[:4]
    completions = [f"\\boxed{{{rows[0]['answer']}\\,\\mathrm{{m}}}}", f"The answer is {rows[1]['answer']}.",
                   "\\boxed{-1}", "I do not know."]
    predictions = tmp_path / "p.jsonl"
    predictions.write_text("".join(json.dumps({"id": row["id"], "completion": text}) + "\n"
                                   for row, text in zip(rows, completions, strict=True)))
    assert main(["eval", "--predictions", str(predictions), "--task", "physics", "-o", str(tmp_path / "run")]) == 0
    report = json.loads((tmp_path / "run" / "eval.json").read_text())
    assert report["tasks"]["physics"]["pass@1"] == 0.5
    assert set(report["domains"]) == {f"physics/{row['kind']}" for row in rows}
    capsys.readouterr()


def test_changed_conditions_stay_physical_and_are_solved_again():
    task = get_task("physics")
    made = synthesize(SynthConfig(n=300, seed=9, families=tuple(PHYSICS_FAMILIES)))
    rows = [task.to_row(row, i) for i, row in enumerate(made)]
    variants, _ = augment(rows, ["changed_condition"], seed=3)
    assert len(variants) > 250
    for variant in variants:
        family = PHYSICS_FAMILIES[variant["kind"]]
        built = family.build(tuple(variant["numbers"]), variant["story"])
        assert built is not None and str(built.answer) == variant["answer"]  # in range, and its own answer

