"""A safe reader for maths answers: our own tokenizer and parser build sympy objects directly.

User text never reaches `sympify`/`parse_expr` (which call `eval`): only whitelisted tokens are
accepted, and every node is built with sympy constructors, with guards against huge numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy

MAX_INPUT = 500
MAX_TOKENS = 400
MAX_DEPTH = 40
MAX_POWER_COST = 20_000  # digits(base) * exponent for exact integer powers
MAX_INT_DIGITS = 60


class MathsParseError(ValueError):
    """Text that cannot be read as maths; the message says where and why."""


_FUNCTIONS: dict[str, Callable[..., sympy.Expr]] = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "sec": sympy.sec,
    "csc": sympy.csc,
    "cot": sympy.cot,
    "asin": sympy.asin,
    "acos": sympy.acos,
    "atan": sympy.atan,
    "arcsin": sympy.asin,
    "arccos": sympy.acos,
    "arctan": sympy.atan,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "exp": sympy.exp,
    "log": sympy.log,
    "ln": sympy.log,
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs,
    "sign": sympy.sign,
    "floor": sympy.floor,
    "ceil": sympy.ceiling,
    "min": sympy.Min,
    "max": sympy.Max,
    "frac": sympy.Mul,
}
_CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E, "inf": sympy.oo, "infinity": sympy.oo}
_GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron rho sigma tau "
    "upsilon phi chi psi omega"
).split()

_REPLACEMENTS = [
    ("\\left", ""),
    ("\\right", ""),
    ("\\cdot", "*"),
    ("\\times", "*"),
    ("\\div", "/"),
    ("\\infty", "inf"),
    ("\\dfrac", "\\frac"),
    ("\\tfrac", "\\frac"),
    ("×", "*"),
    ("·", "*"),
    ("⋅", "*"),
    ("÷", "/"),
    ("−", "-"),
    ("–", "-"),
    ("π", "pi"),
    ("√", "sqrt "),
    ("²", "^2"),
    ("³", "^3"),
    ("∞", "inf"),
    ("**", "^"),
]
_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>\\?[A-Za-z]+[0-9]*)|(?P<op>[-+*/^()\[\]{},|!%]))"
)


@dataclass(frozen=True)
class Token:
    """One lexical token and where it starts in the normalised text."""

    kind: str
    text: str
    pos: int


def normalise(text: str) -> str:
    """Strip `$` delimiters and map pasted symbols and LaTeX macros to plain operators."""
    cleaned = text.strip().strip("$").strip()
    for old, new in _REPLACEMENTS:
        cleaned = cleaned.replace(old, new)
    return cleaned


def tokenize(text: str) -> list[Token]:
    """Split normalised text into tokens, rejecting any character outside the whitelist."""
    if len(text) > MAX_INPUT:
        raise MathsParseError(f"answer is too long ({len(text)} characters; at most {MAX_INPUT})")
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            bad = text[pos:].lstrip()[:1]
            raise MathsParseError(f"could not read `{text}`: unexpected character `{bad}`")
        kind = match.lastgroup or "op"
        tokens.append(Token(kind, match.group(kind), match.start(kind)))
        pos = match.end()
    if len(tokens) > MAX_TOKENS:
        raise MathsParseError(f"answer is too long ({len(tokens)} tokens; at most {MAX_TOKENS})")
    return tokens


class _Parser:
    """Recursive-descent parser from tokens to sympy objects."""

    def __init__(self, text: str, tokens: list[Token], symbols: dict[str, sympy.Symbol], free: bool) -> None:
        self.text = text
        self.tokens = tokens
        self.symbols = symbols
        self.free = free
        self.pos = 0
        self.depth = 0
        self.abs_depth = 0

    def fail(self, why: str) -> MathsParseError:
        """Build an error naming the input and the problem."""
        return MathsParseError(f"could not read `{self.text}`: {why}")

    def peek(self, offset: int = 0) -> Token | None:
        """Return the token `offset` ahead, or None at the end."""
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, text: str | None = None) -> Token:
        """Consume the next token (checking its text when given)."""
        token = self.peek()
        if token is None:
            raise self.fail("expression ends early" if text is None else f"expected `{text}` at the end")
        if text is not None and token.text != text:
            raise self.fail(f"expected `{text}` but found `{token.text}`")
        self.pos += 1
        return token

    def at(self, *texts: str) -> bool:
        """Whether the next token is an operator among `texts`."""
        token = self.peek()
        return token is not None and token.kind == "op" and token.text in texts

    def parse(self) -> sympy.Basic:
        """Parse the whole input as one expression, vector or matrix."""
        if not self.tokens:
            raise MathsParseError("the answer is empty")
        result = self.sequence_or_expr(closing=None)
        if self.peek() is not None:
            raise self.fail(f"unexpected `{self.peek().text}`")  # type: ignore[union-attr]
        return result

    def sequence_or_expr(self, closing: str | None) -> sympy.Basic:
        """Parse `a` or `a, b, ...` (a vector) up to `closing`."""
        items = [self.expr()]
        while self.at(","):
            self.take(",")
            items.append(self.expr())
        if len(items) == 1:
            return items[0]
        return _matrix(items, self)

    def expr(self) -> sympy.Basic:
        """Parse additions and subtractions."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail("nested too deeply")
        left = self.term()
        while self.at("+", "-"):
            op = self.take().text
            right = self.term()
            left = left + right if op == "+" else left - right
        self.depth -= 1
        return left

    def starts_operand(self) -> bool:
        """Whether the next token can start an implicitly multiplied operand."""
        token = self.peek()
        if token is None:
            return False
        if token.kind in ("num", "name"):
            return True
        return token.text in ("(", "[", "{") or (token.text == "|" and self.abs_depth == 0)

    def term(self) -> sympy.Basic:
        """Parse products and quotients, including implicit multiplication (`2x`, `2pi r`)."""
        left = self.unary()
        while True:
            if self.at("*", "/"):
                op = self.take().text
                right = self.unary()
                left = left * right if op == "*" else _divide(left, right, self)
            elif self.starts_operand():
                left = left * self.power()
            else:
                return left

    def unary(self) -> sympy.Basic:
        """Parse a leading sign."""
        if self.at("-"):
            self.take()
            return -self.unary()
        if self.at("+"):
            self.take()
            return self.unary()
        return self.power()

    def power(self) -> sympy.Basic:
        """Parse `a ^ b` (right-associative)."""
        base = self.postfix()
        if self.at("^"):
            self.take()
            exponent = self.unary()
            return _power(base, exponent, self)
        return base

    def postfix(self) -> sympy.Basic:
        """Parse factorials and percentages after a primary."""
        value = self.primary()
        while self.at("!", "%"):
            if self.take().text == "%":
                value = value / 100
            else:
                if value.is_Integer and int(value) > 500:
                    raise self.fail("factorial too large")
                value = sympy.factorial(value)
        return value

    def primary(self) -> sympy.Basic:
        """Parse a number, name, bracketed group, vector/matrix or |absolute value|."""
        token = self.take()
        if token.kind == "num":
            return _number(token.text, self)
        if token.kind == "name":
            return self.name(token)
        if token.text in ("(", "{"):
            inner = self.sequence_or_expr(closing=")" if token.text == "(" else "}")
            self.take(")" if token.text == "(" else "}")
            return inner
        if token.text == "[":
            inner = self.sequence_or_expr(closing="]")
            self.take("]")
            return inner if isinstance(inner, sympy.MatrixBase) else sympy.ImmutableMatrix([inner])
        if token.text == "|":
            self.abs_depth += 1
            inner = self.expr()
            self.take("|")
            self.abs_depth -= 1
            return sympy.Abs(inner)
        raise self.fail(f"unexpected `{token.text}`")

    def name(self, token: Token) -> sympy.Basic:
        """Resolve a name: function, constant, declared variable, or a run of those (`pir` = pi*r)."""
        raw = token.text.lstrip("\\")
        if raw in self.symbols:
            return self.symbols[raw]
        if raw in _FUNCTIONS:
            return self.call(raw)
        if raw in _CONSTANTS or raw == "E":
            return _CONSTANTS.get(raw, sympy.E)
        if self.free and (len(raw) == 1 or raw in _GREEK or re.fullmatch(r"[A-Za-z]\d+", raw)):
            self.symbols[raw] = sympy.Symbol(raw)
            return self.symbols[raw]
        parts = self.split_name(raw)
        if parts is None:
            raise self.fail(f"unknown name `{raw}`")
        return sympy.Mul(*parts)

    def split_name(self, raw: str) -> list[sympy.Basic] | None:
        """Split a run of letters like `xy` or `pir` into known symbols and constants, or None."""
        if raw == "":
            return []
        known = {**self.symbols, **_CONSTANTS}
        for length in range(len(raw), 0, -1):
            head = raw[:length]
            if head in known:
                rest = self.split_name(raw[length:])
                if rest is not None:
                    return [known[head], *rest]
        return None

    def call(self, fname: str) -> sympy.Basic:
        """Parse a function application: `f(x)`, `f x`, `f^2(x)`, `\\frac{a}{b}`, `log(x, b)`."""
        if fname == "frac":
            numerator = self.primary()
            return _divide(numerator, self.primary(), self)
        exponent = None
        if self.at("^"):
            self.take()
            exponent = self.postfix()
        if self.at("("):
            self.take("(")
            args = [self.expr()]
            while self.at(","):
                self.take(",")
                args.append(self.expr())
            self.take(")")
        else:
            args = [self.bare_argument()]
        result = _apply(fname, args, self)
        return _power(result, exponent, self) if exponent is not None else result

    def bare_argument(self) -> sympy.Basic:
        """Parse the argument of `sin 2x`: implicit products up to the next function name."""
        value = self.power()
        while self.starts_operand() and not self._next_is_function():
            value = value * self.power()
        return value

    def _next_is_function(self) -> bool:
        token = self.peek()
        return token is not None and token.kind == "name" and token.text.lstrip("\\") in _FUNCTIONS


