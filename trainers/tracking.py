"""Experiment tracking for the trainers: TensorBoard and MLflow, offline, with rlvr's own results.

``--report_to tensorboard`` / ``--report_to mlflow`` turn on transformers' own callbacks, which log
the TRL config and every logged step (loss, ``rewards/<component>/mean`` ...). This module adds what
they cannot know, through each tool's own API: rlvr's run options, the reward spec and the held-out
accuracy before and after training, in the same TensorBoard folder and on the same MLflow run.

    prepare_tracking(config)                                  # before the trainer is built
    log_run_result(trainer, run_args, spec, before, after)    # after the held-out evaluation

MLflow stays on this machine: unless set, ``MLFLOW_TRACKING_URI`` is the file store ``./mlruns``
(an absolute ``file:`` URI), ``MLFLOW_EXPERIMENT_NAME`` is ``rlvr``, and MLflow's usage telemetry is off.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

__all__ = [
    "TRACKERS",
    "flat_params",
    "log_run_result",
    "missing_tracker_packages",
    "mlflow_defaults",
    "prepare_tracking",
    "result_metrics",
    "trackers",
]

# ``--report_to`` name -> (the module it imports, the pip package that provides it)
TRACKERS: dict[str, tuple[str, str]] = {
    "tensorboard": ("tensorboard", "tensorboard"),
    "mlflow": ("mlflow", "mlflow-skinny"),
}
EXPERIMENT_NAME = "rlvr"


def trackers(config: Any) -> list[str]:
    """The trackers this module serves that ``config.report_to`` names (TrainingArguments expands ``all``)."""
    report_to = config.report_to or []
    names = [report_to] if isinstance(report_to, str) else list(report_to)
    return [name for name in TRACKERS if name in names]


def missing_tracker_packages(names: list[str]) -> str | None:
    """One line naming the pip command for the trackers in ``names`` that cannot be imported, else None."""
    missing = [name for name in names if importlib.util.find_spec(TRACKERS[name][0]) is None]
    if not missing:
        return None
    packages = " ".join(TRACKERS[name][1] for name in missing)
    return f"--report_to {','.join(missing)} needs {packages}, which is not installed: pip install {packages}"


def mlflow_defaults(cwd: Path) -> dict[str, str]:
    """The MLflow environment rlvr sets where the user has not: a local file store under ``cwd``, no telemetry.

    MLflow 3 refuses its file store unless ``MLFLOW_ALLOW_FILE_STORE`` is true; the alternative, its
    SQLite store, needs SQLAlchemy and Alembic, which ``mlflow-skinny`` does not install.

    Example:
        >>> mlflow_defaults(Path("/tmp/project"))["MLFLOW_TRACKING_URI"]
        'file:///tmp/project/mlruns'
    """
    return {
        "MLFLOW_TRACKING_URI": (cwd.resolve() / "mlruns").as_uri(),
        "MLFLOW_EXPERIMENT_NAME": EXPERIMENT_NAME,
        "MLFLOW_ALLOW_FILE_STORE": "true",
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }


def prepare_tracking(config: Any) -> None:
    """Check the trackers' packages and set the MLflow defaults; call before the trainer is built.

    A missing package ends the run with one line naming the pip command (exit status 2). An unset
    ``run_name`` becomes ``output_dir``, the name the MLflow run gets.
    """
    from rlvr.errors import SetupError
    from trainers.cli import fail

    names = trackers(config)
    problem = missing_tracker_packages(names)
    if problem:
        fail(SetupError(problem))
    if names and not config.run_name:
        config.run_name = config.output_dir
    if "mlflow" in names:
        for key, value in mlflow_defaults(Path.cwd()).items():
            os.environ.setdefault(key, value)
        if "mlflow" in sys.modules:  # TRL imports mlflow with its trainers: let it see the telemetry setting
            from mlflow.telemetry import set_telemetry_client

            set_telemetry_client()


def _flatten(value: Any, prefix: str) -> dict[str, Any]:
    if isinstance(value, dict):
        items = [_flatten(item, f"{prefix}.{key}") for key, item in value.items()]
        return {key: item for part in items for key, item in part.items()}
    if isinstance(value, (list, tuple)):
        return {prefix: json.dumps(value)}
    return {prefix: "None" if value is None else value}


def flat_params(run_args: Any, spec: Any) -> dict[str, Any]:
    """rlvr's run options as ``rlvr.<option>`` and the reward spec as ``reward.<component>.<field>``.

    Example:
        >>> from rewards.spec import RewardSpec
        >>> params = flat_params(None, RewardSpec.default())
        >>> params["reward.math.weight"], params["reward.format.shaping"], params["reward.math.gate"]
        (1.0, 'format', 'None')
    """
    options = dataclasses.asdict(run_args) if run_args is not None else {}
    components = {c["name"]: {k: v for k, v in c.items() if k != "name"} for c in spec.to_dict()["components"]}
    return {**_flatten(options, "rlvr"), **_flatten(components, "reward")}


def result_metrics(before: Any, after: Any) -> dict[str, float]:
    """The held-out accuracy before and after training (two EvalResults), as metrics."""
    return {
        "heldout/accuracy_before": float(before.accuracy),
        "heldout/accuracy_after": float(after.accuracy),
        "heldout/n": float(after.n),
    }


def _callback(trainer: Any, kind: type) -> Any:
    return next((c for c in trainer.callback_handler.callbacks if isinstance(c, kind)), None)


def _tensorboard_dir(trainer: Any) -> str:
    """The folder transformers' TensorBoardCallback wrote to (it picks it when training starts)."""
    from transformers.integrations import TensorBoardCallback
    from transformers.integrations.integration_utils import default_logdir

    callback = _callback(trainer, TensorBoardCallback)
    if callback is not None and callback.logging_dir:
        return callback.logging_dir
    return os.getenv("TENSORBOARD_LOGGING_DIR") or os.path.join(trainer.args.output_dir, default_logdir())


