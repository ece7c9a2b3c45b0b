"""Group challenges on Discord: two participants, timeouts on a virtual clock, standings, stop."""

from __future__ import annotations

import pytest

from bot.cogs.client import Deps

RIGHT = {"calc-value": "12", "calc-choice": "A", "calc-derivative": "2x sin(x) + x^2 cos(x)"}
WRONG = {"calc-value": "13", "calc-choice": "B", "calc-derivative": "x"}


@pytest.fixture
def server(simcord_env):  # noqa: ANN001, ANN201
    """A guild with a channel and two members."""
    guild = simcord_env.create_guild("study group")
    channel = guild.create_text_channel("challenge")
    ana = guild.add_member(simcord_env.create_user("ana"))
    bo = guild.add_member(simcord_env.create_user("bo"))
    return guild, channel, ana, bo


def _question(deps: Deps, channel_id: int) -> str:
    """The current round's question id."""
    challenge = deps.challenges.store.running_challenge(channel_id)
    assert challenge is not None
    return challenge.question_id


async def _answer(member, message, text: str):  # noqa: ANN001, ANN202
    """Press Answer on a round card and submit `text`."""
    return await member.submit_modal(await member.click(message, label="Answer"), {"answer": text})


async def test_full_challenge_with_two_participants(simcord_env, server, deps: Deps, clock) -> None:  # noqa: ANN001
    """Two rounds: answers are private until the timer reveals them; standings and leaderboard follow."""
    guild, channel, ana, bo = server
    started = await ana.slash(channel, "challenge start", topic="calculus", questions=2, seconds=30)
    assert not started.ephemeral and "started a challenge: 2 question(s), 30s each" in started.response.content
    first = started.response
    question = _question(deps, channel.id)
    received = await _answer(ana, first, RIGHT[question])
    assert received.response.content == "Answer received: results when the round ends."
    await _answer(bo, first, WRONG[question])
    again = await _answer(bo, first, RIGHT[question])
    assert again.response.content == "You already answered this round."

    clock.advance(seconds=31)
    await simcord_env.advance_time(31)
    results, second = channel.history()[-2:]
    assert results.embeds[0].title == "Round 1/2 results"
    assert "✅ ana · 100%" in results.embeds[0].fields[0].value and "❌ bo · 0%" in results.embeds[0].fields[0].value
    assert second.embeds[0].title.startswith("Challenge round 2/2")
    late = await ana.click(first, label="Answer")
    assert late.response.content == "This round has closed."

    await _answer(ana, second, RIGHT[_question(deps, channel.id)])
    clock.advance(seconds=31)
    await simcord_env.advance_time(31)
    final = channel.last_message.embeds[0]
    assert final.title == "Challenge over: final standings"
    assert final.description.splitlines()[0].startswith("🥇 ana")
    assert "bo" in final.description
    board = deps.community.leaderboard(guild.id, "all")
    assert [row.name for row in board.rows] == ["ana", "bo"]


async def test_one_challenge_per_channel_and_stop(simcord_env, server, deps: Deps) -> None:  # noqa: ANN001
    """A second start is refused; only the host (or a manager) can stop; stopping shows final standings."""
    _, channel, ana, bo = server
    await ana.slash(channel, "challenge start", questions=1, seconds=60)
    refused = await bo.slash(channel, "challenge start")
    assert refused.response.content.startswith("A challenge is already running in this channel")
    not_host = await bo.slash(channel, "challenge stop")
    assert not_host.response.content == "Only the challenge's host or a server manager can stop it."
    stopped = await ana.slash(channel, "challenge stop")
    assert stopped.response.embeds[0].title == "Challenge over: final standings"
    nothing = await ana.slash(channel, "challenge stop")
    assert nothing.response.content == "No challenge is running in this channel."
    assert len(simcord_env.errors) == 3


async def test_running_challenge_survives_a_restart(simcord_env, server, deps: Deps, clock) -> None:  # noqa: ANN001
    """After a restart the round's timer resumes from the store and the challenge carries on."""
    from bot.cogs.client import MlprepBot

    _, channel, ana, _ = server
    started = await ana.slash(channel, "challenge start", topic="calculus", questions=1, seconds=30)
    await _answer(ana, started.response, RIGHT[_question(deps, channel.id)])
    await simcord_env.restart_bot(MlprepBot(deps, shard_count=1))
    clock.advance(seconds=31)
    await simcord_env.advance_time(31)
    final = channel.last_message.embeds[0]
    assert final.title == "Challenge over: final standings"
    assert final.description.startswith("🥇 ana")
