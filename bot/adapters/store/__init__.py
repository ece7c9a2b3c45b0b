"""The SQLite store: the only place with SQL."""

from bot.adapters.store.models import Attempt, AttemptProgress, Challenge, GuildConfig, OpenQuestion, StoreError, User
from bot.adapters.store.store import APPLICATION_ID, Store

__all__ = [
    "APPLICATION_ID",
    "Attempt",
    "AttemptProgress",
    "Challenge",
    "GuildConfig",
    "OpenQuestion",
    "Store",
    "StoreError",
    "User",
]
