"""Use cases shared by the CLI and the Discord layer: practise, answer, hint, skip, stats, grade."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Collection
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from bot.adapters.store import Attempt, OpenQuestion, Store, User
from bot.engine.bank import Bank
from bot.engine.grading.result import GradeResult, no_credit
from bot.engine.mastery import TopicMastery, update_mastery, weakest
from bot.engine.models import BankQuestion, CodingQuestion, ConceptQuestion, MathsQuestion
from bot.engine.selection import pick_question
from bot.errors import NoMoreHints, NoOpenQuestion, NoQuestionAvailable, UnknownQuestion, UnknownTopic
from bot.grader import OfflineGrader

log = logging.getLogger(__name__)
NOT_RECORDED = frozenset({"unreadable", "internal_error"})


class Filters(BaseModel):
    """What the user asked for; filters always win over the selection policy."""

    model_config = ConfigDict(frozen=True)

    topic: str | None = None
    kind: str | None = None
    difficulty: int | None = None


class QuestionCard(BaseModel):
    """Everything a front end needs to show a question."""

    model_config = ConfigDict(frozen=True)

    question_id: str
    topic: str
    topic_title: str
    kind: str
    difficulty: int
    prompt: str
    choices: list[str] = []
    starter_code: str | None = None
    samples: list[tuple[str, str]] = []
    hint_count: int = 0


class AnswerOutcome(BaseModel):
    """A graded answer plus what to show after it."""

    model_config = ConfigDict(frozen=True)

    question_id: str
    result: GradeResult
    recorded: bool
    solution: str | None
    reference_answer: str | None
    mastery: TopicMastery | None = None


class TopicStat(BaseModel):
    """One row of a user's stats."""

    model_config = ConfigDict(frozen=True)

    topic: str
    title: str
    attempts: int
    average_score: float
    mastery: float


class UserStats(BaseModel):
    """A user's progress: per-topic rows, totals and weakest topics."""

    model_config = ConfigDict(frozen=True)

    user: str
    total_attempts: int
    skipped: int
    topics: list[TopicStat]
    weakest: list[TopicStat]


def card_for(item: BankQuestion, bank: Bank) -> QuestionCard:
    """Build the display card of a question (sample tests only; hidden tests never leave the bank)."""
    q = item.question
    topic = bank.topics.get(item.topic)
    choices = q.answer.choices or [] if isinstance(q, MathsQuestion) else []
    starter = q.starter_code if isinstance(q, CodingQuestion) else None
    samples = (
        [(f"{q.entry_point}({', '.join(map(repr, t.args))})", repr(t.expected)) for t in q.sample_tests]
        if isinstance(q, CodingQuestion)
        else []
    )
    return QuestionCard(
        question_id=q.id,
        topic=item.topic,
        topic_title=topic.title if topic else item.topic,
        kind=q.kind,
        difficulty=q.difficulty,
        prompt=q.prompt,
        choices=choices,
        starter_code=starter,
        samples=samples,
        hint_count=len(q.hints),
    )


