"""Use cases: next question, answer, hint, skip, stats, with a real in-memory store and real graders."""

from __future__ import annotations

import random

import pytest

from bot.adapters.store import Store
from bot.engine.bank import Bank
from bot.engine.grading.result import GradeResult
from bot.errors import NoMoreHints, NoOpenQuestion, NoQuestionAvailable, UnknownQuestion, UnknownTopic
from bot.grader import OfflineGrader
from bot.service import Filters, Service
from tests.conftest import FakeClock

TWO_SUM = """```python
def two_sum(nums, target):
    seen = {}
    for i, n in enumerate(nums):
        if target - n in seen:
            return [seen[target - n], i]
        seen[n] = i
```"""


def test_filters_always_win(service: Service) -> None:
    """A topic/kind/difficulty filter restricts the pick."""
    for _ in range(5):
        card = service.next_question("u:1", Filters(kind="coding"))
        assert card.kind == "coding"
    card = service.next_question("u:1", Filters(topic="calculus", difficulty=2))
    assert card.question_id == "calc-derivative"


def test_unknown_topic_and_empty_filters(service: Service) -> None:
    """Bad filters get specific errors."""
    with pytest.raises(UnknownTopic, match="Topics: arrays, calculus, regularisation"):
        service.next_question("u:1", Filters(topic="nope"))
    with pytest.raises(NoQuestionAvailable):
        service.next_question("u:1", Filters(topic="calculus", kind="coding"))


def test_session_exclusions_run_out(service: Service) -> None:
    """Questions do not repeat within a session; when all are seen the user is told."""
    seen: list[str] = []
    for _ in range(3):
        seen.append(service.next_question("u:1", Filters(topic="calculus"), exclude=seen).question_id)
    assert sorted(seen) == ["calc-choice", "calc-derivative", "calc-value"]
    with pytest.raises(NoQuestionAvailable, match="seen every question"):
        service.next_question("u:1", Filters(topic="calculus"), exclude=seen)


def test_answer_is_graded_recorded_and_moves_mastery(service: Service) -> None:
    """A right answer is recorded with its verdict and raises the topic's mastery."""
    outcome = service.submit("u:1", "calc-derivative", "2x sin(x) + x^2 cos(x)")
    assert outcome.recorded and outcome.result.verdict == "correct"
    assert outcome.solution == "2x sin x + x^2 cos x."
    assert outcome.mastery is not None and outcome.mastery.mastery > 0.5
    stats = service.stats("u:1")
    assert stats.total_attempts == 1 and stats.topics[0].topic == "calculus"


def test_code_answer_runs_the_tests(service: Service) -> None:
    """Pasted, fenced code is judged against hidden and sample tests."""
    outcome = service.submit("u:1", "arr-two-sum", TWO_SUM)
    assert outcome.result.verdict == "accepted" and outcome.result.score == 1.0
    broken = service.submit("u:1", "arr-two-sum", "def two_sum(nums, target):\n    return [0, 1]")
    assert broken.result.verdict == "wrong_answer" and 0 < broken.result.score < 1
    syntax = service.submit("u:1", "arr-two-sum", "def two_sum(:")
    assert syntax.result.verdict == "compile_error" and syntax.recorded


def test_unreadable_answers_are_not_recorded(service: Service) -> None:
    """An answer the grader could not read leaves no attempt behind."""
    outcome = service.submit("u:1", "calc-derivative", "2x+")
    assert not outcome.recorded and outcome.result.verdict == "unreadable"
    assert service.stats("u:1").total_attempts == 0


def test_hints_count_up_and_run_out(service: Service) -> None:
    """Hints come one at a time; asking past the last one says so."""
    card = service.next_question("u:1", Filters(topic="calculus", difficulty=2))
    assert service.hint("u:1", card.question_id) == (1, "Use the product rule.")
    with pytest.raises(NoMoreHints, match="No more hints"):
        service.hint("u:1", card.question_id)
    service.submit("u:1", card.question_id, "0")
    assert service.store.attempts(service.user("u:1").id)[0].hints_used == 1


