"""Pick the next question: filters first, then weak and unseen topics, difficulty near the user's level."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping

from bot.engine.mastery import TopicMastery
from bot.engine.models import BankQuestion

UNSEEN_TOPIC_WEIGHT = 1.0
FLOOR_WEIGHT = 0.1


def _topic_weight(mastery: TopicMastery | None) -> float:
    """Weaker topics weigh more; unseen topics are worth exploring."""
    if mastery is None:
        return UNSEEN_TOPIC_WEIGHT
    return (1.0 - mastery.mastery) + FLOOR_WEIGHT


def _target_difficulty(mastery: TopicMastery | None) -> int:
    """The difficulty that fits the user's level in a topic (1 for an unseen topic)."""
    if mastery is None:
        return 1
    return 1 + round(mastery.mastery * 4)


def pick_question(
    candidates: list[BankQuestion],
    masteries: Mapping[str, TopicMastery],
    attempted: Collection[str],
    exclude: Collection[str],
    rng: random.Random,
) -> BankQuestion | None:
    """Choose one question among candidates (already filtered by the user's topic/kind/difficulty).

    Questions in `exclude` (this session) never repeat; unattempted questions are preferred.
    """
    pool = [q for q in candidates if q.id not in exclude]
    if not pool:
        return None
    fresh = [q for q in pool if q.id not in attempted]
    pool = fresh or pool
    topics = sorted({q.topic for q in pool})
    weights = [_topic_weight(masteries.get(t)) for t in topics]
    topic = rng.choices(topics, weights=weights, k=1)[0]
    in_topic = [q for q in pool if q.topic == topic]
    target = _target_difficulty(masteries.get(topic))
    best = min(abs(q.question.difficulty - target) for q in in_topic)
    closest = [q for q in in_topic if abs(q.question.difficulty - target) == best]
    return rng.choice(sorted(closest, key=lambda q: q.id))
