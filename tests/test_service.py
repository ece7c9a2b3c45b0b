"""Use cases: next question, answer, hint, skip, stats, with a real in-memory store and real graders."""

from __future__ import annotations

import pytest

from bot.errors import NoMoreHints, NoOpenQuestion, NoQuestionAvailable, UnknownQuestion, UnknownTopic
from bot.service import Filters, Service

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
