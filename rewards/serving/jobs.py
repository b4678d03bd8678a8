"""Long scoring jobs on the server (``POST /v1/jobs``): ``rlvr score``'s own engine, started from a thread.

A job is :func:`rewards.scoring.run.score_rows` with a :class:`~rewards.scoring.job.ScoreJob`, so
it has the same exactly-once writer, settings file, output lock and ``resume``; with a Ray address
it runs on the Ray backend. The server adds nothing to the scoring: one thread per job calls
``score_rows`` and records its progress.

Files are read and written only under ``--jobs-dir``. Each job's status is a small JSON file in
``JOBS_DIR/.rlvr-jobs/`` (rewritten atomically as rows finish), and a cancel is a marker file
beside it, so every replica of the server can answer for, and cancel, every job.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from rewards.scoring.job import ScoreJob, parse_column_map
from rewards.scoring.outputs import OutputFiles
from rewards.scoring.run import score_rows
from rewards.scoring.table_io import FORMATS, count_rows
from rewards.serving.metrics import ServerMetrics
from rewards.serving.models import JobRequest, JobStatus
from rewards.serving.settings import ServeSettings
from rewards.spec import RewardSpec
from rlvr.errors import RlvrError, SetupError

__all__ = ["RECORDS", "JobRunner", "Refusal"]

RECORDS = ".rlvr-jobs"
Refusal = tuple[int, str]  # an HTTP status and the message a refused job gets
_ID = re.compile(r"[0-9a-f]{32}")
_SAVE_EVERY_S = 0.2
_log = logging.getLogger(__name__)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


class JobRunner:
    """The jobs of one server process: checks a request, starts its thread, reports and cancels."""

    def __init__(self, settings: ServeSettings, spec: RewardSpec, metrics: ServerMetrics):
        assert settings.jobs_dir is not None
        self.settings, self.spec, self.metrics = settings, spec, metrics
        self.root = settings.jobs_dir.resolve()
        self.records = self.root / RECORDS
        self._threads: dict[str, tuple[threading.Thread, Path]] = {}
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._owns_ray = False

    # -- checking a request ---------------------------------------------------------------------

    def _path(self, field: str, given: str) -> tuple[Path | None, Refusal | None]:
        if Path(given).is_absolute():
            return None, (422, f"{field}: {given!r} must be relative to the server's jobs directory")
        path = (self.root / given).resolve()
        if not path.is_relative_to(self.root) or path.is_relative_to(self.records):
            return None, (422, f"{field}: {given!r} leads outside the server's jobs directory")
        return path, None

    def _running(self) -> dict[str, Path]:
        return {job_id: output for job_id, (thread, output) in self._threads.items() if thread.is_alive()}

    def _input(self, request: JobRequest) -> tuple[Path | None, Refusal | None]:
        if request.rows is not None:
            if len(request.rows) > self.settings.max_rows:
                return None, (413, f"{len(request.rows)} inline rows; the limit is {self.settings.max_rows} "
                                   "(put larger datasets in a file under the jobs directory)")  # fmt: skip
            return self.records / "inline.jsonl", None  # the real name is the job's, given at start
        path, refusal = self._path("input", request.input or "")
        if refusal is not None or path is None:
            return None, refusal
        if not path.is_file():
            return None, (404, f"input: {request.input} does not exist in the server's jobs directory")
        if path.suffix.lower() not in FORMATS:
            return None, (422, f"input: {request.input} is not a .jsonl, .csv or .parquet file")
        return path, None

    def _output_refusal(self, request: JobRequest, output: Path) -> Refusal | None:
        if output.suffix not in (".jsonl", ".parquet"):
            return 422, f"output: {request.output} must end in .jsonl or .parquet"
        if output in self._running().values():
            return 409, f"output: {request.output} is being written by a running job"
        files = OutputFiles(output)
        if (output.exists() or files.stage.exists()) and not request.resume:
            return 409, (f"output: {request.output} exists; send resume: true to continue it, "
                         "or name another output")  # fmt: skip
        return None

    def plan(self, request: JobRequest) -> tuple[ScoreJob | None, Refusal | None]:
        """The scoring run ``request`` asks for, or why it is refused (nothing is written either way)."""
        if len(self._running()) >= self.settings.max_jobs:
            return None, (429, f"{self.settings.max_jobs} jobs are running; retry when one has finished")
        output, refusal = self._path("output", request.output)
        source, input_refusal = self._input(request)
        refusal = refusal or input_refusal
        if refusal is None and output is not None:
            refusal = self._output_refusal(request, output)
        if refusal is not None or output is None or source is None:
            return None, refusal
        spec = self.spec if request.reward is None else RewardSpec.from_dict(request.reward)  # bad: 422
        columns, explicit = parse_column_map([f"{field}={column}" for field, column in request.columns.items()])
        backend = "local" if self.settings.ray_address is None else "ray"
        job = ScoreJob(source, output, spec, columns=columns, required={"completion"} | explicit,
                       workers=self.settings.job_workers, resume=request.resume, skip_invalid=request.skip_invalid,
                       backend=backend, ray_address=self.settings.ray_address)  # fmt: skip
        return job, None

    # -- running ----------------------------------------------------------------------------------

    def start(self, job: ScoreJob, request: JobRequest) -> JobStatus:
        """Start ``job`` (from :meth:`plan`) in its own thread; its first status."""
        job_id = uuid.uuid4().hex
        self.records.mkdir(exist_ok=True)
        if request.rows is not None:
            job.input_path = self.records / f"{job_id}.input.jsonl"
            lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in request.rows)
            job.input_path.write_text(lines, encoding="utf-8")
        status = JobStatus(id=job_id, status="running", output=str(job.output_path.relative_to(self.root)),
                           backend="ray" if job.backend == "ray" else "local", pid=os.getpid(),
                           started=time.time())  # fmt: skip
        self._save(status)
        thread = threading.Thread(target=self._run, args=(job, status), name=f"rlvr-job-{job_id}", daemon=True)
        with self._lock:
            self._threads[job_id] = (thread, job.output_path)
        self.metrics.jobs_running.inc()
        thread.start()
        return status

    def _run(self, job: ScoreJob, status: JobStatus) -> None:
        saved = [time.monotonic()]

        def progress(rows: int) -> None:
            status.rows_done += rows
            if time.monotonic() - saved[0] >= _SAVE_EVERY_S:
                self._save(status)
                saved[0] = time.monotonic()

        try:
            if job.backend == "ray":
                self._start_ray()
            status.rows_total = count_rows(job.input_path)
            self._save(status)
            result = score_rows(job, progress=progress, stop=lambda: self._stop_requested(status.id))
            status.status, status.rows_resumed, status.rows_skipped = "succeeded", result.resumed, len(result.skipped)
        except RlvrError as error:  # a set-up error, or a run stopped on request: the job says which
            status.status, status.error = self._ended_how(status.id), str(error)
        except Exception as error:  # a bug in a verifier or in rlvr: the job fails and says so, and it is logged
            _log.exception("scoring job %s failed", status.id)
            status.status, status.error = "failed", f"{type(error).__name__}: {error}"
        status.finished = time.time()
        self._save(status)
        self.metrics.jobs_running.dec()
        self.metrics.jobs.labels(status.status).inc()

    def _ended_how(self, job_id: str) -> Any:
        if self._stopping.is_set():
            return "interrupted"
        return "cancelled" if self._cancel_marker(job_id).exists() else "failed"

    def _stop_requested(self, job_id: str) -> bool:
        return self._stopping.is_set() or self._cancel_marker(job_id).exists()

    def _start_ray(self) -> None:
        """Join (or with ``local`` start) the server's Ray cluster once, for every job of this process."""
        with self._lock:
            try:
                import ray
            except ImportError:
                raise SetupError("jobs on Ray need Ray: pip install 'rlvr[ray]'") from None
            if ray.is_initialized():
                return
            local = self.settings.ray_address == "local"
            ray.init(address=self.settings.ray_address, num_cpus=self.settings.job_workers if local else None,
                     include_dashboard=False, log_to_driver=False, logging_level="warning")  # fmt: skip
            self._owns_ray = True

    # -- reporting and cancelling -------------------------------------------------------------------

    def _record(self, job_id: str) -> Path:
        return self.records / f"{job_id}.json"

    def _cancel_marker(self, job_id: str) -> Path:
        return self.records / f"{job_id}.cancel"

    def _save(self, status: JobStatus) -> None:
        temporary = self.records / f"{status.id}.json.{threading.get_ident()}.tmp"
        temporary.write_text(status.model_dump_json(), encoding="utf-8")
        temporary.replace(self._record(status.id))

    def status(self, job_id: str) -> JobStatus | None:
        """A job's status, from any replica; None for an unknown id."""
        if not _ID.fullmatch(job_id) or not self._record(job_id).is_file():
            return None
        status = JobStatus.model_validate_json(self._record(job_id).read_text(encoding="utf-8"))
        if status.status == "running" and not _alive(status.pid):
            status.status, status.error = "interrupted", "the server process running it stopped; resume continues it"
        status.cancel_requested = self._cancel_marker(job_id).exists()
        return status

    def cancel(self, job_id: str) -> tuple[JobStatus | None, Refusal | None]:
        """Ask a running job to stop after its current chunk (rows written stay, once each)."""
        status = self.status(job_id)
        if status is None:
            return None, (404, f"no job {job_id}")
        if status.status != "running":
            return None, (409, f"job {job_id} has already ended: {status.status}")
        self._cancel_marker(job_id).touch()
        status.cancel_requested = True
        return status, None

    def close(self) -> None:
        """Shutdown: running jobs stop after their current chunk and are marked ``interrupted``."""
        self._stopping.set()
        deadline = time.monotonic() + self.settings.graceful_shutdown_s
        for thread, _ in list(self._threads.values()):
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if self._owns_ray:
            import ray

            ray.shutdown()
