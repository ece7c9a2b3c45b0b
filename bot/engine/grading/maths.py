"""Grade maths answers: numeric values with tolerance, multiple choice, symbolic equivalence."""

from __future__ import annotations

import cmath
import math
import random
import re

import sympy

from bot.engine.grading.maths_parse import MathsParseError, parse_bank_expression, parse_maths
from bot.engine.grading.result import GradeResult, no_credit
from bot.engine.models import MathsAnswer, MathsQuestion

SAMPLES = 12
MIN_VALID_SAMPLES = 5
REL_TOL = 1e-7
GRADER = "maths"
_LETTER = re.compile(r"^\s*(?:options?|answer|choice)?\s*[(\[]?\s*([A-Za-z])\s*[)\].:]?\s*$", re.IGNORECASE)
_DECIMAL = re.compile(r"^\s*[-+−]?(\d*)\.?(\d*)\s*$")


def _unreadable(message: str) -> GradeResult:
    """A result for input we could not read: not a wrong verdict, the user should try again."""
    return no_credit("unreadable", GRADER, message)


def _result(ok: bool, feedback: str, score: float | None = None) -> GradeResult:
    """Build a correct/incorrect (or partial, for a partial score) result."""
    value = (1.0 if ok else 0.0) if score is None else score
    verdict = "correct" if ok else ("partial" if value > 0 else "incorrect")
    return GradeResult(score=value, passed=ok, verdict=verdict, grader=GRADER, feedback=feedback)


def grade_maths(question: MathsQuestion, answer: str, seed: int = 0) -> GradeResult:
    """Grade one maths answer; deterministic for a given seed."""
    if not answer.strip():
        return _unreadable("The answer is empty.")
    spec = question.answer
    try:
        if spec.choices is not None:
            return _grade_choice(spec, answer)
        if spec.value is not None:
            return _grade_value(spec, answer)
        return _grade_expression(spec, answer, random.Random(seed))
    except MathsParseError as exc:
        return _unreadable(str(exc))


def parse_choice(spec: MathsAnswer, answer: str) -> set[int]:
    """Read `B`, `(b)`, `A, C`, `A and C` or a choice's text into 0-based indices."""
    choices = spec.choices or []
    text = answer.strip()
    by_text = {_norm(c): i for i, c in enumerate(choices)}
    if _norm(text) in by_text:
        return {by_text[_norm(text)]}
    parts = [p for p in re.split(r"\s*(?:,|;|/|&|\band\b|\s)\s*", text) if p]
    indices = set()
    for part in parts:
        match = _LETTER.match(part)
        if match is None:
            raise MathsParseError(
                f"could not read `{text}`: answer with a letter (A-{chr(64 + len(choices))}) or the text of a choice"
            )
        index = ord(match.group(1).upper()) - ord("A")
        if index >= len(choices):
            raise MathsParseError(f"there are only {len(choices)} choices (A-{chr(64 + len(choices))})")
        indices.add(index)
    return indices


def _norm(text: str) -> str:
    """Normalise a choice text for comparison."""
    return re.sub(r"\s+", " ", text.strip().strip(".").lower())


def _grade_choice(spec: MathsAnswer, answer: str) -> GradeResult:
    """Grade multiple choice; several correct choices give partial credit by overlap."""
    chosen = parse_choice(spec, answer)
    correct = set(spec.correct_indices)
    letters = ", ".join(chr(65 + i) for i in sorted(correct))
    if chosen == correct:
        return _result(True, f"Correct: {letters}.")
    overlap = len(chosen & correct) / len(chosen | correct)
    return _result(False, f"Not quite: the correct answer is {letters}.", score=round(overlap, 4))


def _grade_value(spec: MathsAnswer, answer: str) -> GradeResult:
    """Grade a numeric answer against the expected value and tolerance."""
    given = _to_number(parse_maths(answer))
    expected = float(spec.value or 0.0)
    tolerance = spec.tolerance if spec.tolerance is not None else _rounding_tolerance(answer, expected)
    if abs(given - expected) <= tolerance:
        return _result(True, f"Correct: {_fmt(expected)}.")
    return _result(False, f"Not quite: you gave {_fmt(given)}; the expected value is {_fmt(expected)}.")


def _rounding_tolerance(answer: str, expected: float) -> float:
    """Without a set tolerance: accept the value rounded to what the user typed (3+ significant digits)."""
    exact = 1e-9 * max(1.0, abs(expected))
    match = _DECIMAL.match(answer)
    if match is None or not match.group(2):
        return exact
    significant = len((match.group(1) + match.group(2)).lstrip("0"))
    if significant < 3:
        return exact
    return max(exact, 0.5 * 10 ** (-len(match.group(2))) + 1e-12)


