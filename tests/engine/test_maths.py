"""Maths grading: the safe reader, numeric values, multiple choice and symbolic equivalence."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.grading.maths import grade_maths
from bot.engine.grading.maths_parse import MathsParseError, parse_bank_expression, parse_maths
from bot.engine.models import MathsQuestion

x, y, r = sympy.symbols("x y r")

READS = [
    ("2x", 2 * x),
    ("2pi r", 2 * sympy.pi * r),
    ("x^2 + 3x", x**2 + 3 * x),
    ("x**2", x**2),
    ("e^x", sympy.exp(x)),
    ("\\frac{1}{2}", sympy.Rational(1, 2)),
    ("$\\sqrt{x}$", sympy.sqrt(x)),
    ("\\sin x", sympy.sin(x)),
    ("sin 2x", sympy.sin(2 * x)),
    ("sin x cos x", sympy.sin(x) * sympy.cos(x)),
    ("sin^2(x)", sympy.sin(x) ** 2),
    ("|x|", sympy.Abs(x)),
    ("√2", sympy.sqrt(2)),
    ("π r²", sympy.pi * r**2),
    ("3 × 4", 12),
    ("−x", -x),
    ("25%", sympy.Rational(1, 4)),
    ("1e-3", sympy.Rational(1, 1000)),
    ("0.5", sympy.Rational(1, 2)),
    ("xy", x * y),
    ("ln 2", sympy.log(2)),
    ("log(8, 2)", 3),
    ("3!", 6),
    ("-x^2", -(x**2)),
    ("2^-1", sympy.Rational(1, 2)),
]


@pytest.mark.parametrize(("text", "expected"), READS, ids=[r[0] for r in READS])
def test_reads_what_people_type(text: str, expected: object) -> None:
    """Implicit multiplication, ^, LaTeX-ish input and pasted symbols all read as intended."""
    assert sympy.simplify(parse_maths(text, ["x", "y", "r"]) - expected) == 0


def test_reads_vectors_and_matrices() -> None:
    """Lists read as column vectors, nested lists as matrices."""
    assert parse_maths("[1, 2x]", ["x"]) == sympy.ImmutableMatrix([1, 2 * x])
    assert parse_maths("(1, 2)") == sympy.ImmutableMatrix([1, 2])
    assert parse_maths("[[1, 2], [3, 4]]") == sympy.ImmutableMatrix([[1, 2], [3, 4]])


UNREADABLE = [
    ("__import__('os').system('echo hacked')", "unexpected character `_`"),
    ("x.__class__", "unexpected character `.`"),
    ("2x+", "expression ends early"),
    ("foo", "unknown name `foo`"),
    ("10^10^10", "number too large"),
    ("9^9^9^9", "too large"),
    ("1/0", "division by zero"),
    ("(" * 60 + "x" + ")" * 60, "nested too deeply"),
    ("x" * 600, "too long"),
    ("(x", "expected `)`"),
    ("[[1, 2], [3]]", "different lengths"),
    ("lambda: 1", "unexpected character `:`"),
    ("", "empty"),
]


@pytest.mark.parametrize(("text", "message"), UNREADABLE, ids=[u[0][:20] for u in UNREADABLE])
def test_rejects_with_a_specific_message(text: str, message: str) -> None:
    """Unsafe or malformed input is refused before sympy sees it, with a message naming the problem."""
    with pytest.raises(MathsParseError, match=message.replace("(", r"\(").replace("[", r"\[").replace(")", r"\)")):
        parse_maths(text, ["x"])


@contextlib.contextmanager
def forbid_string_parsing() -> Iterator[None]:
    """While active, sympy's string parsers (sympify of a str, parse_expr: both call eval) raise."""
    import sympy.parsing.sympy_parser as sympy_parser

    original = sympy.sympify

    def guarded_sympify(value: object, *args: object, **kwargs: object) -> object:
        if isinstance(value, str):
            raise AssertionError("user text reached sympify")
        return original(value, *args, **kwargs)

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("user text reached parse_expr")

    patch = pytest.MonkeyPatch()
    patch.setattr(sympy, "sympify", guarded_sympify)
    patch.setattr(sympy_parser, "parse_expr", forbidden)
    try:
        yield
    finally:
        patch.undo()


@settings(max_examples=400, deadline=2000)
@given(st.text(alphabet=st.sampled_from(list("x2^*/+-()[]|.,eπ√ sinlogabc_'\"%!{}\\")), max_size=40))
def test_reader_never_crashes(text: str) -> None:
    """Any input parses or raises MathsParseError, within 2 s, without sympify or parse_expr ever running."""
    with forbid_string_parsing(), contextlib.suppress(MathsParseError):
        parse_maths(text, ["x"])


@settings(max_examples=200, deadline=2000)
@given(st.text(max_size=60))
def test_reader_survives_arbitrary_unicode(text: str) -> None:
    """Arbitrary text (any characters) never crashes the reader or reaches an evaluating parser."""
    with forbid_string_parsing(), contextlib.suppress(MathsParseError):
        parse_maths(text, ["x", "y"])


