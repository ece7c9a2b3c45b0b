"""Use cases that tie the engine and adapters together; the CLI and Discord layer call only these."""

from bot.service.community import CommunityService
from bot.service.daily import DailyService
from bot.service.models import (
    AnswerOutcome,
    Filters,
    HistoryPoint,
    LeaderboardPage,
    LeaderRow,
    QuestionCard,
    RecentAttempt,
    SkillSummary,
    TopicStat,
    UserStats,
    WeakTopicView,
    card_for,
)
from bot.service.practice import Service

__all__ = [
    "AnswerOutcome",
    "CommunityService",
    "DailyService",
    "Filters",
    "HistoryPoint",
    "LeaderRow",
    "LeaderboardPage",
    "QuestionCard",
    "RecentAttempt",
    "Service",
    "SkillSummary",
    "TopicStat",
    "UserStats",
    "WeakTopicView",
    "card_for",
]
