"""The offline grader: routes each kind of question to its engine grader, with the adapters it needs."""

from __future__ import annotations

import logging
from typing import Protocol

from bot.adapters.timed import TimeBoundExceeded, TimedWorker
from bot.engine.grading.coding import RunJob, RunReport, build_job, extract_code, interpret, syntax_error
from bot.engine.grading.concept import Embed, grade_concept
from bot.engine.grading.maths import grade_maths
from bot.engine.grading.result import GradeResult, no_credit
from bot.engine.models import BankQuestion, CodingQuestion, ConceptQuestion, MathsQuestion

log = logging.getLogger(__name__)
MAX_ANSWER_CHARS = 20_000


class CodeRunner(Protocol):
    """Runs a code job somewhere isolated and reports what happened."""

    def run(self, job: RunJob) -> RunReport:
        """Run the job."""
        ...


class OfflineGrader:
    """Deterministic grading: tests for code, symbolic checks for maths, key points for concepts."""

    def __init__(
        self,
        runner: CodeRunner,
        maths_worker: TimedWorker,
        time_limit_s: float,
        memory_mb: int,
        embed: Embed | None = None,
    ) -> None:
        self.embed = embed  # the optional embedding assist for concept answers
        self.runner = runner
        self.maths_worker = maths_worker
        self.time_limit_s = time_limit_s
        self.memory_mb = memory_mb

    def grade(self, item: BankQuestion, answer: str, seed: int = 0) -> GradeResult:
        """Grade one answer to one question."""
        if len(answer) > MAX_ANSWER_CHARS:
            return no_credit(
                "unreadable", "input", f"The answer is too long ({len(answer)} characters; at most {MAX_ANSWER_CHARS})."
            )
        question = item.question
        if isinstance(question, MathsQuestion):
            return self._maths(question, answer, seed)
        if isinstance(question, ConceptQuestion):
            return grade_concept(question, answer, self.embed)
        return self._coding(question, answer)

    def _maths(self, question: MathsQuestion, answer: str, seed: int) -> GradeResult:
        """Grade maths in the killable worker, so a pathological expression cannot hang us."""
        try:
            return self.maths_worker.call(grade_maths, question, answer, seed)
        except TimeBoundExceeded:
            return no_credit(
                "unreadable", "maths", "Checking this answer took too long; please write it in a simpler form."
            )

    def _coding(self, question: CodingQuestion, answer: str) -> GradeResult:
        """Strip fences, reject syntax errors without running anything, else run the tests."""
        code = extract_code(answer)
        if not code.strip():
            return no_credit("unreadable", "tests", "The answer has no code.")
        problem = syntax_error(code)
        if problem is not None:
            return no_credit("compile_error", "tests", f"Your code does not compile: {problem}")
        job = build_job(question, code, self.time_limit_s, self.memory_mb)
        report = self.runner.run(job)
        log.info("judged question=%s status=%s", question.id, report.status)
        return interpret(question, report)

    def close(self) -> None:
        """Stop worker processes."""
        self.maths_worker.close()
