"""Learner-vs-item ratings with uncertainty: an Elo-style model on the logit scale with a Bayesian (Laplace)
update, so a topic seen twice moves a lot and is reported as uncertain, and one seen fifty times does not.

P(success) = sigmoid(rating - difficulty). Ratings start at 0 with standard deviation `PRIOR_SD`; each graded
attempt shrinks the variance by the information it carried, p(1-p), and idle days widen it again. Item
difficulties start from the bank's 1-5 level and are calibrated from everyone's results with a step that shrinks
as the item collects attempts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime

from pydantic import BaseModel, ConfigDict

PRIOR_SD = 1.5
MIN_SD = 0.2
DRIFT_VAR_PER_DAY = 0.01  # variance added per idle day: skills fade and we grow less sure of them
LOGIT_PER_LEVEL = 0.9  # bank difficulty d becomes (d - 3) * LOGIT_PER_LEVEL on the logit scale
ITEM_PRIOR_COUNT = 20  # an item's bank difficulty is worth this many attempts
ITEM_STEP = 1.0


class TopicSkill(BaseModel):
    """A user's estimated skill in one topic (logit scale) and how sure we are of it."""

    model_config = ConfigDict(frozen=True)

    topic: str
    rating: float = 0.0
    sd: float = PRIOR_SD
    attempts: int = 0
    last_at: datetime | None = None

    @property
    def mastery(self) -> float:
        """Chance of answering a typical (difficulty-3) question of the topic well, 0-1."""
        return sigmoid(self.rating)

    @property
    def mastery_sd(self) -> float:
        """Uncertainty of `mastery`, in the same 0-1 units (delta method)."""
        p = self.mastery
        return min(0.5, p * (1 - p) * self.sd)


@dataclass(frozen=True)
class ItemStats:
    """An item's calibrated difficulty (logit scale) and how many results it rests on.

    A plain frozen dataclass, not a model: selection builds one per bank question on every pick.
    """

    question_id: str
    difficulty: float
    attempts: int = 0


def sigmoid(x: float) -> float:
    """The logistic function, safe for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def level_to_logit(level: int) -> float:
    """A bank difficulty (1-5) on the logit scale."""
    return (level - 3) * LOGIT_PER_LEVEL


def initial_item(question_id: str, level: int) -> ItemStats:
    """An item as the bank describes it, before any results."""
    return ItemStats(question_id=question_id, difficulty=level_to_logit(level))


def expected(skill: TopicSkill, item: ItemStats) -> float:
    """Predicted score of this learner on this item."""
    return sigmoid(skill.rating - item.difficulty)


def current_sd(skill: TopicSkill, now: datetime) -> float:
    """The skill's uncertainty today: it grows with the days since the last attempt."""
    if skill.last_at is None:
        return skill.sd
    days = max(0.0, (now - skill.last_at).total_seconds() / 86400)
    return math.sqrt(skill.sd**2 + DRIFT_VAR_PER_DAY * days)


def aged(skill: TopicSkill, now: datetime) -> TopicSkill:
    """The skill as it stands today: same rating, uncertainty widened by the idle days since the last attempt."""
    return skill.model_copy(update={"sd": current_sd(skill, now)})


def update_skill(skill: TopicSkill, item: ItemStats, score: float, now: datetime) -> TopicSkill:
    """Fold one graded attempt (score 0-1) into the topic skill."""
    variance = current_sd(skill, now) ** 2
    p = sigmoid(skill.rating - item.difficulty)
    new_variance = 1.0 / (1.0 / variance + p * (1 - p))
    rating = skill.rating + new_variance * (score - p)
    return skill.model_copy(
        update={
            "rating": round(rating, 6),
            "sd": round(max(MIN_SD, math.sqrt(new_variance)), 6),
            "attempts": skill.attempts + 1,
            "last_at": now,
        }
    )


def update_item(item: ItemStats, rating: float, score: float) -> ItemStats:
    """Calibrate an item from one result: harder if people who should succeed do not."""
    p = sigmoid(rating - item.difficulty)
    step = ITEM_STEP / (ITEM_PRIOR_COUNT + item.attempts)
    return replace(item, difficulty=round(item.difficulty - step * (score - p), 6), attempts=item.attempts + 1)
