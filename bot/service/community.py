"""Server-level use cases: leaderboards, server settings, and each user's control over their data."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from bot.adapters.store import GuildConfig, Store
from bot.engine.bank import Bank
from bot.engine.leaderboard import Period, ScoredAttempt, page_of, period_start, rank
from bot.errors import UnknownTopic
from bot.service.models import LeaderboardPage, LeaderRow


class CommunityService:
    """Leaderboards, server configuration, data export and deletion."""

    def __init__(self, bank: Bank, store: Store, clock: Callable[[], datetime]) -> None:
        self.bank = bank
        self.store = store
        self.clock = clock

    def leaderboard(
        self, guild_id: int, period: Period = "week", topic: str | None = None, page: int = 0
    ) -> LeaderboardPage:
        """One page of this server's ranking for the period (and topic); never mixes servers."""
        if topic is not None and topic not in self.bank.topics:
            raise UnknownTopic(topic, sorted(self.bank.topics))
        attempts = self.store.guild_attempts(guild_id, period_start(period, self.clock()), topic)
        standings = rank(
            ScoredAttempt(user_id=a.user_id, question_id=a.question_id, difficulty=a.difficulty, score=a.score)
            for a in attempts
        )
        rows, pages = page_of(standings, page)
        names = self.store.display_names([s.user_id for s in rows])
        externals = self.store.external_ids([s.user_id for s in rows])
        return LeaderboardPage(
            rows=[
                LeaderRow(
                    rank=s.rank,
                    external_id=externals.get(s.user_id, "?"),
                    name=names.get(s.user_id, "?"),
                    points=s.points,
                    questions=s.questions,
                    solved=s.solved,
                )
                for s in rows
            ],
            page=min(max(page, 0), pages - 1),
            pages=pages,
            total=len(standings),
        )

    def config(self, guild_id: int) -> GuildConfig:
        """This server's settings."""
        return self.store.guild_config(guild_id)

    def update_config(self, guild_id: int, **changes: object) -> GuildConfig:
        """Change some of a server's settings and return the result."""
        topics = changes.get("allowed_topics")
        if isinstance(topics, list):
            unknown = [t for t in topics if t not in self.bank.topics]
            if unknown:
                raise UnknownTopic(unknown[0], sorted(self.bank.topics))
        config = self.store.guild_config(guild_id).model_copy(update=changes)
        config = GuildConfig.model_validate(config.model_dump())
        self.store.save_guild_config(config)
        return config

    def export(self, external_id: str) -> str:
        """All of a user's stored data as JSON text (empty object if we hold nothing)."""
        user = self.store.find_user(external_id)
        if user is None:
            return json.dumps({"user": None, "attempts": [], "mastery": []}, indent=2)
        return json.dumps(self.store.export_user(user.id), indent=2, default=str)

    def forget(self, external_id: str) -> int:
        """Delete everything stored about a user; return how many attempts were deleted."""
        user = self.store.find_user(external_id)
        return 0 if user is None else self.store.delete_user(user.id)
