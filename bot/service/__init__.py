"""Use cases that tie the engine and adapters together; the CLI and Discord layer call only these."""

from bot.service.community import CommunityService
from bot.service.daily import DailyService
from bot.service.models import (
    AnswerOutcome,
    Filters,
    LeaderboardPage,
    LeaderRow,
    QuestionCard,
    RecentAttempt,
    TopicStat,
    UserStats,
    card_for,
)
from bot.service.practice import Service

__all__ = [
    "AnswerOutcome",
    "CommunityService",
    "DailyService",
    "Filters",
    "LeaderRow",
    "LeaderboardPage",
    "QuestionCard",
    "RecentAttempt",
    "Service",
    "TopicStat",
    "UserStats",
    "card_for",
]
