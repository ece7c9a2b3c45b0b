"""Practice use cases shared by the CLI and Discord: next question, answer, hint, skip, stats, grade."""

from __future__ import annotations

import logging
import random
import statistics
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.adapters.store import Attempt, AttemptProgress, OpenQuestion, Store, User
from bot.engine.bank import Bank
from bot.engine.grading.result import GradeResult, no_credit
from bot.engine.leaderboard import streak
from bot.engine.models import BankQuestion, ConceptQuestion
from bot.engine.policy import EXPLORE, Candidate, Choice, choose
from bot.engine.progress import TREND_DAYS, SkillPoint, trend, weakest_topics
from bot.engine.review import ReviewState, due_reviews, review
from bot.engine.skill import ItemStats, TopicSkill, aged, initial_item, update_item, update_skill
from bot.errors import ConfigError, NoMoreHints, NoOpenQuestion, NoQuestionAvailable, UnknownQuestion, UnknownTopic
from bot.grader import OfflineGrader

if TYPE_CHECKING:
    from bot.adapters.llm import LlmGrader
from bot.service.models import (
    AnswerOutcome,
    Filters,
    HistoryPoint,
    QuestionCard,
    RecentAttempt,
    SkillSummary,
    TopicStat,
    UserStats,
    WeakTopicView,
    card_for,
)

