"""Group challenges: choosing the questions and scoring the standings (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from bot.engine.leaderboard import points
from bot.engine.models import BankQuestion


class RoundAnswer(BaseModel):
    """One participant's graded answer in one round."""

    model_config = ConfigDict(frozen=True)

    round: int
    user_id: int
    difficulty: int
    score: float
    passed: bool


class ChallengeStanding(BaseModel):
    """A participant's total so far."""

    model_config = ConfigDict(frozen=True)

    rank: int
    user_id: int
    points: int
    correct: int
    answered: int


def easiest_first(chosen: list[BankQuestion]) -> list[str]:
    """Order a challenge's questions easiest first, so it warms up."""
    return [q.id for q in sorted(chosen, key=lambda q: (q.question.difficulty, q.id))]


def standings(answers: Iterable[RoundAnswer]) -> list[ChallengeStanding]:
    """Total points per participant (10 x difficulty x score per round); ties share a rank."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for answer in answers:
        row = totals[answer.user_id]
        row[0] += points(answer.difficulty, answer.score)
        row[1] += answer.passed
        row[2] += 1
    ordered = sorted(totals.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    result, previous, current = [], None, 0
    for position, (user_id, (total, correct, answered)) in enumerate(ordered, start=1):
        if (total, correct) != previous:
            current, previous = position, (total, correct)
        result.append(
            ChallengeStanding(rank=current, user_id=user_id, points=total, correct=correct, answered=answered)
        )
    return result
