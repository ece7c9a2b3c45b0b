"""Server settings (/mlprep config), each user's data (/mlprep export, /mlprep forget-me), and /help."""

from __future__ import annotations

import io

import discord
from discord import app_commands, ui
from discord.ext import commands

from bot.cogs import errors
from bot.cogs.client import Deps, MlprepBot
from bot.cogs.common import deps_of, external_id
from bot.errors import MlprepError

HELP = [
    (
        "/practice [topic] [kind] [difficulty]",
        "A question card with Answer, Hint and Skip. Without a topic it targets "
        "your weak areas. In servers only you see it, unless the server turned on public practice.",
    ),
    ("/answer text:", "Answer your open question without the form."),
    ("/stats [user]", "Mastery per topic with uncertainty and trend, a chart, due reviews and your streak."),
    ("/weak", "Your three weakest topics: why, and what to practise next."),
    ("/leaderboard [period] [topic]", "This server's ranking by points (harder questions are worth more)."),
    ("/daily", "Today's question: one per server, aimed at its weak spots (yours in DMs); first answer counts."),
    (
        "/challenge start [topic] [questions] [seconds]",
        "A timed group challenge in this channel; /challenge stop ends it.",
    ),
    ("/mlprep export", "Get everything mlprep stores about you, as JSON, in a DM."),
    ("/mlprep forget-me", "Delete all your data (asks to confirm)."),
    ("/mlprep config", "Server admins (Manage Server): public or private practice, allowed topics, daily question."),
]


class ConfirmForget(ui.View):
    """Confirm or cancel deleting a user's data; only that user can press."""

    def __init__(self, owner_id: int) -> None:
        super().__init__(timeout=120)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Only the person who asked may confirm."""
        return interaction.user.id == self.owner_id

    @ui.button(label="Delete everything", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, _: ui.Button) -> None:
        """Delete the user's data."""
        deps = deps_of(interaction)
        count = await deps.runner.db(deps.community.forget, external_id(interaction.user))
        self.stop()
        await interaction.response.edit_message(
            content=f"Done: your data is deleted ({count} attempt(s)). mlprep starts afresh if you practise again.",
            view=None,
        )

    @ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _: ui.Button) -> None:
        """Keep everything."""
        self.stop()
        await interaction.response.edit_message(content="Cancelled: nothing was deleted.", view=None)

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: ui.Item, /) -> None:
        """Errors go to the one handler."""
        await errors.report(interaction, error)


def _config_text(deps: Deps, guild_id: int) -> str:
    """A server's settings as text."""
    config = deps.community.config(guild_id)
    topics = ", ".join(config.allowed_topics) if config.allowed_topics else "all"
    daily = f"<#{config.daily_channel_id}> at {config.daily_hour:02d}:00 UTC" if config.daily_channel_id else "off"
    practice = "public (everyone sees cards and results)" if config.public_practice else "private (ephemeral)"
    if deps.service.llm is None:
        llm = "not available (the operator has not configured a model)"
    else:
        llm = "on (concept answers are also graded by an LLM)" if config.llm_grading else "off"
    return f"**Practice:** {practice}\n**Topics:** {topics}\n**Daily question:** {daily}\n**LLM grading:** {llm}"


class AdminCog(commands.GroupCog, group_name="mlprep"):
    """Server settings and personal data."""

    def __init__(self, bot: MlprepBot) -> None:
        self.deps = bot.deps
        super().__init__()

    @app_commands.command(name="config")
    @app_commands.describe(
        public="Show practice cards and results to everyone (true) or only to the user (false)",
        topics="Comma-separated topic ids allowed in /practice here, or `all`",
        daily_channel="Channel where the daily question is posted",
        daily_hour="Hour (UTC, 0-23) at which the daily question is posted",
        llm="Also grade concept answers with the operator's LLM (true/false)",
    )
    @app_commands.guild_only()
    @app_commands.checks.has_permissions(manage_guild=True)
    async def config(
        self,
        interaction: discord.Interaction,
        public: bool | None = None,
        topics: str | None = None,
        daily_channel: discord.TextChannel | None = None,
        daily_hour: app_commands.Range[int, 0, 23] | None = None,
        llm: bool | None = None,
    ) -> None:
        """Show or change this server's mlprep settings (Manage Server)."""
        assert interaction.guild_id is not None
        changes: dict[str, object] = {}
        if public is not None:
            changes["public_practice"] = public
        if topics is not None:
            wanted = [t.strip() for t in topics.split(",") if t.strip()]
            changes["allowed_topics"] = [] if wanted in ([], ["all"]) else wanted
        if daily_channel is not None:
            changes["daily_channel_id"] = daily_channel.id
        if daily_hour is not None:
            changes["daily_hour"] = daily_hour
        if llm is not None:
            changes["llm_grading"] = llm
        if changes:
            await self.deps.runner.db(self.deps.community.update_config, interaction.guild_id, **changes)
        text = await self.deps.runner.db(_config_text, self.deps, interaction.guild_id)
        heading = "Settings saved." if changes else "Current settings."
        await interaction.response.send_message(f"{heading}\n{text}", ephemeral=True)

    @app_commands.command(name="forget-me")
    async def forget_me(self, interaction: discord.Interaction) -> None:
        """Delete everything mlprep stores about you (asks to confirm)."""
        await interaction.response.send_message(
            "This deletes all your answers, stats and leaderboard points in every server. Sure?",
            view=ConfirmForget(interaction.user.id),
            ephemeral=True,
        )

    @app_commands.command(name="export")
    async def export(self, interaction: discord.Interaction) -> None:
        """Get everything mlprep stores about you, as a JSON file in your DMs."""
        await interaction.response.defer(ephemeral=interaction.guild_id is not None, thinking=True)
        data = await self.deps.runner.db(self.deps.community.export, external_id(interaction.user))
        file = discord.File(io.BytesIO(data.encode()), filename="mlprep-export.json")
        try:
            await interaction.user.send("Here is everything mlprep stores about you.", file=file)
        except discord.Forbidden as exc:
            raise MlprepError(
                "I can't DM you: allow direct messages from this server's members and try again."
            ) from exc
        where = "here" if interaction.guild_id is None else "in your DMs"
        await interaction.followup.send(f"Sent {where}.", ephemeral=interaction.guild_id is not None)


class HelpCog(commands.Cog):
    """/help."""

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction) -> None:
        """How to use mlprep."""
        embed = discord.Embed(
            title="mlprep: mock ML-interview practice",
            colour=discord.Colour.blurple(),
            description="Coding, maths and ML-concept questions, graded on the spot; mlprep tracks your weak "
            "topics so later questions target them.",
        )
        for name, text in HELP:
            embed.add_field(name=name, value=text, inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=interaction.guild_id is not None)


async def setup(bot: MlprepBot) -> None:
    """Register the cogs."""
    await bot.add_cog(AdminCog(bot))
    await bot.add_cog(HelpCog())
