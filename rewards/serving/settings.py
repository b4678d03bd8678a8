"""How a reward server runs: where it listens, who may call it, and how much it takes at once."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from rlvr.errors import SetupError

__all__ = ["API_KEY_ENV", "ServeSettings"]

API_KEY_ENV = "RLVR_API_KEY"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ServeSettings(BaseModel):
    """Limits and security of ``rlvr serve``; the defaults suit one trainer on the same machine."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    api_key: str | None = Field(None, min_length=8, description="callers send 'Authorization: Bearer KEY'")
    max_body_bytes: int = Field(8 << 20, ge=1024, description="larger bodies get 413")
    max_rows: int = Field(4096, ge=1, description="rows (or tests) per request; more get 413")
    max_concurrency: int = Field(16, ge=1, description="requests handled at once; more get 429")
    retry_after_s: int = Field(1, ge=1, description="the Retry-After of a 429")
    deadline_s: float = Field(300.0, gt=0, description="a request still running then gets 504")
    code_parallel: int = Field(2, ge=1, le=64, description="programs the code routes run at once")
    graceful_shutdown_s: float = Field(30.0, gt=0, description="how long in-flight requests get to finish")
    replicas: int = Field(1, ge=1, le=64, description="uvicorn worker processes sharing the listening socket")
    jobs_dir: Path | None = Field(None, description="scoring jobs read and write only under it; None: no jobs")
    max_jobs: int = Field(2, ge=1, description="scoring jobs running at once (per replica); more get 429")
    job_workers: int = Field(1, ge=1, le=256, description="worker processes (or Ray actors) per scoring job")
    ray_address: str | None = Field(None, description="score jobs on this Ray cluster ('local': start one)")

    @property
    def loopback(self) -> bool:
        return _is_loopback(self.host)

    def checked(self) -> ServeSettings:
        """These settings, after refusing a non-loopback address without an API key."""
        if not self.loopback and self.api_key is None:
            raise SetupError(
                f"binding {self.host} exposes the server beyond this machine: pass --api-key "
                f"or set {API_KEY_ENV} (callers then send 'Authorization: Bearer KEY')"
            )
        if self.replicas > 1 and self.ray_address == "local":
            raise SetupError("--ray-address local would start one Ray cluster per replica: start one with "
                             "'ray start --head' and pass its address")  # fmt: skip
        if self.jobs_dir is not None and not self.jobs_dir.is_dir():
            raise SetupError(f"--jobs-dir {self.jobs_dir} is not a directory")
        return self

    @classmethod
    def api_key_from_environment(cls) -> str | None:
        return os.environ.get(API_KEY_ENV) or None
