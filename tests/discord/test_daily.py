"""The daily question on Discord: /daily, counting once per day, automatic posts, closed past days."""

from __future__ import annotations

import pytest

from bot.cogs.client import Deps

ANSWERS = {"maths": "0", "coding": "def f():\n    return 0", "concept": "I would explain it simply."}


@pytest.fixture
def server(simcord_env):  # noqa: ANN001, ANN201
    """A guild with a channel and a member."""
    guild = simcord_env.create_guild("study group")
    channel = guild.create_text_channel("daily")
    ana = guild.add_member(simcord_env.create_user("ana"))
    return guild, channel, ana


async def test_daily_counts_once_per_day(server, deps: Deps, ticker) -> None:  # noqa: ANN001
    """The first answer of the day is recorded as the daily; a second one is graded but not counted."""
    _, channel, ana = server
    shown = await ana.slash(channel, "daily")
    card = deps.daily.card()
    assert shown.response.embeds[0].title.startswith(f"Daily question {deps.daily.today().isoformat()}")
    answer = ANSWERS[card.kind]
    first = await ana.submit_modal(await ana.click(shown.response, label="Answer"), {"answer": answer})
    assert not any(f.name == "Note" for f in first.response.embeds[0].fields)
    ticker.now += 10
    second = await ana.submit_modal(await ana.click(shown.response, label="Answer"), {"answer": answer})
    assert any(f.name == "Note" and "not counted again" in f.value for f in second.response.embeds[0].fields)
    attempts = deps.service.store.attempts(deps.service.user(f"discord:{ana.id}").id)
    assert [(a.question_id, a.source) for a in attempts] == [(card.question_id, "daily")]


async def test_daily_is_posted_where_configured(server, deps: Deps, simcord_bot) -> None:  # noqa: ANN001
    """A server with a daily channel gets the question once its hour has come, and only once a day."""
    guild, channel, _ = server
    deps.community.update_config(guild.id, daily_channel_id=channel.id, daily_hour=0)
    cog = simcord_bot.get_cog("DailyCog")
    assert await cog.post_due() == 1
    assert channel.last_message.embeds[0].title.startswith("Daily question")
    assert await cog.post_due() == 0


async def test_past_daily_cards_close(server, clock) -> None:  # noqa: ANN001
    """Yesterday's card no longer takes answers."""
    _, channel, ana = server
    shown = await ana.slash(channel, "daily")
    clock.advance(days=1)
    refused = await ana.click(shown.response, label="Answer")
    assert refused.response.content == "That daily question has closed: use /daily for today's."
