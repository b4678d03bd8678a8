"""The code sandbox's first layer (the compile policy and runtime guards) and the data-only channel."""

from __future__ import annotations

import collections
import decimal
import fractions

import pytest

from verifiers.code.policy import CandidateCompileError, compile_candidate
from verifiers.code.verifier import CodeVerifier
from verifiers.code.wire import MAX_DEPTH, WireError, decode, encode


@pytest.fixture(scope="module")
def verifier():
    with CodeVerifier(timeout_s=5.0, test_timeout_s=2.0) as shared:
        yield shared


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
def test_runtime_guards_refuse(verifier, code, test):
    # each test would pass only if the guard let the program through
    assert verifier.verify(code, test_list=[test]).score == 0.0


@pytest.mark.parametrize(
    "code",
    [
        # a positional class pattern reads the attributes __match_args__ names: a restricted one is refused
        "from dataclasses import dataclass\nimport abc\n@dataclass\nclass C(abc.ABC):\n    gi_frame: int = 0\n"
        "def g():\n    yield 1\nC.register(type(g()))\ndef f():\n    match g():\n        case C(fr):\n"
        "            return fr\n",
        "C = type('C', (), {'__match_args__': ('gi_frame',)})\ndef f():\n    return 1",  # 3-argument type()
        "M = type('M', (type,), {'__instancecheck__': lambda c, o: True})\ndef f():\n    return 1",
        "class M(type):\n    def __new__(m, n, b, ns):\n        ns['__instancecheck__'] = lambda c, o: True\n"
        "        return super().__new__(m, n, b, ns)\nclass C(metaclass=M):\n    pass\ndef f():\n    return 1",
        "class S(str):\n    pass\ndef f():\n    return S.format('{0.__class__}', 1)",  # format on a str subclass
        "class S(str):\n    def f(self):\n        return super().format('{0.__class__}', 1)\n"
        "def f():\n    return S('x').f()",  # format through super()
        "class S(str):\n    pass\ndef f():\n    return S('{0.__class__}').format_map({0: 1})",
        "def f():\n    return getattr(str, 'format')('{0.__class__.__base__}', 1)",
    ],
)
def test_closed_restricted_python_holes(verifier, code):
    # the test passes only if f reached a class or a frame: refused at run time, or never reached
    leaked = verifier.verify(code, test_list=["assert any(w in str(f()) for w in ('class', 'frame', 'type'))"])
    assert leaked.score == 0.0, leaked.details["failures"]


def test_ordinary_match_and_type_still_work(verifier):
    code = (
        "from dataclasses import dataclass\n@dataclass\nclass P:\n    x: int\n    y: int\n"
        "def f(p):\n    match P(*p):\n        case P(0, y):\n            return y\n        case P(x, y=2):\n"
        "            return x\n    return type('T', (), {'a': 1}).a + (type(3) is int)\n"
    )
    assert verifier.verify(code, test_list=["assert f([0, 5]) == 5", "assert f([7, 2]) == 7",
                                            "assert f([7, 3]) == 2"]).score == 1.0  # fmt: skip


def test_unused_refused_import_costs_nothing(verifier):
    verdict = verifier.verify("import os\ndef f():\n    return 1", test_list=["assert f() == 1"])
    assert verdict.score == 1.0 and verdict.details["refused_imports"] == ["os"]


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class EvilInt(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


@pytest.mark.parametrize(
    "value, expected, kind",
    [
        (EvilInt(0), 0, int),  # a builtin subclass crosses as its base value
        ([EvilInt(1), (2, "a")], [1, (2, "a")], list),
        (collections.Counter("aab"), {"a": 2, "b": 1}, dict),
        (collections.namedtuple("P", "x y")(1, 2), (1, 2), tuple),
        ({1: {2, 3}, (4,): frozenset({b"x"})}, {1: {2, 3}, (4,): frozenset({b"x"})}, dict),
        ([1.5, float("inf"), -0.0, 2**100, 1 + 2j, None, True], [1.5, float("inf"), -0.0, 2**100, 1 + 2j, None, True],
         list),
        (fractions.Fraction(1, 3), fractions.Fraction(1, 3), fractions.Fraction),
        (decimal.Decimal("1.10"), decimal.Decimal("1.10"), decimal.Decimal),
        ("\ud800 surrogate", "\ud800 surrogate", str),
        ([int, str, type(None)], [int, str, type(None)], list),  # builtin types cross by name
    ],
)
def test_values_cross_as_exact_builtins(value, expected, kind):
    crossed = decode(encode(value))
    assert crossed == expected and type(crossed) is kind
    assert repr(crossed) == repr(expected)  # exactly: -0.0, True not 1


@pytest.mark.parametrize(
    "data",
    [
        ["x", 1],  # unknown tag
        ["d", ["l"], 1],  # an unhashable key
        ["s", ["l"]],  # an unhashable set member
        ["h", 0],  # a reference where none is expected
        ["b", 5],
        ["q", 1, 0],  # a zero denominator
        {"a": 1},  # a raw JSON object is not a value
        ["l"] * 2 + [["l"]],
    ],
)
def test_malformed_values_are_refused(data):
    if data == ["l", "l", ["l"]]:
        assert decode(["l", ["l"]]) == [[]]  # (a well-formed nested list, for contrast)
        return
    with pytest.raises(WireError):
        decode(data)


def test_limits_and_non_data():
    deep: list = []
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(WireError):
        encode(deep)
    with pytest.raises(WireError):
        encode(AlwaysEqual())  # without a handle table, a program's object cannot cross at all
