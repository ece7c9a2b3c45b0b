"""Render cards, results, stats and leaderboards as Discord embeds (pure functions of service data)."""

from __future__ import annotations

import discord

from bot.service import AnswerOutcome, LeaderboardPage, QuestionCard, UserStats, WeakTopicView

BLURPLE = discord.Colour.blurple()
COLOURS = {"pass": discord.Colour.green(), "partial": discord.Colour.gold(), "fail": discord.Colour.red()}
FIELD_LIMIT = 1024
DESCRIPTION_LIMIT = 4096


def clip(text: str, limit: int) -> str:
    """Shorten text to Discord's limit, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _code_block(code: str, limit: int = FIELD_LIMIT) -> str:
    """A Python code block that fits in `limit` characters."""
    body = clip(code.rstrip().replace("```", "`\u200b``"), limit - 14)
    return f"```python\n{body}\n```"


def question_embed(card: QuestionCard, heading: str = "Practice question") -> discord.Embed:
    """The question card: topic, kind, difficulty, prompt; code in code blocks."""
    embed = discord.Embed(
        title=f"{heading} · {card.topic_title}", colour=BLURPLE, description=clip(card.prompt, DESCRIPTION_LIMIT)
    )
    embed.add_field(name="Kind", value=card.kind)
    embed.add_field(name="Difficulty", value="★" * card.difficulty + "☆" * (5 - card.difficulty))
    embed.add_field(name="Id", value=f"`{card.question_id}`")
    if card.choices:
        lines = "\n".join(f"**{chr(65 + i)}.** {choice}" for i, choice in enumerate(card.choices))
        embed.add_field(name="Choices (answer with the letter)", value=clip(lines, FIELD_LIMIT), inline=False)
    if card.samples:
        lines = "\n".join(f"{call} → {expected}" for call, expected in card.samples)
        embed.add_field(name="Examples", value=_code_block(lines), inline=False)
    if card.starter_code:
        embed.add_field(name="Starter code", value=_code_block(card.starter_code), inline=False)
    footer = _how_to_answer(card)
    embed.set_footer(text=f"{card.reason}\n{footer}" if card.reason else footer)
    return embed


def _how_to_answer(card: QuestionCard) -> str:
    """Footer text telling the user how to answer this kind of question."""
    if card.kind == "coding":
        return "Press Answer and paste your Python (``` fences are fine)."
    if card.kind == "maths":
        return "Press Answer: a letter, or an expression such as 2x*cos(x^2) or 0.25."
    return "Press Answer and explain in your own words."


def _colour(outcome: AnswerOutcome) -> discord.Colour:
    """Green for a pass, gold for partial credit, red otherwise."""
    if outcome.result.passed:
        return COLOURS["pass"]
    return COLOURS["partial"] if outcome.result.score > 0 else COLOURS["fail"]


def result_embeds(outcome: AnswerOutcome, who: str | None = None) -> list[discord.Embed]:
    """The graded result (score, verdict, points or tests) plus the solution."""
    result = outcome.result
    if result.verdict == "skipped":
        title = "Skipped: here is how to answer it"
    else:
        mark = "✅" if result.passed else ("🟡" if result.score > 0 else "❌")
        title = f"{mark} {result.verdict.replace('_', ' ')} · {result.score:.0%}"
    if who:
        title = f"{who}: {title}"
    embed = discord.Embed(title=title, colour=_colour(outcome), description=clip(result.feedback, DESCRIPTION_LIMIT))
    if outcome.note:
        embed.add_field(name="Note", value=clip(outcome.note, FIELD_LIMIT), inline=False)
    if outcome.mastery is not None:
        m = outcome.mastery
        review = f" · review {outcome.next_review:%d %b}" if outcome.next_review else ""
        embed.set_footer(
            text=f"Mastery in {m.topic}: {m.mastery:.0%} ±{m.mastery_sd:.0%} after {m.attempts} attempt(s)"
            f"{review} · graded by {result.grader}"
        )
    elif not outcome.recorded:
        embed.set_footer(text="Not recorded: fix the answer and try again.")
    embeds = [embed]
    if outcome.recorded and (outcome.reference_answer or outcome.solution):
        solution = discord.Embed(title="Solution", colour=discord.Colour.dark_grey())
        text = outcome.solution or ""
        if outcome.reference_answer:
            text = f"**Reference answer**\n{outcome.reference_answer}\n\n{text}".strip()
        solution.description = clip(text, DESCRIPTION_LIMIT)
        embeds.append(solution)
    return embeds


def stats_embed(stats: UserStats) -> discord.Embed:
    """Per-topic mastery, streak and recent attempts."""
    embed = discord.Embed(title=f"Progress of {stats.user}", colour=BLURPLE)
    if not stats.topics:
        embed.description = "No graded answers yet: start with /practice."
        return embed
    lines = [
        f"`{t.mastery:>4.0%} ±{t.mastery_sd * 100:<2.0f}` **{t.title}** · {t.attempts} attempt(s), "
        f"avg {t.average_score:.0%}{_trend(t.trend)}{f' · {t.due_reviews} due' if t.due_reviews else ''}"
        for t in sorted(stats.topics, key=lambda t: t.mastery)
    ]
    embed.description = clip("\n".join(lines), DESCRIPTION_LIMIT)
    embed.add_field(name="Attempts", value=f"{stats.total_attempts} ({stats.skipped} skipped)")
    embed.add_field(name="Streak", value=f"{stats.streak} day(s)")
    if stats.due_reviews:
        reviews = f"{stats.due_reviews} due now: /practice serves them first"
    elif stats.next_review is not None:
        reviews = f"none due; next <t:{int(stats.next_review.timestamp())}:R>"
    else:
        reviews = "none yet"
    embed.add_field(name="Reviews", value=reviews)
    if stats.leeches:
        embed.add_field(
            name="Resting (missed again and again)",
            value=clip(", ".join(f"`{q}`" for q in stats.leeches) + ": study their solutions", FIELD_LIMIT),
            inline=False,
        )
    if stats.recent:
        recent = "\n".join(
            f"`{a.question_id}` {a.verdict} {a.score:.0%} · <t:{int(a.submitted_at.timestamp())}:R>"
            for a in stats.recent
        )
        embed.add_field(name="Recent", value=clip(recent, FIELD_LIMIT), inline=False)
    return embed


def _trend(value: float | None) -> str:
    """` · ▲8 this week` or nothing."""
    if value is None or abs(value) < 0.005:
        return ""
    return f" · {'▲' if value > 0 else '▼'}{abs(value) * 100:.0f} this week"


def weak_embed(topics: list[WeakTopicView]) -> discord.Embed:
    """The weakest topics with why and a next step."""
    embed = discord.Embed(title="Your weakest topics", colour=COLOURS["partial"])
    if not topics:
        embed.description = "Nothing to report yet: answer a few questions with /practice first."
        return embed
    for topic in topics:
        why = "\n".join(f"• {reason}" for reason in topic.reasons)
        step = f"Next: `/practice topic:{topic.topic} difficulty:{topic.next_level}`"
        name = f"{topic.title} · {topic.mastery:.0%} ±{topic.mastery_sd:.0%} ({topic.attempts} attempt(s))"
        embed.add_field(name=clip(name, 256), value=clip(f"{why}\n{step}", FIELD_LIMIT), inline=False)
    return embed


def leaderboard_embed(board: LeaderboardPage, period: str, topic: str | None) -> discord.Embed:
    """One page of a server leaderboard."""
    scope = f"{period}" + (f" · {topic}" if topic else "")
    embed = discord.Embed(title=f"Leaderboard · {scope}", colour=BLURPLE)
    if not board.rows:
        embed.description = "No graded answers in this server for that period yet."
        return embed
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    embed.description = "\n".join(
        f"{medals.get(r.rank, f'`#{r.rank}`')} **{r.name}** · {r.points} pts · {r.solved}/{r.questions} solved"
        for r in board.rows
    )
    embed.set_footer(text=f"Page {board.page + 1}/{board.pages} · {board.total} player(s)")
    return embed
