"""The adaptive selection policy: due reviews first, then the weakest (or least certain) topic, at the difficulty
where the learner is predicted to succeed about `TARGET_SUCCESS` of the time, with a little exploration."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.engine.skill import ItemStats, TopicSkill, expected

TARGET_SUCCESS = 0.7
EXPLORE = 0.1  # chance of practising a random topic instead of the neediest one
UNCERTAINTY_WEIGHT = 1.0
MASTERED = 0.85  # a topic above this (and certain of it) only needs reviews
MAX_RUN = 3  # after this many questions in a row from one topic, switch (interleaving; no topic starves the rest)

Reason = Literal["review", "weakest", "uncertain", "new", "explore"]


@dataclass(frozen=True)
class Candidate:
    """A question the policy may pick: its id, topic and calibrated difficulty."""

    question_id: str
    topic: str
    item: ItemStats


@dataclass(frozen=True)
class Choice:
    """The picked question and why it was picked."""

    question_id: str
    topic: str
    reason: Reason


_UNSEEN = TopicSkill(topic="")


def need(skill: TopicSkill | None) -> float:
    """How much a topic needs practice: low mastery or high uncertainty."""
    skill = skill or _UNSEEN
    if skill.mastery >= MASTERED and skill.mastery_sd < 0.1:
        return 0.0
    return (1.0 - skill.mastery) + UNCERTAINTY_WEIGHT * skill.mastery_sd


def choose(
    candidates: Sequence[Candidate],
    skills: Mapping[str, TopicSkill],
    rng: random.Random,
    *,
    due: Mapping[str, datetime] | None = None,
    now: datetime | None = None,
    attempted: Collection[str] = (),
    exclude: Collection[str] = (),
    recent_topics: Sequence[str] = (),
    explore: float = EXPLORE,
) -> Choice | None:
    """Pick the next question among `candidates` (already narrowed by the user's own filters, which always win).

    `due` maps question ids to review due times; `exclude` (this session's questions) never repeats;
    `recent_topics` (newest first) lets the policy switch topic after `MAX_RUN` questions in a row on one;
    `explore` is the chance of a random topic instead of the neediest.
    """
    by_topic: dict[str, list[Candidate]] = {}
    for c in candidates:
        if c.question_id not in exclude:
            by_topic.setdefault(c.topic, []).append(c)
    if not by_topic:
        return None
    review = _due_review(by_topic, due or {}, now)
    if review is not None:
        return Choice(review.question_id, review.topic, "review")
    topics = sorted(by_topic)
    run = recent_topics[:MAX_RUN]
    if len(run) == MAX_RUN and len(set(run)) == 1 and len(topics) > 1 and run[0] in by_topic:
        topics.remove(run[0])
    if rng.random() < explore:
        topic, reason = rng.choice(topics), "explore"
    else:
        needs = {t: need(skills.get(t)) for t in topics}
        top = max(needs.values())
        topic = rng.choice([t for t in topics if needs[t] >= top - 1e-9])
        skill = skills.get(topic)
        reason = "new" if skill is None else "weakest" if skill.mastery_sd < 0.15 else "uncertain"
    picked = _at_level(by_topic[topic], skills.get(topic), attempted, rng)
    return Choice(picked.question_id, topic, reason)  # type: ignore[arg-type]


def _due_review(
    by_topic: Mapping[str, list[Candidate]], due: Mapping[str, datetime], now: datetime | None
) -> Candidate | None:
    """The most overdue question in the pool, if any is due."""
    if now is None or not due:
        return None
    ready = [
        (due[c.question_id], c.question_id, c)
        for pool in by_topic.values()
        for c in pool
        if c.question_id in due and due[c.question_id] <= now
    ]
    return min(ready)[2] if ready else None


def _at_level(
    in_topic: list[Candidate], skill: TopicSkill | None, attempted: Collection[str], rng: random.Random
) -> Candidate:
    """The question (fresh ones first) whose predicted success is nearest the target."""
    fresh = [c for c in in_topic if c.question_id not in attempted] or in_topic
    skill = skill or _UNSEEN
    gaps = {c.question_id: abs(expected(skill, c.item) - TARGET_SUCCESS) for c in fresh}
    best = min(gaps.values())
    return rng.choice(sorted((c for c in fresh if gaps[c.question_id] <= best + 1e-9), key=lambda c: c.question_id))
