"""Leaderboards, periods and streaks."""

from __future__ import annotations

from datetime import UTC, datetime


def test_leaderboard_counts_each_question_once_at_its_best() -> None:
    """Repeating a question cannot farm points; harder questions are worth more; ties share a rank."""
    from bot.engine.leaderboard import ScoredAttempt, rank

    rows = [
        ScoredAttempt(user_id=1, question_id="a", difficulty=2, score=1.0),
        ScoredAttempt(user_id=1, question_id="a", difficulty=2, score=1.0),
        ScoredAttempt(user_id=1, question_id="a", difficulty=2, score=0.0),
        ScoredAttempt(user_id=2, question_id="b", difficulty=4, score=0.5),
        ScoredAttempt(user_id=3, question_id="c", difficulty=1, score=1.0),
        ScoredAttempt(user_id=3, question_id="d", difficulty=1, score=1.0),
    ]
    standings = rank(rows)
    assert [(s.user_id, s.rank, s.points, s.questions, s.solved) for s in standings] == [
        (3, 1, 20, 2, 2),
        (1, 2, 20, 1, 1),
        (2, 3, 20, 1, 0),
    ]
    tied = rank([ScoredAttempt(user_id=u, question_id="q", difficulty=1, score=1.0) for u in (5, 6)])
    assert [s.rank for s in tied] == [1, 1]


def test_periods_and_pages() -> None:
    """Weeks start on Monday, months on the 1st; pages clamp to the range."""
    from bot.engine.leaderboard import Standing, page_of, period_start

    wednesday = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)
    assert period_start("week", wednesday) == datetime(2026, 11, 23, tzinfo=UTC)
    assert period_start("month", wednesday) == datetime(2026, 11, 1, tzinfo=UTC)
    assert period_start("all", wednesday) is None
    rows = [Standing(rank=i, user_id=i, points=0, questions=0, solved=0) for i in range(23)]
    assert [len(page_of(rows, p)[0]) for p in (0, 1, 2, 9)] == [10, 10, 3, 3]
    assert page_of([], 0) == ([], 1)


def test_streak() -> None:
    """A streak counts consecutive practice days ending today or yesterday."""
    from datetime import date

    from bot.engine.leaderboard import streak

    today = date(2026, 11, 23)
    days = [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)]
    assert streak(days, today) == 3
    assert streak([*days, today], today) == 4
    assert streak(days, date(2026, 11, 25)) == 0
    assert streak([], today) == 0
