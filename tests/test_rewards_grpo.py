"""GRPO/RLOO adapter: TRL's signature, conversations, columns, pickling, threads, and real trainer steps."""

from __future__ import annotations

import math
import multiprocessing
import pickle
from concurrent.futures import ThreadPoolExecutor

import pytest
from reward_plugins import ParityVerifier, parity_score
from tiny_models import build_char_tokenizer, build_tiny_causal_lm

from rewards.grpo import ComponentReward, get_reward_funcs
from rewards.shaping import format_reward
from rewards.spec import RewardSpec

GOOD = "<think>two and two</think> 4"


def make_spec(*components: dict) -> RewardSpec:
    return RewardSpec.from_dict({"components": list(components)})


EXACT_AND_FORMAT = make_spec(
    {"name": "exact", "verifier": "exact", "reference_column": "solution"},
    {"name": "format", "shaping": "format", "weight": 0.25},
)


def test_one_function_per_component_named_after_it_with_its_weight():
    funcs, weights = get_reward_funcs(EXACT_AND_FORMAT)
    assert [f.__name__ for f in funcs] == ["exact", "format"]
    assert weights == [1.0, 0.25]


def test_plain_and_conversational_completions_score_alike():
    exact, fmt = get_reward_funcs(EXACT_AND_FORMAT)[0]
    texts = [GOOD, "5"]
    plain = dict(prompts=["2+2?", "2+2?"], completions=texts, solution=[GOOD, GOOD])
    chat = dict(
        prompts=[[{"role": "user", "content": "2+2?"}]] * 2,
        completions=[[{"role": "assistant", "content": text}] for text in texts],
        solution=[GOOD, GOOD],
    )
    for kwargs in (plain, chat):
        assert exact(**kwargs) == [1.0, 0.0]
        assert fmt(**kwargs) == [1.0, 0.0]


def test_none_where_the_reference_is_missing_and_trl_extras_are_ignored():
    exact = get_reward_funcs(EXACT_AND_FORMAT)[0][0]
    rewards = exact(
        prompts=["a", "b"],
        completions=["4", "4"],
        completion_ids=[[1], [2]],
        solution=["4", None],
        trainer_state=object(),
        log_metric=print,
        log_extra=print,
    )
    assert rewards == [1.0, None]


def test_length_term_from_completion_ids():
    spec = make_spec({"name": "len", "shaping": "length", "config": {"max_tokens": 4, "buffer_tokens": 2}})
    (length,), _ = get_reward_funcs(spec)
    assert length(prompts=["p"] * 3, completions=["x"] * 3, completion_ids=[[1, 2], [1, 2, 3], [1] * 9]) == [
        0.0,
        -0.5,
        -1.0,
    ]


def test_pickles_before_and_after_use():
    funcs, _ = get_reward_funcs(EXACT_AND_FORMAT)
    kwargs = dict(prompts=["p", "p"], completions=[GOOD, "x"], solution=[GOOD, GOOD])
    expected = [f(**kwargs) for f in funcs]  # builds the verifiers in this process
    copies = pickle.loads(pickle.dumps(funcs))
    assert [c.__name__ for c in copies] == ["exact", "format"]
    assert [c(**kwargs) for c in copies] == expected
    assert set(copies[0].__getstate__()) == {"spec_data", "component"}  # no verifier travels


def _call_in_child(func: ComponentReward) -> list:
    return func(prompts=["p", "p"], completions=[GOOD, "x"], solution=[GOOD, None])


def test_runs_in_a_spawned_process():
    exact = get_reward_funcs(EXACT_AND_FORMAT)[0][0]
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.apply(_call_in_child, (exact,)) == [1.0, None]


def test_thread_safe_under_concurrent_calls(test_verifiers):
    spec = make_spec({"name": "parity", "verifier": "parity"}, {"name": "fmt", "shaping": "format", "gate": "parity"})
    funcs, _ = get_reward_funcs(spec)
    batches = [[f"{'x' * (i + j)}" for j in range(5)] for i in range(16)]

    def score(texts: list[str]) -> list[list]:
        return [f(prompts=["p"] * 5, completions=texts, answer=[1] * 5) for f in funcs]

    expected = [
        [[parity_score(t, 1) for t in texts], [None if len(t) % 2 else 0.0 for t in texts]] for texts in batches
    ]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(score, batches)) == expected


# --- real TRL trainers -------------------------------------------------------------------------

TRAINER_SPEC = [
    {"name": "parity", "verifier": "parity", "weight": 1.0},
    {"name": "format", "shaping": "format", "weight": 0.5},
    {"name": "gated", "shaping": "repetition", "weight": 0.25, "config": {"n": 1}, "gate": "parity"},
    {"name": "length", "shaping": "length", "weight": 0.1, "config": {"max_tokens": 8, "buffer_tokens": 4}},
]


