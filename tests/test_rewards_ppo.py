"""PPO adapter: the stand-in reward model read through TRL's own get_reward, and real PPOTrainer steps."""

from __future__ import annotations

import math

import pytest
import torch
from reward_plugins import ParityVerifier, parity_score
from tiny_models import build_char_tokenizer, build_tiny_causal_lm, build_tiny_value_model

from rewards.compose import RewardInputError
from rewards.ppo import VerifierRewardModel, add_reward_logging
from rewards.shaping import format_reward
from rewards.spec import RewardSpec


@pytest.fixture(scope="module")
def tokenizer():
    return build_char_tokenizer()


def make_spec(*components: dict) -> RewardSpec:
    return RewardSpec.from_dict({"components": list(components)})


EXACT_FORMAT = make_spec({"name": "exact", "verifier": "exact"}, {"name": "format", "shaping": "format", "weight": 0.5})


def ppo_batch(tokenizer, prompts: list[str], responses: list[str]) -> tuple[torch.Tensor, int]:
    """Left-padded queries + right-padded responses, laid out as PPOTrainer lays them out."""
    pad = tokenizer.pad_token_id
    queries = [tokenizer(p)["input_ids"] for p in prompts]
    answers = [tokenizer(r)["input_ids"] for r in responses]
    width, length = max(map(len, queries)), max(map(len, answers)) + 1
    rows = [[pad] * (width - len(q)) + q + a + [pad] * (length - len(a)) for q, a in zip(queries, answers, strict=True)]
    return torch.tensor(rows), width


def trl_scores(model, tokenizer, prompts, responses) -> list[float]:
    from trl.experimental.utils import get_reward

    query_responses, context_length = ppo_batch(tokenizer, prompts, responses)
    _, scores, _ = get_reward(model, query_responses, tokenizer.pad_token_id, context_length)
    return scores.tolist()


def rows(tokenizer, prompts: list[str], answers: list) -> list[dict]:
    return [{"input_ids": tokenizer(p)["input_ids"], "answer": a} for p, a in zip(prompts, answers, strict=True)]


def test_trl_reads_the_weighted_total(tokenizer):
    good = "<think>t</think> 4"
    model = VerifierRewardModel(EXACT_FORMAT, tokenizer, rows(tokenizer, ["2+2=", "what is 2+2?"], [good, "4"]))
    scores = trl_scores(model, tokenizer, ["2+2=", "what is 2+2?", "2+2="], [good, "4", "5"])
    assert scores == [1.5, 1.0, 0.0]


def test_a_prompt_that_prefixes_another_is_not_mistaken(tokenizer):
    # "1+1" is a prefix of "1+1=": the response "=2" to "1+1" must not be read as "2" to "1+1=".
    data = rows(tokenizer, ["1+1", "1+1="], ["=2", "2"])
    model = VerifierRewardModel(make_spec({"name": "exact", "verifier": "exact"}), tokenizer, data)
    assert trl_scores(model, tokenizer, ["1+1", "1+1="], ["=2", "2"]) == [1.0, 1.0]


def test_missing_total_uses_missing_reward_and_is_counted(tokenizer):
    spec = make_spec({"name": "exact", "verifier": "exact"})
    model = VerifierRewardModel(spec, tokenizer, rows(tokenizer, ["a?", "b?"], ["x", None]), missing_reward=-0.25)
    assert trl_scores(model, tokenizer, ["a?", "b?"], ["x", "x"]) == [1.0, -0.25]
    assert model.pop_metrics() == {
        "rewards/exact/mean": 1.0,
        "rewards/exact/std": 0.0,
        "rewards/total/mean": 1.0,
        "rewards/none_total_frac": 0.5,
    }
    assert model.pop_metrics() == {}  # popped


def test_prompt_column_and_eval_rows_reach_the_verifiers(tokenizer, test_verifiers):
    spec = make_spec({"name": "parity", "verifier": "parity", "reference_column": "ref"})
    train = [{"input_ids": tokenizer("q1")["input_ids"], "ref": 1, "prompt": [{"role": "user", "content": "Q1"}]}]
    evaluation = [{"input_ids": tokenizer("q2")["input_ids"], "ref": 2, "prompt": "Q2"}]
    model = VerifierRewardModel(spec, tokenizer, train, eval_dataset=evaluation)
    batch = model.backbone.batch(*_ids_and_mask(tokenizer, ["q1", "q2"], ["ab", "abc"]))
    assert batch.prompts == ["Q1", "Q2"] and batch.columns["ref"] == [1, 2] and batch.token_counts == [2, 3]
    assert trl_scores(model, tokenizer, ["q1", "q2"], ["ab", "abc"]) == [1.0, 0.0]


