"""FSRS review scheduling, leeches, weekly trend and the weakest-topic explanations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from fsrs import Rating

from bot.engine.progress import SkillPoint, next_level, trend, weakest_topics
from bot.engine.review import LEECH_FAILS, LEECH_REST, due_reviews, rating_for, resting, review
from bot.engine.skill import TopicSkill

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("score", "hints", "rating"),
    [
        (0.0, 0, Rating.Again),
        (0.39, 0, Rating.Again),
        (0.5, 0, Rating.Hard),
        (0.8, 0, Rating.Good),
        (1.0, 0, Rating.Easy),
        (1.0, 1, Rating.Hard),
        (0.2, 2, Rating.Again),
    ],
)
def test_scores_map_to_fsrs_ratings(score: float, hints: int, rating: Rating) -> None:
    """Misses are lapses, partial credit is Hard, and an answer helped by hints is never rated above Hard."""
    assert rating_for(score, hints) == rating


def test_a_miss_comes_back_sooner_than_a_pass() -> None:
    """A missed question is due in a day; a perfect one waits days, and the wait grows with each success."""
    missed = review(None, "q", 0.0, 0, NOW)
    passed = review(None, "q", 1.0, 0, NOW)
    assert missed.due - NOW == timedelta(days=1) and missed.lapses == 1
    assert passed.due - NOW >= timedelta(days=3)
    again = review(passed, "q", 1.0, 0, passed.due)
    assert again.due - passed.due > passed.due - NOW and again.reviews == 2


def test_repeated_misses_make_a_resting_leech() -> None:
    """The fourth miss in a row flags a leech and rests it; a later good answer clears the flag."""
    state, at = None, NOW
    for _ in range(LEECH_FAILS):
        state = review(state, "q", 0.1, 0, at)
        at = state.due
    assert state is not None and state.leech and state.fails == LEECH_FAILS
    assert state.due >= datetime.fromisoformat(state.card["last_review"]) + LEECH_REST
    assert resting([state], state.due - timedelta(days=1)) == {"q"}
    assert due_reviews([state], state.due - timedelta(days=1)) == {}
    assert due_reviews([state], state.due) == {"q": state.due}
    recovered = review(state, "q", 0.9, 0, state.due)
    assert not recovered.leech and recovered.fails == 0 and recovered.lapses == LEECH_FAILS
    hinted = review(state, "q", 0.95, 1, state.due)  # a hinted answer is Hard, but still not a miss
    assert not hinted.leech and hinted.fails == 0


def test_misses_must_be_in_a_row_and_any_clock_zone_works() -> None:
    """A partial answer between misses restarts the count; a non-UTC clock is accepted."""
    state, at = None, NOW.astimezone(timezone(timedelta(hours=-5)))
    for score in (0.0, 0.0, 0.5, 0.0, 0.0):
        state = review(state, "q", score, 0, at)
        at = state.due
    assert state is not None and state.fails == 2 and not state.leech and state.due.utcoffset() == timedelta(0)


def test_state_round_trips_through_its_card_dict() -> None:
    """The stored card dict is enough to continue the schedule."""
    state = review(None, "q", 0.8, 0, NOW)
    copy = state.model_validate(state.model_dump(mode="json"))
    assert review(copy, "q", 0.8, 0, state.due) == review(state, "q", 0.8, 0, state.due)


def test_trend_is_the_change_over_the_week() -> None:
    """The trend compares now with the last point before the window; no recent attempt means no trend."""
    history = [
        SkillPoint(topic="t", at=NOW - timedelta(days=10), rating=0.0, sd=1.0),
        SkillPoint(topic="t", at=NOW - timedelta(days=1), rating=1.0, sd=0.8),
    ]
    assert trend(history, NOW) == pytest.approx(0.2311, abs=1e-4)
    assert trend(history[:1], NOW) is None


def test_next_level_follows_skill() -> None:
    """A novice is sent to easy questions and a strong learner to hard ones."""
    assert next_level(TopicSkill(topic="t", rating=-2.0)) == 1
    assert next_level(TopicSkill(topic="t", rating=0.0)) == 2
    assert next_level(TopicSkill(topic="t", rating=3.0)) == 5


def test_weakest_topics_explain_themselves() -> None:
    """Low, uncertain and stale topics rank first and say why; a strong, certain topic is left out."""
    skills = {
        "low": TopicSkill(topic="low", rating=-1.5, sd=0.4, attempts=20, last_at=NOW),
        "new": TopicSkill(topic="new", rating=0.8, sd=1.3, attempts=1, last_at=NOW),
        "strong": TopicSkill(topic="strong", rating=3.0, sd=0.3, attempts=30, last_at=NOW),
        "stale": TopicSkill(topic="stale", rating=0.5, sd=0.5, attempts=8, last_at=NOW - timedelta(days=60)),
    }
    weak = weakest_topics(skills, NOW, due_by_topic={"low": 2}, leeches_by_topic={"low": 1})
    assert weak[0].topic == "low" and {w.topic for w in weak} == {"low", "new", "stale"}
    low, new, stale = (next(w for w in weak if w.topic == t) for t in ("low", "new", "stale"))
    assert any(r.startswith("low mastery") for r in low.reasons)
    assert any("2 review(s) due" in r for r in low.reasons) and any("missed again and again" in r for r in low.reasons)
    assert any(r.startswith("uncertain: only 1 attempt") for r in new.reasons)
    assert any("not practised for 60 days" in r for r in stale.reasons)
    assert low.next_level == 1
