"""`rlvr serve`: the reward spec over HTTP (FastAPI on uvicorn), see :mod:`rewards.serving`."""

from __future__ import annotations

import argparse
import sys

from rlvr.errors import SetupError, validation_message


def _settings(args: argparse.Namespace):
    from pydantic import ValidationError

    from rewards.serving import ServeSettings

    values = {
        "host": args.host,
        "port": args.port,
        "api_key": args.api_key or ServeSettings.api_key_from_environment(),
        "max_body_bytes": int(args.max_body_mb * (1 << 20)),
        "max_rows": args.max_rows,
        "max_concurrency": args.max_concurrency,
        "deadline_s": args.deadline,
        "replicas": args.replicas,
        "jobs_dir": args.jobs_dir,
        "max_jobs": args.max_jobs,
        "job_workers": args.job_workers,
        "ray_address": args.ray_address,
    }
    try:
        return ServeSettings(**values).checked()
    except ValidationError as error:
        raise SetupError(f"invalid server setting: {validation_message(error)}") from None


def cmd_serve(args: argparse.Namespace) -> int:
    from rewards.scoring.job import build_spec
    from rewards.serving import create_app, serve_forever
    from rewards.spec import RewardSpec

    no_flags = args.reward is None and not args.verifier
    spec = RewardSpec.default() if no_flags else build_spec(args.reward, args.verifier, args.option)
    settings = _settings(args)

    def ready(url: str) -> None:
        replicas = f", {settings.replicas} replicas" if settings.replicas > 1 else ""
        print(f"rlvr serve: {', '.join(spec.names)} on {url} (docs at {url}/docs{replicas})", file=sys.stderr,
              flush=True)  # fmt: skip

    if settings.replicas > 1:
        from rewards.serving.replicas import serve_replicas

        serve_replicas(spec, settings, on_ready=ready)  # each worker process builds its own app
        return 0
    serve_forever(create_app(spec, settings), settings, on_ready=ready)
    return 0


def add_parser(verbs: argparse._SubParsersAction) -> None:
    parser = verbs.add_parser("serve", help="serve a reward spec over HTTP (rlvr, OpenRLHF, SandboxFusion, "
                              "open-instruct shapes)")  # fmt: skip
    parser.add_argument("--reward", default=None, metavar="SPEC.yaml", help="a reward spec (default: math + format)")
    parser.add_argument("--verifier", action="append", default=[], metavar="NAME[=WEIGHT]",
                        help="shorthand for a spec: one component per verifier")
    parser.add_argument("--option", action="append", default=[], metavar="NAME.KEY=VALUE",
                        help="a component's config, as in math.timeout=5")
    parser.add_argument("--host", default="127.0.0.1", help="another address needs an API key")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--api-key", default=None, help="require 'Authorization: Bearer KEY' (or set RLVR_API_KEY)")
    parser.add_argument("--max-body-mb", type=float, default=8.0, help="larger bodies get 413")
    parser.add_argument("--max-rows", type=int, default=4096, help="rows per request; more get 413")
    parser.add_argument("--max-concurrency", type=int, default=16, help="requests at once; more get 429")
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds per request before 504")
    parser.add_argument("--replicas", type=int, default=1,
                        help="uvicorn worker processes sharing the socket (metrics summed over them)")
    parser.add_argument("--jobs-dir", default=None, metavar="DIR",
                        help="enable POST /v1/jobs: scoring jobs read and write files only under DIR")
    parser.add_argument("--max-jobs", type=int, default=2, help="scoring jobs running at once; more get 429")
    parser.add_argument("--job-workers", type=int, default=1, help="worker processes (or Ray actors) per job")
    parser.add_argument("--ray-address", default=None, metavar="ADDR",
                        help="run jobs on this Ray cluster (pip install 'rlvr[ray]'); 'local' starts one")
    parser.set_defaults(func=cmd_serve)
