"""Attacks on the code verifier's trust boundary, one parametrised table per class of attack.

Every wrong program here would have earned reward under a verifier whose tests share the
program's process or namespace. Several tables run with RestrictedPython turned off (the
test-only ``restricted_python=False``): the program has escaped the first layer on purpose and
holds real builtins, ``os`` and ``ctypes``; it still earns no more than its own tests' results.
"""

from __future__ import annotations

import os
import tempfile

import pytest

from verifiers.code.pool import ForkServer, ForkServerError
from verifiers.code.verifier import CodeVerifier

ADD_TESTS = ["assert add(1, 2) == 3", "assert add(2, 2) == 4"]


@pytest.fixture(scope="module")
def guarded():
    with CodeVerifier(timeout_s=6.0, test_timeout_s=0.4, output_limit=1024) as shared:
        yield shared


@pytest.fixture(scope="module")
def escaped():
    with CodeVerifier(timeout_s=6.0, test_timeout_s=0.4, output_limit=1024, restricted_python=False) as shared:
        yield shared


@pytest.fixture(params=["guarded", "escaped"])
def verifier(request):
    return request.getfixturevalue(request.param)


FORGERS = {
    "fake_reports_on_every_fd": "import os\nfor fd in range(256):\n    try:\n        os.write(fd, b'\\x00\\x00\\x00"
    "\\x0b{\"v\": 3}\\n{\"e\": \"test\", \"i\": 1, \"ok\": true}\\n')\n    except OSError:\n        pass\n"
    "def add(a, b):\n    return 0\n",
    "fake_reports_during_a_call": "import os\ndef add(a, b):\n    for fd in range(256):\n        try:\n"
    "            os.write(fd, b'{\"e\": \"test\", \"i\": 1, \"ok\": true}\\n{\"e\": \"done\"}\\n')\n"
    "        except OSError:\n            pass\n    return 0\n",
    "kill_everything_it_can": "import os, signal\ndef add(a, b):\n    for pid in (os.getppid(), 1, -1, os.getpid()):\n"
    "        try:\n            os.kill(pid, signal.SIGKILL)\n        except OSError:\n            pass\n    return 0\n",
    "exit_in_the_call": "import os\ndef add(a, b):\n    os._exit(0)\n",
    "ctypes_abort": "import ctypes\ndef add(a, b):\n    ctypes.string_at(0)\n",
    "hunt_for_the_tests": "import gc\ndef add(a, b):\n"
    "    texts = [o for o in gc.get_objects() if isinstance(o, dict) and 'i' in o]\n"
    "    return len(texts) * 0\n",
    "close_the_channel": "import os\ndef add(a, b):\n    os.close(3)\n    return 3\n",
}


@pytest.mark.parametrize("code", FORGERS.values(), ids=FORGERS.keys())
def test_an_escaped_program_cannot_forge_results(escaped, code):
    verdict = escaped.verify(code, test_list=ADD_TESTS)
    assert verdict.score == 0.0 and verdict.status == "ok", verdict.details["failures"]
    assert escaped.verify("def add(a, b):\n    return a + b\n", test_list=ADD_TESTS).score == 1.0  # still healthy


def test_the_program_process_never_holds_the_tests(escaped):
    # the program earns the point only if it finds the test's marker string anywhere in its process
    code = ("import gc\ndef f():\n    marker = '-'.join(['MARKER', '91x'])\n    for o in gc.get_objects():\n"
            "        items = o.values() if isinstance(o, dict) else o if isinstance(o, (list, tuple)) else ()\n"
            "        if any(isinstance(v, str) and marker in v for v in items):\n            return 1\n    return 0\n")
    assert escaped.verify(code, test_list=["assert f() == len('MARKER-91x') - 9"]).score == 0.0


def test_a_sandbox_that_cannot_start_is_an_error_verdict_per_row(monkeypatch):
    def broken(self, jobs, limits):
        raise ForkServerError("the code fork server did not start")

    monkeypatch.setattr(ForkServer, "run", broken)
    with CodeVerifier() as verifier:
        verdicts = verifier.verify_batch(["def f():\n    return 1", "x = 1"], None,
                                         test_list=[["assert f() == 1"], None])  # fmt: skip
    assert verdicts[0].status == "error" and "did not start" in verdicts[0].reason
    assert verdicts[1].applicable is False and verdicts[1].status == "ok"  # the other row keeps its verdict


@pytest.mark.parametrize(
    "code, score",
    [
        ("import os\ndef add(a, b):\n    os.write(1, b'ok')\n    return a + b\n", 1.0),  # right: escaping costs nothing
        # an exit in one test costs that test: its own tests' result
        ("import os\ndef add(a, b):\n    if a == 2:\n        os._exit(0)\n    return a + b\n", 0.5),
    ],
)
def test_an_escaped_program_earns_exactly_its_own_results(escaped, code, score):
    assert escaped.verify(code, test_list=ADD_TESTS).score == score


