"""The Discord bot: an AutoShardedBot wired once with its dependencies."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import errors
from bot.cogs.runner import Runner
from bot.service import CommunityService, DailyService, Service
from bot.service.challenge import ChallengeService

log = logging.getLogger(__name__)


@dataclass
class Deps:
    """Everything the cogs need, built once at start-up and passed in."""

    service: Service
    community: CommunityService
    daily: DailyService
    challenges: ChallengeService
    runner: Runner
    answer_cooldown_s: float = 3.0
    practice_cooldown_s: float = 2.0
    dev_guild: int | None = None
    monotonic: Callable[[], float] = field(default=time.monotonic)
    cooldown: errors.Cooldown = field(init=False)
    practice_cooldown: errors.Cooldown = field(init=False)

    def __post_init__(self) -> None:
        self.cooldown = errors.Cooldown(self.answer_cooldown_s, self.monotonic)
        self.practice_cooldown = errors.Cooldown(self.practice_cooldown_s, self.monotonic)


def intents() -> discord.Intents:
    """Only what slash commands, buttons and modals need: guild events (no privileged intents)."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    return chosen


class MlprepBot(commands.AutoShardedBot):
    """mlprep on Discord; commands live in cogs, state in the store."""

    def __init__(self, deps: Deps, sync_commands: bool = True, **kwargs: object) -> None:
        super().__init__(command_prefix=commands.when_mentioned, intents=intents(), help_command=None, **kwargs)
        self.deps = deps
        self.sync_commands = sync_commands
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        """Load cogs, register persistent buttons, and sync the slash commands."""
        from bot.cogs import admin, challenge, daily, practice, progress

        if not self.cogs:  # a restart (or a second login) reuses the loaded cogs and buttons
            for module in (practice, progress, daily, challenge, admin):
                await module.setup(self)
        if self.sync_commands:
            await self._sync()

    async def _sync(self) -> None:
        """Sync globally, or to the development server for instant updates."""
        if self.deps.dev_guild:
            guild = discord.Object(id=self.deps.dev_guild)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info("commands_synced count=%d guild=%s", len(synced), self.deps.dev_guild or "global")

    async def on_ready(self) -> None:
        """Log one ready line with the guild count."""
        log.info("ready user=%s guilds=%d shards=%s", self.user, len(self.guilds), self.shard_count)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Keep display names current for leaderboards and challenge standings (no database call here)."""
        self.deps.service.note_name(f"discord:{interaction.user.id}", interaction.user.display_name)

    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """Every slash-command error goes through the one handler."""
        await errors.report(interaction, error)

    async def close(self) -> None:
        """Stop the bot, then the worker threads."""
        await super().close()
        self.deps.runner.close()
