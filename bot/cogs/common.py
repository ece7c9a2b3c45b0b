"""Small helpers every cog shares: who the user is, where their dependencies are, visibility, topics."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.cogs.client import Deps, MlprepBot


def external_id(user: discord.abc.User) -> str:
    """The store's id for a Discord user."""
    return f"discord:{user.id}"


def deps_of(interaction: discord.Interaction) -> Deps:
    """The bot's dependencies from an interaction."""
    client = interaction.client
    assert isinstance(client, MlprepBot)
    return client.deps


async def is_private(deps: Deps, interaction: discord.Interaction) -> bool:
    """Replies are ephemeral in servers unless the server enabled public practice; DMs are private anyway."""
    if interaction.guild_id is None:
        return False
    config = await deps.runner.db(deps.community.config, interaction.guild_id)
    return not config.public_practice


async def uses_llm(deps: Deps, interaction: discord.Interaction) -> bool:
    """LLM grading applies where the server turned it on and the operator configured a model."""
    if interaction.guild_id is None or deps.service.llm is None:
        return False
    return (await deps.runner.db(deps.community.config, interaction.guild_id)).llm_grading


def topic_choices(deps: Deps, current: str) -> list[app_commands.Choice[str]]:
    """Up to 25 topics whose id or title contains what the user typed."""
    needle = current.lower()
    topics = deps.service.bank.topics.values()
    matches = [t for t in topics if needle in t.id or needle in t.title.lower()]
    return [app_commands.Choice(name=f"{t.title} ({t.area})"[:100], value=t.id) for t in matches[:25]]
