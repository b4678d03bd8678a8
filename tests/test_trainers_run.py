"""The trainers end to end on a tiny config-built model: a step or two each, resume, and bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
ACCURACY_LINE = re.compile(r"^held-out accuracy: before \d+\.\d% -> after \d+\.\d% \(n=8\)$", re.MULTILINE)
# Small enough for seconds per trainer: a random tiny model, 8 held-out problems, short generations.
COMMON = [
    "--model",
    "tiny",
    "--n_train",
    "64",
    "--n_heldout",
    "8",
    "--eval_max_new_tokens",
    "8",
    "--logging_steps",
    "1",
]
GRPO_ARGS = ["--per_device_train_batch_size", "4", "--num_generations", "2", "--max_completion_length", "8"]
PPO_ARGS = ["--per_device_train_batch_size", "4", "--num_mini_batches", "1", "--response_length", "8"]
SFT_ARGS = ["--per_device_train_batch_size", "4"]


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RLVR_CACHE", str(tmp_path / "cache"))


def _run(module: str, argv: list[str], capsys) -> str:
    import importlib

    importlib.import_module(f"trainers.{module}").main(argv)
    return capsys.readouterr().out


@pytest.mark.parametrize(
    ("module", "extra", "curve"),
    [
        ("grpo", GRPO_ARGS, "reward_curve.png"),
        ("ppo", PPO_ARGS, "reward_curve.png"),
        ("sft", SFT_ARGS, "loss_curve.png"),
    ],
)
def test_trainer_runs_two_steps(module, extra, curve, tmp_path, capsys):
    out_dir = tmp_path / module
    out = _run(module, [*COMMON, *extra, "--max_steps", "2", "--save_steps", "1", "--output_dir", str(out_dir)], capsys)
    assert ACCURACY_LINE.search(out), out
    assert (out_dir / curve).stat().st_size > 0
    assert sorted(p.name for p in out_dir.glob("checkpoint-*")) == ["checkpoint-1", "checkpoint-2"]


@pytest.mark.parametrize(("module", "extra"), [("grpo", GRPO_ARGS), ("ppo", PPO_ARGS)])
def test_rl_resumes_from_the_latest_checkpoint_and_keeps_three(module, extra, tmp_path, capsys):
    import json

    out_dir = tmp_path / module
    base = [*COMMON, *extra, "--save_steps", "1", "--output_dir", str(out_dir)]
    _run(module, [*base, "--max_steps", "4"], capsys)
    assert sorted(p.name for p in out_dir.glob("checkpoint-*")) == ["checkpoint-2", "checkpoint-3", "checkpoint-4"]
    _run(module, [*base, "--max_steps", "5", "--resume_from_checkpoint", "true"], capsys)  # from checkpoint-4
    assert sorted(p.name for p in out_dir.glob("checkpoint-*")) == ["checkpoint-3", "checkpoint-4", "checkpoint-5"]
    state = json.loads((out_dir / "checkpoint-5" / "trainer_state.json").read_text())
    assert state["global_step"] == 5


@pytest.mark.parametrize(("module", "extra"), [("grpo", GRPO_ARGS), ("ppo", PPO_ARGS), ("sft", SFT_ARGS)])
def test_a_rerun_never_resumes_silently(module, extra, tmp_path, capsys, monkeypatch):
    out_dir = tmp_path / module
    argv = [*COMMON, *extra, "--max_steps", "1", "--save_steps", "1", "--output_dir", str(out_dir)]
    line = ACCURACY_LINE.search(_run(module, argv, capsys)).group(0)
    _no_model_loading(monkeypatch)  # the rerun loads nothing and trains nothing
    with pytest.raises(SystemExit) as finished:
        _run(module, argv, capsys)
    shown = capsys.readouterr().out
    assert finished.value.code == 0 and "holds a finished run" in shown and line in shown  # that run's result
    (out_dir / "run_result.json").unlink()  # as if the first run had been killed before the end
    with pytest.raises(SystemExit) as unfinished:
        _run(module, argv, capsys)
    assert unfinished.value.code == 2 and "--resume_from_checkpoint true" in capsys.readouterr().err


def _no_model_loading(monkeypatch):
    import trainers.models
    import trainers.sft

    def refuse(*args, **kwargs):
        raise AssertionError("a model was loaded before the input was checked")

    monkeypatch.setattr(trainers.models, "load_policy", refuse)
    monkeypatch.setattr(trainers.sft, "warm_start_policy", refuse)


@pytest.mark.parametrize("module", ["grpo", "ppo", "sft"])
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--model", "no-such-model"], "unknown model 'no-such-model'"),
        (["--model", "missing.gguf"], "GGUF file 'missing.gguf' does not exist"),
        (["--task", str(DATA / "trainers_bad_columns.jsonl")], "has columns \\['query', 'target'\\]"),
        (["--reward", str(DATA / "trainers_unknown_verifier.yaml")], "unknown verifier 'no-such-verifier'"),
        (["--reward", "no-such-spec.yaml"], "no-such-spec.yaml"),
    ],
)
def test_bad_input_fails_before_any_model_loads(module, argv, message, monkeypatch, capsys, tmp_path):
    _no_model_loading(monkeypatch)
    with pytest.raises(SystemExit) as exit_info:
        _run(module, [*argv, "--output_dir", str(tmp_path / "out")], capsys)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert not (tmp_path / "out").exists()


def test_a_typo_in_a_trl_option_is_an_error(monkeypatch, capsys):
    _no_model_loading(monkeypatch)
    with pytest.raises(SystemExit) as exit_info:
        _run("grpo", ["--learnin_rate", "1e-4"], capsys)  # not a prefix: argparse would accept one
    assert exit_info.value.code == 2
    assert "--learnin_rate" in capsys.readouterr().err


def test_unknown_problem_kind_fails_before_any_model_loads(monkeypatch, capsys, tmp_path):
    _no_model_loading(monkeypatch)
    with pytest.raises(SystemExit) as exit_info:
        _run("grpo", ["--kinds", "two_step,calculus", "--output_dir", str(tmp_path / "out")], capsys)
    assert exit_info.value.code == 2
    assert "unknown problem kinds ['calculus']" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "cpu_default", "expected"),
    [
        ([], True, {"n_train": 4000, "top": 9, "kinds": ("two_step",)}),
        ([], False, {"n_train": 8000, "top": 15, "kinds": ("arithmetic", "fraction", "linear", "word")}),
        (
            ["--kinds", "word, linear", "--max_number", "30"],
            True,
            {"n_train": 4000, "top": 30, "kinds": ("word", "linear")},
        ),
        (["--n_train", "50"], False, {"n_train": 50, "top": 15, "kinds": ("arithmetic", "fraction", "linear", "word")}),
    ],
)
def test_synthetic_task_options(argv, cpu_default, expected):
    from trl import GRPOConfig

    from trainers.cli import parse_args, synthetic_options

    run_args, _ = parse_args(GRPOConfig, {}, argv)
    assert synthetic_options(run_args, cpu_default) == expected


def test_cpu_default_warm_starts_the_tiny_model_once(monkeypatch, tmp_path, capsys):
    import trainers.cli

    monkeypatch.setattr(trainers.cli, "has_gpu", lambda: False)
    argv = [
        *COMMON[2:],  # no --model: the CPU default
        *GRPO_ARGS,
        "--warm_start_steps",
        "2",
        "--max_steps",
        "1",
    ]
    first = _run("grpo", [*argv, "--output_dir", str(tmp_path / "grpo1")], capsys)
    assert "no --model on a CPU" in first and "60% of the two-step ones worked by a wrong procedure" in first
    assert "on 32 of the two_step training rows" in first and "RL trains on the other 32 rows" in first
    assert "warm-starting it by 2 SFT steps" in first
    assert ACCURACY_LINE.search(first), first
    warm_starts = [p for p in (tmp_path / "cache" / "warm-start").iterdir() if (p / "config.json").is_file()]
    assert len(warm_starts) == 1
    second = _run("grpo", [*argv, "--output_dir", str(tmp_path / "grpo2")], capsys)
    assert f"cached in {warm_starts[0]}" in second and "warm-starting it" not in second
    # Another RL seed from the same starting policy: --warm_start_seed keeps the warm start.
    third_argv = [*argv, "--seed", "5", "--warm_start_seed", "42", "--output_dir", str(tmp_path / "grpo3")]
    third = _run("grpo", third_argv, capsys)
    assert f"cached in {warm_starts[0]}" in third and "warm-starting it" not in third


def test_grpo_kl_term_works_on_a_model_that_was_never_saved(tmp_path, capsys):
    # With beta > 0 TRL loads a frozen reference model from the policy's folder; a config-built
    # model has none until the trainer saves it.
    out_dir = tmp_path / "grpo"
    argv = [*COMMON, *GRPO_ARGS, "--beta", "0.04", "--max_steps", "1", "--output_dir", str(out_dir)]
    out = _run("grpo", argv, capsys)
    assert ACCURACY_LINE.search(out), out
    assert (out_dir / "starting_policy" / "config.json").is_file()


@pytest.mark.parametrize("task", ["synthetic", str(DATA / "trainers_gsm8k.jsonl")])
def test_warm_start_and_rl_never_share_a_row(task, monkeypatch):
    import trainers.cli
    from trainers.cli import RunArguments, prepare_run

    monkeypatch.setattr(trainers.cli, "has_gpu", lambda: False)
    setup = prepare_run(RunArguments(task=task, n_train=40, n_heldout=4))
    warm = {row["question"] for row in setup["warm_rows"]}
    rl = {row["question"] for row in setup["task"].train}
    assert warm and rl and not warm & rl


def test_explicit_tiny_model_says_it_is_untrained(capsys):
    from trainers.cli import RunArguments, prepare_run

    setup = prepare_run(RunArguments(model="tiny", n_train=8, n_heldout=2))
    assert setup["warm_rows"] == [] and "randomly initialised model with no training" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("module", "extra", "tracker"), [("grpo", GRPO_ARGS, "tensorboard"), ("ppo", PPO_ARGS, "mlflow")]
)
def test_report_to_writes_what_the_tool_reads(module, extra, tracker, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # MLflow's default store is ./mlruns
    for key in ("MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_ALLOW_FILE_STORE", "MLFLOW_DISABLE_TELEMETRY"):
        monkeypatch.setenv(key, "")
        monkeypatch.delenv(key)
    out_dir = tmp_path / module
    _run(module, [*COMMON, *extra, "--max_steps", "1", "--report_to", tracker, "--output_dir", str(out_dir)], capsys)
    if tracker == "tensorboard":
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

        (logging_dir,) = (out_dir / "runs").iterdir()
        scalars = EventAccumulator(str(logging_dir)).Reload().Tags()["scalars"]
        assert {"train/reward", "heldout/accuracy_before", "heldout/accuracy_after"} <= set(scalars)
    else:
        import mlflow

        client = mlflow.MlflowClient(tracking_uri=(tmp_path / "mlruns").as_uri())
        (run,) = client.search_runs([client.get_experiment_by_name("rlvr").experiment_id])
        assert {"heldout/accuracy_before", "heldout/accuracy_after"} <= set(run.data.metrics)
        assert run.data.params["reward.math.verifier"] == "math"


@pytest.mark.parametrize(("task", "data", "verifier"), [
    ("gsm8k", DATA / "public" / "gsm8k_test.jsonl", "math"),
    ("commonsenseqa", DATA / "public" / "commonsenseqa_dev.jsonl", "choice"),
    ("physics", None, "math"),  # packaged: generated problems, no file needed
])
def test_a_registered_task_trains_from_its_own_data(task, data, verifier, tmp_path, capsys):
    from trainers.cli import RunArguments, prepare_run

    setup = prepare_run(RunArguments(model="tiny", task=task, data=data and str(data), n_heldout=2))
    assert setup["task"].name == task and setup["task"].verifier == verifier
    assert [c.verifier for c in setup["spec"].components if c.verifier] == [verifier]  # the task's own reward
    held = {row["question"] for row in setup["task"].heldout}
    assert held and not held & {row["question"] for row in setup["task"].train}
    if task == "gsm8k":  # and it runs end to end
        argv = [*COMMON, *GRPO_ARGS, "--task", task, "--data", str(data), "--n_heldout", "2", "--max_steps", "1",
                "--output_dir", str(tmp_path / "grpo")]
        assert re.search(r"held-out accuracy: before \d+\.\d% -> after \d+\.\d% \(n=2\)", _run("grpo", argv, capsys))


def test_data_without_a_registered_task_is_an_error(capsys, monkeypatch):
    _no_model_loading(monkeypatch)
    with pytest.raises(SystemExit) as exit_info:
        _run("grpo", ["--task", str(DATA / "trainers_gsm8k.jsonl"), "--data", "x.jsonl"], capsys)
    assert exit_info.value.code == 2 and "--data goes with a registered task" in capsys.readouterr().err


@pytest.mark.parametrize("reward", ["format-only", "trl-accuracy"])
def test_the_ablation_rewards_run_one_step(reward, tmp_path, capsys):
    out_dir = tmp_path / reward
    argv = [*COMMON, *GRPO_ARGS, "--reward", reward, "--max_steps", "1", "--output_dir", str(out_dir)]
    out = _run("grpo", argv, capsys)
    assert ACCURACY_LINE.search(out), out
    state = json.loads((out_dir / "checkpoint-1" / "trainer_state.json").read_text())
    logged = {key for entry in state["log_history"] for key in entry}
    expected = {"rewards/format/mean"} if reward == "format-only" else {"rewards/accuracy/mean", "rewards/format/mean"}
    assert expected <= logged and "rewards/math/mean" not in logged