SHADOWS = [
    ("def abs(x):\n    return 0\ndef f(x):\n    return x", "assert abs(f(-5) - 3) < 1"),
    ("def sorted(x, **k):\n    return [1, 2, 3]\ndef f(x):\n    return [9]",
     "assert sorted(f([3, 2, 1])) == [1, 2, 3]"),
    ("def round(x, n=0):\n    return 2.5\ndef f():\n    return 7", "assert round(f(), 1) == 2.5"),
    ("def len(x):\n    return 3\ndef f():\n    return []", "assert len(f()) == 3"),
    ("def isinstance(a, b):\n    return True\ndef f():\n    return 'x'", "assert isinstance(f(), int)"),
    ("set = lambda x: {1, 2}\ndef f():\n    return [5]", "assert set(f()) == {1, 2}"),
    ("all = lambda x: True\ndef f():\n    return [False]", "assert all(f())"),
    ("class math:\n    isclose = staticmethod(lambda *a, **k: True)\ndef f():\n    return 0.0",
     "assert math.isclose(f(), 2.5)"),  # a program's "math" never stands in for the module
    ("ValueError = AssertionError\ndef f(x):\n    return x",
     "try:\n    f(-1)\n    assert False\nexcept ValueError:\n    pass"),
    ("import decimal\ndecimal.getcontext().prec = 2\ndef f():\n    return 1",
     "import decimal\nassert decimal.Decimal(f()) / 3 == decimal.Decimal('0.33')"),  # module state stays with it
    ("import numbers\nnumbers.Number.register(str)\ndef f():\n    return 'x'",
     "import numbers\nassert isinstance(f(), numbers.Number)"),  # ABC registrations stay with it
    ("def f(xs):\n    xs.append(9)\n    return len(xs)",
     "xs = [1]\nassert f(list(xs)) == 2 and f(xs) == 2 and f(xs) == 4"),  # changes come back, as in Python
]  # fmt: skip


@pytest.mark.parametrize("code, test", SHADOWS, ids=[f"shadow{i}" for i in range(len(SHADOWS))])
def test_program_names_do_not_change_what_tests_mean(verifier, code, test):
    assert verifier.verify(code, test_list=[test]).score == 0.0


def test_arguments_are_fresh_copies_and_changes_come_back(guarded):
    code = "def push(xs, x):\n    xs.append(x)\ndef keep(xs):\n    return xs\n"
    tests = ["xs = [1]\npush(xs, 2)\nassert xs == [1, 2]",  # in-place changes reach the test's list
             "xs = [1]\nys = keep(xs)\nys.append(5)\nassert xs == [1]"]  # fmt: skip
    assert guarded.verify(code, test_list=tests).score == 1.0


def test_tests_can_build_and_pass_the_programs_objects(guarded):
    code = ("class Node:\n    def __init__(self, v):\n        self.v, self.left = v, None\n"
            "def depth(n):\n    return 0 if n is None else 1 + depth(n.left)\n"
            "def drop(xs, kind):\n    return [x for x in xs if not isinstance(x, kind)]\n")  # fmt: skip
    tests = ["root = Node(1)\nroot.left = Node(2)\nassert depth(root) == 2 and root.left.v == 2",
             "assert drop((1, 'a', 2.5), int) == ['a', 2.5]"]  # fmt: skip
    assert guarded.verify(code, test_list=tests).score == 1.0


ENDINGS = {
    "exit_0": "def f():\n    raise SystemExit(0)",
    "exit_false": "def f():\n    raise SystemExit(False)",
    "exit_with_liar": "class E:\n    def __eq__(s, o):\n        return True\ndef f():\n    raise SystemExit(E())",
    "exit_builtin": "def f():\n    exit()",
    "catches_the_timeout": "import time\ndef f():\n    try:\n        time.sleep(2)\n    except BaseException:\n"
    "        pass\n    return 1",
    "spins": "def f():\n    while True:\n        pass",
    "lying_int": "class E(int):\n    def __eq__(s, o):\n        return True\n    __hash__ = int.__hash__\ndef f():\n"
    "    return E(0)",
    "always_equal": "class A:\n    def __eq__(s, o):\n        return True\n"
    "    def __ne__(s, o):\n        return False\n"
    "def f():\n    return A()",
    "always_true": "class A:\n    def __bool__(s):\n        return True\ndef f():\n    return A()",
    "own_base_exception": "class X(BaseException):\n    pass\ndef f():\n    raise X()",
    "keyboard_interrupt": "def f():\n    raise KeyboardInterrupt",
}


