"""The result every grader returns, whatever the kind of question."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Verdict = Literal[
    "correct",
    "partial",
    "incorrect",
    "unreadable",
    "accepted",
    "wrong_answer",
    "time_limit",
    "memory_limit",
    "runtime_error",
    "output_limit",
    "compile_error",
    "internal_error",
    "skipped",
]


class PointResult(BaseModel):
    """Whether one key point (or misconception) was found, with the sentence that showed it."""

    model_config = ConfigDict(frozen=True)

    id: str
    hit: bool
    description: str
    weight: float = 1.0
    credit: float = 1.0
    evidence: str | None = None
    negated: bool = False
    by_meaning: bool = False  # credited by the optional embedding assist, not by a phrasing


class TestOutcome(BaseModel):
    """The outcome of one code test; sample tests carry their input, expectation and output."""

    model_config = ConfigDict(frozen=True)

    index: int
    sample: bool
    passed: bool
    verdict: str
    args: str | None = None
    expected: str | None = None
    got: str | None = None
    error: str | None = None


class GradeResult(BaseModel):
    """A graded answer: score in [0, 1], verdict, which grader decided, and feedback to learn from."""

    model_config = ConfigDict(frozen=True)

    score: float = Field(ge=0.0, le=1.0)
    passed: bool
    verdict: Verdict
    grader: str
    feedback: str
    points: list[PointResult] = Field(default_factory=list)
    misconceptions: list[PointResult] = Field(default_factory=list)
    tests: list[TestOutcome] = Field(default_factory=list)


def verdict_for(score: float, pass_mark: float) -> Verdict:
    """Map a score to correct / partial / incorrect."""
    if score >= pass_mark:
        return "correct"
    if score > 0.0:
        return "partial"
    return "incorrect"


def no_credit(verdict: Verdict, grader: str, feedback: str) -> GradeResult:
    """A result that earns nothing: unreadable input, code that does not compile, a skip, a judge failure."""
    return GradeResult(score=0.0, passed=False, verdict=verdict, grader=grader, feedback=feedback)
