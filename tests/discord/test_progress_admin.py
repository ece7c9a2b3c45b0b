"""Stats, weak topics, leaderboards, server config and personal data on Discord, through simcord."""

from __future__ import annotations

import json

import discord
import pytest

from bot.cogs.client import Deps
from bot.engine.grading.result import GradeResult


@pytest.fixture
def server(simcord_env):  # noqa: ANN001, ANN201
    """A guild with a channel and a member without special permissions."""
    guild = simcord_env.create_guild("study group")
    channel = guild.create_text_channel("practice")
    ana = guild.add_member(simcord_env.create_user("ana"))
    return guild, channel, None, ana


def _graded(deps: Deps, user: str, question: str, score: float, guild_id: int | None) -> None:
    """Record a graded answer directly through the service."""
    result = GradeResult(
        score=score, passed=score >= 0.7, verdict="correct" if score >= 0.7 else "incorrect", grader="test", feedback=""
    )
    deps.service.record_answer(user, question, "answer", result, guild_id)


async def test_stats_returns_a_chart(server, deps: Deps) -> None:  # noqa: ANN001
    """/stats shows mastery per topic with a PNG chart, recent attempts and the streak."""
    _, channel, _, ana = server
    _graded(deps, f"discord:{ana.id}", "calc-value", 1.0, None)
    _graded(deps, f"discord:{ana.id}", "reg-l1-l2", 0.0, None)
    result = await ana.slash(channel, "stats")
    message = result.response
    assert message.attachments and message.attachments[0].filename == "mastery.png"
    embed = message.embeds[0]
    assert embed.image.url == "attachment://mastery.png"
    assert "Calculus" in embed.description and "Regularisation" in embed.description
    assert {f.name for f in embed.fields} >= {"Attempts", "Streak", "Reviews", "Recent"}
    assert "±" in embed.description


async def test_stats_without_answers(server) -> None:  # noqa: ANN001
    """/stats for a newcomer explains how to start."""
    _, channel, _, ana = server
    result = await ana.slash(channel, "stats")
    assert result.response.embeds[0].description == "No graded answers yet: start with /practice."


async def test_weak_lists_weakest_topics(server, deps: Deps) -> None:  # noqa: ANN001
    """/weak names the weakest topic first, with its mastery, why it is weak and a next step at a fitting level."""
    _, channel, _, ana = server
    _graded(deps, f"discord:{ana.id}", "calc-value", 1.0, None)
    _graded(deps, f"discord:{ana.id}", "reg-l1-l2", 0.0, None)
    embed = (await ana.slash(channel, "weak")).response.embeds[0]
    assert [f.name.split(" · ")[0] for f in embed.fields] == ["Regularisation", "Calculus"]
    assert embed.fields[0].name == "Regularisation · 25% ±23% (1 attempt(s))"
    weakest = embed.fields[0].value
    assert "low mastery" in weakest and "uncertain: only 1 attempt(s)" in weakest and "1 review(s) due" not in weakest
    assert "Next: `/practice topic:regularisation difficulty:1`" in weakest


async def test_leaderboard_paginates_and_never_mixes_servers(simcord_env, server, deps: Deps, clock) -> None:  # noqa: ANN001
    """Twelve players fill two pages; another server's answers never appear."""
    guild, channel, _, ana = server
    for number in range(12):
        user = f"discord:{9000 + number}"
        deps.service.user(user, f"player{number:02d}")
        _graded(deps, user, "calc-derivative", (number + 1) / 12, guild.id)
    deps.service.user("discord:7777", "outsider")
    _graded(deps, "discord:7777", "calc-derivative", 1.0, guild.id + 1)
    first = await ana.slash(channel, "leaderboard", period="all")
    embed = first.response.embeds[0]
    assert embed.footer.text == "Page 1/2 · 12 player(s)"
    assert "player11" in embed.description.splitlines()[0] and "outsider" not in embed.description
    second = await ana.click(first.response, label="Next ▶")
    assert second.response.embeds[0].footer.text == "Page 2/2 · 12 player(s)"
    assert "player00" in second.response.embeds[0].description


