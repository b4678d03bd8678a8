"""Request and response bodies of every route, as pydantic models (they are the OpenAPI schema).

The native routes (``/v1/...``) refuse unknown keys; the peer-compatible routes ignore keys
they do not use, because OpenRLHF, SandboxFusion and open-instruct send more than rlvr needs.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from verifiers.base import Verdict

__all__ = [
    "GetRewardRequest", "GetRewardResponse", "Health", "JobRequest", "JobStatus", "RewardRequest",
    "RewardResponse", "RowResult", "RunCodeRequest", "RunCodeResponse", "RunResult", "SpecResponse", "StdioCase",
    "TestProgramRequest", "TestProgramResponse", "TestProgramStdioRequest", "VerifyRequest", "VerifyResponse",
    "VerifyRow",
]  # fmt: skip


class _Native(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Peer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Health(_Native):
    status: Literal["ok"] = "ok"
    components: list[str]
    in_flight: int = Field(description="requests this replica is handling")
    pid: int = Field(description="the process (replica) that answered")


class SpecResponse(_Native):
    """The served reward spec: what a remote client needs to build one function per component."""

    components: list[str]
    weights: dict[str, float]
    spec: dict[str, Any]


class VerifyRow(BaseModel):
    """One dataset row: the completion and any columns the spec reads (``answer`` is the reference)."""

    model_config = ConfigDict(extra="allow")

    completion: str
    prompt: str | None = None


class VerifyRequest(_Native):
    rows: list[VerifyRow]


class RowResult(_Native):
    total: float | None = Field(description="the spec's weighted total; null when no component applies")
    components: dict[str, float | None]
    verdicts: dict[str, Verdict | None]


class VerifyResponse(_Native):
    results: list[RowResult]


class RewardRequest(_Native):
    """TRL's reward-function arguments: prompts, completions (text or messages) and dataset columns."""

    completions: list[str | list[dict[str, Any]]]
    prompts: list[str | list[dict[str, Any]]] | None = None
    columns: dict[str, list[Any]] = Field(default_factory=dict)
    token_counts: list[int] | None = None


class RewardResponse(_Native):
    rewards: dict[str, list[float | None]] = Field(description="unweighted scores per component; null = n/a")
    weights: dict[str, float]
    totals: list[float | None]


class GetRewardRequest(_Peer):
    """OpenRLHF's remote reward model call; each query is the prompt followed by the response."""

    query: list[str]
    prompts: list[str] | None = None
    labels: list[Any] | None = None


class GetRewardResponse(_Native):
    rewards: list[float]
    scores: list[float]
    extra_logs: dict[str, list[float]]


class RunCodeRequest(_Peer):
    """SandboxFusion's ``/run_code`` body; only Python runs here."""

    code: str
    language: Literal["python", "python3"] = "python"
    stdin: str | None = None
    run_timeout: float = Field(10.0, gt=0, le=60)
    memory_limit_MB: int | None = Field(None, description="at least 128; -1 or null: the verifier's default")


class RunResult(_Native):
    status: Literal["Finished", "Error", "TimeLimitExceeded"]
    execution_time: float | None
    return_code: int | None
    stdout: str | None = Field(description="what the program printed (up to the output cap)")
    stderr: str | None


class RunCodeResponse(_Native):
    status: Literal["Success", "Failed", "SandboxError"]
    message: str
    compile_result: RunResult | None = None
    run_result: RunResult | None
    files: dict[str, str] = Field(default_factory=dict)


def _decode_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value.lstrip().startswith("[") else value


class TestProgramRequest(_Peer):
    """open-instruct's ``/test_program``: a program and its assert statements."""

    __test__ = False  # not a pytest class

    program: str
    tests: list[str]
    max_execution_time: float = Field(1.0, gt=0, le=60)

    @field_validator("tests", mode="before")
    @classmethod
    def _decode(cls, value: Any) -> Any:
        return _decode_json(value)  # open-instruct also sends the tests as a JSON string


class StdioCase(_Peer):
    input: str
    output: str


class TestProgramStdioRequest(_Peer):
    """open-instruct's ``/test_program_stdio``: a program and its stdin/stdout cases."""

    __test__ = False

    program: str
    tests: list[StdioCase]
    max_execution_time: float = Field(1.0, gt=0, le=60)

    @field_validator("tests", mode="before")
    @classmethod
    def _decode(cls, value: Any) -> Any:
        return _decode_json(value)  # open-instruct also sends the tests as a JSON string


class TestProgramResponse(_Native):
    __test__ = False

    results: list[int] = Field(description="1 where the test passed, 0 where it failed")
    runtimes: list[float] = Field(description="seconds per test, including starting the program")


class JobRequest(_Native):
    """A scoring job: a dataset under the server's ``--jobs-dir`` (or rows inline) through a reward spec."""

    input: str | None = Field(None, description="a .jsonl, .csv or .parquet file, relative to --jobs-dir")
    rows: list[dict[str, Any]] | None = Field(None, description="rows inline instead of a file (at most --max-rows)")
    output: str = Field(description="where the scored rows go, relative to --jobs-dir (.jsonl or .parquet)")
    reward: dict[str, Any] | None = Field(None, description="a reward spec as JSON; default: the server's spec")
    columns: dict[str, str] = Field(default_factory=dict, description="FIELD -> COLUMN, as rlvr score --column")
    resume: bool = Field(False, description="continue an interrupted or cancelled job on the same output")
    skip_invalid: bool = Field(False, description="report and skip malformed rows instead of stopping")

    @model_validator(mode="after")
    def _one_source(self) -> JobRequest:
        if (self.input is None) == (self.rows is None):
            raise ValueError("give either input (a file) or rows (inline), not both or neither")
        return self


class JobStatus(_Native):
    """Where a scoring job stands; ``rows_done`` counts rows written (resumed ones included)."""

    id: str
    status: Literal["running", "succeeded", "failed", "cancelled", "interrupted"]
    rows_done: int = 0
    rows_total: int | None = Field(None, description="records in the input (null until counted)")
    rows_resumed: int = 0
    rows_skipped: int = 0
    output: str
    backend: Literal["local", "ray"]
    error: str | None = Field(None, description="why a job failed, was cancelled or interrupted")
    cancel_requested: bool = False
    pid: int = Field(description="the server process (replica) that runs the job")
    started: float = Field(description="Unix time")
    finished: float | None = None
