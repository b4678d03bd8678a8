"""Experiment tracking: a one-step tiny GRPO run with each --report_to writes what its tool reads back."""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from tiny_models import build_char_tokenizer, build_tiny_causal_lm

from rewards.spec import RewardSpec
from trainers.cli import RunArguments
from trainers.evaluate import EvalResult
from trainers.tracking import flat_params, log_run_result, mlflow_defaults, prepare_tracking, trackers

SPEC = RewardSpec.from_dict(
    {
        "components": [
            {"name": "exact", "verifier": "exact", "reference_column": "answer"},
            {"name": "format", "shaping": "format", "weight": 0.25},
        ]
    }
)
BEFORE, AFTER = EvalResult(accuracy=0.25, n=4), EvalResult(accuracy=0.75, n=4)


@pytest.mark.parametrize(
    ("report_to", "expected"),
    [
        ([], []),
        (["tensorboard"], ["tensorboard"]),
        (["mlflow", "tensorboard"], ["tensorboard", "mlflow"]),
        (["wandb", "mlflow"], ["mlflow"]),  # other integrations are transformers' own business
        ("mlflow", ["mlflow"]),  # a config built without TrainingArguments' normalisation
    ],
)
def test_trackers_named_in_report_to(report_to, expected):
    assert trackers(SimpleNamespace(report_to=report_to)) == expected


@pytest.mark.parametrize(
    ("report_to", "absent", "message"),
    [
        (
            ["mlflow"],
            "mlflow",
            "--report_to mlflow needs mlflow-skinny, which is not installed: pip install mlflow-skinny",
        ),
        (["tensorboard"], "tensorboard", "pip install tensorboard$"),
        (["tensorboard", "mlflow"], "mlflow", "pip install mlflow-skinny$"),
    ],
)
def test_a_missing_tracker_package_is_one_line_naming_pip(report_to, absent, message, monkeypatch, capsys):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == absent else real_find_spec(name))
    config = SimpleNamespace(report_to=report_to, run_name=None, output_dir="out")
    with pytest.raises(SystemExit) as exit_info:
        prepare_tracking(config)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert re.search(message, err.strip()), err


@pytest.fixture
def mlflow_env(monkeypatch):
    """Start without the MLflow variables; whatever prepare_tracking sets is removed after the test."""
    for key in mlflow_defaults(Path(".")):
        monkeypatch.setenv(key, "")  # records the original value, which monkeypatch restores
        monkeypatch.delenv(key)


def test_prepare_tracking_keeps_the_users_mlflow_settings(mlflow_env, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "mine")
    config = SimpleNamespace(report_to=["mlflow"], run_name=None, output_dir="runs/grpo")
    prepare_tracking(config)
    assert os.environ["MLFLOW_EXPERIMENT_NAME"] == "mine"
    assert os.environ["MLFLOW_TRACKING_URI"] == (tmp_path.resolve() / "mlruns").as_uri()
    assert os.environ["MLFLOW_DISABLE_TELEMETRY"] == "true"
    assert config.run_name == "runs/grpo"  # the MLflow run's name


def test_flat_params_name_options_and_components():
    params = flat_params(RunArguments(reward="format-only", lora=True), SPEC)
    assert params["rlvr.reward"] == "format-only" and params["rlvr.lora"] is True
    assert params["rlvr.model"] == "None"  # TensorBoard's hparams and MLflow take no None
    assert params["reward.exact.verifier"] == "exact" and params["reward.format.weight"] == 0.25


def tiny_grpo_run(tmp_path, report_to: str):
    """A one-step GRPOTrainer on the tiny model, bracketed by the two tracking calls as the trainers do."""
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from rewards.grpo import get_reward_funcs

    funcs, weights = get_reward_funcs(SPEC)
    config = GRPOConfig(
        output_dir=str(tmp_path / "grpo"), per_device_train_batch_size=4, num_generations=2, max_completion_length=8,
        max_steps=1, logging_steps=1, report_to=report_to, reward_weights=weights, bf16=False, use_cpu=True,
        save_strategy="no", beta=0.0, disable_tqdm=True,
    )  # fmt: skip
    prepare_tracking(config)
    tokenizer = build_char_tokenizer()
    data = Dataset.from_dict({"prompt": [f"{a}+{a}=" for a in range(4)], "answer": [str(2 * a) for a in range(4)]})
    trainer = GRPOTrainer(
        model=build_tiny_causal_lm(tokenizer), reward_funcs=funcs, args=config, train_dataset=data,
        processing_class=tokenizer,
    )  # fmt: skip
    trainer.train()
    log_run_result(trainer, RunArguments(reward="spec.yaml"), SPEC, BEFORE, AFTER)
    return trainer