log = logging.getLogger(__name__)
NOT_RECORDED = frozenset({"unreadable", "internal_error"})
RECENT = 5
SESSION = timedelta(hours=2)  # answers this recent count as the current session: no repeats, topics interleave
REASONS = {
    "review": "Review: due now, so it comes back before you forget it.",
    "weakest": "Picked for your weakest topic, at a level you should get about 70% of the time.",
    "uncertain": "Picked to firm up a topic we know little about yet.",
    "new": "Picked to try a topic you have not practised yet.",
    "explore": "A change of topic, to keep every area fresh.",
}
LEECH_NOTE = (
    "You have missed this question {fails} times in a row, so it is resting for {days} days. "
    "Study the solution below; it will come back as a review after the rest."
)


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
        self._items: dict[str, ItemStats] = {}
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
        choice = self.choose(user, candidates, exclude)
        if choice is None:
            raise NoQuestionAvailable("You have seen every question matching those filters in this session.")
        card = self.open(external_id, choice.question_id, guild_id)
        chosen_by_user = filters.topic is not None or filters.difficulty is not None
        reason = None if chosen_by_user and choice.reason != "review" else REASONS[choice.reason]
        return card.model_copy(update={"reason": reason})

    def choose(
        self,
        user: User,
        candidates: list[BankQuestion],
        exclude: Collection[str] = (),
        rng: random.Random | None = None,
    ) -> Choice | None:
        """Run the adaptive policy over already filtered candidates: due reviews, weak topics, matched difficulty.

        Questions answered in the last two hours count as this session's, as well as those in `exclude`.
        """
        now = self.clock()
        session = [a for a in self.store.attempts(user.id, limit=50) if a.submitted_at >= now - SESSION]
        due, rest = self.store.due_and_resting(user.id, now)
        pool = [q for q in candidates if q.id not in rest] or candidates
        skills = {t: aged(s, now) for t, s in self.store.skills(user.id).items()}
        return choose(
            self._candidates(pool),
            skills,
            rng or self.rng,
            due=due,
            now=now,
            attempted=self.store.attempted_question_ids(user.id),
            exclude={*exclude, *(a.question_id for a in session)},
            recent_topics=[a.topic for a in session],
        )

    def choose_for_server(
        self,
        guild_id: int,
        candidates: list[BankQuestion],
        rng: random.Random,
        attempted: Collection[str] = (),
        exclude: Collection[str] = (),
        recent_topics: Sequence[str] = (),
        explore: float = EXPLORE,
    ) -> Choice | None:
        """Run the policy for a server's members as one learner (daily question, group challenges)."""
        skills = {t: _pooled(t, s) for t, s in self.store.guild_skills(guild_id).items()}
        return choose(
            self._candidates(candidates),
            skills,
            rng,
            attempted=attempted,
            exclude=exclude,
            recent_topics=recent_topics,
            explore=explore,
        )

    def _candidates(self, questions: list[BankQuestion]) -> list[Candidate]:
        """Questions as the policy sees them: calibrated difficulty where results exist, else the bank's level."""
        items = self.store.items()
        return [Candidate(q.id, q.topic, items.get(q.id) or self._initial_item(q)) for q in questions]

    def _initial_item(self, item: BankQuestion) -> ItemStats:
        """An item as the bank describes it (cached: the bank does not change while the service runs)."""
        found = self._items.get(item.id)
        if found is None:
            found = self._items[item.id] = initial_item(item.id, item.question.difficulty)
        return found

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
            return self.outcome(item, result, recorded=False)
        progress = self._record(user, item, answer, result, guild_id=guild_id, source=source)
        return self._outcome_with(item, result, progress)

    def _outcome_with(self, item: BankQuestion, result: GradeResult, progress: AttemptProgress | None) -> AnswerOutcome:
        """The outcome of a recorded answer: new mastery, next review, and a leech warning when it becomes one."""
        outcome = self.outcome(item, result, recorded=True)
        if progress is None:
            return outcome
        state = progress.review
        note = None
        if state.leech:
            days = max(1, round((state.due - self.clock()).total_seconds() / 86400))
            note = LEECH_NOTE.format(fails=state.fails, days=days)
        return outcome.model_copy(
            update={
                "mastery": _summary(progress.skill),
                "next_review": state.due,
                "leech": state.leech,
                "note": note,
            }
        )

    def skip(self, external_id: str, question_id: str, guild_id: int | None = None) -> AnswerOutcome:
        """Record a skip (it does not change mastery) and reveal the solution."""
        user = self.user(external_id)
        item = self.question(question_id)
        result = no_credit("skipped", "none", "Skipped.")
        self._record(user, item, "", result, update=False, guild_id=guild_id)
        return self.outcome(item, result, recorded=True)

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
    ) -> AttemptProgress | None:
        """Store the attempt and (for graded answers) the new skill, item difficulty and review, in one transaction."""
        now = self.clock()
        current = self._open(user, item.id)
        progress = self._progress(user, item, result.score, current.hints_used, now) if update else None
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
        self.store.record_attempt(attempt, progress)
        return progress

    def _progress(
        self, user: User, item: BankQuestion, score: float, hints_used: int, now: datetime
    ) -> AttemptProgress:
        """What one graded attempt does to the topic skill, the item's calibration and the review schedule."""
        skill = self.store.skills(user.id).get(item.topic) or TopicSkill(topic=item.topic)
        stats = self.store.item(item.id) or initial_item(item.id, item.question.difficulty)
        previous: ReviewState | None = self.store.review(user.id, item.id)
        return AttemptProgress(
            skill=update_skill(skill, stats, score, now),
            item=update_item(stats, skill.rating, score),
            review=review(previous, item.id, score, hints_used, now),
        )

    def outcome(self, item: BankQuestion, result: GradeResult, recorded: bool) -> AnswerOutcome:
        """Attach the solution and reference answer to a result."""
        q = item.question
        reference = q.reference_answer if isinstance(q, ConceptQuestion) else None
        return AnswerOutcome(
            question_id=q.id,
            result=result,
            recorded=recorded,
            solution=q.solution,
            reference_answer=reference,
        )

    def stats(self, external_id: str) -> UserStats:
        """Mastery per topic with uncertainty and weekly trend, due reviews, leeches, streak and recent attempts."""
        user = self.store.find_user(external_id)
        if user is None:
            return UserStats(user=external_id, total_attempts=0, skipped=0, topics=[], weakest=[])
        now = self.clock()
        attempts = self.store.attempts(user.id)
        standing = self._standing(user, now)
        rows = self._topic_stats(user, attempts, standing, now)
        weak = [rows[w.topic] for w in weakest_topics(standing.skills, now, standing.due, standing.leeches)]
        upcoming = [s.due for s in standing.states if s.due > now and not s.leech]
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
            streak=streak((a.submitted_at.date() for a in attempts if a.verdict != "skipped"), today=now.date()),
            recent=recent,
            due_reviews=sum(standing.due.values()),
            next_review=min(upcoming) if upcoming else None,
            leeches=sorted(s.question_id for s in standing.states if s.leech),
        )

    def weak(self, external_id: str, count: int = 3) -> list[WeakTopicView]:
        """The user's weakest practised topics, each with why and the difficulty to practise next."""
        user = self.store.find_user(external_id)
        if user is None:
            return []
        now = self.clock()
        standing = self._standing(user, now)
        return [
            WeakTopicView(**w.model_dump(), title=self._title(w.topic))
            for w in weakest_topics(standing.skills, now, standing.due, standing.leeches, count)
        ]

    def history(self, external_id: str, days: int = 30) -> list[HistoryPoint]:
        """Mastery after each graded attempt over the last `days`, oldest first (for trend charts)."""
        user = self.store.find_user(external_id)
        if user is None:
            return []
        since = self.clock() - timedelta(days=days)
        return [
            HistoryPoint(topic=p.topic, at=p.at, mastery=round(p.mastery, 4), mastery_sd=round(p.mastery_sd, 4))
            for p in self.store.skill_history(user.id, since)
        ]

    def _standing(self, user: User, now: datetime) -> _Standing:
        """A user's skills and review schedule, read once, with due reviews and leeches counted per topic."""
        states = self.store.reviews(user.id)
        topics = self.store.review_topics(user.id)
        return _Standing(
            skills=self.store.skills(user.id),
            states=states,
            due=Counter(topics.get(q, "") for q in due_reviews(states, now)),
            leeches=Counter(topics.get(s.question_id, "") for s in states if s.leech),
        )

    def _topic_stats(
        self, user: User, attempts: list[Attempt], standing: _Standing, now: datetime
    ) -> dict[str, TopicStat]:
        """One stats row per practised topic."""
        graded = [a for a in attempts if a.verdict != "skipped"]
        week_ago = now - timedelta(days=TREND_DAYS)
        history: dict[str, list[SkillPoint]] = {t: [p] for t, p in self.store.skill_before(user.id, week_ago).items()}
        for point in self.store.skill_history(user.id, week_ago):
            history.setdefault(point.topic, []).append(point)
        rows = {}
        for topic, skill in standing.skills.items():
            scores = [a.score for a in graded if a.topic == topic]
            today = aged(skill, now)
            rows[topic] = TopicStat(
                topic=topic,
                title=self._title(topic),
                attempts=skill.attempts,
                average_score=round(sum(scores) / len(scores), 4) if scores else 0.0,
                mastery=round(today.mastery, 4),
                mastery_sd=round(today.mastery_sd, 4),
                trend=trend(history.get(topic, []), now),
                due_reviews=standing.due.get(topic, 0),
                leeches=standing.leeches.get(topic, 0),
            )
        return rows

    def _title(self, topic: str) -> str:
        """A topic's display title."""
        found = self.bank.topics.get(topic)
        return found.title if found else topic


def _summary(skill: TopicSkill) -> SkillSummary:
    """A skill as shown after an answer."""
    return SkillSummary(
        topic=skill.topic,
        mastery=round(skill.mastery, 4),
        mastery_sd=round(skill.mastery_sd, 4),
        attempts=skill.attempts,
    )


def _pooled(topic: str, skills: list[TopicSkill]) -> TopicSkill:
    """A server's members as one learner: mean rating, and the uncertainty of that mean."""
    rating = statistics.fmean(s.rating for s in skills)
    sd = (statistics.fmean(s.sd**2 for s in skills) / len(skills)) ** 0.5
    return TopicSkill(topic=topic, rating=rating, sd=sd, attempts=sum(s.attempts for s in skills))


@dataclass(frozen=True)
class _Standing:
    """What stats and /weak read about a user: skills, the review schedule, and per-topic due and leech counts."""

    skills: dict[str, TopicSkill]
    states: list[ReviewState]
    due: Counter[str]
    leeches: Counter[str]
