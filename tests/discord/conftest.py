"""simcord fixtures: the real bot, wired with the small bank, an in-memory store and a fake clock."""

from __future__ import annotations

import random

import pytest

from bot.adapters.store import Store
from bot.cogs.client import Deps, MlprepBot
from bot.cogs.runner import Runner
from bot.engine.bank import Bank
from bot.grader import OfflineGrader
from bot.service import CommunityService, DailyService, Service
from bot.service.challenge import ChallengeService


class Ticker:
    """A monotonic clock for cooldowns that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker() -> Ticker:
    """The cooldown clock."""
    return Ticker()


@pytest.fixture
def deps(mini_bank: Bank, grader: OfflineGrader, clock, ticker: Ticker) -> Deps:  # noqa: ANN001
    """Services over the small bank with an in-memory store."""
    store = Store.memory()
    service = Service(mini_bank, store, grader, clock, random.Random(3))
    return Deps(
        service=service,
        community=CommunityService(mini_bank, store, clock),
        daily=DailyService(service, store, clock),
        challenges=ChallengeService(service, store, clock, random.Random(5)),
        runner=Runner(2),
        answer_cooldown_s=3.0,
        monotonic=ticker,
    )


@pytest.fixture
def simcord_bot(deps: Deps) -> MlprepBot:
    """The bot under test."""
    return MlprepBot(deps, shard_count=1)
