"""Topic mastery updates and the question-selection policy."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from bot.engine.bank import Bank
from bot.engine.mastery import PRIOR, TopicMastery, update_mastery, weakest
from bot.engine.selection import pick_question

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_mastery_moves_toward_scores() -> None:
    """Good answers raise mastery, bad ones lower it, and counts accumulate."""
    up = update_mastery(None, "t", 1.0, 3, NOW)
    assert up.mastery > PRIOR and up.attempts == 1 and up.score_sum == 1.0
    down = update_mastery(up, "t", 0.0, 3, NOW)
    assert down.mastery < up.mastery and down.attempts == 2 and down.average == 0.5


def test_harder_questions_count_more() -> None:
    """A right answer to a hard question raises mastery more; a miss on it costs less."""
    assert update_mastery(None, "t", 1.0, 5, NOW).mastery > update_mastery(None, "t", 1.0, 1, NOW).mastery
    assert update_mastery(None, "t", 0.0, 5, NOW).mastery > update_mastery(None, "t", 0.0, 1, NOW).mastery


def test_mastery_stays_in_range() -> None:
    """Many perfect or failed answers never leave [0, 1]."""
    state = None
    for _ in range(100):
        state = update_mastery(state, "t", 1.0, 5, NOW)
    assert state is not None and 0.99 <= state.mastery <= 1.0
    for _ in range(100):
        state = update_mastery(state, "t", 0.0, 1, NOW)
    assert 0.0 <= state.mastery <= 0.01


def test_weakest_orders_by_mastery() -> None:
    """The weakest topics come first; fewer attempts break ties."""
    rows = [
        TopicMastery(topic=t, mastery=m, attempts=a, score_sum=0)
        for t, m, a in [("a", 0.9, 3), ("b", 0.2, 5), ("c", 0.2, 1), ("d", 0.5, 2)]
    ]
    assert [m.topic for m in weakest(rows, 3)] == ["c", "b", "d"]


def test_selection_is_seeded_and_respects_exclusions(mini_bank: Bank) -> None:
    """The same seed picks the same question; excluded questions never come back."""
    items = list(mini_bank.questions.values())
    first = pick_question(items, {}, set(), set(), random.Random(1))
    assert first == pick_question(items, {}, set(), set(), random.Random(1))
    seen: set[str] = set()
    for _ in range(len(items)):
        item = pick_question(items, {}, set(), seen, random.Random(len(seen)))
        assert item is not None and item.id not in seen
        seen.add(item.id)
    assert pick_question(items, {}, set(), seen, random.Random(0)) is None


def test_selection_favours_weak_topics(mini_bank: Bank) -> None:
    """A weak topic is picked far more often than a mastered one."""
    items = list(mini_bank.questions.values())
    masteries = {
        "calculus": TopicMastery(topic="calculus", mastery=0.95, attempts=20, score_sum=19),
        "regularisation": TopicMastery(topic="regularisation", mastery=0.05, attempts=20, score_sum=1),
        "arrays": TopicMastery(topic="arrays", mastery=0.95, attempts=20, score_sum=19),
    }
    rng = random.Random(5)
    picks = [pick_question(items, masteries, set(), set(), rng).topic for _ in range(300)]  # type: ignore[union-attr]
    assert picks.count("regularisation") > 2 * max(picks.count("calculus"), picks.count("arrays"))


def test_selection_prefers_unattempted_and_level_matched(mini_bank: Bank) -> None:
    """Questions never attempted come first; within a topic, difficulty near the user's level."""
    calculus = mini_bank.select(topic="calculus")
    attempted = {"calc-value", "calc-choice"}
    assert pick_question(calculus, {}, attempted, set(), random.Random(0)).id == "calc-derivative"  # type: ignore[union-attr]
    novice = pick_question(calculus, {}, set(), set(), random.Random(0))
    assert novice is not None and novice.question.difficulty == 1


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
