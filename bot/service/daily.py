"""The daily question: today's card, answers that count once per user per day, and due channel posts.

The adaptive policy picks each day's question once per scope and the pick is stored: in a server it targets the
members' collective weakest topic (within the server's allowed topics), in DMs the user's own schedule (a due
review first). Everyone in the scope gets the same question all day, even across restarts.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from bot.adapters.store import GuildConfig, Store
from bot.engine.daily import daily_question_id
from bot.engine.grading.result import GradeResult
from bot.errors import MlprepError
from bot.service.models import AnswerOutcome, QuestionCard
from bot.service.practice import Service


class DailyService:
    """One question a day for everyone; the first recorded answer of the day is the one that counts."""

    def __init__(self, practice: Service, store: Store, clock: Callable[[], datetime]) -> None:
        self.practice = practice
        self.store = store
        self.clock = clock

    def today(self) -> date:
        """Today's date in UTC."""
        return self.clock().astimezone(UTC).date()

    def card(
        self, day: date | None = None, guild_id: int | None = None, external_id: str | None = None
    ) -> QuestionCard:
        """The card of the day's question for a server (guild_id) or, in DMs, for one user."""
        return self.practice.card(self.question_id(day or self.today(), guild_id, external_id))

    def question_id(self, day: date, guild_id: int | None = None, external_id: str | None = None) -> str:
        """The day's question for this scope: the stored pick, else a fresh policy pick (today only) that is stored."""
        scope = _scope(guild_id, external_id)
        stored = self.store.daily_pick(scope, day.isoformat())
        if stored is not None and self.practice.bank.get(stored) is not None:
            return stored
        if day != self.today() or scope == "global":
            return daily_question_id(list(self.practice.bank.questions), day)
        picked = self._pick(scope, day, guild_id, external_id)
        return self.store.save_daily_pick(scope, day.isoformat(), picked, replace=stored is not None)

    def _pick(self, scope: str, day: date, guild_id: int | None, external_id: str | None) -> str:
        """Run the policy for a server's members together, or for one user; seeded by scope and day."""
        rng = random.Random(f"mlprep-daily:{scope}:{day.isoformat()}")
        bank = self.practice.bank
        candidates = list(bank.questions.values())
        if guild_id is not None:
            allowed = self.store.guild_config(guild_id).allowed_topics
            candidates = [q for q in candidates if not allowed or q.topic in allowed] or candidates
            recent = self.store.daily_picks(scope)
            choice = self.practice.choose_for_server(guild_id, candidates, rng, attempted=recent, exclude=recent[:60])
        else:
            user = self.practice.user(external_id or "")
            choice = self.practice.choose(user, candidates, rng=rng)
        return choice.question_id if choice is not None else daily_question_id(list(bank.questions), day)

    def check_open(
        self, day: date, question_id: str, guild_id: int | None = None, external_id: str | None = None
    ) -> None:
        """Refuse answers to a past day's question (or another scope's)."""
        if day != self.today() or self.question_id(day, guild_id, external_id) != question_id:
            raise MlprepError("That daily question has closed: use /daily for today's.")

    def record(
        self, external_id: str, question_id: str, answer: str, result: GradeResult, day: date, guild_id: int | None
    ) -> AnswerOutcome:
        """Record a graded daily answer if it is the user's first of the day; otherwise say it was already counted."""
        self.check_open(day, question_id, guild_id, external_id)
        user = self.practice.user(external_id)
        start = datetime.combine(day, time(0), tzinfo=UTC)
        if self.store.counted_daily(user.id, start, start + timedelta(days=1)):
            note = "You already answered today's daily question: this answer was graded but not counted again."
            outcome = self.practice.outcome(self.practice.question(question_id), result, recorded=False)
            return outcome.model_copy(update={"note": note})
        return self.practice.record_answer(external_id, question_id, answer, result, guild_id, source="daily")

    def due(self) -> list[GuildConfig]:
        """Servers whose daily question should be posted now (their hour has come and today's is not out)."""
        now = self.clock().astimezone(UTC)
        today = now.date().isoformat()
        return [c for c in self.store.daily_guilds() if c.daily_hour <= now.hour and c.last_daily_on != today]

    def mark_posted(self, guild_id: int) -> None:
        """Remember that today's question went out in this server."""
        config = self.store.guild_config(guild_id)
        self.store.save_guild_config(config.model_copy(update={"last_daily_on": self.today().isoformat()}))


def _scope(guild_id: int | None, external_id: str | None) -> str:
    """Whose daily question this is: a server's, one user's (DMs), or the global fallback."""
    if guild_id is not None:
        return f"guild:{guild_id}"
    return f"user:{external_id}" if external_id else "global"
