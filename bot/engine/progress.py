"""What a learner sees of their progress: mastery trend, the weakest topics with reasons, and the level to try next."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from bot.engine.policy import TARGET_SUCCESS, need
from bot.engine.skill import TopicSkill, aged, level_to_logit, sigmoid

TREND_DAYS = 7
FADED_DAYS = 21  # a topic idle this long may have faded
UNCERTAIN_SD = 0.15  # mastery_sd above this: too few attempts to be sure
LOW_MASTERY = 0.5
FEW_ATTEMPTS = 10


class SkillPoint(BaseModel):
    """A topic's skill right after one graded attempt (the history behind trends and charts)."""

    model_config = ConfigDict(frozen=True)

    topic: str
    at: datetime
    rating: float
    sd: float

    @property
    def mastery(self) -> float:
        """Mastery at that moment."""
        return sigmoid(self.rating)

    @property
    def mastery_sd(self) -> float:
        """Uncertainty of `mastery` at that moment."""
        return TopicSkill(topic=self.topic, rating=self.rating, sd=self.sd).mastery_sd


class WeakTopic(BaseModel):
    """One of a learner's weakest topics: why it is weak and what to do next."""

    model_config = ConfigDict(frozen=True)

    topic: str
    mastery: float
    mastery_sd: float
    attempts: int
    reasons: list[str]
    next_level: int
    due_reviews: int = 0
    leeches: int = 0


def trend(history: Sequence[SkillPoint], now: datetime, days: int = TREND_DAYS) -> float | None:
    """Change in mastery over the last `days` (points in time order); None without attempts in that window."""
    if not history or history[-1].at < now - timedelta(days=days):
        return None
    before = [p for p in history if p.at < now - timedelta(days=days)]
    start = before[-1].mastery if before else sigmoid(0.0)
    return round(history[-1].mastery - start, 4)


def next_level(skill: TopicSkill) -> int:
    """The bank difficulty (1-5) where this learner is predicted to succeed closest to the target rate."""
    return min(range(1, 6), key=lambda level: abs(sigmoid(skill.rating - level_to_logit(level)) - TARGET_SUCCESS))


def reasons(skill: TopicSkill, now: datetime, due: int = 0, leeches: int = 0) -> list[str]:
    """Plain-language reasons a topic needs work."""
    out: list[str] = []
    if skill.mastery < LOW_MASTERY:
        out.append(f"low mastery: {skill.mastery:.0%} chance of a good answer at difficulty 3")
    if skill.mastery_sd > UNCERTAIN_SD and skill.attempts < FEW_ATTEMPTS:
        out.append(
            f"uncertain: only {skill.attempts} attempt(s), so the estimate could be off by ±{skill.mastery_sd:.0%}"
        )
    elif skill.mastery_sd > UNCERTAIN_SD:
        out.append(f"uncertain after a long break: the estimate could be off by ±{skill.mastery_sd:.0%}")
    if skill.last_at is not None and now - skill.last_at >= timedelta(days=FADED_DAYS):
        out.append(f"not practised for {(now - skill.last_at).days} days: it may have faded")
    if due:
        out.append(f"{due} review(s) due: questions you missed or are about to forget")
    if leeches:
        out.append(f"{leeches} question(s) missed again and again (resting): study their solutions")
    if not out:
        out.append(f"mastery {skill.mastery:.0%}: the lowest of your practised topics")
    return out


def weakest_topics(
    skills: Mapping[str, TopicSkill],
    now: datetime,
    due_by_topic: Mapping[str, int] | None = None,
    leeches_by_topic: Mapping[str, int] | None = None,
    count: int = 3,
) -> list[WeakTopic]:
    """The `count` practised topics that most need work (the policy's own measure: low mastery or uncertainty)."""
    due_by_topic, leeches_by_topic = due_by_topic or {}, leeches_by_topic or {}

    def order(skill: TopicSkill) -> tuple[float, float, str]:
        return (-need(skill) - 0.05 * due_by_topic.get(skill.topic, 0), skill.mastery, skill.topic)

    today = [aged(s, now) for s in skills.values() if s.attempts > 0]
    out = []
    for skill in sorted(today, key=order)[:count]:
        due, leeches = due_by_topic.get(skill.topic, 0), leeches_by_topic.get(skill.topic, 0)
        out.append(
            WeakTopic(
                topic=skill.topic,
                mastery=round(skill.mastery, 4),
                mastery_sd=round(skill.mastery_sd, 4),
                attempts=skill.attempts,
                reasons=reasons(skill, now, due, leeches),
                next_level=next_level(skill),
                due_reviews=due,
                leeches=leeches,
            )
        )
    return out
