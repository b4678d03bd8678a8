"""The task registry: built-ins through the register_tasks hook, third-party tasks, checks and errors."""

from __future__ import annotations

import pytest

from plugins import hookimpl
from plugins.manager import DEFAULT_PLUGINS
from plugins.tasks import get_task, recognise_task, task_entries
from rlvr.errors import PluginRegistrationError, TaskError
from tasks.base import Task

BUILTINS = {"gsm8k", "math", "mbpp", "humaneval", "commonsenseqa", "mathqa", "synthetic", "physics"}


class EchoTask(Task):
    name = "echo"
    description = "Rows whose answer is their question"
    columns = ("say",)

    def to_row(self, row, index):
        return {"id": str(index), "question": row["say"], "answer": row["say"], "solution": row["say"]}

    def reward_spec(self):
        return {"components": [{"name": "exact", "verifier": "exact"}]}


class EchoPlugin:
    @hookimpl
    def register_tasks(self, register):
        register(EchoTask)


def test_builtins_register_through_the_hook():
    entries = task_entries()
    assert BUILTINS <= set(entries)
    assert all(entries[name].plugin in DEFAULT_PLUGINS for name in BUILTINS)
    assert all(entries[name].version for name in BUILTINS)


def test_hook_register_tasks(register_plugin, tmp_path):
    register_plugin(EchoPlugin(), name="echo-tasks")
    assert task_entries()["echo"].plugin == "echo-tasks"
    (tmp_path / "in.jsonl").write_text('{"say": "hi"}\n')
    task = get_task("echo")
    assert task.load(tmp_path / "in.jsonl") == [{"id": "0", "question": "hi", "answer": "hi", "solution": "hi"}]
    assert recognise_task({"say": "x"}).name == "echo"


class Duplicate(EchoTask):
    name = "gsm8k"


class NoDescription(EchoTask):
    description = ""


class BadName(EchoTask):
    name = "Echo Task"


@pytest.mark.parametrize(
    ("registered", "message"),
    [
        (Duplicate, r"task 'gsm8k' is registered by both plugin '(bad-tasks|tasks\.gsm8k)' and plugin '(bad-|tasks\.)"),
        (NoDescription, "description must be one non-empty line"),
        (BadName, "must be lowercase"),
        (dict, "takes a tasks.base.Task subclass"),  # not a Task at all
    ],
)
def test_bad_registrations_are_one_clear_error(register_plugin, registered, message):
    class BadPlugin:
        @hookimpl
        def register_tasks(self, register):
            register(registered)

    register_plugin(BadPlugin(), name="bad-tasks")
    with pytest.raises(PluginRegistrationError, match=message):
        task_entries()


def test_unknown_task_names_the_available_ones():
    with pytest.raises(TaskError, match=r"unknown task 'gsm9k'; available: commonsenseqa, gsm8k"):
        get_task("gsm9k")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"question": "q", "answer": "a"}, "gsm8k"),
        ({"question": "q", "answer": "a", "solution": "s", "kind": "linear"}, "synthetic"),  # more specific
        ({"question": "q", "answer": "a", "solution": "s", "kind": "braking"}, "physics"),  # a physics family
        ({"problem": "p", "solution": "s", "answer": "a"}, "math"),
        ({"text": "t", "code": "c", "test_list": []}, "mbpp"),
        ({"id": "1", "question": "q", "choices": {}, "answerKey": "A"}, "commonsenseqa"),
        ({"Problem": "p", "options": "a ) 1", "correct": "a"}, "mathqa"),
        ({"prompt": "p", "completion": "c"}, None),  # a completions file is no benchmark
    ],
)
def test_recognise_task_by_columns(row, expected):
    task = recognise_task(row)
    assert (task.name if task else None) == expected
