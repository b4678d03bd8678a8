"""Tokens and a bounded recursive-descent parser for the arithmetic a step writes.

``tokenize`` reads plain text (LaTeX is rewritten first by :mod:`verifiers.coherence.latex`);
:class:`Expression` parses a token span (``+ - * / ^``, unary minus, ``n!``, ``sqrt``,
``binom``, implicit products such as ``2(3)``, ``4h``, ``2 pi``) and evaluates it exactly with
:mod:`verifiers.coherence.arith`. Nesting deeper than :data:`MAX_DEPTH` or a span longer than
:data:`MAX_TOKENS` is not parsed, so no input can exhaust the stack or take quadratic time.
"""

from __future__ import annotations

import re
from fractions import Fraction

from verifiers.coherence.arith import Value, apply, binomial, factorial, square_root
from verifiers.coherence.latex import latex_to_plain

__all__ = ["MAX_DEPTH", "MAX_TOKENS", "Expression", "Token", "parse_exact", "tokenize"]

MAX_DEPTH = 24
MAX_TOKENS = 48
MAX_DIGITS = 40
Token = tuple[str, str]

NUMBER = r"\$?(?:\d{1,3}(?:,\d{3})+(?![\d])|\d+)(?:\.\d+)?%?"
_TOKEN = re.compile(
    rf"(?P<num>{NUMBER})(?P<var>[a-z](?![A-Za-z]))?"
    r"|(?P<word>[A-Za-z]+)|(?P<op>[-+*/^×÷·−–])|(?P<fact>!(?!=))|(?P<lp>\()|(?P<rp>\))"
    r"|(?P<eq>=)|(?P<comma>,)|(?P<other>\S)"
)
_OPS = {"×": "*", "·": "*", "÷": "/", "−": "-", "–": "-"}
_FUNCTIONS = {"sqrt", "binom"}
_DIGIT_TIMES_DIGIT = re.compile(r"(?<=\d)[xX](?=\$?\d)")
_GLUED = re.compile(r"(?<=[A-Za-z])(?=\d)")
_VALUE_STARTS = {"var", "const", "func", "lp"}  # what may follow a value in an implicit product


def parse_exact(text: str) -> Fraction:
    """The exact value written as ``text`` (``$1,200.50`` -> 2401/2, ``25%`` -> 1/4)."""
    digits = text.strip("$%").replace(",", "")
    value = Fraction(digits)
    return value / 100 if text.endswith("%") else value


