"""Practice on Discord: /practice and /answer, and the card's Answer, Hint, Skip and Next buttons."""

from __future__ import annotations

import re
from typing import Literal

import discord
from discord import app_commands, ui
from discord.ext import commands

from bot.cogs import errors
from bot.cogs.client import Deps, MlprepBot
from bot.cogs.common import deps_of, external_id, is_private, topic_choices, where
from bot.cogs.embeds import question_embed, result_embeds
from bot.service import AnswerOutcome, Filters, QuestionCard

ANSWER_LIMIT = 4000
NO_TOPIC = "-"


class CardButton(
    ui.DynamicItem[ui.Button], template=r"mp:(?P<action>answer|hint|skip|next):(?P<uid>\d+):(?P<arg>[a-z0-9-]+)"
):
    """A practice-card button whose state (action, owner, question or topic) lives in its custom_id."""

    STYLES = {
        "answer": discord.ButtonStyle.primary,
        "hint": discord.ButtonStyle.secondary,
        "skip": discord.ButtonStyle.secondary,
        "next": discord.ButtonStyle.success,
    }
    LABELS = {"answer": "Answer", "hint": "Hint", "skip": "Skip", "next": "Next question"}

    def __init__(self, action: str, owner_id: int, arg: str) -> None:
        super().__init__(
            ui.Button(label=self.LABELS[action], style=self.STYLES[action], custom_id=f"mp:{action}:{owner_id}:{arg}")
        )
        self.action, self.owner_id, self.arg = action, owner_id, arg

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Button, match: re.Match[str], /
    ) -> CardButton:
        """Rebuild the button from its custom_id (works after a restart)."""
        return cls(match["action"], int(match["uid"]), match["arg"])

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Only the card's owner may press its buttons."""
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "This card belongs to someone else: start your own with /practice.", ephemeral=True
        )
        return False

    async def callback(self, interaction: discord.Interaction) -> None:
        """Dispatch to the action; errors go to the one handler."""
        try:
            await ACTIONS[self.action](deps_of(interaction), interaction, self.arg)
        except Exception as exc:  # noqa: BLE001 - handed to the single error handler
            await errors.report(interaction, exc)


def card_view(card: QuestionCard, owner_id: int) -> ui.View:
    """Answer / Hint / Skip for an open question."""
    view = ui.View(timeout=None)
    view.add_item(CardButton("answer", owner_id, card.question_id))
    if card.hint_count:
        view.add_item(CardButton("hint", owner_id, card.question_id))
    view.add_item(CardButton("skip", owner_id, card.question_id))
    return view


def after_view(outcome: AnswerOutcome, owner_id: int, topic: str | None) -> ui.View:
    """Next (or Answer again, when the answer was not recorded)."""
    view = ui.View(timeout=None)
    if not outcome.recorded:
        view.add_item(CardButton("answer", owner_id, outcome.question_id))
    view.add_item(CardButton("next", owner_id, topic or NO_TOPIC))
    return view


class AnswerModal(ui.Modal, title="Your answer"):
    """One long text field for the answer (code may be pasted with or without ``` fences)."""

    def __init__(self, card: QuestionCard) -> None:
        super().__init__(timeout=None, custom_id=f"mp-modal:{card.question_id}")
        self.card = card
        self.text = ui.TextInput(
            style=discord.TextStyle.paragraph,
            max_length=ANSWER_LIMIT,
            placeholder=_placeholder(card),
            custom_id="answer",
        )
        self.add_item(ui.Label(text=f"Answer to {card.question_id}"[:45], component=self.text))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Grade the answer and show the result."""
        deps_of(interaction).cooldown.hit(interaction.user.id)
        await submit_answer(deps_of(interaction), interaction, self.card, self.text.value)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        """Errors go to the one handler."""
        await errors.report(interaction, error)


def _placeholder(card: QuestionCard) -> str:
    """A hint of the expected format, per kind."""
    return {"coding": "def ...", "maths": "e.g. 2x*cos(x^2), 0.25 or B", "concept": "Explain in your own words"}[
        card.kind
    ]


async def submit_answer(deps: Deps, interaction: discord.Interaction, card: QuestionCard, text: str) -> None:
    """Defer, grade on the pool, record on the database thread, follow up with the result and Next."""
    here = await where(deps, interaction)
    private = here.private
    await interaction.response.defer(ephemeral=private, thinking=True)
    user = external_id(interaction.user)
    server = str(interaction.guild_id) if interaction.guild_id else None
    result = await deps.runner.grade(deps.service.grade, card.question_id, text, here.llm, user, server)
    outcome = await deps.runner.db(
        deps.service.record_answer, user, card.question_id, text, result, interaction.guild_id
    )
    await interaction.followup.send(
        embeds=result_embeds(outcome), view=after_view(outcome, interaction.user.id, None), ephemeral=private
    )


async def _answer(deps: Deps, interaction: discord.Interaction, question_id: str) -> None:
    """Open the answer modal (must be the first response, so nothing slow happens before it)."""
    await interaction.response.send_modal(AnswerModal(deps.service.card(question_id)))


async def _hint(deps: Deps, interaction: discord.Interaction, question_id: str) -> None:
    """Show the next hint to the card's owner."""
    number, text = await deps.runner.db(deps.service.hint, external_id(interaction.user), question_id)
    await interaction.response.send_message(f"💡 Hint {number}: {text}", ephemeral=interaction.guild_id is not None)


