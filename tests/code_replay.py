"""Replay hostile programs through the code verifier and report what they managed to do.

Run it only inside its own pid namespace (``unshare --pid --fork --mount-proc``) or at least
its own session (``setsid``): if the sandbox failed, a ``kill(-1)`` or a fork bomb would then
hit this process tree, not the test run. Prints one JSON object:
``{"verdicts": [...], "canary": {...}, "leftover_processes": [...], "healthy": bool}``.

    python tests/code_replay.py ROWS.jsonl [--canary-dir DIR] [--port PORT]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SECRET = "sbx-secret-7f3a"  # what SBX_FAKE_SECRET holds in this process


def _listen(port: int) -> tuple[socket.socket, list[str], threading.Event]:
    hits: list[str] = []
    stop = threading.Event()
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        server.bind(("127.0.0.1", port))
    except OSError:  # another replay holds the port: connections cannot be observed this time
        hits.append("unobserved")
        return server, hits, stop
    server.listen(8)
    server.settimeout(0.2)

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, address = server.accept()
            except (TimeoutError, OSError):
                continue
            hits.append(str(address))
            connection.close()

    threading.Thread(target=accept, daemon=True).start()
    return server, hits, stop


def _processes() -> list[dict[str, str]]:
    """Processes other than this one visible in /proc (this pid namespace's, with --mount-proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            status = dict(line.split(":\t", 1) for line in (entry / "status").read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        name, ppid = status.get("Name", "").strip(), status.get("PPid", "").strip()
        found.append({"pid": entry.name, "name": name, "ppid": ppid})
    return found


def _descendants(processes: list[dict[str, str]]) -> list[dict[str, str]]:
    mine, changed = {str(os.getpid())}, True
    while changed:
        changed = False
        for process in processes:
            if process["ppid"] in mine and process["pid"] not in mine:
                mine.add(process["pid"])
                changed = True
    return [process for process in processes if process["pid"] in mine]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows")
    parser.add_argument("--canary-dir", default="/tmp/sbx_canary")
    parser.add_argument("--port", type=int, default=47123)
    parser.add_argument("--own-namespace", action="store_true", help="this process is pid 1 of its namespace")
    args = parser.parse_args()
    os.environ["SBX_FAKE_SECRET"] = SECRET
    canary = Path(args.canary_dir)
    canary.mkdir(parents=True, exist_ok=True)
    (canary / "keep.txt").write_text("canary\n")
    before = sorted(p.name for p in canary.iterdir())
    listener, hits, stop = _listen(args.port)

    from verifiers.code.verifier import CodeVerifier

    rows = [json.loads(line) for line in Path(args.rows).read_text().splitlines() if line.strip()]
    verifier = CodeVerifier(timeout_s=3.0, test_timeout_s=1.0)
    healthy = verifier.verify("def add(a, b):\n    return a + b\n", tests="assert add(1, 2) == 3").score == 1.0
    visible = _processes if args.own_namespace else lambda: _descendants(_processes())
    servers = {p["pid"] for p in visible()}  # the verifier's fork server, started by the warm-up
    verdicts = []
    for row in rows:
        verdict = verifier.verify(row["code"], tests=row.get("tests"), test_list=row.get("test_list"),
                                  entry_point=row.get("entry_point"))  # fmt: skip
        leftover = [p for p in visible() if p["pid"] not in servers]
        verdicts.append({"id": row["id"], "score": verdict.score, "reason": verdict.reason,
                         "leaks_secret": SECRET in verdict.model_dump_json(), "status": verdict.details.get("status"),
                         "processes_left": leftover})  # fmt: skip
    benign = verifier.verify("def add(a, b):\n    return a + b\n", tests="assert add(1, 2) == 3")
    healthy = healthy and benign.score == 1.0
    verifier.close()
    stop.set()
    listener.close()
    after = sorted(p.name for p in canary.iterdir())
    remaining = visible()
    report = {
        "verdicts": verdicts, "healthy": healthy, "leftover_processes": remaining,
        "canary": {"files_before": before, "files_after": after, "connections": hits,
                   "keep_intact": (canary / "keep.txt").read_text() == "canary\n"},
    }  # fmt: skip
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
