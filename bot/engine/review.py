"""Spaced repetition per user and question with FSRS, plus leeches: questions missed again and again are flagged,
shown with their solution and rested before they come back.

Scores map to FSRS ratings: below `AGAIN_BELOW` is Again (a lapse), below `GOOD_FROM` Hard, below `EASY_FROM` Good,
else Easy; an answer helped by hints is never rated above Hard. Four misses in a row make a leech; any answer that
is not a miss clears it. Steps are a day long: interview questions are not
flashcards, and a missed question coming back the same hour teaches little.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fsrs import Card, Rating, Scheduler
from pydantic import BaseModel, ConfigDict

AGAIN_BELOW = 0.4
GOOD_FROM = 0.7
EASY_FROM = 0.9
LEECH_FAILS = 4  # misses since the last good answer that make a question a leech
LEECH_REST = timedelta(days=14)
STEPS = (timedelta(days=1),)

_SCHEDULER = Scheduler(learning_steps=STEPS, relearning_steps=STEPS, enable_fuzzing=False)


class ReviewState(BaseModel):
    """One user's schedule for one question."""

    model_config = ConfigDict(frozen=True)

    question_id: str
    card: dict[str, Any]  # fsrs Card.to_dict()
    due: datetime
    reviews: int = 0
    lapses: int = 0  # Again ratings ever
    fails: int = 0  # Again ratings in a row (any other rating ends the run)
    leech: bool = False
    last_rating: int = 0

    @property
    def stability_days(self) -> float:
        """FSRS stability: days until recall probability falls to 90%."""
        return float(self.card.get("stability") or 0.0)


def rating_for(score: float, hints_used: int = 0) -> Rating:
    """The FSRS rating a graded score earns."""
    if score < AGAIN_BELOW:
        return Rating.Again
    if score < GOOD_FROM or hints_used > 0:
        return Rating.Hard
    return Rating.Good if score < EASY_FROM else Rating.Easy


def review(previous: ReviewState | None, question_id: str, score: float, hints_used: int, now: datetime) -> ReviewState:
    """Schedule the question's next review after a graded attempt.

    A miss (Again) extends the run of misses; any other rating ends it and clears a leech flag. The fourth miss in
    a row makes the question a leech, rested for `LEECH_REST` before it falls due again.
    """
    now = now.astimezone(UTC)  # fsrs requires UTC
    card = Card.from_dict(previous.card) if previous else Card(card_id=_card_id(question_id), due=now)
    rating = rating_for(score, hints_used)
    card, _ = _SCHEDULER.review_card(card, rating, now)
    missed = rating == Rating.Again
    fails = ((previous.fails if previous else 0) + 1) if missed else 0
    leech = missed and fails >= LEECH_FAILS
    return ReviewState(
        question_id=question_id,
        card=card.to_dict(),
        due=max(card.due, now + LEECH_REST) if leech else card.due,
        reviews=(previous.reviews if previous else 0) + 1,
        lapses=(previous.lapses if previous else 0) + int(missed),
        fails=fails,
        leech=leech,
        last_rating=int(rating),
    )


def due_reviews(states: list[ReviewState], now: datetime) -> dict[str, datetime]:
    """Question ids whose review is due now (resting leeches are not due until their rest ends), with due times."""
    return {s.question_id: s.due for s in states if s.due <= now}


def resting(states: list[ReviewState], now: datetime) -> set[str]:
    """Leeches still in their rest: selection leaves them alone until they fall due."""
    return {s.question_id for s in states if s.leech and s.due > now}


def _card_id(question_id: str) -> int:
    """A stable positive card id from the question id (FSRS only needs it to be an int)."""
    return int.from_bytes(question_id.encode()[:7].ljust(7, b"\0"), "big") or 1