async def test_leaderboard_periods(server, deps: Deps, clock) -> None:  # noqa: ANN001
    """Old answers count for `all` but not for this week."""
    guild, channel, _, ana = server
    deps.service.user("discord:42", "oldtimer")
    _graded(deps, "discord:42", "calc-value", 1.0, guild.id)
    clock.advance(days=40)
    week = (await ana.slash(channel, "leaderboard")).response.embeds[0]
    assert week.description == "No graded answers in this server for that period yet."
    alltime = (await ana.slash(channel, "leaderboard", period="all")).response.embeds[0]
    assert "oldtimer" in alltime.description


async def test_config_needs_manage_server(simcord_env, server) -> None:  # noqa: ANN001
    """A member without Manage Server is refused."""
    _, channel, _, ana = server
    result = await ana.slash(channel, "mlprep config", public=True)
    assert result.response.content == "You need the Manage Server permission for that."
    assert simcord_env.errors


async def test_config_by_an_admin(simcord_env, server, deps: Deps) -> None:  # noqa: ANN001
    """An admin turns on public practice and limits topics; practice obeys."""
    guild, channel, _, ana = server
    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
    admin = guild.add_member(simcord_env.create_user("admin"), roles=[mods])
    result = await admin.slash(channel, "mlprep config", public=True, topics="calculus")
    assert "Settings saved." in result.response.content and "**Topics:** calculus" in result.response.content
    shown = await ana.slash(channel, "practice")
    assert not shown.ephemeral
    assert shown.response.embeds[0].title == "Practice question · Calculus"
    bad = await admin.slash(channel, "mlprep config", topics="nope")
    assert bad.response.content.startswith("There is no topic `nope`.")
    assert simcord_env.errors


async def test_forget_me_after_confirmation(server, deps: Deps) -> None:  # noqa: ANN001
    """forget-me asks first; Cancel keeps data; confirming deletes it."""
    _, channel, _, ana = server
    _graded(deps, f"discord:{ana.id}", "calc-value", 1.0, None)
    asked = await ana.slash(channel, "mlprep forget-me")
    cancelled = await ana.click(asked.response, label="Cancel")
    assert cancelled.response.content == "Cancelled: nothing was deleted."
    assert deps.service.store.find_user(f"discord:{ana.id}") is not None
    asked = await ana.slash(channel, "mlprep forget-me")
    done = await ana.click(asked.response, label="Delete everything")
    assert done.response.content.startswith("Done: your data is deleted (1 attempt(s))")
    assert deps.service.store.find_user(f"discord:{ana.id}") is None


async def test_export_arrives_by_dm(server, deps: Deps) -> None:  # noqa: ANN001
    """export DMs the user a JSON file of their own data."""
    _, channel, _, ana = server
    _graded(deps, f"discord:{ana.id}", "calc-value", 1.0, None)
    result = await ana.slash(channel, "mlprep export")
    assert result.response.content == "Sent in your DMs."
    dm = ana.user.dm_channel.last_message
    assert dm.attachments[0].filename == "mlprep-export.json"
    data = json.loads(await dm.attachments[0].read())
    assert data["user"]["external_id"] == f"discord:{ana.id}"
    assert [a["question_id"] for a in data["attempts"]] == ["calc-value"]


async def test_help(server) -> None:  # noqa: ANN001
    """/help lists the commands."""
    _, channel, _, ana = server
    embed = (await ana.slash(channel, "help")).response.embeds[0]
    assert any(f.name.startswith("/practice") for f in embed.fields)


async def test_server_turns_on_llm_grading(simcord_env, server, deps: Deps, fake_openai) -> None:  # noqa: ANN001
    """With the operator's model configured, an admin can turn LLM grading on for concept answers."""
    from datetime import date

    from bot.adapters.llm import Budget, build_llm_grader

    guild, channel, _, ana = server
    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
    admin = guild.add_member(simcord_env.create_user("admin"), roles=[mods])
    deps.service.llm = build_llm_grader(
        "k", fake_openai.base_url, "fake-model", Budget(10, 10, lambda: date(2026, 1, 1)), timeout_s=2
    )
    shown = await admin.slash(channel, "mlprep config", llm=True)
    assert "**LLM grading:** on" in shown.response.content
    await ana.slash(channel, "practice", topic="regularisation", difficulty=2)
    result = await ana.slash(channel, "answer", text="L1 gives exactly zero weights, sparse. L2 shrinks weights.")
    assert "graded by llm:fake-model" in result.response.embeds[0].footer.text