def _classify(match: re.Match[str]) -> Token:
    kind, value = match.lastgroup or "other", match.group(0)
    if match.group("num") is not None:
        if len(value) > MAX_DIGITS:
            return ("other", value)  # too long to be arithmetic worth checking
        return ("numvar" if match.group("var") else "num", value)
    if kind == "op":
        return ("op", _OPS.get(value, value))
    if kind == "word":
        if value in _FUNCTIONS:
            return ("func", value)
        if value == "pi":
            return ("const", value)
        if len(value) == 1 and value not in "aAI":
            return ("var", value)
    return (kind, value)


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text`` after its LaTeX is rewritten; ``x`` between two numbers multiplies."""
    plain = _DIGIT_TIMES_DIGIT.sub(" * ", latex_to_plain(text))
    plain = _GLUED.sub(" @ ", plain)  # "a2^4": a name glued to a number is not arithmetic we can read
    tokens = [_classify(match) for match in _TOKEN.finditer(plain)]
    for index in range(1, len(tokens) - 1):  # "60 x 3": a lone x between operands multiplies
        before, here, after = tokens[index - 1], tokens[index], tokens[index + 1]
        if here in {("var", "x"), ("var", "X")} and before[0] in {"num", "rp"} and after[0] in {"num", "lp"}:
            tokens[index] = ("op", "*")
    return tokens


class Expression:
    """A parsed span of tokens: its tree, the numbers it writes and the variables it uses."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.position = 0
        self.depth = 0
        self.numbers: list[str] = []
        self.variables: set[str] = set()
        self.operators = 0
        self.tree: tuple = ()

    def parse(self) -> Expression | None:
        """This expression if the whole span parses, else None."""
        if len(self.tokens) > MAX_TOKENS:
            return None
        tree = self._sum()
        if tree is None or self.position != len(self.tokens):
            return None
        self.tree = tree
        return self

    def _peek(self) -> Token:
        return self.tokens[self.position] if self.position < len(self.tokens) else ("end", "")

    def _take(self) -> Token:
        token = self._peek()
        self.position += 1
        return token

    def _sum(self) -> tuple | None:
        node = self._product()
        while node is not None and self._peek() in {("op", "+"), ("op", "-")}:
            op = self._take()[1]
            self.operators += 1
            right = self._product()
            node = None if right is None else (op, node, right)
        return node

    def _product(self) -> tuple | None:
        node = self._power()
        while node is not None:
            kind, text = self._peek()
            if kind == "op" and text in "*/":
                self._take()
            elif kind not in _VALUE_STARTS:
                break
            self.operators += 1  # an explicit or implicit product
            right = self._power()
            node = None if right is None else ("/" if text == "/" else "*", node, right)
        return node

    def _power(self) -> tuple | None:
        node = self._atom()
        while node is not None and self._peek()[0] == "fact":
            self._take()
            self.operators += 1
            node = ("!", node)
        if node is not None and self._peek() == ("op", "^"):
            self._take()
            self.operators += 1
            exponent = self._nested(self._power)
            node = None if exponent is None else ("^", node, exponent)
        return node

    def _nested(self, rule) -> tuple | None:
        self.depth += 1
        node = rule() if self.depth <= MAX_DEPTH else None
        self.depth -= 1
        return node

    def _atom(self) -> tuple | None:
        kind, text = self._take()
        if kind == "op" and text == "-":
            self.operators += 1
            inner = self._nested(self._power)
            return None if inner is None else ("neg", inner)
        if kind == "lp":
            inner = self._nested(self._sum)
            return inner if inner is not None and self._take()[0] == "rp" else None
        if kind == "func":
            return self._function(text)
        if kind == "num":
            self.numbers.append(text)
            return ("num", parse_exact(text))
        if kind == "numvar":
            self.numbers.append(text[:-1])
            self.variables.add(text[-1])
            return ("*", ("num", parse_exact(text[:-1])), ("var", text[-1]))
        if kind == "var":
            self.variables.add(text)
            return ("var", text)
        if kind == "const":
            self.operators += 1  # pi is a computation, never a written result
            return ("pi",)
        return None

    def _function(self, name: str) -> tuple | None:
        self.operators += 1
        if name == "sqrt":
            inner = self._nested(self._power)
            return None if inner is None else ("sqrt", inner)
        if self._take()[0] != "lp":
            return None
        n = self._nested(self._sum)
        if n is None or self._take()[0] != "comma":
            return None
        k = self._nested(self._sum)
        return ("binom", n, k) if k is not None and self._take()[0] == "rp" else None

    def evaluate(self, values: dict[str, Fraction]) -> Value:
        """The exact value with ``values`` for the variables (see :mod:`verifiers.coherence.arith`)."""
        return _evaluate(self.tree, values)


def _evaluate(node: tuple, values: dict[str, Fraction]) -> Value:
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "var":
        return values[node[1]]
    if kind == "pi":
        return 3.141592653589793
    if kind == "neg":
        inner = _evaluate(node[1], values)
        return None if inner is None else -inner
    if kind == "!":
        return factorial(_evaluate(node[1], values))
    if kind == "sqrt":
        return square_root(_evaluate(node[1], values))
    if kind == "binom":
        return binomial(_evaluate(node[1], values), _evaluate(node[2], values))
    return apply(kind, _evaluate(node[1], values), _evaluate(node[2], values))