def _number(text: str, parser: _Parser) -> sympy.Basic:
    """Build an exact number from a decimal or scientific literal."""
    digits = text.split("e")[0].split("E")[0].replace(".", "")
    if len(digits) > MAX_INT_DIGITS:
        raise parser.fail("number has too many digits")
    return sympy.Rational(text)


def _divide(left: sympy.Basic, right: sympy.Basic, parser: _Parser) -> sympy.Basic:
    """Divide, refusing an exact division by zero."""
    if right == 0:
        raise parser.fail("division by zero")
    if isinstance(right, sympy.MatrixBase):
        raise parser.fail("cannot divide by a vector or matrix")
    return left / right


def _power(base: sympy.Basic, exponent: sympy.Basic, parser: _Parser) -> sympy.Basic:
    """Raise to a power, refusing numbers too large to compute safely."""
    if exponent.is_Number and base.is_Number:
        size = max(len(str(abs(sympy.Integer(sympy.floor(abs(base)))))), 1) if base != 0 else 1
        if abs(float(exponent)) * size > MAX_POWER_COST:
            raise parser.fail("number too large")
    elif exponent.is_Number and abs(float(exponent)) > 1000:
        raise parser.fail("exponent too large")
    if isinstance(base, sympy.MatrixBase):
        raise parser.fail("powers of vectors or matrices are not supported; write the result instead")
    return sympy.Pow(base, exponent)


