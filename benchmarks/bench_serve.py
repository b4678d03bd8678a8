"""`rlvr serve` and `--backend ray` throughput, each against its in-process baseline in the same run.

1. Throughput: N math rows (real dev completions, cycled) scored in-process by ``score_rows``
   (what ``rlvr score`` runs) and through a live ``rlvr serve`` subprocess on 127.0.0.1 in
   batches of 64 (``POST /v1/verify``). Goal: server time <= 1.3x in-process.
2. Load: C concurrent clients send R requests to 127.0.0.1 mixing valid, malformed (422),
   oversize (413) and unauthenticated (401) ones; 429s are retried after Retry-After. Goal: no 5xx,
   every valid row judged exactly once (the server's row counter), each bad request its 4xx,
   server RSS flat between two rounds.
3. Ray: M rows with ``--backend ray --workers 2`` (a local 2-CPU cluster, start-up included) against
   ``--workers 2`` processes. Goal: >= 0.7x.

    .venv/bin/python benchmarks/bench_serve.py [--data ../shared/data] [--rows 2000] [--requests 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from rewards.scoring.job import ScoreJob  # noqa: E402
from rewards.scoring.run import score_rows  # noqa: E402
from rewards.spec import RewardSpec  # noqa: E402

KEY = "benchmark-api-key"
SPEC = RewardSpec.default()  # math + format


def math_rows(data_dir: Path, n: int) -> list[dict]:
    path = data_dir / "real_dev" / "math_model_answers.dev.jsonl"
    source = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [{"id": i, "completion": source[i % len(source)]["pred"], "answer": source[i % len(source)]["gold"]}
            for i in range(n)]  # fmt: skip


def start_server(*args: str) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "rlvr.cli", "serve", "--port", "0", "--api-key", KEY, *args]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=REPO)
    match = re.search(r"on (http://\S+) ", process.stderr.readline())
    if match is None:
        process.kill()
        raise SystemExit("rlvr serve did not start")
    return process, match.group(1)


def in_process_seconds(rows: list[dict], tmp: Path, backend: str = "local", workers: int = 1) -> float:
    source = tmp / f"in-{time.monotonic_ns()}.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    output = tmp / f"out-{backend}-{workers}-{time.monotonic_ns()}.jsonl"
    started = time.perf_counter()
    score_rows(ScoreJob(source, output, SPEC, workers=workers, backend=backend))
    return time.perf_counter() - started


def evaluator_seconds(evaluator, rows: list[dict], batch: int) -> float:
    """The spec evaluator itself, kept warm like the server's: the HTTP-free floor."""
    from rewards.scoring.job import DEFAULT_COLUMNS
    from rewards.scoring.run import score_chunk

    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        score_chunk(evaluator, rows[start : start + batch], DEFAULT_COLUMNS)
    return time.perf_counter() - started


def served_seconds(rows: list[dict], url: str, batch: int) -> float:
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=url, headers=headers, timeout=600) as client:
        started = time.perf_counter()
        for start in range(0, len(rows), batch):
            response = client.post("/v1/verify", json={"rows": rows[start : start + batch]})
            assert response.status_code == 200, response.text
        return time.perf_counter() - started


def throughput(rows: list[dict], tmp: Path, batch: int, rounds: int) -> None:
    from rewards.compose import SpecEvaluator

    process, url = start_server()
    evaluator = SpecEvaluator(SPEC)
    times: dict[str, list[float]] = {"score_rows": [], "evaluator": [], "served": []}
    try:
        served_seconds(rows[:batch], url, batch)  # build the verifiers once
        evaluator_seconds(evaluator, rows[:batch], batch)
        for round_ in range(rounds):  # interleaved, so that all see the same machine load
            # new ids each round: a repeated batch would be answered from the evaluator's cache
            fresh = [{**row, "id": f"{round_}-{row['id']}"} for row in rows]
            times["score_rows"].append(in_process_seconds(fresh, tmp))
            times["evaluator"].append(evaluator_seconds(evaluator, fresh, batch))
            times["served"].append(served_seconds(fresh, url, batch))
    finally:
        evaluator.close()
        process.terminate()
        process.wait()
    best = {name: min(values) for name, values in times.items()}
    print(f"throughput: {len(rows)} math rows, batches of {batch}, best of {rounds} interleaved rounds")
    print(f"  in-process score_rows (rlvr score, verifiers built per run): {best['score_rows']:6.2f} s "
          f"{len(rows) / best['score_rows']:7.1f} rows/s")  # fmt: skip
    print(f"  in-process warm evaluator, batches of {batch}            : {best['evaluator']:6.2f} s "
          f"{len(rows) / best['evaluator']:7.1f} rows/s")  # fmt: skip
    print(f"  rlvr serve POST /v1/verify, batches of {batch}           : {best['served']:6.2f} s "
          f"{len(rows) / best['served']:7.1f} rows/s")  # fmt: skip
    for name in ("score_rows", "evaluator"):
        rounds_text = ", ".join(f"{b / a:.2f}x" for a, b in zip(times[name], times["served"], strict=True))
        ratio = best["served"] / best[name]
        print(f"  served/{name}: {ratio:.2f}x best-to-best (goal <= 1.3x); per round: {rounds_text}")


