"""Practice use cases shared by the CLI and Discord: next question, answer, hint, skip, stats, grade."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Collection
from datetime import datetime
from typing import TYPE_CHECKING

from bot.adapters.store import Attempt, OpenQuestion, Store, User
from bot.engine.bank import Bank
from bot.engine.grading.result import GradeResult, no_credit
from bot.engine.leaderboard import streak
from bot.engine.mastery import TopicMastery, update_mastery, weakest
from bot.engine.models import BankQuestion, ConceptQuestion
from bot.engine.selection import pick_question
from bot.errors import ConfigError, NoMoreHints, NoOpenQuestion, NoQuestionAvailable, UnknownQuestion, UnknownTopic
from bot.grader import OfflineGrader

if TYPE_CHECKING:
    from bot.adapters.llm import LlmGrader
from bot.service.models import AnswerOutcome, Filters, QuestionCard, RecentAttempt, TopicStat, UserStats, card_for

log = logging.getLogger(__name__)
NOT_RECORDED = frozenset({"unreadable", "internal_error"})
RECENT = 5


class Service:
    """The application core for practice: every front end calls only this (and CommunityService)."""

    def __init__(
        self, bank: Bank, store: Store, grader: OfflineGrader, clock: Callable[[], datetime], rng: random.Random
    ) -> None:
        self.bank = bank
        self.store = store
        self.grader = grader
        self.clock = clock
        self.rng = rng
        self._names: dict[str, str] = {}
        self.llm: LlmGrader | None = None

    def note_name(self, external_id: str, display_name: str) -> None:
        """Remember a front end's current display name for a user (applied at their next database write)."""
        self._names[external_id] = display_name

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

    def card(self, question_id: str) -> QuestionCard:
        """The display card of a question."""
        return card_for(self.question(question_id), self.bank)

    def grade(
        self, question_id: str, answer: str, llm: bool = False, user: str | None = None, server: str | None = None
    ) -> GradeResult:
        """Grade an answer without recording anything (safe to run off the database thread).

        With `llm`, concept answers are also graded by the configured LLM behind guard rails; the offline grade
        is the fallback.
        """
        item = self.question(question_id)
        offline = self.grader.grade(item, answer, seed=self.rng.randrange(2**31))
        if not llm:
            return offline
        if self.llm is None:
            raise ConfigError(
                "LLM grading is not configured: set MLPREP_LLM_MODEL (and OPENAI_BASE_URL or OPENAI_API_KEY)"
            )
        rubric = self.bank.rubrics.get(item.question.rubric) if item.question.rubric else None
        return self.llm.grade(item, answer, offline, rubric, user, server)

    def user(self, external_id: str, display_name: str | None = None) -> User:
        """Get or create a user, keeping the display name current."""
        display_name = display_name or self._names.get(external_id)
        user = self.store.user(external_id, display_name)
        if display_name and user.display_name != display_name:
            self.store.set_display_name(user.id, display_name)
            user = user.model_copy(update={"display_name": display_name})
        return user

    def next_question(
        self,
        external_id: str,
        filters: Filters,
        exclude: Collection[str] = (),
        guild_id: int | None = None,
        allowed_topics: Collection[str] = (),
    ) -> QuestionCard:
        """Pick the next question for a user (weak and unseen topics first) and open it."""
        if filters.topic is not None and filters.topic not in self.bank.topics:
            raise UnknownTopic(filters.topic, sorted(self.bank.topics))
        candidates = self.bank.select(filters.topic, filters.kind, filters.difficulty)
        if allowed_topics:
            candidates = [q for q in candidates if q.topic in allowed_topics]
        if not candidates:
            raise NoQuestionAvailable("No question matches those filters.")
        user = self.user(external_id)
        attempted = self.store.attempted_question_ids(user.id)
        item = pick_question(candidates, self.store.masteries(user.id), attempted, exclude, self.rng)
        if item is None:
            raise NoQuestionAvailable("You have seen every question matching those filters in this session.")
        self.open(external_id, item.id, guild_id)
        return card_for(item, self.bank)

    def open(self, external_id: str, question_id: str, guild_id: int | None = None) -> QuestionCard:
        """Make this question the user's open one (starting its clock) and return its card."""
        item = self.question(question_id)
        user = self.user(external_id)
        self.store.set_open_question(
            OpenQuestion(user_id=user.id, question_id=item.id, started_at=self.clock(), guild_id=guild_id)
        )
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

    def submit(
        self, external_id: str, question_id: str, answer: str, guild_id: int | None = None, source: str = "practice"
    ) -> AnswerOutcome:
        """Grade and record an answer; unreadable answers and judge failures are not recorded."""
        result = self.grade(question_id, answer)
        return self.record_answer(external_id, question_id, answer, result, guild_id, source)

    def record_answer(
        self,
        external_id: str,
        question_id: str,
        answer: str,
        result: GradeResult,
        guild_id: int | None = None,
        source: str = "practice",
    ) -> AnswerOutcome:
        """Record an already graded answer (database work only) and build the outcome."""
        user = self.user(external_id)
        item = self.question(question_id)
        log.info("graded user=%s question=%s verdict=%s score=%.3f", user.id, question_id, result.verdict, result.score)
        log.debug("answer user=%s question=%s text=%r", user.id, question_id, answer)
        if result.verdict in NOT_RECORDED:
            return self.outcome(item, result, recorded=False, mastery=None)
        mastery = self._record(user, item, answer, result, guild_id=guild_id, source=source)
        return self.outcome(item, result, recorded=True, mastery=mastery)

    def skip(self, external_id: str, question_id: str, guild_id: int | None = None) -> AnswerOutcome:
        """Record a skip (it does not change mastery) and reveal the solution."""
        user = self.user(external_id)
        item = self.question(question_id)
        result = no_credit("skipped", "none", "Skipped.")
        self._record(user, item, "", result, update=False, guild_id=guild_id)
        return self.outcome(item, result, recorded=True, mastery=None)

    def open_question(self, external_id: str) -> QuestionCard:
        """The user's open question, or NoOpenQuestion."""
        current = self.store.open_question(self.user(external_id).id)
        if current is None or self.bank.get(current.question_id) is None:
            raise NoOpenQuestion("You have no open question: start one with /practice.")
        return card_for(self.question(current.question_id), self.bank)

    def _record(
        self,
        user: User,
        item: BankQuestion,
        answer: str,
        result: GradeResult,
        update: bool = True,
        guild_id: int | None = None,
        source: str = "practice",
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
            guild_id=guild_id if guild_id is not None else current.guild_id,
            source=source,
        )
        self.store.record_attempt(attempt, mastery)
        return mastery

    def outcome(
        self, item: BankQuestion, result: GradeResult, recorded: bool, mastery: TopicMastery | None = None
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
        """Per-topic attempts, average score and mastery, the weakest topics, streak and recent attempts."""
        user = self.store.find_user(external_id)
        if user is None:
            return UserStats(user=external_id, total_attempts=0, skipped=0, topics=[], weakest=[])
        masteries = self.store.masteries(user.id)
        attempts = self.store.attempts(user.id)
        rows = {t: self._topic_stat(m) for t, m in masteries.items()}
        weak = [rows[m.topic] for m in weakest(list(masteries.values()))]
        today = self.clock().date()
        recent = [
            RecentAttempt(
                question_id=a.question_id, topic=a.topic, verdict=a.verdict, score=a.score, submitted_at=a.submitted_at
            )
            for a in attempts[:RECENT]
        ]
        return UserStats(
            user=user.display_name,
            total_attempts=len(attempts),
            skipped=sum(a.verdict == "skipped" for a in attempts),
            topics=sorted(rows.values(), key=lambda r: r.topic),
            weakest=weak,
            streak=streak((a.submitted_at.date() for a in attempts if a.verdict != "skipped"), today),
            recent=recent,
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
