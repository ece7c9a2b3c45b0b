"""Timed group challenges: /challenge start and stop, a public Answer button per round, round timers."""

from __future__ import annotations

import asyncio
import logging
import re

import discord
from discord import app_commands, ui
from discord.ext import commands

from bot.cogs import errors
from bot.cogs.client import Deps, MlprepBot
from bot.cogs.common import deps_of, external_id, topic_choices
from bot.cogs.embeds import BLURPLE, DESCRIPTION_LIMIT, clip, question_embed
from bot.cogs.practice import AnswerModal
from bot.service import QuestionCard
from bot.service.challenge import RoundReport

log = logging.getLogger(__name__)


class ChallengeButton(ui.DynamicItem[ui.Button], template=r"mp:ch:(?P<cid>\d+):(?P<round>\d+)"):
    """The Answer button of one challenge round; every participant may press it once per round."""

    def __init__(self, challenge_id: int, round_number: int) -> None:
        super().__init__(
            ui.Button(
                label="Answer", style=discord.ButtonStyle.primary, custom_id=f"mp:ch:{challenge_id}:{round_number}"
            )
        )
        self.challenge_id, self.round_number = challenge_id, round_number

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Button, match: re.Match[str], /
    ) -> ChallengeButton:
        """Rebuild from the custom_id (works after a restart)."""
        return cls(int(match["cid"]), int(match["round"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Open the answer form while the round is open."""
        try:
            deps = deps_of(interaction)
            challenge = await deps.runner.db(deps.challenges.current, self.challenge_id, self.round_number)
            card = deps.service.card(challenge.question_id)
            await interaction.response.send_modal(ChallengeModal(card, self.challenge_id, self.round_number))
        except Exception as exc:  # noqa: BLE001 - handed to the single error handler
            await errors.report(interaction, exc)


class ChallengeModal(AnswerModal):
    """The answer form of a challenge round; results are revealed when the round ends."""

    def __init__(self, card: QuestionCard, challenge_id: int, round_number: int) -> None:
        super().__init__(card)
        self.challenge_id, self.round_number = challenge_id, round_number

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Grade now, keep the result private until the round's reveal."""
        deps = deps_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await deps.runner.grade(deps.service.grade, self.card.question_id, self.text.value)
        if result.verdict in ("unreadable", "internal_error"):
            await interaction.followup.send(
                f"Not accepted: {result.feedback} Press Answer to try again.", ephemeral=True
            )
            return
        fresh = await deps.runner.db(
            deps.challenges.answer,
            self.challenge_id,
            self.round_number,
            external_id(interaction.user),
            self.text.value,
            result,
        )
        text = "Answer received: results when the round ends." if fresh else "You already answered this round."
        await interaction.followup.send(text, ephemeral=True)


def round_message(
    card: QuestionCard, challenge_id: int, round_number: int, total: int, seconds: int
) -> tuple[discord.Embed, ui.View]:
    """A round's public card with its Answer button."""
    embed = question_embed(card, heading=f"Challenge round {round_number + 1}/{total}")
    embed.set_footer(text=f"{seconds}s to answer · press Answer (one answer per person)")
    view = ui.View(timeout=None)
    view.add_item(ChallengeButton(challenge_id, round_number))
    return embed, view


def report_embed(report: RoundReport) -> discord.Embed:
    """Round results (solution, who scored what) plus the standings so far or the final ones."""
    total = len(report.challenge.question_ids)
    over = report.next_card is None
    title = "Challenge over: final standings" if over else f"Round {report.finished_round + 1}/{total} results"
    embed = discord.Embed(title=title, colour=BLURPLE)
    answers = "\n".join(f"{'✅' if ok else '❌'} {name} · {score:.0%}" for name, score, ok in report.round_results)
    embed.add_field(
        name=f"Round {report.finished_round + 1} answers", value=answers or "Nobody answered.", inline=False
    )
    solution = report.reference_answer or report.solution or "-"
    embed.add_field(name="Solution", value=clip(solution, 1024), inline=False)
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    table = "\n".join(
        f"{medals.get(s.standing.rank, f'#{s.standing.rank}')} {s.name} · {s.standing.points} pts · "
        f"{s.standing.correct}/{s.standing.answered} correct"
        for s in report.totals
    )
    embed.description = clip(table or "No answers yet.", DESCRIPTION_LIMIT)
    return embed


class ChallengeCog(commands.GroupCog, group_name="challenge"):
    """Group challenges in a channel."""

    def __init__(self, bot: MlprepBot) -> None:
        self.bot = bot
        self.deps: Deps = bot.deps
        self.timers: dict[int, asyncio.Task[None]] = {}
        super().__init__()

    async def cog_load(self) -> None:
        """Resume the timers of challenges that were running before a restart."""
        now = self.deps.service.clock()
        for challenge in await self.deps.runner.db(self.deps.challenges.running):
            left = challenge.seconds - (now - challenge.round_started_at).total_seconds()
            self._schedule(challenge.id, max(left, 0.0))

    async def cog_unload(self) -> None:
        """Stop the timers (the challenges stay stored and resume on the next start)."""
        for task in self.timers.values():
            task.cancel()

    @app_commands.command(name="start")
    @app_commands.describe(
        topic="Only questions from this topic (default: any)",
        questions="How many questions, 1-20 (default 5)",
        seconds="Seconds to answer each question, 15-600 (default 60)",
    )
    @app_commands.guild_only()
    async def start(
        self,
        interaction: discord.Interaction,
        topic: str | None = None,
        questions: app_commands.Range[int, 1, 20] = 5,
        seconds: app_commands.Range[int, 15, 600] = 60,
    ) -> None:
        """Start a timed group challenge in this channel."""
        assert interaction.guild_id is not None and interaction.channel_id is not None
        challenge, card = await self.deps.runner.db(
            self.deps.challenges.start,
            interaction.guild_id,
            interaction.channel_id,
            external_id(interaction.user),
            topic,
            questions,
            seconds,
        )
        embed, view = round_message(card, challenge.id, 0, len(challenge.question_ids), seconds)
        intro = (
            f"**{interaction.user.display_name}** started a challenge: {len(challenge.question_ids)} "
            f"question(s), {seconds}s each. Everyone can answer; points count toward the leaderboard."
        )
        await interaction.response.send_message(content=intro, embed=embed, view=view)
        self._schedule(challenge.id, seconds)

    @start.autocomplete("topic")
    async def topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Topics whose id or title contains what the user typed."""
        return topic_choices(self.deps, current)

    @app_commands.command(name="stop")
    @app_commands.guild_only()
    async def stop(self, interaction: discord.Interaction) -> None:
        """Stop this channel's challenge (its host or a server manager) and show the final standings."""
        assert interaction.channel_id is not None
        is_admin = bool(interaction.permissions and interaction.permissions.manage_guild)
        report = await self.deps.runner.db(
            self.deps.challenges.stop, interaction.channel_id, external_id(interaction.user), is_admin
        )
        task = self.timers.pop(report.challenge.id, None)
        if task is not None:
            task.cancel()
        await interaction.response.send_message(embed=report_embed(report))

    def _schedule(self, challenge_id: int, delay: float) -> None:
        """End the current round after `delay` seconds."""
        previous = self.timers.get(challenge_id)
        if previous is not None and previous is not asyncio.current_task():
            previous.cancel()
        self.timers[challenge_id] = asyncio.create_task(self._timer(challenge_id, delay))

    async def _timer(self, challenge_id: int, delay: float) -> None:
        """Wait out the round, then reveal it."""
        await asyncio.sleep(delay)
        try:
            await self.end_round(challenge_id)
        except Exception:
            log.exception("challenge_round_failed challenge=%s", challenge_id)

    async def end_round(self, challenge_id: int) -> None:
        """Post the round's results, then the next round (and its timer) or the final standings."""
        report = await self.deps.runner.db(self.deps.challenges.end_round, challenge_id)
        if report is None:
            return
        channel = self.bot.get_channel(report.challenge.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            log.warning("challenge_channel_missing challenge=%s", challenge_id)
            return
        await channel.send(embed=report_embed(report))
        if report.next_card is None:
            self.timers.pop(challenge_id, None)
            return
        total, seconds = len(report.challenge.question_ids), report.challenge.seconds
        embed, view = round_message(report.next_card, challenge_id, report.challenge.round, total, seconds)
        await channel.send(embed=embed, view=view)
        self._schedule(challenge_id, seconds)


async def setup(bot: MlprepBot) -> None:
    """Register the cog and the persistent challenge buttons."""
    bot.add_dynamic_items(ChallengeButton)
    await bot.add_cog(ChallengeCog(bot))
