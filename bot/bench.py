"""Benchmarks behind `mlprep bench ...` (timings are measured here, never asserted in tests)."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import sympy
from pydantic import BaseModel

from bot.adapters.judge import Judge
from bot.engine.grading.coding import RunJob
from bot.engine.grading.concept import grade_concept
from bot.engine.grading.maths_parse import parse_bank_expression
from bot.engine.models import ConceptQuestion, MathsQuestion
from bot.service import Service

TRIVIAL = RunJob(
    code="def f(x):\n    return x\n", entry_point="f", args=[[1]], per_test_s=2.0, total_s=5.0, memory_mb=256
)


class JudgeBench(BaseModel):
    """Judge overhead and throughput."""

    overhead_ms_median: float
    overhead_ms_p95: float
    submissions_per_s: float
    isolation: str
    runs: int
    workers: int


def _p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def bench_judge(judge: Judge, runs: int = 60, workers: int = 2) -> JudgeBench:
    """Time `runs` trivial submissions one by one, then `runs` more through a pool of `workers`."""
    judge.run(TRIVIAL)  # warm the page cache
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        report = judge.run(TRIVIAL)
        timings.append((time.perf_counter() - started) * 1000)
        if report.status != "ok":
            raise RuntimeError(f"the judge failed a trivial submission: {report}")
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda _: judge.run(TRIVIAL), range(runs)))
    elapsed = time.perf_counter() - started
    return JudgeBench(
        overhead_ms_median=round(statistics.median(timings), 1),
        overhead_ms_p95=round(_p95(timings), 1),
        submissions_per_s=round(runs / elapsed, 1),
        isolation=str(judge.mode),
        runs=runs,
        workers=workers,
    )


class GradingBench(BaseModel):
    """Offline grading speed."""

    concept_answers_per_s: float
    concept_answers: int
    maths_ms_median: float | None
    maths_ms_p95: float | None
    maths_checks: int


def _maths_answer(question: MathsQuestion) -> str:
    """A plausible answer to a maths question (its own expected answer)."""
    spec = question.answer
    if spec.choices is not None:
        return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[spec.correct_indices[0]]
    if spec.value is not None:
        return str(spec.value)
    expected = parse_bank_expression(spec.expression, spec.variables)  # type: ignore[arg-type]
    if isinstance(expected, sympy.MatrixBase):
        return (
            str([sympy.sstr(sympy.expand(e)) for e in expected])
            if expected.cols == 1
            else str([[sympy.sstr(sympy.expand(e)) for e in row] for row in expected.tolist()])
        )
    return sympy.sstr(sympy.expand(expected))  # an equivalent but different form, so equivalence is really checked


def bench_grading(service: Service, concept_answers: int = 2000, maths_checks: int = 200) -> GradingBench:
    """Concept answers per second (one thread) and the latency of one maths check through its killable worker."""
    concepts = [q for q in service.bank.questions.values() if isinstance(q.question, ConceptQuestion)]
    maths = [q for q in service.bank.questions.values() if isinstance(q.question, MathsQuestion)]
    answers = [q.question.reference_answer for q in concepts]  # type: ignore[union-attr]
    started = time.perf_counter()
    for index in range(concept_answers):
        item = concepts[index % len(concepts)]
        grade_concept(item.question, answers[index % len(answers)])  # type: ignore[arg-type]
    concept_rate = concept_answers / (time.perf_counter() - started)
    timings: list[float] = []
    if maths:
        service.grader.grade(maths[0], _maths_answer(maths[0].question))  # type: ignore[arg-type]
    for index in range(maths_checks if maths else 0):
        item = maths[index % len(maths)]
        started = time.perf_counter()
        service.grader.grade(item, _maths_answer(item.question), seed=index)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - started) * 1000)
    return GradingBench(
        concept_answers_per_s=round(concept_rate, 1),
        concept_answers=concept_answers,
        maths_ms_median=round(statistics.median(timings), 1) if timings else None,
        maths_ms_p95=round(_p95(timings), 1) if timings else None,
        maths_checks=len(timings),
    )