def _q(answer: dict, difficulty: int = 1) -> MathsQuestion:
    """A maths question with this answer spec."""
    return MathsQuestion(id="m", kind="maths", difficulty=difficulty, prompt="?", answer=answer)


GRADES = [
    ({"expression": "2*x*cos(x**2)", "variables": ["x"]}, "2x cos(x^2)", "correct"),
    ({"expression": "2*x*cos(x**2)", "variables": ["x"]}, "cos(x^2) * x * 2", "correct"),
    ({"expression": "2*x*cos(x**2)", "variables": ["x"]}, "2x sin(x^2)", "incorrect"),
    ({"expression": "x"}, "sqrt(x^2)", "incorrect"),
    ({"expression": "1"}, "sin(x)^2 + cos(x)^2", "unreadable"),
    ({"expression": "sin(x)**2 + cos(x)**2", "variables": ["x"]}, "1", "correct"),
    ({"expression": "exp(x)", "variables": ["x"]}, "e^x", "correct"),
    ({"expression": ["1", "2*x"], "variables": ["x"]}, "[1, 2x]", "correct"),
    ({"expression": ["1", "2*x"], "variables": ["x"]}, "[2x, 1]", "incorrect"),
    ({"expression": ["1", "2*x"], "variables": ["x"]}, "2x", "incorrect"),
    ({"expression": [["1", "0"], ["0", "1"]]}, "[[1, 0], [0, 1]]", "correct"),
    ({"value": 0.25}, "1/4", "correct"),
    ({"value": 0.25}, "25%", "correct"),
    ({"value": 0.3333333333}, "0.333", "correct"),
    ({"value": 0.3333333333}, "0.3", "incorrect"),
    ({"value": 12}, "12.0", "correct"),
    ({"value": 3.14159, "tolerance": 0.01}, "pi", "correct"),
    ({"value": 3.14159, "tolerance": 0.001}, "3.13", "incorrect"),
    ({"value": 2}, "x", "unreadable"),
    ({"choices": ["a", "b", "c"], "correct": 1}, "B", "correct"),
    ({"choices": ["a", "b", "c"], "correct": 1}, "(b)", "correct"),
    ({"choices": ["alpha", "beta", "gamma"], "correct": 1}, "Beta", "correct"),
    ({"choices": ["a", "b", "c"], "correct": 1}, "A", "incorrect"),
    ({"choices": ["a", "b", "c"], "correct": [0, 2]}, "A and C", "correct"),
    ({"choices": ["a", "b", "c"], "correct": [0, 2]}, "A", "partial"),
    ({"choices": ["a", "b", "c"], "correct": 1}, "E", "unreadable"),
    ({"choices": ["a", "b", "c"], "correct": 1}, "I think it is the second", "unreadable"),
    ({"value": 1}, "   ", "unreadable"),
]


@pytest.mark.parametrize(("answer", "given", "verdict"), GRADES, ids=[f"{g[1]}->{g[2]}" for g in GRADES])
def test_grades(answer: dict, given: str, verdict: str) -> None:
    """Each form of maths answer grades as a strict human marker would."""
    result = grade_maths(_q(answer), given)
    assert result.verdict == verdict, result.feedback
    assert result.passed == (verdict == "correct")
    assert result.grader == "maths"


def test_unreadable_answers_say_why() -> None:
    """Bad input gets a specific message, not a wrong verdict."""
    result = grade_maths(_q({"expression": "2*x", "variables": ["x"]}), "2x+")
    assert result.feedback == "could not read `2x+`: expression ends early"


def test_wrong_answers_show_the_expected_one() -> None:
    """Feedback names the expected answer so the user learns something."""
    result = grade_maths(_q({"expression": "2*x", "variables": ["x"]}), "3x")
    assert "2*x" in result.feedback


def test_grading_is_deterministic_for_a_seed() -> None:
    """The same seed gives the same result."""
    q = _q({"expression": "log(x**2)", "variables": ["x"]})
    assert grade_maths(q, "2 log(x)", seed=3) == grade_maths(q, "2 log(x)", seed=3)
    assert grade_maths(q, "2 log(|x|)", seed=3).verdict == "correct"


def test_bank_expressions_parse() -> None:
    """Bank expressions may be strings, numbers or nested lists."""
    assert parse_bank_expression(3, []) == 3
    assert parse_bank_expression(["a", 1], ["a"]).shape == (2, 1)


def test_variable_assumptions() -> None:
    """With `x` positive, sqrt(x^2) is x; without the assumption it is not (sampled on both sides)."""
    positive = _q({"expression": "x", "variables": ["x"], "assumptions": {"x": "positive"}})
    assert grade_maths(positive, "sqrt(x^2)").verdict == "correct"
    assert grade_maths(_q({"expression": "x", "variables": ["x"]}), "sqrt(x^2)").verdict == "incorrect"
    integer = _q({"expression": "(-1)**(2*n)", "variables": ["n"], "assumptions": {"n": "integer"}})
    assert grade_maths(integer, "1").verdict == "correct"


def test_assumptions_must_name_variables() -> None:
    """An assumption about an undeclared variable is a bank error."""
    with pytest.raises(ValueError, match="not listed in `variables`"):
        _q({"expression": "x", "variables": ["x"], "assumptions": {"y": "positive"}})
