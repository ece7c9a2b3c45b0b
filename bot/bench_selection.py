"""`mlprep bench selection`: how long picking the next question takes for a user with a long history.

A bank of `questions` questions (the shipped bank, topped up with renamed copies if it is smaller) and a user with
`attempts` past graded attempts, written through the real service into a SQLite file (so skills, items, reviews
and history are as production would have them). Then `runs` calls of `Service.next_question` are timed: store
reads, the policy and opening the question, i.e. everything `/practice` waits for before it can reply.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel

from bot.adapters.store import Store
from bot.engine.bank import Bank
from bot.engine.grading.result import GradeResult
from bot.engine.models import BankQuestion
from bot.engine.skill import sigmoid
from bot.grader import OfflineGrader
from bot.service import Filters, Service

START = datetime(2026, 1, 1, tzinfo=UTC)
USER = "bench:selection"


class SelectionBench(BaseModel):
    """Selection latency for one user with a long history."""

    questions: int
    attempts: int
    runs: int
    reviews: int  # questions in the user's FSRS schedule
    due_at_start: int
    median_ms: float
    p95_ms: float
    max_ms: float
    setup_s: float


def sized_bank(bank: Bank, size: int) -> Bank:
    """The bank with exactly `size` questions: trimmed, or topped up with renamed copies."""
    items = list(bank.questions.values())
    out: dict[str, BankQuestion] = {}
    copy = 0
    while len(out) < size:
        for item in items:
            if len(out) == size:
                break
            if copy == 0:
                out[item.id] = item
            else:
                renamed = item.question.model_copy(update={"id": f"{item.id}-copy{copy}"})
                out[renamed.id] = item.model_copy(update={"question": renamed})
        copy += 1
    return bank.model_copy(update={"questions": out})


def _result(score: float) -> GradeResult:
    """A graded result with this score (grading itself is benchmarked by `bench grading`)."""
    passed = score >= 0.7
    return GradeResult(
        score=score, passed=passed, verdict="correct" if passed else "incorrect", grader="bench", feedback=""
    )


def bench_selection(
    bank: Bank,
    grader: OfflineGrader,
    questions: int = 500,
    attempts: int = 10_000,
    runs: int = 300,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> SelectionBench:
    """Build the history, then time `runs` picks of the next question."""
    bank = sized_bank(bank, questions)
    rng = random.Random(seed)
    ability = {topic: rng.uniform(-1.5, 1.5) for topic in bank.topics}
    now = [START]
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "bench.db")
        service = Service(bank, store, grader, lambda: now[0], random.Random(seed))
        started = time.perf_counter()
        ids = list(bank.questions)
        for index in range(attempts):
            item = bank.questions[ids[rng.randrange(len(ids))]]
            level = (item.question.difficulty - 3) * 0.9
            success = rng.random() < sigmoid(ability[item.topic] - level)
            service.open(USER, item.id)
            service.record_answer(USER, item.id, "answer", _result(1.0 if success else rng.choice([0.0, 0.5])))
            now[0] += timedelta(minutes=20)
            if progress and (index + 1) % 1000 == 0:
                progress(index + 1, attempts)
        setup = time.perf_counter() - started
        user = store.user(USER)
        due = sum(1 for s in store.reviews(user.id) if s.due <= now[0])
        reviews = len(store.reviews(user.id))
        timings = []
        for _ in range(runs):
            tick = time.perf_counter()
            service.next_question(USER, Filters())
            timings.append((time.perf_counter() - tick) * 1000)
        store.close()
    ordered = sorted(timings)
    return SelectionBench(
        questions=len(bank.questions),
        attempts=attempts,
        runs=runs,
        reviews=reviews,
        due_at_start=due,
        median_ms=round(statistics.median(ordered), 2),
        p95_ms=round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 2),
        max_ms=round(ordered[-1], 2),
        setup_s=round(setup, 1),
    )
