"""The one place that turns errors into what a user sees: a short line for them, details for the log."""

from __future__ import annotations

import logging
from collections.abc import Callable

import discord
from discord import app_commands

from bot.errors import MlprepError

log = logging.getLogger(__name__)
GENERIC = "Something went wrong on our side. It has been logged; please try again in a moment."


class CooldownActive(MlprepError):
    """The user acted again too soon."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"Slow down a little: try again in {retry_after:.0f}s.")


def user_message(error: BaseException) -> str | None:
    """The friendly line for an expected error, or None for a bug."""
    original = getattr(error, "original", None) or getattr(error, "__cause__", None) or error
    if isinstance(original, MlprepError):
        return original.user_message
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f}s."
    if isinstance(error, app_commands.MissingPermissions):
        return "You need the Manage Server permission for that."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That only works in a server."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use that here."
    return None


async def report(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user what went wrong in one ephemeral line; log bugs with their traceback."""
    text = user_message(error)
    if text is None:
        command = interaction.command.qualified_name if interaction.command else interaction.data
        log.error("interaction_failed user=%s command=%s", interaction.user.id, command, exc_info=error)
        text = GENERIC
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could_not_report_error user=%s", interaction.user.id)


class Cooldown:
    """Per-user rate limit on answers, with the clock passed in."""

    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self.seconds = seconds
        self.clock = clock
        self._last: dict[int, float] = {}

    def hit(self, user_id: int) -> None:
        """Record an action, or raise CooldownActive if the previous one was too recent."""
        now = self.clock()
        last = self._last.get(user_id)
        if last is not None and now - last < self.seconds:
            raise CooldownActive(self.seconds - (now - last))
        self._last[user_id] = now