def test_tensorboard_event_files_hold_rewards_and_heldout_accuracy(tmp_path, capsys):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    tiny_grpo_run(tmp_path, "tensorboard")
    (logging_dir,) = (tmp_path / "grpo" / "runs").iterdir()  # transformers' folder, which rlvr writes to too
    assert list(logging_dir.glob("events.out.tfevents.*"))
    events = EventAccumulator(str(logging_dir)).Reload()
    scalars = events.Tags()["scalars"]
    assert {"train/rewards/exact/mean", "train/rewards/format/mean", "train/reward"} <= set(scalars)
    assert [e.value for e in events.Scalars("heldout/accuracy_before")] == [0.25]
    assert [(e.step, e.value) for e in events.Scalars("heldout/accuracy_after")] == [(1, 0.75)]
    assert "rlvr/reward_spec/text_summary" in events.Tags()["tensors"]  # add_text's tag
    session = events.PluginTagToContent("hparams")["_hparams_/session_start_info"]
    assert b"rlvr.reward" in session and b"spec.yaml" in session  # the HParams tab's run options
    assert str(logging_dir) in capsys.readouterr().out


def test_mlflow_file_store_run_holds_config_spec_rewards_and_heldout_accuracy(mlflow_env, monkeypatch, tmp_path):
    import mlflow

    monkeypatch.chdir(tmp_path)  # the default store is ./mlruns
    trainer = tiny_grpo_run(tmp_path, "mlflow")
    client = mlflow.MlflowClient(tracking_uri=(tmp_path / "mlruns").as_uri())
    experiment = client.get_experiment_by_name("rlvr")
    (run,) = client.search_runs([experiment.experiment_id])  # one run: the callback's, carrying rlvr's results too
    assert run.info.run_name == trainer.args.output_dir and run.info.status == "FINISHED"
    params, metrics = run.data.params, run.data.metrics
    assert params["learning_rate"] == str(trainer.args.learning_rate)  # logged by transformers' callback
    assert params["rlvr.reward"] == "spec.yaml" and params["reward.format.weight"] == "0.25"
    assert {"rewards/exact/mean", "rewards/format/mean", "reward"} <= set(metrics)
    assert metrics["heldout/accuracy_before"] == 0.25 and metrics["heldout/accuracy_after"] == 0.75
    assert metrics["heldout/n"] == 4
    spec_file = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="reward_spec.json",
                                                    tracking_uri=client.tracking_uri)  # fmt: skip
    assert RewardSpec.from_dict(json.loads(Path(spec_file).read_text())) == SPEC


def test_a_run_the_callback_did_not_open_gets_a_new_mlflow_run(mlflow_env, monkeypatch, tmp_path):
    import mlflow

    from trainers.tracking import log_to_mlflow

    monkeypatch.chdir(tmp_path)
    prepare_tracking(SimpleNamespace(report_to=["mlflow"], run_name=None, output_dir="elsewhere"))
    params = flat_params(None, SPEC)
    first = log_to_mlflow("elsewhere", params, SPEC.to_dict(), {"heldout/accuracy_after": 0.5}, 3)
    # A rerun with no training step (so no callback run) must not write into the earlier run of that name.
    second = log_to_mlflow("elsewhere", params, SPEC.to_dict(), {"heldout/accuracy_after": 0.5}, 0, callback_ran=False)
    assert first != second
    run = mlflow.MlflowClient().get_run(second)
    assert run.info.run_name == "elsewhere" and run.data.metrics == {"heldout/accuracy_after": 0.5}
    assert run.data.params["reward.exact.verifier"] == "exact"