def _to_number(value: sympy.Basic) -> float:
    """Evaluate a parsed answer to a real number, or explain why it is not one."""
    if isinstance(value, sympy.MatrixBase):
        raise MathsParseError("expected a single number, not a vector or matrix")
    if value.free_symbols:
        names = ", ".join(sorted(str(s) for s in value.free_symbols))
        raise MathsParseError(f"expected a number, but the answer uses {names}")
    number = complex(value.evalf(30))
    if abs(number.imag) > 1e-12 or not math.isfinite(number.real):
        raise MathsParseError("expected a finite real number")
    return number.real


def _fmt(value: float) -> str:
    """Format a number briefly."""
    return f"{value:.6g}"


def _grade_expression(spec: MathsAnswer, answer: str, rng: random.Random) -> GradeResult:
    """Grade an expression, vector or matrix answer by symbolic and numeric equivalence."""
    expected = parse_bank_expression(spec.expression, spec.variables, spec.assumptions)  # type: ignore[arg-type]
    names = sorted({str(s) for s in expected.free_symbols} | set(spec.variables))
    given = parse_maths(answer, names, assumptions=spec.assumptions)
    shown = _show(expected)
    if isinstance(expected, sympy.MatrixBase) != isinstance(given, sympy.MatrixBase):
        what = "a vector or matrix" if isinstance(expected, sympy.MatrixBase) else "a single expression"
        return _result(False, f"The answer should be {what}; expected {shown}.")
    if equivalent(expected, given, rng):
        return _result(True, f"Correct: equivalent to {shown}.")
    return _result(False, f"Not equivalent to the expected answer {shown}.")


def _show(value: sympy.Basic) -> str:
    """Render a sympy value in plain text with ^ for powers."""
    if isinstance(value, sympy.MatrixBase):
        rows = value.tolist()
        return str([[_show(x) for x in row] for row in rows]) if value.cols > 1 else str([_show(r[0]) for r in rows])
    return sympy.sstr(value).replace("**", "^")


def equivalent(expected: sympy.Basic, given: sympy.Basic, rng: random.Random) -> bool:
    """Whether two expressions (or same-shape matrices) are equal: symbolically, else at sampled points."""
    if isinstance(expected, sympy.MatrixBase):
        if not isinstance(given, sympy.MatrixBase):
            return False
        if expected.shape != given.shape:
            if 1 in expected.shape and 1 in given.shape and len(expected) == len(given):
                return all(equivalent(a, b, rng) for a, b in zip(list(expected), list(given), strict=True))
            return False
        return all(equivalent(a, b, rng) for a, b in zip(list(expected), list(given), strict=True))
    difference = sympy.simplify(expected - given)
    if difference == 0:
        return True
    return _numerically_equal(expected, given, rng)


def _numerically_equal(expected: sympy.Basic, given: sympy.Basic, rng: random.Random) -> bool:
    """Compare at random points in [-3, 3] (two-sided, so sqrt(x^2) is not x); all valid points must agree."""
    symbols = sorted(expected.free_symbols | given.free_symbols, key=str)
    valid = 0
    attempts = SAMPLES if symbols else 1
    for _ in range(attempts):
        point = {s: _sample(s, rng) for s in symbols}
        want, got = _evaluate(expected, point), _evaluate(given, point)
        if want is None:
            continue
        if got is None or abs(want - got) > REL_TOL * max(1.0, abs(want)):
            return False
        valid += 1
    return valid >= (MIN_VALID_SAMPLES if symbols else 1)


def _sample(symbol: sympy.Symbol, rng: random.Random) -> sympy.Basic:
    """A random value that respects the symbol's assumption (two-sided when it has none)."""
    if symbol.is_integer:
        return sympy.Integer(rng.randint(-5, 5) if not symbol.is_positive else rng.randint(1, 6))
    if symbol.is_positive:
        return sympy.Float(rng.uniform(0.1, 3), 20)
    if symbol.is_nonnegative:
        return sympy.Float(rng.uniform(0, 3), 20)
    if symbol.is_negative:
        return sympy.Float(rng.uniform(-3, -0.1), 20)
    if symbol.is_nonzero:
        return sympy.Float(rng.choice((-1, 1)) * rng.uniform(0.1, 3), 20)
    return sympy.Float(rng.uniform(-3, 3), 20)


def _evaluate(expr: sympy.Basic, point: dict[sympy.Symbol, sympy.Float]) -> complex | None:
    """Evaluate numerically at a point; None where undefined."""
    try:
        value = complex(expr.evalf(20, subs=point))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not cmath.isfinite(value):
        return None
    return value
