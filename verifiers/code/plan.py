"""Turn a row's tests (HumanEval check, MBPP asserts, stdin/stdout cases) into a test plan.

The plan is built by the trusted side, before any program runs: it fixes how many tests
there are, so a score is always "tests passed / tests planned", whatever the child reports.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PlanError", "TestPlan", "build_plan", "extract_code"]

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)


class PlanError(ValueError):
    """The row's tests cannot be understood (the row is malformed, not the program)."""


@dataclass
class TestPlan:
    """What the child runs. ``steps`` are (test index or None for setup, source) in order."""

    style: str  # "function" (check(candidate)), "script" (asserts) or "stdio"
    n_tests: int
    preamble: str = ""
    steps: list[tuple[int | None, str]] = field(default_factory=list)
    cases: list[tuple[str, str]] = field(default_factory=list)
    entry_point: str | None = None
    except_names: list[str] = field(default_factory=list)


def extract_code(completion: str) -> str:
    """The program in a completion: the python fenced blocks if there are any, else the text."""
    blocks = [(lang.lower(), body) for lang, body in _FENCE.findall(completion or "")]
    if not blocks:
        return completion or ""
    python = [body for lang, body in blocks if lang in ("python", "py", "python3")]
    chosen = python or [body for lang, body in blocks if not lang] or [blocks[0][1]]
    return "\n".join(chosen)


def build_plan(tests: Any = None, test_list: Any = None, entry_point: str | None = None,
               test_setup_code: str | None = None) -> TestPlan | None:
    """The plan for a row; None when the row has no tests. Raises PlanError for malformed tests."""
    tests = _decode(tests)
    if isinstance(tests, list) and tests and all(isinstance(case, dict) for case in tests):
        return _stdio_plan(tests)
    if isinstance(tests, str) and tests.strip():
        return _assert_plan(tests, entry_point, test_setup_code or "")
    test_list = _decode(test_list)
    if isinstance(test_list, list) and test_list:
        if not all(isinstance(item, str) for item in test_list):
            raise PlanError("test_list must be a list of strings of Python asserts")
        return _list_plan(test_list, entry_point, test_setup_code or "")
    if tests not in (None, "", []):
        raise PlanError(f"tests must be a string of Python or a list of input/output cases, not {type(tests).__name__}")
    return None


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip().startswith(("[", "{")):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _stdio_plan(cases: list[dict]) -> TestPlan:
    pairs = []
    for case in cases:
        if "input" not in case or "output" not in case:
            raise PlanError("each stdin/stdout case needs an 'input' and an 'output'")
        pairs.append((_text(case["input"]), _text(case["output"])))
    return TestPlan(style="stdio", n_tests=len(pairs), cases=pairs)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(item) for item in value) + "\n"
    return "" if value is None else str(value)


def _parse(source: str, what: str) -> ast.Module:
    try:
        return ast.parse(source)
    except SyntaxError as error:
        raise PlanError(f"{what} is not valid Python: {error.msg} (line {error.lineno})") from error


def _has_assert(node: ast.AST) -> bool:
    return any(isinstance(child, ast.Assert) and not _trivial(child) for child in ast.walk(node))


def _trivial(node: ast.Assert) -> bool:
    """``assert True, "..."``: HumanEval's debugging asserts test nothing."""
    return isinstance(node.test, ast.Constant) and bool(node.test.value)


def _steps(statements: list[ast.stmt], start: int = 0) -> tuple[list[tuple[int | None, str]], int]:
    steps: list[tuple[int | None, str]] = []
    index = start
    for statement in statements:
        if isinstance(statement, ast.Assert) and _trivial(statement):
            continue
        if _has_assert(statement):
            steps.append((index, ast.unparse(statement)))
            index += 1
        else:
            steps.append((None, ast.unparse(statement)))
    return steps, index


def _except_names(module: ast.AST) -> list[str]:
    names = set()
    for node in ast.walk(module):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            kinds = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            names.update(kind.id for kind in kinds if isinstance(kind, ast.Name))
    return sorted(names)


def _assert_plan(tests: str, entry_point: str | None, setup: str) -> TestPlan:
    module = _parse(tests, "tests")
    check = next((n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == "check"), None)
    if check is None:
        steps, n_tests = _steps(module.body)
        return TestPlan("script", n_tests, setup, steps, entry_point=entry_point, except_names=_except_names(module))
    entry_point = entry_point or _called_with(module)
    if not entry_point:
        raise PlanError("tests define check(candidate) but the row has no entry_point")
    preamble = [n for n in module.body if n is not check and not _calls_check(n)]
    body = check.body
    params = [a.arg for a in check.args.args]
    if params and params[0] != "candidate":
        body = [ast.parse(f"{params[0]} = candidate").body[0], *body]
    steps, n_tests = _steps(body)
    source = setup + "\n" + "\n".join(ast.unparse(n) for n in preamble)
    return TestPlan("function", n_tests, source, steps, entry_point=entry_point, except_names=_except_names(module))


def _calls_check(node: ast.stmt) -> bool:
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name) and node.value.func.id == "check")  # fmt: skip


def _called_with(module: ast.Module) -> str | None:
    for node in module.body:
        if _calls_check(node) and node.value.args and isinstance(node.value.args[0], ast.Name):  # type: ignore[attr-defined]
            return node.value.args[0].id  # type: ignore[attr-defined]
    return None


def _list_plan(test_list: list[str], entry_point: str | None, setup: str) -> TestPlan:
    steps: list[tuple[int | None, str]] = []
    excepts: set[str] = set()
    for index, item in enumerate(test_list):
        module = _parse(item, f"test_list[{index}]")
        excepts.update(_except_names(module))
        steps.append((index, ast.unparse(module)))
    return TestPlan("script", len(test_list), setup, steps, entry_point=entry_point, except_names=sorted(excepts))
