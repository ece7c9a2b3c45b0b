"""The daily question: today's card, answers that count once per user per day, and due channel posts."""

from __future__ import annotations

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

    def card(self, day: date | None = None) -> QuestionCard:
        """The card of the day's question."""
        return self.practice.card(daily_question_id(list(self.practice.bank.questions), day or self.today()))

    def check_open(self, day: date, question_id: str) -> None:
        """Refuse answers to a past day's question."""
        if day != self.today() or self.card(day).question_id != question_id:
            raise MlprepError("That daily question has closed: use /daily for today's.")

    def record(
        self, external_id: str, question_id: str, answer: str, result: GradeResult, day: date, guild_id: int | None
    ) -> AnswerOutcome:
        """Record a graded daily answer if it is the user's first of the day; otherwise say it was already counted."""
        self.check_open(day, question_id)
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