@pytest.mark.parametrize("code", ENDINGS.values(), ids=ENDINGS.keys())
@pytest.mark.parametrize(
    "test",
    ["assert f() == 1", "assert f()", "try:\n    assert f() == 1\nexcept Exception:\n    assert False",
     "try:\n    f()\nexcept:\n    pass\nassert f() == 1",  # a test that swallows everything still fails
     "try:\n    f()\nexcept Exception:\n    pass\nelse:\n    assert False"],  # an exit is no exception  # fmt: skip
)
def test_every_other_ending_is_a_failure(verifier, code, test):
    assert verifier.verify(code, test_list=[test]).score == 0.0


def test_exceptions_the_tests_expect_still_count(guarded):
    code = ("class ParseError(ValueError):\n    pass\ndef f(x):\n    if x < 0:\n"
            "        raise ParseError('neg')\n    return x")
    tests = ["try:\n    f(-1)\n    ok = False\nexcept ParseError:\n    ok = True\nassert ok",
             "try:\n    f(-1)\nexcept ValueError as e:\n    assert 'neg' in str(e)\nelse:\n"
             "    assert False"]  # fmt: skip
    assert guarded.verify(code, test_list=tests).score == 1.0


HOSTILE = {
    "deep_global": "x = []\nfor _ in range(5000):\n    x = [x]\ndef f():\n    return x",
    "deep_result": "def f():\n    x = []\n    for _ in range(5000):\n        x = [x]\n    return x",
    "str_raises": "class E(Exception):\n    def __str__(self):\n        raise RuntimeError('no')\n"
    "def f():\n    raise E()",
    "class_property": "class P:\n    @property\n    def __class__(self):\n        return int\ndef f():\n    return P()",
    "memory": "x = []\nwhile True:\n    x.append(' ' * 10**6)",
    "huge_result": "def f():\n    return [0] * (10 ** 7)",
    "compile_bomb": "x = " + "(" * 500 + ")" * 500,
}


def test_hostile_programs_are_verdicts_and_spare_the_batch(guarded):
    codes = [*HOSTILE.values(), "def f():\n    return 1"]
    verdicts = guarded.verify_batch(codes, None, test_list=[["assert f() == 1"]] * len(codes))
    assert [v.status for v in verdicts] == ["ok"] * len(codes)
    assert [v.score for v in verdicts] == [0.0] * len(HOSTILE) + [1.0]


def test_files_outside_the_scratch_directory(escaped):
    if not escaped.verify("def f():\n    return 1", test_list=["assert f() == 1"]).details["layers"].get("landlock"):
        pytest.skip("no Landlock on this kernel: the files layer degrades (reported as landlock: False)")
    target = tempfile.mkdtemp(prefix="rlvr-canary-", dir="/tmp")
    os.chmod(target, 0o777)
    code = (f"import os\ndef read():\n    return open('/etc/passwd').read()\ndef write():\n"
            f"    open({target!r} + '/x', 'w').write('x')\n    return 1\ndef here():\n"
            f"    open('mine.txt', 'w').write('x')\n    return open('mine.txt').read()\n")  # fmt: skip
    verdict = escaped.verify(code, test_list=["assert len(read()) > 0", "assert write() == 1",
                                              "assert here() == 'x'"])  # fmt: skip
    assert verdict.details["failures"].keys() == {"0", "1"}  # its scratch directory is its own
    assert os.listdir(target) == []
    os.rmdir(target)


def test_without_landlock_a_mount_namespace_view_or_a_report():
    code = "import os\ndef f():\n    return 1\ndef read():\n    return open('/etc/passwd').read()\n"
    with CodeVerifier(landlock=False, restricted_python=False) as verifier:
        verdict = verifier.verify(code, test_list=["assert f() == 1", "assert len(read()) > 0"])
    layers = verdict.details["layers"]
    assert layers["landlock"] is False and "mount_namespace" in layers  # what applied is reported
    if layers["mount_namespace"]:
        assert verdict.details["failures"].keys() == {"1"}  # Python runs; /etc is not in the view


STDIO = [
    ("print('x')", "", 0.0),  # an empty expected output passes only an empty output
    ("pass", "", 1.0),
    ("print(3)\nprint(' ' * 5000)", "3\n", 0.0),  # output past the limit fails, never compared truncated
    ("print(3)\nexit(0)", "3\n", 1.0),  # exit 0 after the right output passes
    ("print(3)\nexit(1)", "3\n", 0.0),
    ("print(3)\nraise ValueError", "3\n", 0.0),
    ("import sys\nclass L:\n    def write(s, x):\n        pass\n    def __eq__(s, o):\n        return True\n"
     "sys.stdout = L()\nprint(5)", "3\n", 0.0),  # a lying stdout object: the pipe holds what was written
    ("while True:\n    pass", "3\n", 0.0),
]  # fmt: skip


@pytest.mark.parametrize("code, expected, score", STDIO)
def test_stdio_output_is_read_from_a_pipe(verifier, code, expected, score):
    verdict = verifier.verify(code, tests=[{"input": "", "output": expected}])
    assert verdict.score == score, verdict.details["failures"]