def _mlflow_callback_ran(trainer: Any) -> bool:
    """Whether transformers' MLflowCallback opened (or joined) a run for this trainer: not when 0 steps ran."""
    from transformers.integrations import MLflowCallback

    return bool(getattr(_callback(trainer, MLflowCallback), "_initialized", False))


def log_to_tensorboard(
    logging_dir: str, params: dict[str, Any], spec: dict[str, Any], metrics: dict[str, float], step: int
) -> None:
    """Params as TensorBoard hparams (HParams tab) with the metrics, and the reward spec as text."""
    from torch.utils.tensorboard import SummaryWriter

    with SummaryWriter(log_dir=logging_dir) as writer:
        writer.add_text("rlvr/reward_spec", f"```json\n{json.dumps(spec, indent=2)}\n```", step)
        # run_name "." keeps the hparams record in the training run's own folder, not a new subfolder
        writer.add_hparams(params, metrics, run_name=".", global_step=step)


def _mlflow_run_id(run_name: str | None, callback_ran: bool) -> str | None:
    """The active run, else the newest one named ``run_name`` if MLflowCallback ran: the run it used."""
    import mlflow

    active = mlflow.active_run()
    if active is not None:
        return active.info.run_id
    if not (callback_ran and run_name):
        return None
    runs = mlflow.search_runs(
        search_all_experiments=True,
        filter_string=f"attributes.run_name = {json.dumps(run_name)}",
        order_by=["attributes.start_time DESC"],
        max_results=1,
        output_format="list",
    )
    return runs[0].info.run_id if runs else None


def log_to_mlflow(
    run_name: str | None,
    params: dict[str, Any],
    spec: dict[str, Any],
    metrics: dict[str, float],
    step: int,
    callback_ran: bool = True,
) -> str:
    """Params, metrics and ``reward_spec.json`` on the callback's run (a new run if it ran none); its id."""
    import mlflow

    def log(client: Any, run_id: str) -> None:
        items = list(params.items())
        for start in range(0, len(items), 100):  # MLflow takes at most 100 params a batch
            batch = [mlflow.entities.Param(key, str(value)) for key, value in items[start : start + 100]]
            client.log_batch(run_id, params=batch)
        for key, value in metrics.items():
            client.log_metric(run_id, key, value, step=step)
        client.log_dict(run_id, spec, "reward_spec.json")

    client = mlflow.MlflowClient()
    run_id = _mlflow_run_id(run_name, callback_ran)
    if run_id is not None:
        log(client, run_id)
        return run_id
    if os.getenv("MLFLOW_EXPERIMENT_NAME"):  # as the callback does: the process may have used another store
        mlflow.set_experiment(os.environ["MLFLOW_EXPERIMENT_NAME"])
    with mlflow.start_run(run_name=run_name) as run:
        log(client, run.info.run_id)
    return run.info.run_id


def log_run_result(trainer: Any, run_args: Any, spec: Any, before: Any, after: Any) -> None:
    """Log the run options, reward spec and held-out accuracy to the trackers in ``trainer.args.report_to``."""
    names = trackers(trainer.args)
    if not names:
        return
    params, metrics = flat_params(run_args, spec), result_metrics(before, after)
    step = trainer.state.global_step
    places = []
    if "tensorboard" in names:
        logging_dir = _tensorboard_dir(trainer)
        log_to_tensorboard(logging_dir, params, spec.to_dict(), metrics, step)
        places.append(f"TensorBoard ({logging_dir})")
    if "mlflow" in names:
        import mlflow

        run_id = log_to_mlflow(
            trainer.args.run_name, params, spec.to_dict(), metrics, step, _mlflow_callback_ran(trainer)
        )
        places.append(f"MLflow (run {run_id} in {mlflow.get_tracking_uri()})")
    print(f"run options, reward spec and held-out accuracy logged to {' and '.join(places)}", flush=True)
