"""Start the Discord bot from settings: build the services once, point at the API, run until stopped."""

from __future__ import annotations

import logging
import random

import aiohttp
import discord

from bot.adapters.judge import Judge
from bot.app import build_service
from bot.cogs.client import Deps, MlprepBot
from bot.cogs.endpoints import use_api_base, use_gateway
from bot.cogs.runner import Runner
from bot.service import CommunityService, DailyService
from bot.service.challenge import ChallengeService
from bot.settings import Settings

log = logging.getLogger(__name__)


def build_bot(settings: Settings) -> MlprepBot:
    """The bot with its services, wired once."""
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # mlprep never uses voice
    service = build_service(settings)
    community = CommunityService(service.bank, service.store, service.clock)
    deps = Deps(
        service=service,
        community=community,
        daily=DailyService(service, service.store, service.clock),
        challenges=ChallengeService(service, service.store, service.clock, random.Random()),
        runner=Runner(settings.grading_workers),
        answer_cooldown_s=settings.answer_cooldown_s,
        dev_guild=settings.dev_guild,
    )
    use_api_base(settings.discord_api_base)
    if isinstance(service.grader.runner, Judge):
        service.grader.runner.mode  # noqa: B018 - announce the isolation at start-up, not at the first answer
    bot = MlprepBot(deps)
    if settings.discord_gateway_url:
        use_gateway(bot, settings.discord_gateway_url)
    return bot


def run_bot(settings: Settings, token: str) -> int:
    """Run until interrupted; a rejected token is one clear line, not a traceback."""
    bot = build_bot(settings)
    log.info("starting api=%s db=%s bank=%s", settings.discord_api_base, settings.db, settings.bank_dir)
    try:
        bot.run(token, log_handler=None)
    except discord.LoginFailure:
        log.error("login_failed: Discord rejected DISCORD_TOKEN (reset it in the developer portal)")
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error("login_failed: a privileged intent is not enabled for this application")
        return 1
    except (aiohttp.ClientError, OSError) as exc:
        log.error("connect_failed api=%s error=%s", settings.discord_api_base, exc)
        return 1
    finally:
        bot.deps.service.close()
    return 0
