"""Benchmarks behind `mlprep bench ...` (timings are measured here, never asserted in tests)."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from pydantic import BaseModel

from bot.adapters.judge import Judge
from bot.engine.grading.coding import RunJob

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
