"""LaTeX math in a reasoning step, rewritten as plain arithmetic text in one linear pass.

``$\\frac{20!}{2!\\cdot 18!}=190$`` becomes `` ((20!)/(2!* 18!))=190 ``: fractions and
binomials become bracketed division and ``binom(a, b)``, ``\\sqrt{x}`` becomes ``sqrt(x)``,
``\\cdot``/``\\times``/``\\div`` become operators, spacing commands and ``\\left``/``\\right``
vanish, and any other command becomes a word (``\\log`` -> `` log ``), which ends an arithmetic
expression, so nothing the evaluator cannot read is ever judged. Braces are matched with a
stack, so deep nesting costs no more than flat text.
"""

from __future__ import annotations

import re

__all__ = ["latex_to_plain"]

_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_OPERATORS = {"cdot": "*", "times": "*", "ast": "*", "div": "/", "pi": " pi ", "%": "%", "$": "$"}
_SILENT = {"left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big", "displaystyle", ",", "!", ";", ":", " "}
_SILENT_SPACE = {"quad", "qquad"}
_TWO_ARGUMENT = {"frac": ")/(", "dfrac": ")/(", "tfrac": ")/(", "cfrac": ")/(", "binom": "),(", "dbinom": "),("}
_TWO_ARGUMENT_OPEN = {"binom": "binom((", "dbinom": "binom(("}
_BRACKETS = {"(": "(", ")": ")", "[": "(", "]": ")"}


def _command(name: str, following: str) -> tuple[str, str | None]:
    """(text to write, brace role) for ``\\name``; the role says what the next ``{`` opens."""
    if name in _TWO_ARGUMENT and following == "{":
        return _TWO_ARGUMENT_OPEN.get(name, "(("), name
    if name == "sqrt" and following == "{":
        return "sqrt(", "sqrt"
    if name == "sqrt" and following == "[":
        return " root ", None  # an n-th root: not evaluated
    if name in _OPERATORS:
        return _OPERATORS[name], None
    if name in _SILENT:
        return "", None
    if name in _SILENT_SPACE:
        return " ", None
    if name in {"{", "}"}:
        return " | ", None  # set braces: not arithmetic
    return f" {name} ", None


def _pop_digits(out: list[str]) -> str:
    """Remove and return the digits at the end of ``out`` (one character per entry there)."""
    digits: list[str] = []
    while out and len(out[-1]) == 1 and (out[-1].isdigit() or out[-1] == "."):
        digits.append(out.pop())
    return "".join(reversed(digits))


def latex_to_plain(text: str) -> str:
    """``text`` with its LaTeX arithmetic rewritten as plain operators and brackets (linear time)."""
    out: list[str] = []
    stack: list[str] = []  # what each open brace closes into
    pending: str | None = None  # the role of the next "{"
    position, length = 0, len(text)
    while position < length:
        char = text[position]
        if char == "\\":
            match = _COMMAND.match(text, position)
            name = match.group(1) if match else "\\"
            position = match.end() if match else position + 1
            following = text[position] if position < length else ""
            written, pending = _command(name, following)
            if pending in _TWO_ARGUMENT and name.endswith("frac") and out and out[-1][-1:].isdigit():
                whole = _pop_digits(out)  # a mixed number: 3\frac{1}{5} is 3 + 1/5
                written, pending = f"({whole}+((", "mixed"
            out.append(written)
            continue
        if char == "{":
            if pending in _TWO_ARGUMENT or pending == "mixed":
                stack.append(f"first:{pending}")
                position += 1  # the "((" is already written
            elif pending == "sqrt":
                stack.append("sqrt")
                position += 1
            else:
                stack.append("group")
                out.append("(")
                position += 1
            pending = None
            continue
        pending = None
        if char == "}":
            role = stack.pop() if stack else "group"
            position += 1
            if role.startswith("first:") and position < length and text[position] == "{":
                kind = role.split(":", 1)[1]
                out.append(")/(" if kind == "mixed" else _TWO_ARGUMENT[kind])
                stack.append("second-mixed" if kind == "mixed" else "second")
                position += 1
            elif role == "second":
                out.append("))")
            elif role == "second-mixed":
                out.append(")))")
            else:
                out.append(")")
            continue
        out.append(" " if char == "$" else char)
        position += 1
    return "".join(out).replace("(,)", ",")