def expected_means(spec: RewardSpec) -> tuple[dict[str, float], float]:
    """Per-component means (NaN where nothing applies) and the mean total, from what parity saw."""
    from rewards.shaping import RepetitionConfig, ngram_repetition_penalty

    ((completions, references),) = ParityVerifier.batches
    rows = []
    for text, reference in zip(completions, references, strict=True):
        parity = parity_score(text, reference)
        gated = ngram_repetition_penalty(text, RepetitionConfig(n=1)) if parity == 1.0 else None
        rows.append({"parity": parity, "format": format_reward(text), "gated": gated, "length": None})
    means = {}
    for name in ("parity", "format", "gated"):
        values = [row[name] for row in rows if row[name] is not None]
        means[name] = sum(values) / len(values) if values else math.nan
    weights = dict(zip(spec.names, spec.weights, strict=True))
    totals = [sum(weights[k] * v for k, v in row.items() if v is not None) for row in rows]
    return means, totals


def check_logged(record: dict, spec: RewardSpec) -> None:
    means, totals_without_length = expected_means(spec)
    for name, mean in means.items():
        logged = record[f"rewards/{name}/mean"]
        assert (math.isnan(logged) and math.isnan(mean)) or logged == pytest.approx(mean), name
    length_mean = record["rewards/length/mean"]
    assert -1.0 <= length_mean <= 0.0
    expected_reward = sum(totals_without_length) / len(totals_without_length) + 0.1 * length_mean
    assert record["reward"] == pytest.approx(expected_reward, abs=1e-5)


def run_trainer(kind: str, tmp_path, conversational: bool) -> tuple[dict, RewardSpec]:
    from datasets import Dataset

    spec = make_spec(*TRAINER_SPEC)
    funcs, weights = get_reward_funcs(spec)
    # Row 0 has a reference and row 1 has none: one step sees both (no shuffling, 2 prompts x 4).
    prompts = [f"{a}+{a}=" for a in range(4)]
    if conversational:
        prompts = [[{"role": "user", "content": p}] for p in prompts]
    data = Dataset.from_dict({"prompt": prompts, "answer": ["0", None, "4", None]})
    tokenizer = build_char_tokenizer()
    common = dict(
        output_dir=str(tmp_path), per_device_train_batch_size=8, num_generations=4, max_completion_length=8,
        max_steps=1, logging_steps=1, report_to="none", reward_weights=weights, bf16=False, use_cpu=True,
        save_strategy="no", shuffle_dataset=False, temperature=1.0,
    )  # fmt: skip
    if kind == "grpo":
        from trl import GRPOConfig as Config
        from trl import GRPOTrainer as Trainer
    else:
        from trl import RLOOConfig as Config
        from trl import RLOOTrainer as Trainer

        common["beta"] = 0.0  # no reference model (it would be reloaded from a hub id)
    trainer = Trainer(
        model=build_tiny_causal_lm(tokenizer), reward_funcs=funcs, args=Config(**common),
        train_dataset=data, processing_class=tokenizer,
    )  # fmt: skip
    trainer.train()
    (record,) = [r for r in trainer.state.log_history if "rewards/parity/mean" in r]
    return record, spec


@pytest.mark.parametrize("kind, conversational", [("grpo", False), ("rloo", True)])
def test_trainer_logs_each_component(kind, conversational, tmp_path, test_verifiers):
    record, spec = run_trainer(kind, tmp_path, conversational)
    ((completions, references),) = ParityVerifier.batches  # one batch call for the whole step
    assert len(completions) == 8 and references.count(None) == 4
    check_logged(record, spec)
    # verdict statuses reach TRL's log through log_metric
    assert record["verdicts/parity/ok"] == pytest.approx(1.0) and record["verdicts/parity/error"] == 0.0


@pytest.mark.parametrize("misuse", ["tuple", "setup"])
def test_passing_the_whole_result_as_reward_funcs_fails_when_the_trainer_is_built(misuse, tmp_path):
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from rewards.grpo import trl_rewards

    spec = RewardSpec.default()
    wrong = get_reward_funcs(spec) if misuse == "tuple" else trl_rewards(spec)
    tokenizer = build_char_tokenizer()
    config = GRPOConfig(output_dir=str(tmp_path), per_device_train_batch_size=4, num_generations=4, max_steps=1,
                        report_to="none", use_cpu=True, bf16=False, beta=0.0)
    with pytest.raises(TypeError, match="reward_funcs"):
        GRPOTrainer(model=build_tiny_causal_lm(tokenizer), reward_funcs=wrong, args=config,
                    train_dataset=Dataset.from_dict({"prompt": ["1+1="] * 4, "answer": ["2"] * 4}),
                    processing_class=tokenizer)
