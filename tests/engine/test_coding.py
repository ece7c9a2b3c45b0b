"""Pure parts of code judging: code extraction, comparison, and turning run reports into verdicts."""

from __future__ import annotations

import pytest

from bot.engine.bank import Bank
from bot.engine.grading.coding import CaseRun, RunReport, build_job, extract_code, interpret, syntax_error, values_equal
from bot.engine.models import CodingQuestion


@pytest.fixture
def two_sum(mini_bank: Bank) -> CodingQuestion:
    """The two-sum question of the small bank."""
    question = mini_bank.get("arr-two-sum").question  # type: ignore[union-attr]
    assert isinstance(question, CodingQuestion)
    return question


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("```python\ndef f():\n    return 1\n```", "def f():\n    return 1\n"),
        ("Here is my answer:\n```\ndef f(): return 1\n```\nThanks!", "def f(): return 1\n"),
        ("My solution uses a loop.\n\ndef f():\n    return 1\n", "def f():\n    return 1\n"),
        ("def f(): return 1", "def f(): return 1\n"),
        ("```py\nimport math\ndef f(): return 1", "import math\ndef f(): return 1\n"),
    ],
)
def test_extract_code(answer: str, code: str) -> None:
    """Fences and leading prose are stripped from pasted code."""
    assert extract_code(answer) == code


def test_syntax_error_names_the_line() -> None:
    """A syntax error is found without running the code, with its line."""
    assert syntax_error("def f(:\n  pass") == "line 1: invalid syntax"
    assert syntax_error("def f():\n  return 1\n") is None


@pytest.mark.parametrize(
    ("got", "expected", "unordered", "equal"),
    [
        (1.0000001, 1.0, False, True),
        (1.01, 1.0, False, False),
        ([1, 2], [1, 2], False, True),
        ([2, 1], [1, 2], False, False),
        ([2, 1], [1, 2], True, True),
        ([[2, 1], [0]], [[0], [2, 1]], True, True),
        (True, 1, False, False),
        ({"a": 1.0}, {"a": 1}, False, True),
        ("abc", "abc", False, True),
        (None, [], False, False),
        (10**12 + 1, 10**12, False, False),
        (10**12, 10**12, False, True),
        (3.0, 3, False, True),
    ],
)
def test_values_equal(got: object, expected: object, unordered: bool, equal: bool) -> None:
    """Ints compare exactly, floats within tolerance; lists in order unless asked otherwise; bools are strict."""
    assert values_equal(got, expected, 1e-6, unordered) is equal


def test_job_never_carries_expected_outputs(two_sum: CodingQuestion) -> None:
    """The run description holds inputs only."""
    job = build_job(two_sum, "def two_sum(n, t): pass", 5.0, 256)
    assert job.args == [[[2, 7, 11, 15], 9], [[3, 2, 4], 6], [[3, 3], 6]]
    assert "expected" not in job.model_dump_json()


def test_all_pass_is_accepted(two_sum: CodingQuestion) -> None:
    """Every test right: accepted, full score."""
    report = RunReport(status="ok", cases=[CaseRun(status="ok", value=v) for v in ([0, 1], [1, 2], [0, 1])])
    result = interpret(two_sum, report)
    assert (result.verdict, result.score, result.passed) == ("accepted", 1.0, True)


def test_sample_failures_show_data_and_hidden_ones_do_not(two_sum: CodingQuestion) -> None:
    """A failed sample test shows input, expected and got; a hidden one only its number and verdict."""
    report = RunReport(
        status="ok",
        cases=[
            CaseRun(status="ok", value=[1, 0]),
            CaseRun(status="ok", value=[1, 2]),
            CaseRun(status="time_limit", error="took longer than 2s"),
        ],
    )
    result = interpret(two_sum, report)
    assert result.score == pytest.approx(1 / 3, abs=1e-3)
    assert result.verdict == "wrong_answer"
    assert "Sample test 1 failed (wrong_answer): input [[2, 7, 11, 15], 9], expected [0, 1], got [1, 0]" in (
        result.feedback
    )
    assert "Hidden test 3 failed (time_limit)." in result.feedback
    assert "[3, 3]" not in result.feedback


def test_check_failures_are_wrong_answers(mini_bank: Bank) -> None:
    """A failing `check(candidate)` assertion is a wrong answer, counted as one more test."""
    question = mini_bank.get("arr-mean").question  # type: ignore[union-attr]
    assert isinstance(question, CodingQuestion)
    report = RunReport(
        status="ok",
        cases=[CaseRun(status="ok", value=1.5)],
        check=CaseRun(status="runtime_error", error="AssertionError: "),
    )
    result = interpret(question, report)
    assert (result.verdict, result.score) == ("wrong_answer", 0.5)


def test_judge_failure_is_not_blamed_on_the_user(two_sum: CodingQuestion) -> None:
    """An internal error says so."""
    result = interpret(two_sum, RunReport(status="internal_error", error="boom"))
    assert result.verdict == "internal_error"
    assert "does not count" in result.feedback