def _apply(fname: str, args: list[sympy.Basic], parser: _Parser) -> sympy.Basic:
    """Apply a whitelisted function, checking its number of arguments."""
    func = _FUNCTIONS[fname]
    if fname == "log" and len(args) == 2:
        return sympy.log(args[0], args[1])
    if fname in ("min", "max"):
        return func(*args)
    if len(args) != 1:
        raise parser.fail(f"{fname} takes one argument, got {len(args)}")
    return func(args[0])


def _matrix(items: list[sympy.Basic], parser: _Parser) -> sympy.ImmutableMatrix:
    """Build a column vector from scalars, or a matrix from equal-length row vectors."""
    if all(isinstance(item, sympy.MatrixBase) for item in items):
        rows = [list(item) for item in items]
        if len({len(row) for row in rows}) != 1:
            raise parser.fail("matrix rows have different lengths")
        return sympy.ImmutableMatrix(rows)
    if any(isinstance(item, sympy.MatrixBase) for item in items):
        raise parser.fail("mixes numbers and vectors in one list")
    return sympy.ImmutableMatrix(items)


def symbol(name: str, assumptions: Mapping[str, str] | None = None) -> sympy.Symbol:
    """A sympy symbol carrying the question's assumption about it (positive, integer, ...)."""
    assumption = (assumptions or {}).get(name)
    return sympy.Symbol(name, **{assumption: True}) if assumption else sympy.Symbol(name)


def parse_maths(
    text: str,
    variables: list[str] | None = None,
    free_symbols: bool = False,
    assumptions: Mapping[str, str] | None = None,
) -> sympy.Basic:
    """Parse user or bank text into a sympy expression or matrix; raise MathsParseError when unreadable.

    `variables` are the names the answer may use; with `free_symbols`, any single letter becomes a symbol.
    """
    normal = normalise(text)
    symbols = {name: symbol(name, assumptions) for name in (variables or [])}
    parser = _Parser(normal or text, tokenize(normal), symbols, free_symbols)
    result = parser.parse()
    if result.has(sympy.zoo) or result.has(sympy.nan):
        raise MathsParseError(f"could not read `{text.strip()}`: the value is undefined")
    return result


def parse_bank_expression(
    expression: str | int | float | list, variables: list[str], assumptions: Mapping[str, str] | None = None
) -> sympy.Basic:
    """Parse a bank `expression` (string, number, or nested list for vectors and matrices)."""
    if isinstance(expression, list):
        items = [parse_bank_expression(item, variables, assumptions) for item in expression]
        if all(isinstance(i, sympy.MatrixBase) for i in items):
            return sympy.ImmutableMatrix([list(i) for i in items])
        return sympy.ImmutableMatrix(items)
    return parse_maths(str(expression), variables, free_symbols=not variables, assumptions=assumptions)
