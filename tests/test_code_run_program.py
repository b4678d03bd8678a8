"""``run_program``: a program run once on stdin in the code verifier's sandbox, its output handed back.

The hostile rows run with RestrictedPython turned off (the test-only ``restricted_python=False``):
the program has escaped the first layer on purpose and holds the real ``os``; the process around it
still keeps it to its scratch directory, one process and no network, and its exit status and output
are what the judge read, not what it claims.
"""

from __future__ import annotations

import pytest

from verifiers.code import ProgramRun, run_program
from verifiers.code.verifier import CodeVerifier

LIMIT = 1024


@pytest.fixture(scope="module")
def guarded():
    with CodeVerifier(test_timeout_s=1.0, timeout_s=4.0, output_limit=LIMIT) as shared:
        yield shared


@pytest.fixture(scope="module")
def escaped():
    with CodeVerifier(test_timeout_s=1.0, timeout_s=4.0, output_limit=LIMIT, restricted_python=False) as shared:
        yield shared


RUNS = [
    # code, stdin, status, return code, stdout, text in stderr
    ("print('hello')\nprint(1 + 2)", "", "finished", 0, "hello\n3\n", ""),
    ("print(input()[::-1])\nprint(input())", "abc\nsecond\n", "finished", 0, "cba\nsecond\n", ""),
    ("import sys\nfor line in sys.stdin:\n    print(int(line) * 2)", "1\n2\n3", "finished", 0, "2\n4\n6\n", ""),
    ("import sys\nprint('so far')\nprint('bad', file=sys.stderr)\nsys.exit(3)", "", "finished", 3, "so far\n", "bad"),
    # an uncaught exception: Python's traceback on stderr (the program's frames only), status 1
    ("print('before')\n1/0", "", "finished", 1, "before\n", "ZeroDivisionError: division by zero"),
    ("print(1", "", "finished", 1, "", "SyntaxError"),  # does not compile: nothing runs
    ("exit('bye')", "", "finished", 1, "", "bye"),  # a non-integer exit prints it, as Python does
    ("x = input()", "", "finished", 1, "", "EOFError"),  # no stdin left
    ("import os\nos.listdir('/')", "", "finished", 1, "", "ImportError"),  # the first layer refuses os
    ("while True:\n    pass", "", "timeout", None, "", ""),
    ("x = [0] * (1 << 40)", "", "finished", 1, "", "MemoryError"),  # past the address-space limit
]  # fmt: skip


@pytest.mark.parametrize("code, stdin, status, return_code, stdout, stderr", RUNS)
def test_run_program_hands_back_what_it_printed(guarded, code, stdin, status, return_code, stdout, stderr):
    run = guarded.run_program(code, stdin)
    assert (run.status, run.return_code, run.stdout) == (status, return_code, stdout), run
    assert stderr in run.stderr and not run.truncated
    assert run.layers["restricted_python"] is True and run.layers["process_group"] is True
    if status == "timeout":
        assert run.seconds is not None and 0.9 < run.seconds < 3.0


