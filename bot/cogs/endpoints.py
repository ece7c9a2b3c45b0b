"""Point discord.py at a Discord-compatible server (DISCORD_API_BASE, DISCORD_GATEWAY_URL)."""

from __future__ import annotations

import discord.http
import discord.webhook.async_
from discord.ext import commands

DEFAULT_API_BASE = "https://discord.com/api/v10"


def use_api_base(api_base: str) -> None:
    """Send REST calls (including interaction responses and follow-ups, which use webhooks) to `api_base`."""
    base = api_base.rstrip("/")
    discord.http.Route.BASE = base
    discord.webhook.async_.Route.BASE = base


def use_gateway(bot: commands.AutoShardedBot, gateway_url: str) -> None:
    """Connect to `gateway_url` instead of the one the REST API reports."""
    original = bot.http.get_bot_gateway

    async def get_bot_gateway() -> tuple[int, str, discord.http.SessionStartLimit]:
        shards, _, limits = await original()
        return shards, gateway_url, limits

    bot.http.get_bot_gateway = get_bot_gateway  # type: ignore[method-assign]
