"""The daily question: /daily, its public Answer button, and the hourly post to configured channels."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, time

import discord
from discord import app_commands, ui
from discord.ext import commands, tasks

from bot.cogs import errors
from bot.cogs.client import Deps, MlprepBot
from bot.cogs.common import deps_of, external_id
from bot.cogs.embeds import question_embed, result_embeds
from bot.cogs.practice import AnswerModal
from bot.service import QuestionCard

log = logging.getLogger(__name__)
HOURLY = [time(hour=h, tzinfo=UTC) for h in range(24)]


def _day_key(day: date) -> str:
    """A date as it appears in custom ids."""
    return day.strftime("%Y%m%d")


class DailyButton(ui.DynamicItem[ui.Button], template=r"mp:daily:(?P<day>\d{8}):(?P<qid>[a-z0-9-]+)"):
    """Answer button of a daily card; anyone may press it, and it remembers its day."""

    def __init__(self, day: date, question_id: str) -> None:
        super().__init__(
            ui.Button(
                label="Answer", style=discord.ButtonStyle.primary, custom_id=f"mp:daily:{_day_key(day)}:{question_id}"
            )
        )
        self.day, self.question_id = day, question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Button, match: re.Match[str], /
    ) -> DailyButton:
        """Rebuild from the custom_id (works after a restart)."""
        return cls(datetime.strptime(match["day"], "%Y%m%d").replace(tzinfo=UTC).date(), match["qid"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Open the answer form, unless this day's question has closed."""
        try:
            deps = deps_of(interaction)
            await deps.runner.db(
                deps.daily.check_open, self.day, self.question_id, interaction.guild_id, external_id(interaction.user)
            )
            await interaction.response.send_modal(DailyModal(deps.service.card(self.question_id), self.day))
        except Exception as exc:  # noqa: BLE001 - handed to the single error handler
            await errors.report(interaction, exc)


class DailyModal(AnswerModal):
    """The answer form for the daily question; the result is shown only to the person answering."""

    def __init__(self, card: QuestionCard, day: date) -> None:
        super().__init__(card)
        self.day = day

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Grade; the first answer of the day counts, later ones are graded only."""
        deps = deps_of(interaction)
        deps.cooldown.hit(interaction.user.id)
        await interaction.response.defer(ephemeral=interaction.guild_id is not None, thinking=True)
        result = await deps.runner.grade(deps.service.grade, self.card.question_id, self.text.value)
        outcome = await deps.runner.db(
            deps.daily.record,
            external_id(interaction.user),
            self.card.question_id,
            self.text.value,
            result,
            self.day,
            interaction.guild_id,
        )
        embeds = result_embeds(outcome)  # includes the outcome's note
        await interaction.followup.send(embeds=embeds, ephemeral=interaction.guild_id is not None)


def daily_message(card: QuestionCard, day: date) -> tuple[discord.Embed, ui.View]:
    """The daily card and its Answer button."""
    view = ui.View(timeout=None)
    view.add_item(DailyButton(day, card.question_id))
    return question_embed(card, heading=f"Daily question {day.isoformat()}"), view


class DailyCog(commands.Cog):
    """/daily and the automatic daily post."""

    def __init__(self, bot: MlprepBot) -> None:
        self.bot = bot
        self.deps: Deps = bot.deps

    async def cog_load(self) -> None:
        """Start the hourly poster."""
        self.poster.start()

    async def cog_unload(self) -> None:
        """Stop the hourly poster."""
        self.poster.cancel()

    @app_commands.command(name="daily")
    async def daily(self, interaction: discord.Interaction) -> None:
        """Today's daily question: one per server aimed at its weak spots, or picked for you in DMs."""
        day = self.deps.daily.today()
        card = await self.deps.runner.db(self.deps.daily.card, day, interaction.guild_id, external_id(interaction.user))
        embed, view = daily_message(card, day)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=interaction.guild_id is not None)

    @tasks.loop(time=HOURLY)
    async def poster(self) -> None:
        """Every hour on the hour: post today's question where it is due."""
        await self.post_due()

    @poster.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()
        await self.post_due()  # catch up after a restart

    async def post_due(self) -> int:
        """Post the daily question in every server where it is due; return how many posts went out."""
        posted = 0
        for config in await self.deps.runner.db(self.deps.daily.due):
            channel = self.bot.get_channel(config.daily_channel_id or 0)
            if not isinstance(channel, discord.abc.Messageable):
                log.warning("daily_channel_missing guild=%s channel=%s", config.guild_id, config.daily_channel_id)
                continue
            day = self.deps.daily.today()
            embed, view = daily_message(await self.deps.runner.db(self.deps.daily.card, day, config.guild_id), day)
            try:
                await channel.send(embed=embed, view=view)
            except discord.HTTPException as exc:
                log.warning("daily_post_failed guild=%s channel=%s error=%s", config.guild_id, channel.id, exc)
                continue
            await self.deps.runner.db(self.deps.daily.mark_posted, config.guild_id)
            posted += 1
        return posted


async def setup(bot: MlprepBot) -> None:
    """Register the cog and the persistent daily buttons."""
    bot.add_dynamic_items(DailyButton)
    await bot.add_cog(DailyCog(bot))