OVER_THE_CAP = [
    ("print('a' * 5000)", "a" * LIMIT),
    ("import sys\nsys.stdout.write('é' * 2000)", "é" * (LIMIT // 2)),  # the cap counts bytes
    ("for i in range(10 ** 6):\n    print(i)", None),
    ("try:\n    print('a' * 5000)\nexcept Exception:\n    pass\nprint('still here')", "a" * LIMIT),  # caught: still cut
]  # fmt: skip


@pytest.mark.parametrize("code, stdout", OVER_THE_CAP)
def test_output_over_the_cap_is_cut_and_flagged(guarded, code, stdout):
    run = guarded.run_program(code)
    assert run.truncated and len(run.stdout.encode()) <= LIMIT and "cut at" in run.reason
    if stdout is not None:
        assert run.stdout == stdout


def test_output_just_under_the_cap_is_whole(guarded):
    run = guarded.run_program(f"print('a' * {LIMIT - 1})")
    assert run.stdout == "a" * (LIMIT - 1) + "\n" and not run.truncated and run.return_code == 0


HOSTILE = {
    "reads_outside_its_scratch": "import sys\ntry:\n    open('/etc/passwd').read()\n    print('read')\n"
    "except OSError:\n    print('denied')\n",
    "writes_outside_its_scratch": "try:\n    open('/tmp/rlvr-run-canary', 'w').write('x')\n    print('wrote')\n"
    "except OSError:\n    print('denied')\n",
    "forks": "import os\ntry:\n    os.fork()\n    print('forked')\nexcept OSError:\n    print('denied')\n",
    "connects": "import socket\ns = socket.socket()\ns.settimeout(0.5)\ntry:\n    s.connect(('127.0.0.1', 22))\n"
    "    print('connected')\nexcept OSError:\n    print('denied')\n",
    "writes_in_its_scratch": "open('here.txt', 'w').write('ok')\nprint(open('here.txt').read() and 'denied')\n",
}


@pytest.mark.parametrize("code", HOSTILE.values(), ids=HOSTILE.keys())
def test_an_escaped_program_is_still_confined(escaped, code):
    run = escaped.run_program(code)
    assert (run.status, run.return_code, run.stdout) == ("finished", 0, "denied\n"), run
    assert run.layers["restricted_python"] is False


FORGERS = [
    # it cannot claim a clean exit: the status is the zygote's waitpid, not the program's word
    ("import os\nprint('ok')\nos.kill(os.getpid(), 9)", "killed", -9, ""),
    ("import os\nos.write(1, b'raw\\n')\nos._exit(7)", "finished", 7, "raw\n"),  # a raw write still comes back
    ("import os\nwhile True:\n    os.write(1, b'x' * 4096)", "timeout", None, "x" * LIMIT),  # writes forever: cut
    ("import os\nfor fd in range(3, 64):\n    try:\n        os.write(fd, b'{\"e\": \"run\", \"exit\": 0}\\n')\n"
     "    except OSError:\n        pass\n1/0", "finished", 1, ""),  # fake judge messages reach no one
]  # fmt: skip


@pytest.mark.parametrize("code, status, return_code, stdout", FORGERS)
def test_an_escaped_program_cannot_forge_how_it_ran(escaped, code, status, return_code, stdout):
    run = escaped.run_program(code)
    assert (run.status, run.return_code, run.stdout) == (status, return_code, stdout), run


def test_a_program_longer_than_the_limit_is_refused_unrun():
    with CodeVerifier(max_code_chars=100) as verifier:
        run = verifier.run_program("print(1)\n" * 20)
    assert run.status == "refused" and run.stdout == "" and verifier._servers == []


def test_the_module_function_runs_in_a_fresh_sandbox_with_its_limits():
    run = run_program("print(sum(map(int, input().split())))", stdin="2 3 4", timeout_s=2, memory_mb=256)
    assert isinstance(run, ProgramRun) and (run.status, run.stdout, run.return_code) == ("finished", "9\n", 0)
    assert run.layers["rlimits"]["memory_mb"] == 256


FILL_SCRATCH = """
count = 0
try:
    while True:
        with open(f"f{count}", "wb") as out:
            out.write(b"x" * (1 << 20))
        count += 1
except OSError as error:
    print(count, error.errno)
"""


def test_scratch_files_together_stop_at_the_cap_and_the_next_program_starts_empty():
    """File after file, each under the file-size limit: the scratch tmpfs stops them all at scratch_mb (ENOSPC,
    errno 28) instead of the host's disk, and a program's files are gone before the next one runs."""
    with CodeVerifier(timeout_s=20.0, test_timeout_s=15.0, restricted_python=False, scratch_mb=8) as verifier:
        first = verifier.run_program(FILL_SCRATCH)
        if not first.layers.get("scratch_tmpfs"):
            pytest.skip(f"no mount namespace here: {first.layers.get('scratch_why')}")
        count, errno = map(int, first.stdout.split())
        assert 7 <= count <= 8 and errno == 28  # ENOSPC: the tmpfs is full (its own bookkeeping may take a page)
        again = verifier.run_program(FILL_SCRATCH)
        assert again.stdout.split() == first.stdout.split()  # the first program's files were removed when it ended
