"""The files of a scoring run beside OUTPUT, and the rules that keep them whole.

- ``OUTPUT`` (JSONL), or ``OUTPUT.partial.jsonl`` while a Parquet output is being scored;
- ``OUTPUT.settings.json``: what the run was asked to do, checked by ``--resume``;
- ``OUTPUT.skipped.jsonl``: the lines ``--skip-invalid`` skipped;
- ``OUTPUT-stem.rewards.png``: the score histograms;
- ``OUTPUT.lock``: held for the length of the run, so that a second run on the same output
  fails at once, naming the first run's process id.

Nothing is created until there is something to write, so a run that fails before its first row
leaves no file behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from rewards.scoring.job import ScoreJob
from rewards.scoring.settings import settings_difference
from rewards.scoring.table_io import append_jsonl, is_stdin, read_jsonl, recover_jsonl
from rlvr.errors import ScoringError

__all__ = ["OutputFiles", "OutputWriter", "check_not_input", "output_lock", "prepare", "reported_lines"]


@dataclass(frozen=True)
class OutputFiles:
    """The paths of one run's files, named after ``output``."""

    output: Path

    def _beside(self, suffix: str) -> Path:
        return self.output.with_name(self.output.name + suffix)

    @property
    def stage(self) -> Path:
        """Where rows are appended while scoring: the output itself for JSONL, a sidecar for Parquet."""
        return self._beside(".partial.jsonl") if self.output.suffix == ".parquet" else self.output

    @property
    def skipped(self) -> Path:
        return self._beside(".skipped.jsonl")

    @property
    def settings(self) -> Path:
        return self._beside(".settings.json")

    @property
    def lock(self) -> Path:
        return self._beside(".lock")

    @property
    def histogram(self) -> Path:
        return self.output.with_name(self.output.stem + ".rewards.png")

    def all(self) -> list[Path]:
        return list(dict.fromkeys([self.output, self.stage, self.skipped, self.settings, self.histogram]))


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    return a.exists() and b.exists() and os.path.samefile(a, b)  # hard links too


def check_not_input(job: ScoreJob) -> None:
    """Refuse an output (or one of its side files) that is the input, by any path or link."""
    if is_stdin(job.input_path):
        return
    for path in OutputFiles(job.output_path).all():
        if _same_file(path, job.input_path):
            raise ScoringError(f"the output file {path} is the input {job.input_path}: "
                               "write the scores to another file")


def _holder(handle: TextIO) -> str:
    handle.seek(0)
    pid = handle.read().strip()
    return f"pid {pid}" if pid else "a process that has not written its pid yet"


@contextlib.contextmanager
def output_lock(files: OutputFiles) -> Iterator[None]:
    """Hold ``OUTPUT.lock`` for the run; fail at once, naming the holder, if another run holds it."""
    files.output.parent.mkdir(parents=True, exist_ok=True)
    while True:
        handle = files.lock.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            handle.close()
            raise ScoringError(f"{files.output} is being written by another rlvr score run ({holder}); "
                               "wait for it to finish") from None
        if files.lock.exists() and os.stat(files.lock).st_ino == os.fstat(handle.fileno()).st_ino:
            break
        handle.close()  # the holder removed the lock file while we waited for it: take a fresh one
    handle.truncate(0)
    handle.write(str(os.getpid()))
    handle.flush()
    try:
        yield
    finally:
        files.lock.unlink(missing_ok=True)  # removed while held, so no other run can hold a stale inode
        handle.close()


class OutputWriter:
    """Appends scored rows and skipped lines, opening each file (and writing the settings) only when needed."""

    def __init__(self, job: ScoreJob, settings: dict[str, Any]):
        self.files = OutputFiles(job.output_path)
        self.settings = settings
        self._handles: dict[Path, TextIO] = {}
        self.existed = {path for path in self.files.all() if path.exists()}
        self.rows_written = 0

    def _handle(self, path: Path) -> TextIO:
        if path not in self._handles:
            if not self.files.settings.exists():
                write_settings(self.files.settings, self.settings)
            self._handles[path] = path.open("a", encoding="utf-8")
        return self._handles[path]

    def rows(self, records: list[dict[str, Any]]) -> None:
        append_jsonl(self._handle(self.files.stage), records)
        self.rows_written += len(records)

    def skipped(self, records: list[dict[str, Any]]) -> None:
        append_jsonl(self._handle(self.files.skipped), records)

    def finish(self) -> None:
        """A run that ends well has an output, even with no rows."""
        self._handle(self.files.stage)
        self.close()

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()

    def discard_if_empty(self) -> None:
        """After a failure: remove what this run created if it wrote no row (and found none)."""
        self.close()
        stage_empty = not self.files.stage.exists() or self.files.stage.stat().st_size == 0
        if self.rows_written == 0 and stage_empty:
            for path in self.files.all():
                if path not in self.existed or path == self.files.stage:
                    path.unlink(missing_ok=True)


def write_settings(path: Path, settings: dict[str, Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(settings, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)


def prepare(job: ScoreJob, settings: dict[str, Any]) -> int:
    """Check (and with ``--force`` clear) what is already there; the number of rows already scored."""
    files = OutputFiles(job.output_path)
    if job.force:
        for path in files.all():
            path.unlink(missing_ok=True)
    complete = files.stage != files.output and files.output.exists()
    if files.stage.exists() and not complete and recover_jsonl(files.stage) == 0:
        files.stage.unlink()  # an empty leftover (a run killed before its first row) holds nothing
    started = files.stage.exists() or files.output.exists()
    if started and not job.resume:
        raise ScoringError(f"{job.output_path} exists: pass --resume to continue it, or --force to start over")
    if started and files.stage != files.output and not files.stage.exists():
        raise ScoringError(f"{job.output_path} is already complete; pass --force to score again")
    if not started:  # orphans of a run that never wrote a row
        files.settings.unlink(missing_ok=True)
        files.skipped.unlink(missing_ok=True)
        return 0
    _check_same_settings(files, settings)
    recover_jsonl(files.skipped)
    return recover_jsonl(files.stage) if job.resume else 0


def _check_same_settings(files: OutputFiles, settings: dict[str, Any]) -> None:
    if not files.settings.exists():
        raise ScoringError(f"{files.output} has no {files.settings.name}, so --resume cannot check that it was "
                           "scored the same way; pass --force to start over")
    difference = settings_difference(json.loads(files.settings.read_text(encoding="utf-8")), settings)
    if difference is not None:
        raise ScoringError(f"--resume with other settings than the run that wrote {files.output}: {difference}; "
                           "rerun with those settings, or pass --force to start over")


def reported_lines(files: OutputFiles) -> set[int]:
    """The lines an earlier run already wrote to the skipped file."""
    return {record["line"] for record in read_jsonl(files.skipped)} if files.skipped.exists() else set()