class Service:
    """The application core: every front end calls only this."""

    def __init__(
        self, bank: Bank, store: Store, grader: OfflineGrader, clock: Callable[[], datetime], rng: random.Random
    ) -> None:
        self.bank = bank
        self.store = store
        self.grader = grader
        self.clock = clock
        self.rng = rng

    def close(self) -> None:
        """Release the grader's workers and the store."""
        self.grader.close()
        self.store.close()

    def question(self, question_id: str) -> BankQuestion:
        """Return a bank question or raise UnknownQuestion."""
        item = self.bank.get(question_id)
        if item is None:
            raise UnknownQuestion(question_id)
        return item

    def grade(self, question_id: str, answer: str) -> GradeResult:
        """Grade an answer without recording anything."""
        return self.grader.grade(self.question(question_id), answer, seed=self.rng.randrange(2**31))

    def user(self, external_id: str, display_name: str | None = None) -> User:
        """Get or create a user."""
        return self.store.user(external_id, display_name)

    def next_question(self, external_id: str, filters: Filters, exclude: Collection[str] = ()) -> QuestionCard:
        """Pick the next question for a user (weak and unseen topics first) and open it."""
        if filters.topic is not None and filters.topic not in self.bank.topics:
            raise UnknownTopic(filters.topic, sorted(self.bank.topics))
        candidates = self.bank.select(filters.topic, filters.kind, filters.difficulty)
        if not candidates:
            raise NoQuestionAvailable("No question matches those filters.")
        user = self.user(external_id)
        item = pick_question(
            candidates, self.store.masteries(user.id), self.store.attempted_question_ids(user.id), exclude, self.rng
        )
        if item is None:
            raise NoQuestionAvailable("You have seen every question matching those filters in this session.")
        self.store.set_open_question(OpenQuestion(user_id=user.id, question_id=item.id, started_at=self.clock()))
        return card_for(item, self.bank)

    def hint(self, external_id: str, question_id: str) -> tuple[int, str]:
        """Return the next hint (1-based number and text) for the user's open question."""
        user = self.user(external_id)
        item = self.question(question_id)
        current = self._open(user, question_id)
        if current.hints_used >= len(item.question.hints):
            raise NoMoreHints(
                "No more hints for this question." if item.question.hints else "This question has no hints."
            )
        self.store.set_open_question(current.model_copy(update={"hints_used": current.hints_used + 1}))
        return current.hints_used + 1, item.question.hints[current.hints_used]

    def _open(self, user: User, question_id: str) -> OpenQuestion:
        """The user's open question if it is this one, else a fresh one started now."""
        current = self.store.open_question(user.id)
        if current is None or current.question_id != question_id:
            current = OpenQuestion(user_id=user.id, question_id=question_id, started_at=self.clock())
        return current

    def submit(self, external_id: str, question_id: str, answer: str) -> AnswerOutcome:
        """Grade and record an answer; unreadable answers and judge failures are not recorded."""
        user = self.user(external_id)
        item = self.question(question_id)
        result = self.grader.grade(item, answer, seed=self.rng.randrange(2**31))
        log.info("graded user=%s question=%s verdict=%s score=%.3f", user.id, question_id, result.verdict, result.score)
        log.debug("answer user=%s question=%s text=%r", user.id, question_id, answer)
        if result.verdict in NOT_RECORDED:
            return self._outcome(item, result, recorded=False, mastery=None)
        mastery = self._record(user, item, answer, result)
        return self._outcome(item, result, recorded=True, mastery=mastery)

    def skip(self, external_id: str, question_id: str) -> AnswerOutcome:
        """Record a skip (it does not change mastery) and reveal the solution."""
        user = self.user(external_id)
        item = self.question(question_id)
        result = no_credit("skipped", "none", "Skipped.")
        self._record(user, item, "", result, update=False)
        return self._outcome(item, result, recorded=True, mastery=None)

    def open_question(self, external_id: str) -> QuestionCard:
        """The user's open question, or NoOpenQuestion."""
        current = self.store.open_question(self.user(external_id).id)
        if current is None or self.bank.get(current.question_id) is None:
            raise NoOpenQuestion("You have no open question: start one with practice.")
        return card_for(self.question(current.question_id), self.bank)

    def _record(
        self, user: User, item: BankQuestion, answer: str, result: GradeResult, update: bool = True
    ) -> TopicMastery | None:
        """Store the attempt and (for graded answers) the topic's new mastery in one transaction."""
        now = self.clock()
        current = self._open(user, item.id)
        previous = self.store.masteries(user.id).get(item.topic)
        mastery = update_mastery(previous, item.topic, result.score, item.question.difficulty, now) if update else None
        attempt = Attempt(
            user_id=user.id,
            question_id=item.id,
            topic=item.topic,
            kind=item.question.kind,
            difficulty=item.question.difficulty,
            answer=answer,
            score=result.score,
            passed=result.passed,
            verdict=result.verdict,
            grader=result.grader,
            feedback=result.feedback,
            hints_used=current.hints_used,
            started_at=current.started_at,
            submitted_at=now,
        )
        self.store.record_attempt(attempt, mastery)
        return mastery

    def _outcome(
        self, item: BankQuestion, result: GradeResult, recorded: bool, mastery: TopicMastery | None
    ) -> AnswerOutcome:
        """Attach the solution and reference answer to a result."""
        q = item.question
        reference = q.reference_answer if isinstance(q, ConceptQuestion) else None
        return AnswerOutcome(
            question_id=q.id,
            result=result,
            recorded=recorded,
            solution=q.solution,
            reference_answer=reference,
            mastery=mastery,
        )

    def stats(self, external_id: str) -> UserStats:
        """Per-topic attempts, average score and mastery, plus the three weakest topics."""
        user = self.store.find_user(external_id)
        if user is None:
            return UserStats(user=external_id, total_attempts=0, skipped=0, topics=[], weakest=[])
        masteries = self.store.masteries(user.id)
        attempts = self.store.attempts(user.id)
        rows = {t: self._topic_stat(m) for t, m in masteries.items()}
        weak = [rows[m.topic] for m in weakest(list(masteries.values()))]
        return UserStats(
            user=user.display_name,
            total_attempts=len(attempts),
            skipped=sum(a.verdict == "skipped" for a in attempts),
            topics=sorted(rows.values(), key=lambda r: r.topic),
            weakest=weak,
        )

    def _topic_stat(self, mastery: TopicMastery) -> TopicStat:
        """One stats row."""
        topic = self.bank.topics.get(mastery.topic)
        return TopicStat(
            topic=mastery.topic,
            title=topic.title if topic else mastery.topic,
            attempts=mastery.attempts,
            average_score=round(mastery.average, 4),
            mastery=mastery.mastery,
        )
