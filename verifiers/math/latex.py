"""A small, eval-free LaTeX-to-sympy parser with size guards (used inside math worker processes)."""

from __future__ import annotations

import math
import re

import sympy

__all__ = ["LatexParseError", "TooLargeError", "latex_to_sympy"]

MAX_POWER_BITS = 200_000  # a number with more bits than this is refused, not computed
MAX_FACTORIAL = 5_000
MAX_SYMBOLIC_EXPONENT = 2_000
MAX_DEPTH = 60

_SIDE_BY_SIDE_NUMBERS = re.compile(r"\d\s+\.?\d")
_NUMBER = r"(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+(?![\d.]))?"
_TOKEN = re.compile(rf"\s*({_NUMBER}|\\[a-zA-Z]+|\\[{{}}|,;!: ]|[a-zA-Z]|[-+*/^_()\[\]{{}}|!',])")
_FUNCTIONS = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "cot": sympy.cot, "sec": sympy.sec, "csc": sympy.csc,
    "arcsin": sympy.asin, "arccos": sympy.acos, "arctan": sympy.atan, "sinh": sympy.sinh, "cosh": sympy.cosh,
    "tanh": sympy.tanh, "ln": sympy.log, "log": sympy.log, "exp": sympy.exp,
}
_CONSTANTS = {"pi": sympy.pi, "infty": sympy.oo, "infin": sympy.oo, "e": sympy.E, "i": sympy.I}
_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta",
    "Theta", "Lambda", "Sigma", "Phi", "Psi", "Omega",
}
_PRODUCT = {"*", "\\cdot", "\\times"}
_IGNORED = {"\\,", "\\;", "\\!", "\\:", "\\ ", "\\mathrm", "\\mathbf", "\\text", "\\displaystyle"}


class LatexParseError(ValueError):
    """The answer is not an expression this parser reads."""


class TooLargeError(ValueError):
    """The expression would build a number too large to compute (power towers, huge factorials)."""