def test_question_without_hints(service: Service) -> None:
    """A question with no hints says so."""
    with pytest.raises(NoMoreHints, match="has no hints"):
        service.hint("u:1", "calc-value")


def test_skip_is_recorded_without_mastery(service: Service) -> None:
    """A skip is an attempt (verdict skipped) that reveals the solution but leaves mastery alone."""
    outcome = service.skip("u:1", "reg-l1-l2")
    assert outcome.result.verdict == "skipped" and outcome.reference_answer
    stats = service.stats("u:1")
    assert stats.skipped == 1 and stats.topics == []


def test_weakest_topics_follow_results(service: Service) -> None:
    """After mixed results, the weakest topic is the one answered badly."""
    service.submit("u:1", "calc-value", "12")
    service.submit("u:1", "reg-l1-l2", "No idea, sorry.")
    service.submit("u:1", "arr-mean", "def mean(xs):\n    return sum(xs) / len(xs)")
    assert [t.topic for t in service.stats("u:1").weakest][0] == "regularisation"


def test_open_question_and_unknown_ids(service: Service) -> None:
    """The open question is remembered; unknown ids are errors."""
    with pytest.raises(NoOpenQuestion):
        service.open_question("u:2")
    card = service.next_question("u:2", Filters(kind="concept"))
    assert service.open_question("u:2").question_id == card.question_id
    with pytest.raises(UnknownQuestion):
        service.grade("nope", "x")


def test_cards_hide_hidden_tests(service: Service) -> None:
    """A coding card shows sample tests only, never hidden ones."""
    card = service.next_question("u:1", Filters(topic="arrays", difficulty=2))
    assert card.samples == [("two_sum([2, 7, 11, 15], 9)", "[0, 1]")]
    assert "[3, 3]" not in card.model_dump_json()


def _record(service: Service, user: str, question_id: str, score: float) -> None:
    """Record a graded answer with this score (the grader itself is tested elsewhere)."""
    service.open(user, question_id)
    result = GradeResult(
        score=score, passed=score >= 0.7, verdict="correct" if score >= 0.7 else "incorrect", grader="t", feedback=""
    )
    assert service.record_answer(user, question_id, "answer", result).recorded


def test_selection_is_seeded(mini_bank: Bank, grader: OfflineGrader, clock: FakeClock) -> None:
    """Two services with the same seed and history pick the same questions; the card says why it was picked."""
    picks = []
    for _ in range(2):
        service = Service(mini_bank, Store.memory(), grader, clock, random.Random(11))
        seen: list[str] = []
        for _ in range(6):
            card = service.next_question("u:1", Filters(), exclude=seen)
            assert card.reason
            seen.append(card.question_id)
        picks.append(seen)
    assert picks[0] == picks[1] and len(set(picks[0])) == 6


def test_a_missed_question_comes_back_as_a_due_review(service: Service, clock: FakeClock) -> None:
    """A missed question is scheduled by FSRS through the store and served first once it is due."""
    _record(service, "u:1", "calc-derivative", 0.0)
    state = service.store.review(service.store.user("u:1").id, "calc-derivative")
    assert state is not None and state.lapses == 1
    assert service.next_question("u:1", Filters()).question_id != "calc-derivative"  # not due yet
    clock.advance(days=1, seconds=1)
    card = service.next_question("u:1", Filters())
    assert card.question_id == "calc-derivative" and card.reason.startswith("Review")
    assert service.stats("u:1").due_reviews == 1


def test_filters_win_over_due_reviews(service: Service, clock: FakeClock) -> None:
    """A due review outside the user's filter is not served."""
    _record(service, "u:1", "calc-derivative", 0.0)
    clock.advance(days=2)
    assert service.next_question("u:1", Filters(topic="regularisation")).topic == "regularisation"


