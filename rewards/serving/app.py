"""The reward server as a FastAPI app: ``create_app(spec, settings)``.

Route handlers only check limits and translate shapes; the work runs in a thread (verifiers
block) under the per-request deadline, and totals come from the spec evaluator alone.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from rewards.compose import BatchRewards, SpecEvaluator
from rewards.serving import routes
from rewards.serving.code_routes import CodeRunner
from rewards.serving.guard import RequestGuard
from rewards.serving.job_routes import add_job_routes
from rewards.serving.jobs import JobRunner
from rewards.serving.metrics import CONTENT_TYPE_LATEST, ServerMetrics
from rewards.serving.models import (
    GetRewardRequest,
    GetRewardResponse,
    Health,
    RewardRequest,
    RewardResponse,
    RunCodeRequest,
    RunCodeResponse,
    SpecResponse,
    TestProgramRequest,
    TestProgramResponse,
    TestProgramStdioRequest,
    VerifyRequest,
    VerifyResponse,
)  # fmt: skip
from rewards.serving.settings import ServeSettings
from rewards.serving.state import ServerState
from rewards.spec import RewardSpec
from rlvr.errors import RlvrError

__all__ = ["create_app"]

T = TypeVar("T")

ROUTES = {"/health", "/metrics", "/v1/spec", "/v1/verify", "/v1/reward", "/get_reward", "/run_code",
          "/test_program", "/test_program_stdio", "/v1/jobs", "/v1/jobs/{id}"}  # fmt: skip


class _Refused(Exception):
    """A request the server will not run (too many rows, past its deadline): answered with ``status``."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


async def _work(state: ServerState, route: str, rows: int, call: Callable[[], T]) -> T:
    """Run ``call`` in a thread under the deadline, after the rows-per-request limit."""
    if rows > state.settings.max_rows:
        state.metrics.rejected.labels("too_many_rows").inc()
        raise _Refused(413, f"{rows} rows in one request; the limit is {state.settings.max_rows}")
    try:
        result = await asyncio.wait_for(run_in_threadpool(call), state.settings.deadline_s)
    except TimeoutError:
        state.metrics.rejected.labels("deadline").inc()
        raise _Refused(504, f"the request took longer than its {state.settings.deadline_s} s deadline") from None
    state.metrics.rows.labels(route).inc(rows)
    return result


def _json(model: BaseModel) -> Response:
    """The model as JSON, as it is: FastAPI would dump it, validate the dump again, then dump that."""
    return Response(model.model_dump_json(), media_type="application/json")


def _scored(state: ServerState, pair: tuple[BaseModel, BatchRewards]) -> Response:
    state.metrics.count_verdicts(pair[1].verdicts)
    return _json(pair[0])


def _add_reward_routes(app: FastAPI, state: ServerState) -> None:
    evaluator = state.evaluator

    @app.post("/v1/verify", response_model=VerifyResponse, tags=["rlvr"])
    async def verify(body: VerifyRequest) -> Any:
        """A batch of dataset rows -> the total, each component's score and each verifier's verdict."""
        return _scored(state, await _work(state, "/v1/verify", len(body.rows), lambda: routes.verify(evaluator, body)))

    @app.post("/v1/reward", response_model=RewardResponse, tags=["rlvr"])
    async def reward(body: RewardRequest) -> Any:
        """TRL's reward call (prompts, completions, columns) -> scores per component, weights, totals."""
        pair = await _work(state, "/v1/reward", len(body.completions), lambda: routes.reward(evaluator, body))
        return _scored(state, pair)

    @app.post("/get_reward", response_model=GetRewardResponse, tags=["OpenRLHF"])
    async def get_reward(body: GetRewardRequest) -> Any:
        """OpenRLHF's remote reward model: ``{query, prompts, labels}`` -> ``{rewards, scores, extra_logs}``."""
        pair = await _work(state, "/get_reward", len(body.query), lambda: routes.get_reward(evaluator, body))
        return _scored(state, pair)


def _add_code_routes(app: FastAPI, state: ServerState) -> None:
    code = state.code

    @app.post("/run_code", response_model=RunCodeResponse, tags=["SandboxFusion"])
    async def run_code(body: RunCodeRequest) -> Any:
        """SandboxFusion's ``run_code`` for Python, in the code verifier's sandbox (stdout, stderr, exit code)."""
        return _json(await _work(state, "/run_code", 1, lambda: code.run_code(body)))

    @app.post("/test_program", response_model=TestProgramResponse, tags=["open-instruct"])
    async def test_program(body: TestProgramRequest) -> Any:
        """open-instruct: a program and its asserts -> 1/0 per test and runtimes."""
        return _json(await _work(state, "/test_program", len(body.tests),
                                 lambda: code.test_program(body.program, body.tests, False, body.max_execution_time)))

    @app.post("/test_program_stdio", response_model=TestProgramResponse, tags=["open-instruct"])
    async def test_program_stdio(body: TestProgramStdioRequest) -> Any:
        """open-instruct: a program and its stdin/stdout cases -> 1/0 per case and runtimes."""
        cases = [case.model_dump() for case in body.tests]
        return _json(await _work(state, "/test_program_stdio", len(cases),
                                 lambda: code.test_program(body.program, cases, True, body.max_execution_time)))


def _add_service_routes(app: FastAPI, state: ServerState) -> None:
    spec = state.evaluator.spec

    @app.get("/health", response_model=Health, tags=["service"])
    async def health() -> Any:
        """Liveness; needs no API key."""
        return Health(components=spec.names, in_flight=state.in_flight, pid=os.getpid())

    @app.get("/metrics", tags=["service"])
    async def metrics() -> Response:
        """Prometheus text format: requests, latency, rows, verdict statuses, queue depth, refusals."""
        return Response(state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/v1/spec", response_model=SpecResponse, tags=["rlvr"])
    async def served_spec() -> Any:
        """The reward spec this server computes (component names and weights for remote clients)."""
        return SpecResponse(components=spec.names, weights=dict(zip(spec.names, spec.weights, strict=True)),
                            spec=spec.to_dict())  # fmt: skip


def create_app(spec: RewardSpec, settings: ServeSettings | None = None) -> FastAPI:
    """The reward server for ``spec``; verifiers start on first use and stop when the app shuts down."""
    settings = (settings or ServeSettings()).checked()
    metrics = ServerMetrics()
    state = ServerState(settings, SpecEvaluator(spec), CodeRunner(settings.code_parallel), metrics)
    if settings.jobs_dir is not None:
        state.jobs = JobRunner(settings, spec, metrics)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(state.close)

    app = FastAPI(title="rlvr reward server", lifespan=lifespan,
                  description="Verifiable rewards over HTTP: rlvr's own API and the shapes OpenRLHF, "
                  "SandboxFusion and open-instruct send.")  # fmt: skip
    app.state.rlvr = state
    _add_reward_routes(app, state)
    _add_code_routes(app, state)
    _add_service_routes(app, state)
    add_job_routes(app, state)

    @app.exception_handler(_Refused)
    async def refused(_: Request, error: _Refused) -> JSONResponse:
        return JSONResponse({"detail": error.detail}, status_code=error.status)

    @app.exception_handler(RlvrError)
    async def bad_input(_: Request, error: RlvrError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=422)

    app.add_middleware(RequestGuard, state=state, routes=ROUTES)
    return app
