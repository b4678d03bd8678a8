"""The job routes: ``POST /v1/jobs``, ``GET /v1/jobs/{id}`` and ``DELETE /v1/jobs/{id}``.

They only check and translate; the scoring is ``rlvr score``'s engine, run by
:class:`rewards.serving.jobs.JobRunner`. A server started without ``--jobs-dir`` has no jobs (404).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from rewards.serving.jobs import JobRunner, Refusal
from rewards.serving.models import JobRequest, JobStatus
from rewards.serving.state import ServerState

__all__ = ["add_job_routes"]

_OFF: Refusal = (404, "this server runs no jobs: start rlvr serve with --jobs-dir DIR")


def _refused(refusal: Refusal) -> JSONResponse:
    headers = {"Retry-After": "5"} if refusal[0] == 429 else None
    return JSONResponse({"detail": refusal[1]}, status_code=refusal[0], headers=headers)


def _answer(status: JobStatus, code: int = 200) -> Response:
    return Response(status.model_dump_json(), status_code=code, media_type="application/json")


def _submit(runner: JobRunner, body: JobRequest) -> tuple[JobStatus | None, Refusal | None]:
    job, refusal = runner.plan(body)
    if job is None:
        return None, refusal
    return runner.start(job, body), None


def add_job_routes(app: FastAPI, state: ServerState) -> None:
    @app.post("/v1/jobs", status_code=202, response_model=JobStatus, tags=["jobs"],
              responses={404: {"description": "no such input file, or no --jobs-dir"},
                         409: {"description": "the output exists (send resume: true) or is being written"},
                         413: {"description": "too many inline rows"}, 429: {"description": "too many jobs"}})
    async def submit_job(body: JobRequest) -> Any:
        """Score a dataset under ``--jobs-dir`` (or inline rows) into an output there, as ``rlvr score`` does."""
        if state.jobs is None:
            return _refused(_OFF)
        status, refusal = await run_in_threadpool(_submit, state.jobs, body)
        return _refused(refusal) if status is None or refusal else _answer(status, 202)

    @app.get("/v1/jobs/{job_id}", response_model=JobStatus, tags=["jobs"])
    async def job_status(job_id: str) -> Any:
        """A job's status and progress (``rows_done`` of ``rows_total``), from any replica."""
        if state.jobs is None:
            return _refused(_OFF)
        status = await run_in_threadpool(state.jobs.status, job_id)
        return _refused((404, f"no job {job_id}")) if status is None else _answer(status)

    @app.delete("/v1/jobs/{job_id}", status_code=202, response_model=JobStatus, tags=["jobs"])
    async def cancel_job(job_id: str) -> Any:
        """Stop a running job after its current chunk; the rows written stay, and ``resume`` continues it."""
        if state.jobs is None:
            return _refused(_OFF)
        status, refusal = await run_in_threadpool(state.jobs.cancel, job_id)
        return _refused(refusal) if status is None or refusal else _answer(status, 202)