def _pow(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
    if exponent.is_Integer and abs(int(exponent)) > 1:
        if base.is_Rational and base not in (0, 1, -1):
            size = max(abs(base.p), abs(base.q))
            if abs(int(exponent)) * math.log2(size) > MAX_POWER_BITS:
                raise TooLargeError("power too large")
        elif not base.is_Number and abs(int(exponent)) > MAX_SYMBOLIC_EXPONENT:
            raise TooLargeError("exponent too large")
    elif exponent.is_Number and base.is_Number and abs(float(exponent)) > 1e6:
        raise TooLargeError("power too large")
    return sympy.Pow(base, exponent)


class _Parser:
    def __init__(self, text: str):
        self.tokens = self._tokenize(text)
        self.pos = 0
        self.depth = 0
        self.abs_open = 0

    @staticmethod
    def _tokenize(text: str) -> list[str]:
        tokens, pos = [], 0
        text = text.strip()
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if not match:
                raise LatexParseError(f"unexpected character {text[pos]!r}")
            if match.group(1) not in _IGNORED:
                tokens.append(match.group(1))
            pos = match.end()
            while pos < len(text) and text[pos].isspace():
                pos += 1
        return tokens

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise LatexParseError(f"expected {expected or 'more input'}, found {token!r}")
        self.pos += 1
        return token

    def parse(self) -> sympy.Expr:
        expr = self.expression()
        if self.peek() is not None:
            raise LatexParseError(f"unexpected {self.peek()!r}")
        return expr

    def expression(self) -> sympy.Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TooLargeError("nesting too deep")
        expr = self.term()
        while self.peek() in ("+", "-"):
            sign = self.take()
            right = self.term()
            expr = expr + right if sign == "+" else expr - right
        self.depth -= 1
        return expr

    def term(self) -> sympy.Expr:
        expr = self.unary()
        while True:
            token = self.peek()
            if token in _PRODUCT:
                self.take()
                expr = expr * self.unary()
            elif token in ("/", "\\div"):
                self.take()
                expr = expr / self.unary()
            elif self._starts_atom(token):
                expr = expr * self.power()
            else:
                return expr

    def unary(self) -> sympy.Expr:
        if self.peek() in ("-", "+"):
            sign = self.take()
            value = self.unary()
            return -value if sign == "-" else value
        return self.power()

    def power(self) -> sympy.Expr:
        base = self.postfix(self.atom())
        if self.peek() == "^":
            self.take()
            return _pow(base, self.exponent())
        return base

    def exponent(self) -> sympy.Expr:
        if self.peek() in ("-", "+"):
            sign = self.take()
            value = self.exponent()
            return -value if sign == "-" else value
        return self.power()

    def postfix(self, expr: sympy.Expr) -> sympy.Expr:
        while self.peek() == "!":
            self.take()
            if not (expr.is_Integer and 0 <= expr <= MAX_FACTORIAL):
                if expr.is_Integer:
                    raise TooLargeError("factorial too large")
                raise LatexParseError("factorial of a non-integer")
            expr = sympy.factorial(expr)
        return expr

    def _starts_atom(self, token: str | None) -> bool:
        if token is None:
            return False
        if token == "|":
            return self.abs_open == 0
        return token[0].isalnum() or token in ("(", "[", "{", "\\{") or (
            token.startswith("\\") and token[1:] in {*_FUNCTIONS, *_CONSTANTS, *_GREEK, "frac", "sqrt", "binom",
                                                     "lfloor", "lceil", "left", "cfrac"}
        )

    def group(self, close: str) -> sympy.Expr:
        expr = self.expression()
        self.take(close)
        return expr

    def atom(self) -> sympy.Expr:
        token = self.take()
        if token[0].isdigit() or token[0] == ".":
            mantissa, _, exponent = token.lower().partition("e")
            if exponent and abs(int(exponent)) > 1000:
                raise TooLargeError("exponent too large")
            return sympy.Rational(mantissa) * sympy.Integer(10) ** int(exponent or 0)
        if token in ("(", "[", "{", "\\{"):
            return self.group({"(": ")", "[": "]", "{": "}", "\\{": "\\}"}[token])
        if token == "|":
            self.abs_open += 1
            inner = self.expression()
            self.abs_open -= 1
            self.take("|")
            return sympy.Abs(inner)
        if token.isalpha():
            return self._symbol(token)
        if token.startswith("\\"):
            return self.command(token[1:])
        raise LatexParseError(f"unexpected {token!r}")

    def _symbol(self, name: str) -> sympy.Expr:
        if self.peek() == "_":
            self.take()
            sub = self.take()
            if sub == "{":
                parts = []
                while self.peek() not in ("}", None):
                    parts.append(self.take())
                self.take("}")
                sub = "".join(parts)
            return sympy.Symbol(f"{name}_{sub}")
        return _CONSTANTS[name] if name in ("e", "i") else sympy.Symbol(name)

    def _fold(self, name: str) -> sympy.Expr:
        """``\\gcd(a, b, …)``, ``\\lcm``, ``\\max``, ``\\min`` over a parenthesised list."""
        self.take("(")
        args = [self.expression()]
        while self.peek() == ",":
            self.take()
            args.append(self.expression())
        self.take(")")
        function = {"gcd": sympy.gcd, "lcm": sympy.lcm, "max": sympy.Max, "min": sympy.Min}[name]
        result = args[0]
        for arg in args[1:]:
            result = function(result, arg)
        return result

    def command(self, name: str) -> sympy.Expr:
        if name in ("frac", "cfrac"):
            numerator = self.atom()
            return numerator / self.atom()
        if name == "binom":
            n, k = self.atom(), self.atom()
            return sympy.binomial(n, k)
        if name == "sqrt":
            if self.peek() == "[":
                self.take()
                index = self.group("]")
                return sympy.root(self.atom(), index)
            return sympy.sqrt(self.atom())
        if name in ("lfloor", "lceil"):
            inner = self.group("\\r" + name[1:])
            return sympy.floor(inner) if name == "lfloor" else sympy.ceiling(inner)
        if name == "log" and self.peek() == "_":
            self.take()
            base = self.atom()  # \log_2 8 and \log_{10}(x)
            return sympy.log(self.power(), base)
        if name in ("gcd", "lcm", "max", "min"):
            return self._fold(name)
        if name in _FUNCTIONS:
            exponent = None
            if self.peek() == "^":
                self.take()
                exponent = self.exponent()
            value = _FUNCTIONS[name](self.power())
            return _pow(value, exponent) if exponent is not None else value
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name in _GREEK:
            return sympy.Symbol(name)
        raise LatexParseError(f"unsupported command \\{name}")


def latex_to_sympy(text: str) -> sympy.Expr:
    """Parse a normalised LaTeX (or plain) expression into sympy, without eval.

    Raises LatexParseError for what it cannot read, TooLargeError for numbers too large to build.
    """
    if len(text) > 2000:
        raise TooLargeError("expression too long")
    if _SIDE_BY_SIDE_NUMBERS.search(text):
        raise LatexParseError("two numbers side by side")  # 11 6/6 is no product, nor a mixed number
    return _Parser(text).parse()
