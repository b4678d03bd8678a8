"""Reward specs: loading from YAML and Python, and errors that name what is wrong."""

from __future__ import annotations

import pytest

from rewards.spec import RewardSpec, RewardSpecError


def spec_of(*components: dict) -> dict:
    return {"components": list(components)}


EXACT = {"name": "exact", "verifier": "exact"}


def test_from_dict_keeps_components_weights_and_gates():
    spec = RewardSpec.from_dict(
        spec_of(
            {"name": "answer", "verifier": "choice", "weight": 2.0, "config": {"letters": "ABCD"}},
            {"name": "format", "shaping": "format", "weight": 0.2, "gate": "answer"},
            {"name": "length", "shaping": "length", "weight": 0.5, "config": {"max_tokens": 64, "buffer_tokens": 16}},
        )
    )
    assert spec.names == ["answer", "format", "length"]
    assert spec.weights == [2.0, 0.2, 0.5]
    assert spec.component("format").gate.component == "answer"
    assert spec.component("length").shaping_config().max_tokens == 64
    assert RewardSpec.from_dict(spec.to_dict()) == spec


def test_from_yaml(tmp_path):
    path = tmp_path / "reward.yaml"
    path.write_text(
        "components:\n"
        "  - {name: exact, verifier: exact, weight: 1.0, reference_column: solution}\n"
        "  - {name: rep, shaping: repetition, weight: 0.1, config: {n: 2}}\n"
    )
    spec = RewardSpec.from_yaml(path)
    assert spec.component("exact").reference_column == "solution"
    assert spec.component("rep").shaping_config().n == 2


def test_default_is_math_then_format():
    spec = RewardSpec.default()
    assert [(c.name, c.verifier or c.shaping, c.weight) for c in spec.components] == [
        ("math", "math", 1.0),
        ("format", "format", 0.2),
    ]


@pytest.mark.parametrize(
    "data, named",
    [
        (spec_of({"name": "m", "verifier": "mathh"}), "unknown verifier 'mathh'"),
        (spec_of({"name": "e", "verifier": "exact", "config": {"case_sensitiv": True}}), "case_sensitiv"),
        (spec_of({"name": "e", "verifier": "exact", "wieght": 2}), "wieght"),  # typo in a component key
        ({"components": [EXACT], "weights": [1]}, "weights"),  # typo at the top level
        (spec_of({"name": "e", "verifier": "exact", "shaping": "format"}), "exactly one of 'verifier' or 'shaping'"),
        (spec_of({"name": "e"}), "exactly one of 'verifier' or 'shaping'"),
        (spec_of({"name": "f", "shaping": "fmt"}), "unknown shaping term 'fmt'"),
        (spec_of({"name": "l", "shaping": "length", "config": {"max_token": 9}}), "max_token"),
        (spec_of({"name": "l", "shaping": "length", "config": {"max_tokens": 8, "buffer_tokens": 9}}), "buffer_tokens"),
        (spec_of(EXACT, EXACT), "'exact' is used twice"),
        (spec_of({**EXACT, "gate": "format"}, {"name": "format", "shaping": "format"}), "gated on 'format'"),  # later
        (spec_of({**EXACT, "gate": "exact"}), "gated on itself"),
        (spec_of({**EXACT, "gate": "nope"}), "gated on 'nope'"),
        # a penalty has no pass/fail: gating on it needs a threshold
        (spec_of({"name": "len", "shaping": "length"}, {**EXACT, "gate": "len"}), "give the gate a min_score"),
        (spec_of({**EXACT, "weight": float("nan")}), "finite"),
        (spec_of({**EXACT, "name": "Has Space"}), "components.0.name"),  # names become log keys
        ({"components": []}, "components"),
        ([EXACT], "a mapping"),
    ],
)
def test_bad_spec_names_the_problem(data, named):
    with pytest.raises(RewardSpecError) as error:
        RewardSpec.from_dict(data)
    assert named in str(error.value)


def test_from_yaml_error_names_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("components:\n  - {name: m, verifier: nosuch}\n")
    with pytest.raises(RewardSpecError) as error:
        RewardSpec.from_yaml(path)
    assert "bad.yaml" in str(error.value) and "nosuch" in str(error.value)


def test_unreadable_yaml_is_a_spec_error(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("components: [unclosed\n")
    with pytest.raises(RewardSpecError, match="broken.yaml"):
        RewardSpec.from_yaml(path)


def test_unknown_component_lookup_lists_the_components():
    spec = RewardSpec.from_dict(spec_of(EXACT))
    with pytest.raises(KeyError, match="exact"):
        spec.component("math")


@pytest.mark.parametrize(
    "name, components",
    [
        ("default", [("math", 1.0), ("format", 0.2)]),
        ("format-only", [("format", 1.0)]),  # the ablation that never checks the answer
        ("trl-accuracy", [("accuracy", 1.0), ("format", 0.2)]),  # TRL's accuracy_reward in place of math
    ],
)
def test_named_rewards(name, components):
    assert [(c.name, c.weight) for c in RewardSpec.load(name).components] == components


def test_unknown_named_reward_lists_the_names(tmp_path):
    with pytest.raises(RewardSpecError, match="format-only"):
        RewardSpec.preset("formatonly")


@pytest.mark.parametrize(
    "completion, reference, score",
    [
        ("<think>7 - 3 = 4. 4 + 5 = 9.</think> \\boxed{9}", "9", 1.0),
        ("<think>7 + 3 = 10. 10 + 5 = 15.</think> \\boxed{15}", "9", 0.0),
        ("\\boxed{\\frac{1}{2}}", "0.5", 1.0),
        ("no answer", None, None),  # no reference: not applicable
    ],
)
def test_trl_accuracy_baseline_is_trls_function(completion, reference, score):
    from plugins import make_verifier

    verdict = make_verifier("trl-accuracy").verify(completion, reference)
    assert (verdict.score if verdict.applicable else None) == score
