"""Wire settings, bank, store and graders into a Service, once, at start-up."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from bot.adapters.bank_files import load_bank_strict
from bot.adapters.embeddings import load_embedder
from bot.adapters.judge import Judge, JudgeConfig
from bot.adapters.llm import Budget, build_llm_grader
from bot.adapters.store import Store
from bot.adapters.timed import TimedWorker
from bot.grader import OfflineGrader
from bot.service import Service
from bot.settings import Settings


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


def build_grader(settings: Settings) -> OfflineGrader:
    """The offline grader with its subprocess runner and killable maths worker."""
    judge = Judge(
        JudgeConfig(
            python=settings.judge_python, allow_weak=settings.allow_weak_sandbox, workers=settings.judge_workers
        )
    )
    return OfflineGrader(
        judge,
        TimedWorker(settings.maths_time_limit_s),
        settings.code_time_limit_s,
        settings.code_memory_mb,
        load_embedder(settings.embeddings),
    )


def build_service(settings: Settings, store: Store | None = None, seed: int | None = None) -> Service:
    """A ready Service: strict bank load, migrated store (MLPREP_DB unless given), graders, real clock."""
    bank = load_bank_strict(settings.bank_dir)
    service = Service(bank, store or Store.open(settings.db), build_grader(settings), utc_now, random.Random(seed))
    if settings.llm_model:
        budget = Budget(settings.llm_daily_per_user, settings.llm_daily_per_server, lambda: utc_now().date())
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        service.llm = build_llm_grader(
            key, settings.openai_base_url, settings.llm_model, budget, settings.llm_timeout_s
        )
    return service