def load_plan(requests: int, rows: list[dict]) -> list[tuple[str, dict, bytes]]:
    """(kind, headers, body) per request: 60% valid (4 rows each), 15% malformed, 10% oversize, 15% no key."""
    auth = {"Authorization": f"Bearer {KEY}", "content-type": "application/json"}
    plan = []
    for i in range(requests):
        kind = ("valid",) * 12 + ("malformed",) * 3 + ("oversize",) * 2 + ("unauthenticated",) * 3
        kind = kind[i % 20]
        batch = [rows[(4 * i + j) % len(rows)] for j in range(4)]
        body = json.dumps({"rows": batch}).encode()
        if kind == "malformed":
            body = json.dumps({"rows": [{"answer": "1"}]}).encode() if i % 2 else b'{"rows": [oops'
        elif kind == "oversize":
            body = json.dumps({"rows": [{"completion": "x" * (80 << 10), "answer": "1"}]}).encode()
        headers = {"content-type": "application/json"} if kind == "unauthenticated" else auth
        plan.append((kind, headers, body))
    return plan


EXPECTED = {"valid": 200, "malformed": 422, "oversize": 413, "unauthenticated": 401}


async def run_load(url: str, plan: list[tuple[str, dict, bytes]], clients: int) -> dict:
    queue: asyncio.Queue = asyncio.Queue()
    for index, item in enumerate(plan):
        queue.put_nowait((index, *item))
    outcome: dict = {"answers": collections.Counter(), "wrong": [], "retries_429": 0, "results": {}}
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=httpx.Limits(max_connections=clients)) as http:

        async def client() -> None:
            while not queue.empty():
                index, kind, headers, body = queue.get_nowait()
                while True:
                    response = await http.post("/v1/verify", content=body, headers=headers)
                    if response.status_code != 429:
                        break
                    outcome["retries_429"] += 1
                    await asyncio.sleep(float(response.headers.get("retry-after", "1")))
                outcome["answers"][(kind, response.status_code)] += 1
                if response.status_code != EXPECTED[kind]:
                    outcome["wrong"].append((index, kind, response.status_code))
                elif kind == "valid":
                    outcome["results"][index] = len(response.json()["results"])

        await asyncio.gather(*[client() for _ in range(clients)])
    return outcome


def server_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rows_counted(url: str) -> float:
    text = httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {KEY}"}).text
    match = re.search(r'^rlvr_rows_total\{route="/v1/verify"\} (\S+)$', text, re.M)
    return float(match.group(1)) if match else 0.0


def load_test(rows: list[dict], requests: int, clients: int) -> None:
    process, url = start_server("--max-body-mb", "0.0625", "--max-concurrency", "16")
    try:
        plan = load_plan(requests, rows)
        valid_rows = 4 * sum(kind == "valid" for kind, _, _ in plan)
        rss = [server_rss_mib(process.pid)]
        for _ in range(2):
            started = time.perf_counter()
            outcome = asyncio.run(run_load(url, plan, clients))
            seconds = time.perf_counter() - started
            rss.append(server_rss_mib(process.pid))
        counted = rows_counted(url)
    finally:
        process.terminate()
        process.wait()
    five = sum(n for (_, status), n in outcome["answers"].items() if status >= 500)
    lost = sum(1 for index, (kind, _, _) in enumerate(plan) if kind == "valid" and outcome["results"].get(index) != 4)
    print(f"load: {requests} requests x 2 rounds, {clients} concurrent clients, 127.0.0.1")
    print(f"  answers (last round): {dict(sorted(outcome['answers'].items()))}")
    print(f"  5xx: {five}; wrong status: {len(outcome['wrong'])}; valid requests without their 4 results: {lost}")
    print(f"  rows judged by the server: {counted:.0f} (expected {2 * valid_rows}, 2 rounds)")
    print(f"  429s retried (last round): {outcome['retries_429']}; round time {seconds:.1f} s "
          f"({requests / seconds:.0f} req/s)")  # fmt: skip
    print(f"  server RSS MiB: start {rss[0]:.0f}, after round 1 {rss[1]:.0f}, after round 2 {rss[2]:.0f}")


def ray_vs_processes(rows: list[dict], tmp: Path) -> None:
    import ray

    local = in_process_seconds(rows, tmp, "local", 2)
    cold = in_process_seconds(rows, tmp, "ray", 2)  # starts and stops a local 2-CPU Ray instance
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="warning")
    try:
        warm = in_process_seconds(rows, tmp, "ray", 2)  # a cluster already running, as with --address
    finally:
        ray.shutdown()
    print(f"ray: {len(rows)} math rows, 2 workers")
    print(f"  --workers 2 (processes, pool start included): {local:7.2f} s  {len(rows) / local:8.1f} rows/s")
    print(f"  --backend ray, Ray start-up included        : {cold:7.2f} s  {len(rows) / cold:8.1f} rows/s"
          f"  ({local / cold:.2f}x)")  # fmt: skip
    print(f"  --backend ray on a running 2-CPU cluster    : {warm:7.2f} s  {len(rows) / warm:8.1f} rows/s"
          f"  ({local / warm:.2f}x, goal >= 0.7x)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--ray-rows", type=int, default=5000)
    parser.add_argument("--skip", action="append", default=[], choices=("throughput", "load", "ray"))
    args = parser.parse_args()
    print("command: " + " ".join([os.path.relpath(sys.executable, REPO), *sys.argv]))
    with tempfile.TemporaryDirectory() as tmp:
        if "throughput" not in args.skip:
            throughput(math_rows(args.data, args.rows), Path(tmp), args.batch, args.rounds)
        if "load" not in args.skip:
            load_test(math_rows(args.data, 400), args.requests, args.clients)
        if "ray" not in args.skip:
            ray_vs_processes(math_rows(args.data, args.ray_rows), Path(tmp))


if __name__ == "__main__":
    main()
