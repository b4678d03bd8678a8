"""Tasks: benchmarks in their own formats, mapped to verifier columns, with prompts and reward specs.

Built-in tasks register through the ``register_tasks`` hook like any plugin; look them up with
:func:`get_task`.

Example:
    >>> task = get_task("gsm8k")
    >>> row = task.to_row({"question": "What is 2 + 3?", "answer": "2+3=<<2+3=5>>5\\n#### 5"}, 0)
    >>> row["answer"], task.spec().names
    ('5', ['math', 'format'])
"""

from plugins.tasks import TaskEntry, get_task, recognise_task, task_entries
from tasks.base import VERIFIER_COLUMNS, Task
from tasks.loader import read_rows, write_rows
from tasks.references import ReferenceCheck, check_references

__all__ = [
    "VERIFIER_COLUMNS",
    "ReferenceCheck",
    "Task",
    "TaskEntry",
    "check_references",
    "get_task",
    "read_rows",
    "recognise_task",
    "task_entries",
    "write_rows",
]
