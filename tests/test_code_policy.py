"""The code sandbox's first layers, in-process: the compile policy, the runtime guards, the boundary."""

from __future__ import annotations

import collections

import pytest

from verifiers.code.boundary import BoundaryError, Opaque, to_test_side
from verifiers.code.harness import run_plan
from verifiers.code.modules import preload_modules
from verifiers.code.plan import build_plan
from verifiers.code.policy import CandidateCompileError, compile_candidate

VIEWS = preload_modules()
LIMITS = {"output_limit": 10_000, "test_timeout_s": 2.0}


def run_in_process(code: str, tests: str) -> list[dict]:
    """Run the harness here (no process sandbox): what the policy and the boundary alone decide."""
    messages: list[dict] = []
    run_plan(build_plan(tests), code, messages.append, VIEWS, LIMITS)
    return messages


def passed(messages: list[dict]) -> list[bool]:
    return [m["ok"] for m in messages if m["e"] == "test"]


@pytest.mark.parametrize(
    "source",
    [
        "dp = [0] * 3\ndp[1] += 2\ndp[0:2] += []",  # subscript and slice augmented assignment
        "class A:\n    def __init__(self):\n        self.n = 0\n        self.n += 1",  # attribute augmented assignment
        "class B(Exception):\n    def __init__(self, m):\n        super().__init__(m)",  # zero-argument super()
        "def f():\n    x = 0\n    def g():\n        nonlocal x\n        x += 1\n    return g",
        "class S:\n    __slots__ = ('a',)\n    def __len__(self):\n        return 0",  # dunder definitions
        "class P:\n    def __init__(self):\n        self._items = []",  # single-underscore private names
        "x: int = 3\nclass D:\n    y: str = 'a'",  # annotated assignments
        "match [1, 2]:\n    case [a, *rest]:\n        pass\n    case {'k': v}:\n        pass",  # match statements
        "if __name__ == '__main__':\n    pass",
        "value = eval('1 + 2')",  # eval is compiled under the same policy at run time
    ],
)
def test_ordinary_python_compiles(source):
    compile_candidate(source)


@pytest.mark.parametrize(
    "source",
    [
        "().__class__.__mro__[1].__subclasses__()",
        "def g():\n    yield 1\nx = g().gi_frame",
        "def f(_write_=None, /):\n    pass",  # shadowing a guard through a positional-only default
        "_getattr_ = getattr",
        "import os as _getiter_",
        "class X:\n    pass\nX.__dict__",
        "f = lambda: 0\nf.__globals__",
        "match 1:\n    case int(__class__=c):\n        pass",  # attribute names in class patterns
        "async def f():\n    pass",
    ],
)
def test_escape_routes_do_not_compile(source):
    with pytest.raises(CandidateCompileError):
        compile_candidate(source)


@pytest.mark.parametrize(
    "code, test",
    [
        ("def f():\n    return '{0.__class__}'.format(1)", "assert f()"),  # format field paths are guarded
        ("def f():\n    return str.format('{0.__class__}', 1)", "assert f()"),
        ("def f():\n    return getattr(1, '__class__')", "assert f()"),
        ("import math\nmath.floor = abs\ndef f():\n    return 1", "assert f() == 1"),  # module views are read-only
        ("import os\ndef f():\n    return os.getcwd()", "assert f()"),  # refused module: any use fails
        ("import sys\ndef f():\n    return sys.modules", "assert f()"),
        ("import operator\ndef f():\n    return operator.attrgetter('__class__')(1)", "assert f()"),
        ("import string\ndef f():\n    return string.Formatter()", "assert f()"),
        ("def f():\n    return open('/etc/passwd').read()", "assert f()"),
        ("def f():\n    return eval('().__class__')", "assert f()"),  # eval compiles under the policy
        ("import collections\ncollections.Counter.most_common = 1\ndef f():\n    return 1", "assert f() == 2"),
    ],
)
def test_runtime_guards_refuse(code, test):
    # each test would pass only if the guard let the program through
    assert passed(run_in_process(code, test)) == [False]


def test_unused_refused_import_costs_nothing():
    messages = run_in_process("import os\ndef f():\n    return 1", "assert f() == 1")
    assert passed(messages) == [True]
    assert messages[-1]["refused"] == ["os"]


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return 0

    __hash__ = object.__hash__


class EvilInt(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


@pytest.mark.parametrize(
    "check",
    [
        lambda v: v == 3,
        lambda v: v != 3 or True,  # != is refused too, not answered with a default
        lambda v: abs(v - 0.75) < 1e-9,  # arithmetic with a builtin taints the result
        lambda v: 3 in v,
    ],
)
def test_a_non_builtin_object_cannot_meet_a_builtin_value(check):
    with pytest.raises(BoundaryError):
        check(to_test_side(AlwaysEqual()))


@pytest.mark.parametrize(
    "value, expected, kind",
    [
        (EvilInt(0), 0, int),  # a builtin subclass is rebuilt as its base value
        ([EvilInt(1), (2, "a")], [1, (2, "a")], list),
        (collections.Counter("aab"), {"a": 2, "b": 1}, collections.Counter),
        (collections.namedtuple("P", "x y")(1, 2), (1, 2), tuple),
    ],
)
def test_builtin_values_cross_as_exact_builtins(value, expected, kind):
    crossed = to_test_side(value)
    assert crossed == expected and isinstance(crossed, kind)
    assert crossed != (expected, "something else")


def test_program_objects_compare_among_themselves():
    left, right = to_test_side(AlwaysEqual()), to_test_side(AlwaysEqual())
    assert isinstance(left, Opaque) and left == right  # the test asked for the program's __eq__
