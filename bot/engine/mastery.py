"""Per-topic mastery: a difficulty-weighted moving estimate that moves with every graded attempt."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

PRIOR = 0.5
RATE = 0.35


class TopicMastery(BaseModel):
    """A user's standing in one topic."""

    model_config = ConfigDict(frozen=True)

    topic: str
    mastery: float
    attempts: int
    score_sum: float
    last_attempt_at: datetime | None = None

    @property
    def average(self) -> float:
        """Mean score over the topic's attempts."""
        return self.score_sum / self.attempts if self.attempts else 0.0


def update_mastery(
    previous: TopicMastery | None, topic: str, score: float, difficulty: int, now: datetime
) -> TopicMastery:
    """Move mastery toward the new score; harder questions move it further, and a hard miss costs less."""
    current = previous.mastery if previous else PRIOR
    weight = 0.6 + 0.1 * difficulty
    if score < current:
        weight *= 1.1 - 0.1 * difficulty
    new = current + RATE * weight * (score - current)
    return TopicMastery(
        topic=topic,
        mastery=round(min(1.0, max(0.0, new)), 4),
        attempts=(previous.attempts if previous else 0) + 1,
        score_sum=(previous.score_sum if previous else 0.0) + score,
        last_attempt_at=now,
    )


def weakest(masteries: list[TopicMastery], count: int = 3) -> list[TopicMastery]:
    """The `count` weakest attempted topics: lowest mastery first, fewer attempts breaking ties."""
    return sorted(masteries, key=lambda m: (m.mastery, m.attempts, m.topic))[:count]
