"""Progress on Discord: /stats with a chart, /weak, and the paginated server /leaderboard."""

from __future__ import annotations

import io
import re
from typing import Literal

import discord
from discord import app_commands, ui
from discord.ext import commands

from bot.charts import mastery_chart
from bot.cogs import errors
from bot.cogs.client import Deps, MlprepBot
from bot.cogs.common import deps_of, external_id, is_private, topic_choices
from bot.cogs.embeds import leaderboard_embed, stats_embed, weak_embed
from bot.errors import MlprepError
from bot.service import LeaderboardPage

ALL_TOPICS = "-"


class LeaderboardButton(
    ui.DynamicItem[ui.Button], template=r"mp:lb:(?P<period>week|month|all):(?P<topic>[a-z0-9-]+):(?P<page>\d+)"
):
    """Previous/next page of a leaderboard; the page lives in the custom_id."""

    def __init__(self, period: str, topic: str, page: int, label: str, disabled: bool = False) -> None:
        super().__init__(
            ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                disabled=disabled,
                custom_id=f"mp:lb:{period}:{topic}:{page}",
            )
        )
        self.period, self.topic, self.page = period, topic, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Button, match: re.Match[str], /
    ) -> LeaderboardButton:
        """Rebuild from the custom_id."""
        return cls(match["period"], match["topic"], int(match["page"]), item.label or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        """Show the requested page in place."""
        try:
            deps = deps_of(interaction)
            board = await _board(deps, interaction, self.period, self.topic, self.page)
            await interaction.response.edit_message(
                embed=leaderboard_embed(board, self.period, None if self.topic == ALL_TOPICS else self.topic),
                view=pager(board, self.period, self.topic),
            )
        except Exception as exc:  # noqa: BLE001 - handed to the single error handler
            await errors.report(interaction, exc)


async def _board(deps: Deps, interaction: discord.Interaction, period: str, topic: str, page: int) -> LeaderboardPage:
    """Load one page of this server's leaderboard."""
    if interaction.guild_id is None:
        raise MlprepError("Leaderboards belong to servers: use /leaderboard in a server.")
    return await deps.runner.db(
        deps.community.leaderboard, interaction.guild_id, period, None if topic == ALL_TOPICS else topic, page
    )


def pager(board: LeaderboardPage, period: str, topic: str) -> ui.View:
    """◀ and ▶ buttons, disabled at the ends."""
    view = ui.View(timeout=None)
    view.add_item(LeaderboardButton(period, topic, max(board.page - 1, 0), "◀ Previous", disabled=board.page == 0))
    view.add_item(LeaderboardButton(period, topic, board.page + 1, "Next ▶", disabled=board.page >= board.pages - 1))
    return view


class ProgressCog(commands.Cog):
    """Stats, weak topics and leaderboards."""

    def __init__(self, bot: MlprepBot) -> None:
        self.deps = bot.deps

    @app_commands.command(name="stats")
    @app_commands.describe(user="Whose progress to show (default: yours)")
    async def stats(self, interaction: discord.Interaction, user: discord.User | None = None) -> None:
        """Your mastery per topic with uncertainty and trend (and a chart), due reviews, streak, recent attempts."""
        target = user or interaction.user
        private = await is_private(self.deps, interaction)
        await interaction.response.defer(ephemeral=private, thinking=True)  # stats and chart can take a moment
        data = await self.deps.runner.db(self.deps.service.stats, external_id(target))
        embed = stats_embed(data.model_copy(update={"user": target.display_name}))
        if not data.topics:
            await interaction.followup.send(embed=embed, ephemeral=private)
            return
        history = await self.deps.runner.db(self.deps.service.history, external_id(target))
        png = await self.deps.runner.grade(mastery_chart, data.topics, f"Mastery of {target.display_name}", history)
        embed.set_image(url="attachment://mastery.png")
        await interaction.followup.send(
            embed=embed, file=discord.File(io.BytesIO(png), "mastery.png"), ephemeral=private
        )

    @app_commands.command(name="weak")
    async def weak(self, interaction: discord.Interaction) -> None:
        """Your three weakest topics: why, and what to practise next."""
        topics = await self.deps.runner.db(self.deps.service.weak, external_id(interaction.user))
        await interaction.response.send_message(
            embed=weak_embed(topics), ephemeral=await is_private(self.deps, interaction)
        )

    @app_commands.command(name="leaderboard")
    @app_commands.describe(period="Which period to rank (default: this week)", topic="Only this topic")
    @app_commands.guild_only()
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        period: Literal["week", "month", "all"] = "week",
        topic: str | None = None,
    ) -> None:
        """This server's ranking, by points from graded answers."""
        key = topic or ALL_TOPICS
        board = await _board(self.deps, interaction, period, key, 0)
        await interaction.response.send_message(
            embed=leaderboard_embed(board, period, topic), view=pager(board, period, key)
        )

    @leaderboard.autocomplete("topic")
    async def topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Topics whose id or title contains what the user typed."""
        return topic_choices(self.deps, current)


async def setup(bot: MlprepBot) -> None:
    """Register the cog and the persistent pager buttons."""
    bot.add_dynamic_items(LeaderboardButton)
    await bot.add_cog(ProgressCog(bot))
