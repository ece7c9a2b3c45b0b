"""What the store returns: plain pydantic models, never rows."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from bot.engine.review import ReviewState
from bot.engine.skill import ItemStats, TopicSkill


class StoreError(Exception):
    """The database cannot be used; the message says which file and why."""


class User(BaseModel):
    """A practising user (CLI name or Discord id)."""

    model_config = ConfigDict(frozen=True)

    id: int
    external_id: str
    display_name: str


class Attempt(BaseModel):
    """One graded (or skipped) answer, as stored."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    user_id: int
    question_id: str
    topic: str
    kind: str
    difficulty: int
    answer: str
    score: float
    passed: bool
    verdict: str
    grader: str
    feedback: str
    hints_used: int = 0
    started_at: datetime
    submitted_at: datetime
    guild_id: int | None = None
    source: str = "practice"


class OpenQuestion(BaseModel):
    """The question a user is currently answering."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    question_id: str
    started_at: datetime
    hints_used: int = 0
    guild_id: int | None = None


class Challenge(BaseModel):
    """A timed group challenge in one channel."""

    model_config = ConfigDict(frozen=True)

    id: int
    guild_id: int
    channel_id: int
    host_id: int
    topic: str | None
    question_ids: list[str]
    seconds: int
    round: int
    round_started_at: datetime
    status: str

    @property
    def question_id(self) -> str:
        """The current round's question."""
        return self.question_ids[self.round]


class GuildConfig(BaseModel):
    """A Discord server's mlprep settings."""

    model_config = ConfigDict(frozen=True)

    guild_id: int
    public_practice: bool = False
    allowed_topics: list[str] = []
    daily_channel_id: int | None = None
    daily_hour: int = Field(default=9, ge=0, le=23)
    last_daily_on: str | None = None
    llm_grading: bool = False


class AttemptProgress(BaseModel):
    """What one graded attempt changes besides the attempt row: the topic skill, the item, the review schedule."""

    model_config = ConfigDict(frozen=True)

    skill: TopicSkill
    item: ItemStats
    review: ReviewState
