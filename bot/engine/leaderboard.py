"""Leaderboards and streaks: pure functions over attempts, with the clock passed in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

Period = Literal["week", "month", "all"]
POINTS_PER_DIFFICULTY = 10
PAGE_SIZE = 10


class ScoredAttempt(BaseModel):
    """The parts of an attempt a leaderboard needs."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    question_id: str
    difficulty: int
    score: float


class Standing(BaseModel):
    """One row of a leaderboard."""

    model_config = ConfigDict(frozen=True)

    rank: int
    user_id: int
    points: int
    questions: int
    solved: int


def period_start(period: Period, now: datetime) -> datetime | None:
    """Start of the calendar week (Monday 00:00) or month containing `now`, in now's timezone; None for all time."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        return midnight - timedelta(days=midnight.weekday())
    if period == "month":
        return midnight.replace(day=1)
    return None


def points(difficulty: int, score: float) -> int:
    """Points for one question: harder questions are worth more; partial credit counts."""
    return round(POINTS_PER_DIFFICULTY * difficulty * score)


def rank(attempts: Iterable[ScoredAttempt], pass_mark: float = 0.7) -> list[Standing]:
    """Rank users by points, counting each question once at its best score (no farming one question)."""
    best: dict[tuple[int, str], ScoredAttempt] = {}
    for attempt in attempts:
        key = (attempt.user_id, attempt.question_id)
        if key not in best or attempt.score > best[key].score:
            best[key] = attempt
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (user_id, _), attempt in best.items():
        row = totals[user_id]
        row[0] += points(attempt.difficulty, attempt.score)
        row[1] += 1
        row[2] += attempt.score >= pass_mark
    ordered = sorted(totals.items(), key=lambda item: (-item[1][0], -item[1][2], item[0]))
    standings, previous, current_rank = [], None, 0
    for position, (user_id, (total, questions, solved)) in enumerate(ordered, start=1):
        if (total, solved) != previous:
            current_rank, previous = position, (total, solved)
        standings.append(Standing(rank=current_rank, user_id=user_id, points=total, questions=questions, solved=solved))
    return standings


def page_of(rows: list[Standing], page: int, size: int = PAGE_SIZE) -> tuple[list[Standing], int]:
    """One page (0-based, clamped) of standings plus the number of pages."""
    pages = max(1, -(-len(rows) // size))
    page = min(max(page, 0), pages - 1)
    return rows[page * size : (page + 1) * size], pages


def streak(days: Iterable[date], today: date) -> int:
    """Consecutive days with practice, ending today (or yesterday, so the streak survives until today ends)."""
    practised = set(days)
    day = today if today in practised else today - timedelta(days=1)
    count = 0
    while day in practised:
        count += 1
        day -= timedelta(days=1)
    return count