def test_a_leech_is_flagged_shown_with_its_solution_and_rested(service: Service, clock: FakeClock) -> None:
    """Four misses in a row: the outcome says so with the solution, stats list it, and selection rests it."""
    for _ in range(3):
        _record(service, "u:1", "calc-derivative", 0.0)
        clock.advance(days=1, seconds=1)
    service.open("u:1", "calc-derivative")
    result = GradeResult(score=0.0, passed=False, verdict="incorrect", grader="t", feedback="")
    outcome = service.record_answer("u:1", "calc-derivative", "answer", result)
    assert outcome.leech and outcome.solution == "2x sin x + x^2 cos x."
    assert "missed this question 4 times in a row" in (outcome.note or "") and "14 days" in (outcome.note or "")
    assert service.stats("u:1").leeches == ["calc-derivative"]
    clock.advance(days=13)
    seen = [service.next_question("u:1", Filters(topic="calculus")).question_id for _ in range(10)]
    assert "calc-derivative" not in seen
    clock.advance(days=2)
    assert service.next_question("u:1", Filters(topic="calculus")).question_id == "calc-derivative"


def test_mastery_comes_with_uncertainty_and_weak_topics_with_reasons(service: Service) -> None:
    """Stats carry mastery ± uncertainty and trend; /weak-style output says why and which level next."""
    _record(service, "u:1", "calc-value", 1.0)
    for question in ("reg-l1-l2", "reg-dropout"):
        _record(service, "u:1", question, 0.0)
    stats = service.stats("u:1")
    rows = {t.topic: t for t in stats.topics}
    assert rows["regularisation"].mastery < 0.5 < rows["calculus"].mastery
    assert rows["calculus"].mastery_sd > rows["regularisation"].mastery_sd > 0
    assert rows["regularisation"].trend is not None and rows["regularisation"].trend < 0
    weak = service.weak("u:1")
    assert [w.topic for w in weak] == ["regularisation", "calculus"]
    assert weak[0].next_level == 1 and any(r.startswith("low mastery") for r in weak[0].reasons)
    history = service.history("u:1")
    assert [p.topic for p in history] == ["calculus", "regularisation", "regularisation"]


def test_recent_answers_form_the_session(service: Service, clock: FakeClock) -> None:
    """Without an explicit session (Discord), questions answered in the last two hours are not asked again."""
    _record(service, "u:1", "calc-derivative", 1.0)
    _record(service, "u:1", "calc-value", 1.0)
    clock.advance(minutes=30)
    assert service.next_question("u:1", Filters(topic="calculus")).question_id == "calc-choice"
    with pytest.raises(NoQuestionAvailable):
        service.next_question("u:1", Filters(topic="calculus"), exclude=["calc-choice"])
    clock.advance(hours=3)
    again = service.next_question("u:1", Filters(topic="calculus"), exclude=["calc-choice"])
    assert again.question_id in {"calc-derivative", "calc-value"}


def test_filtered_cards_do_not_claim_the_policy_chose(service: Service, clock: FakeClock) -> None:
    """With a topic or difficulty filter the card gives no policy reason, except for a due review."""
    assert service.next_question("u:1", Filters(topic="calculus")).reason is None
    assert service.next_question("u:1", Filters(kind="maths")).reason is not None
    _record(service, "u:1", "calc-derivative", 0.0)
    clock.advance(days=3)
    due = service.next_question("u:1", Filters(topic="calculus"))
    assert due.question_id == "calc-derivative" and (due.reason or "").startswith("Review")


def test_trend_starts_from_the_last_point_before_the_week(service: Service, clock: FakeClock) -> None:
    """A topic last practised months ago trends from where it was then, not from the 50% prior."""
    for _ in range(6):
        _record(service, "u:1", "calc-value", 1.0)
    before = {t.topic: t for t in service.stats("u:1").topics}["calculus"].mastery
    clock.advance(days=90)
    _record(service, "u:1", "calc-choice", 1.0)
    row = {t.topic: t for t in service.stats("u:1").topics}["calculus"]
    assert row.trend is not None and abs(row.trend - (row.mastery - before)) < 0.02
