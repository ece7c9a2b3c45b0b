"""Pure parts of code judging: clean the pasted code, describe the run, compare outputs, build the verdict.

Running the code is the sandbox adapter's job; expected outputs never go into the run.
"""

from __future__ import annotations

import ast
import json
import math
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.engine.grading.result import GradeResult, TestOutcome, no_credit
from bot.engine.models import CodingQuestion

GRADER = "tests"
_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL)
_CODE_START = re.compile(r"^(def |class |import |from |@|async def )", re.MULTILINE)
DEFAULT_TIME_LIMIT_S = 2.0
DISPLAY_LIMIT = 300


class RunJob(BaseModel):
    """What the sandbox runs: the code, the entry point, test inputs (never expected outputs), limits."""

    model_config = ConfigDict(frozen=True)

    code: str
    entry_point: str
    args: list[list[Any]]
    check: str | None = None
    per_test_s: float
    total_s: float
    memory_mb: int


RunStatus = Literal["ok", "time_limit", "memory_limit", "runtime_error", "output_limit", "compile_error"]


class CaseRun(BaseModel):
    """The sandbox's report of one test: a status, the returned value as JSON-like data, or an error."""

    model_config = ConfigDict(frozen=True)

    status: RunStatus
    value: Any = None
    error: str | None = None


class RunReport(BaseModel):
    """The sandbox's report of a whole run; `status` covers failures before or around the tests."""

    model_config = ConfigDict(frozen=True)

    status: Literal[
        "ok", "time_limit", "memory_limit", "runtime_error", "output_limit", "compile_error", "internal_error"
    ]
    cases: list[CaseRun] = Field(default_factory=list)
    check: CaseRun | None = None
    error: str | None = None


def extract_code(answer: str) -> str:
    """Take the code out of a pasted answer: fenced blocks if any, else from the first def/class/import on."""
    blocks = _FENCE.findall(answer)
    if blocks:
        return "\n\n".join(body for _, body in blocks).strip("\n") + "\n"
    match = _CODE_START.search(answer)
    return (answer[match.start() :] if match else answer).strip("\n") + "\n"


def syntax_error(code: str) -> str | None:
    """Return a readable syntax error (with line) or None; parsing never runs the code."""
    try:
        ast.parse(code)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"could not parse the code: {exc}"
    return None


def build_job(question: CodingQuestion, code: str, default_time_s: float, default_memory_mb: int) -> RunJob:
    """Describe one run of every test of a question against the user's code."""
    per_test = question.time_limit_s or DEFAULT_TIME_LIMIT_S
    count = len(question.tests) + (1 if question.check else 0)
    total = min(max(default_time_s, per_test), per_test * count + 1.0) + 1.0
    return RunJob(
        code=code,
        entry_point=question.entry_point,
        args=[t.args for t in question.tests],
        check=question.check,
        per_test_s=per_test,
        total_s=total,
        memory_mb=question.memory_mb or default_memory_mb,
    )


def values_equal(got: Any, expected: Any, tolerance: float, unordered: bool = False) -> bool:
    """Compare a result with the expected value: ints exactly, floats within tolerance, lists optionally unordered."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return isinstance(got, bool) and isinstance(expected, bool) and got == expected
    if isinstance(expected, int) and isinstance(got, int):
        return got == expected
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return math.isclose(got, expected, rel_tol=tolerance, abs_tol=tolerance)
    if isinstance(expected, list) and isinstance(got, list):
        if len(got) != len(expected):
            return False
        if unordered:
            got, expected = sorted(got, key=_sort_key), sorted(expected, key=_sort_key)
        return all(values_equal(g, e, tolerance) for g, e in zip(got, expected, strict=True))
    if isinstance(expected, dict) and isinstance(got, dict):
        return got.keys() == expected.keys() and all(values_equal(got[k], expected[k], tolerance) for k in expected)
    return got == expected


def _sort_key(value: Any) -> str:
    """A total order over JSON-like values, for order-insensitive comparison."""
    return json.dumps(value, sort_keys=True, default=str)


def _show(value: Any) -> str:
    """Render a value for feedback, clipped."""
    text = json.dumps(value, default=str)
    return text if len(text) <= DISPLAY_LIMIT else text[: DISPLAY_LIMIT - 1] + "…"


def _outcomes(question: CodingQuestion, report: RunReport) -> list[TestOutcome]:
    """Compare each reported case with its expectation; only sample tests reveal their data."""
    outcomes = []
    for index, test in enumerate(question.tests):
        case = report.cases[index] if index < len(report.cases) else CaseRun(status=_missing_status(report))
        ok = case.status == "ok" and values_equal(
            case.value, test.expected, question.float_tolerance, question.unordered
        )
        verdict = "accepted" if ok else ("wrong_answer" if case.status == "ok" else case.status)
        shown = test.sample
        outcomes.append(
            TestOutcome(
                index=index + 1,
                sample=shown,
                passed=ok,
                verdict=verdict,
                args=_show(test.args) if shown else None,
                expected=_show(test.expected) if shown else None,
                got=_show(case.value) if shown and case.status == "ok" else None,
                error=case.error if shown else None,
            )
        )
    if question.check:
        case = report.check or CaseRun(status=_missing_status(report))
        ok = case.status == "ok"
        verdict = (
            "accepted"
            if ok
            else (
                "wrong_answer"
                if case.status == "runtime_error" and (case.error or "").startswith("AssertionError")
                else case.status
            )
        )
        outcomes.append(TestOutcome(index=len(question.tests) + 1, sample=False, passed=ok, verdict=verdict))
    return outcomes


def _missing_status(report: RunReport) -> RunStatus:
    """The status of a test the run never reached."""
    return "runtime_error" if report.status in ("ok", "internal_error") else report.status  # type: ignore[return-value]


def interpret(question: CodingQuestion, report: RunReport) -> GradeResult:
    """Turn a sandbox report into a graded result with per-test feedback."""
    if report.status == "internal_error":
        return no_credit("internal_error", GRADER, "The judge failed on our side; this attempt does not count.")
    if report.status == "compile_error":
        return no_credit("compile_error", GRADER, f"Your code does not compile: {report.error}")
    outcomes = _outcomes(question, report)
    passed = sum(o.passed for o in outcomes)
    score = round(passed / len(outcomes), 4)
    first_fail = next((o for o in outcomes if not o.passed), None)
    verdict = "accepted" if first_fail is None else first_fail.verdict
    lines = [f"{passed}/{len(outcomes)} tests passed."]
    if report.error and report.status != "ok":
        lines.append(f"Run stopped: {report.error}")
    if report.cases or report.check:  # a run that stopped before the tests has said why above
        lines.extend(_failure_line(o) for o in outcomes if not o.passed)
    return GradeResult(
        score=score,
        passed=first_fail is None,
        verdict=verdict,
        grader=GRADER,  # type: ignore[arg-type]
        feedback="\n".join(lines[:12]),
        tests=outcomes,
    )


def _failure_line(outcome: TestOutcome) -> str:
    """Describe one failed test: samples in full, hidden ones only by number and verdict."""
    if not outcome.sample:
        return f"Hidden test {outcome.index} failed ({outcome.verdict})."
    detail = f"got {outcome.got}" if outcome.got is not None else (outcome.error or outcome.verdict)
    return (
        f"Sample test {outcome.index} failed ({outcome.verdict}): input {outcome.args}, "
        f"expected {outcome.expected}, {detail}"
    )
