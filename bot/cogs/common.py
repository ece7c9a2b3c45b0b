"""Small helpers every cog shares: who the user is, where their dependencies are, visibility, topics."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.adapters.store import GuildConfig
from bot.cogs.client import Deps, MlprepBot


def external_id(user: discord.abc.User) -> str:
    """The store's id for a Discord user."""
    return f"discord:{user.id}"


def deps_of(interaction: discord.Interaction) -> Deps:
    """The bot's dependencies from an interaction."""
    client = interaction.client
    assert isinstance(client, MlprepBot)
    return client.deps


class Where:
    """The server settings that shape one interaction (one database read)."""

    def __init__(self, config: GuildConfig | None, llm_available: bool) -> None:
        self.private = config is not None and not config.public_practice
        self.allowed_topics = config.allowed_topics if config is not None else []
        self.llm = bool(config is not None and config.llm_grading and llm_available)


async def where(deps: Deps, interaction: discord.Interaction) -> Where:
    """Visibility (ephemeral in servers unless public practice; DMs are private anyway), topics and LLM use."""
    config = None
    if interaction.guild_id is not None:
        config = await deps.runner.db(deps.community.config, interaction.guild_id)
    return Where(config, deps.service.llm is not None)


async def is_private(deps: Deps, interaction: discord.Interaction) -> bool:
    """Whether replies here should be ephemeral."""
    return (await where(deps, interaction)).private


def topic_choices(deps: Deps, current: str) -> list[app_commands.Choice[str]]:
    """Up to 25 topics whose id or title contains what the user typed."""
    needle = current.lower()
    topics = deps.service.bank.topics.values()
    matches = [t for t in topics if needle in t.id or needle in t.title.lower()]
    return [app_commands.Choice(name=f"{t.title} ({t.area})"[:100], value=t.id) for t in matches[:25]]