async def _skip(deps: Deps, interaction: discord.Interaction, question_id: str) -> None:
    """Record a skip and reveal the solution."""
    private = await is_private(deps, interaction)
    outcome = await deps.runner.db(deps.service.skip, external_id(interaction.user), question_id, interaction.guild_id)
    await interaction.response.send_message(
        embeds=result_embeds(outcome), view=after_view(outcome, interaction.user.id, None), ephemeral=private
    )


async def _next(deps: Deps, interaction: discord.Interaction, topic: str) -> None:
    """Post the next question (same topic if the last one was filtered by topic)."""
    await send_question(deps, interaction, Filters(topic=None if topic == NO_TOPIC else topic))


ACTIONS = {"answer": _answer, "hint": _hint, "skip": _skip, "next": _next}


async def send_question(deps: Deps, interaction: discord.Interaction, filters: Filters) -> None:
    """Pick a question for the user and post its card."""
    here = await where(deps, interaction)
    private = here.private
    card = await deps.runner.db(
        deps.service.next_question,
        external_id(interaction.user),
        filters,
        (),
        interaction.guild_id,
        here.allowed_topics,
    )
    await interaction.response.send_message(
        embed=question_embed(card), view=card_view(card, interaction.user.id), ephemeral=private
    )


class PracticeCog(commands.Cog):
    """Questions, answers, hints and skips."""

    def __init__(self, bot: MlprepBot) -> None:
        self.bot = bot
        self.deps = bot.deps

    @app_commands.command(name="practice")
    @app_commands.describe(
        topic="Only this topic (leave empty to target your weak areas)",
        kind="Only this kind of question",
        difficulty="Only this difficulty, 1 (easy) to 5 (hard)",
    )
    async def practice(
        self,
        interaction: discord.Interaction,
        topic: str | None = None,
        kind: Literal["coding", "maths", "concept"] | None = None,
        difficulty: app_commands.Range[int, 1, 5] | None = None,
    ) -> None:
        """Get a practice question (without a topic, it targets your weak areas)."""
        self.deps.practice_cooldown.hit(interaction.user.id)
        await send_question(self.deps, interaction, Filters(topic=topic, kind=kind, difficulty=difficulty))

    @practice.autocomplete("topic")
    async def topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Topics whose id or title contains what the user typed."""
        return topic_choices(self.deps, current)

    @app_commands.command(name="answer")
    @app_commands.describe(text="Your answer to your open question (code, maths or an explanation)")
    async def answer(self, interaction: discord.Interaction, text: app_commands.Range[str, 1, ANSWER_LIMIT]) -> None:
        """Answer your open question without the form."""
        self.deps.cooldown.hit(interaction.user.id)
        card = await self.deps.runner.db(self.deps.service.open_question, external_id(interaction.user))
        await submit_answer(self.deps, interaction, card, text)


async def setup(bot: MlprepBot) -> None:
    """Register the cog and the persistent card buttons."""
    bot.add_dynamic_items(CardButton)
    await bot.add_cog(PracticeCog(bot))
