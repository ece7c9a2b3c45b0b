"""Data the service hands to front ends: cards, outcomes, stats, leaderboard rows."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from bot.engine.bank import Bank
from bot.engine.grading.result import GradeResult
from bot.engine.models import BankQuestion, CodingQuestion, MathsQuestion
from bot.engine.progress import WeakTopic


class Filters(BaseModel):
    """What the user asked for; filters always win over the selection policy."""

    model_config = ConfigDict(frozen=True)

    topic: str | None = None
    kind: str | None = None
    difficulty: int | None = None


class QuestionCard(BaseModel):
    """Everything a front end needs to show a question."""

    model_config = ConfigDict(frozen=True)

    question_id: str
    topic: str
    topic_title: str
    kind: str
    difficulty: int
    prompt: str
    choices: list[str] = []
    starter_code: str | None = None
    samples: list[tuple[str, str]] = []
    hint_count: int = 0
    reason: str | None = None  # why the policy picked it (None when the user chose it)


class SkillSummary(BaseModel):
    """A topic's mastery right after an answer, with its uncertainty."""

    model_config = ConfigDict(frozen=True)

    topic: str
    mastery: float
    mastery_sd: float
    attempts: int


class AnswerOutcome(BaseModel):
    """A graded answer plus what to show after it."""

    model_config = ConfigDict(frozen=True)

    question_id: str
    result: GradeResult
    recorded: bool
    solution: str | None
    reference_answer: str | None
    mastery: SkillSummary | None = None
    note: str | None = None
    next_review: datetime | None = None
    leech: bool = False


class TopicStat(BaseModel):
    """One row of a user's stats."""

    model_config = ConfigDict(frozen=True)

    topic: str
    title: str
    attempts: int
    average_score: float
    mastery: float
    mastery_sd: float = 0.0
    trend: float | None = None  # change in mastery over the last week
    due_reviews: int = 0
    leeches: int = 0


class RecentAttempt(BaseModel):
    """One recent attempt, for a stats view."""

    model_config = ConfigDict(frozen=True)

    question_id: str
    topic: str
    verdict: str
    score: float
    submitted_at: datetime


class UserStats(BaseModel):
    """A user's progress: per-topic rows, totals and weakest topics."""

    model_config = ConfigDict(frozen=True)

    user: str
    total_attempts: int
    skipped: int
    topics: list[TopicStat]
    weakest: list[TopicStat]
    streak: int = 0
    recent: list[RecentAttempt] = []
    due_reviews: int = 0
    next_review: datetime | None = None
    leeches: list[str] = []


class WeakTopicView(WeakTopic):
    """One of a user's weakest topics, ready to show: why, and what to practise next (with the topic's title)."""

    title: str


class HistoryPoint(BaseModel):
    """A topic's mastery after one attempt, for trend charts."""

    model_config = ConfigDict(frozen=True)

    topic: str
    at: datetime
    mastery: float
    mastery_sd: float


def card_for(item: BankQuestion, bank: Bank) -> QuestionCard:
    """Build the display card of a question (sample tests only; hidden tests never leave the bank)."""
    q = item.question
    topic = bank.topics.get(item.topic)
    choices = (q.answer.choices or []) if isinstance(q, MathsQuestion) else []
    starter = q.starter_code if isinstance(q, CodingQuestion) else None
    samples = (
        [(f"{q.entry_point}({', '.join(map(repr, t.args))})", repr(t.expected)) for t in q.sample_tests]
        if isinstance(q, CodingQuestion)
        else []
    )
    return QuestionCard(
        question_id=q.id,
        topic=item.topic,
        topic_title=topic.title if topic else item.topic,
        kind=q.kind,
        difficulty=q.difficulty,
        prompt=q.prompt,
        choices=choices,
        starter_code=starter,
        samples=samples,
        hint_count=len(q.hints),
    )


class LeaderRow(BaseModel):
    """One leaderboard row with the user's display name."""

    model_config = ConfigDict(frozen=True)

    rank: int
    external_id: str
    name: str
    points: int
    questions: int
    solved: int


class LeaderboardPage(BaseModel):
    """One page of a server's leaderboard."""

    model_config = ConfigDict(frozen=True)

    rows: list[LeaderRow]
    page: int
    pages: int
    total: int