def _ids_and_mask(tokenizer, prompts, responses):
    ids, _ = ppo_batch(tokenizer, prompts, responses)
    return ids, ids != tokenizer.pad_token_id


def test_an_unknown_prompt_is_a_setup_error(tokenizer):
    model = VerifierRewardModel(EXACT_FORMAT, tokenizer, rows(tokenizer, ["2+2="], ["4"]))
    with pytest.raises(RewardInputError, match="no dataset row"):
        trl_scores(model, tokenizer, ["3+3="], ["6"])


def test_a_repeated_prompt_with_another_answer_warns_and_keeps_the_first(tokenizer):
    with pytest.warns(UserWarning, match="1 dataset rows repeat"):
        model = VerifierRewardModel(EXACT_FORMAT, tokenizer, rows(tokenizer, ["2+2=", "2+2=", "2+2="], ["4", "4", "5"]))
    assert trl_scores(model, tokenizer, ["2+2="], ["4"]) == [1.0]


def test_dataset_without_input_ids_is_a_setup_error(tokenizer):
    with pytest.raises(RewardInputError, match="input_ids"):
        VerifierRewardModel(EXACT_FORMAT, tokenizer, [{"prompt": "2+2=", "answer": "4"}])


# --- a real PPOTrainer -------------------------------------------------------------------------


class LogRecorder:
    """Stands in for a report_to integration: records what each on_log call carried."""

    def __init__(self):
        self.records: list[dict] = []

    def __getattr__(self, event):
        if not event.startswith("on_"):
            raise AttributeError(event)
        return lambda args, state, control, logs=None, **kwargs: (
            self.records.append(dict(logs)) if event == "on_log" else None
        )


def expected_record(completions: list[str], references: list) -> dict[str, float]:
    parity = [parity_score(text, ref) for text, ref in zip(completions, references, strict=True)]
    present = [p for p in parity if p is not None]
    formats = [format_reward(text) for text in completions]
    # format always applies, so no total is None: parity counts where it applies
    totals = [(p or 0.0) + 0.5 * f for p, f in zip(parity, formats, strict=True)]
    return {
        "rewards/parity/mean": sum(present) / len(present) if present else math.nan,
        "rewards/format/mean": sum(formats) / len(formats),
        "objective/scores": sum(totals) / len(totals),
    }


def test_ppo_trainer_logs_each_component(tokenizer, tmp_path, test_verifiers):
    from datasets import Dataset
    from trl.experimental.ppo import PPOConfig, PPOTrainer

    spec = make_spec({"name": "parity", "verifier": "parity"}, {"name": "format", "shaping": "format", "weight": 0.5})
    prompts = [f"{a}+{a}=" for a in range(4)]
    data = Dataset.from_dict({"prompt": prompts, "answer": ["0", None, "4", None]})
    data = data.map(lambda row: {"input_ids": tokenizer(row["prompt"])["input_ids"]})
    reward_model = VerifierRewardModel(spec, tokenizer, data)
    recorder = LogRecorder()
    config = PPOConfig(
        output_dir=str(tmp_path), per_device_train_batch_size=4, num_mini_batches=1, total_episodes=8,
        response_length=8, num_ppo_epochs=1, report_to="none", bf16=False, use_cpu=True, save_strategy="no",
        logging_steps=1, num_sample_generations=0, stop_token="eos",
    )  # fmt: skip
    trainer = PPOTrainer(
        args=config, processing_class=tokenizer, model=build_tiny_causal_lm(tokenizer), ref_model=None,
        reward_model=reward_model, value_model=build_tiny_value_model(tokenizer),
        train_dataset=data.select_columns(["input_ids"]), callbacks=[recorder],
    )  # fmt: skip
    add_reward_logging(trainer, reward_model)
    trainer.train()

    history = [record for record in trainer.state.log_history if "objective/scores" in record]
    assert len(history) == len(recorder.records) == len(ParityVerifier.batches) == 2  # 2 steps, 1 batch call each
    for record, seen, (completions, references) in zip(history, recorder.records, ParityVerifier.batches, strict=True):
        assert len(completions) == 4
        for key, value in expected_record(completions, references).items():
            for logged in (record[key], seen[key]):  # log_history, and what a reporter received
                assert (math.isnan(value) and math.isnan(logged)) or logged == pytest.approx(value), key
