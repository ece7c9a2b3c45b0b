"""The daily question and group challenges: /daily, counting once per day, posts, closed days, server targeting."""

from __future__ import annotations

import pytest

from bot.cogs.client import Deps
from bot.engine.grading.result import GradeResult

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
    guild, channel, ana = server
    shown = await ana.slash(channel, "daily")
    card = deps.daily.card(guild_id=guild.id)
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


async def test_server_daily_is_one_stored_pick_for_everyone(server, deps: Deps, simcord_env) -> None:  # noqa: ANN001
    """Everyone in a server gets the same daily question, chosen once by the policy and kept all day."""
    guild, channel, ana = server
    bo = guild.add_member(simcord_env.create_user("bo"))
    first = await ana.slash(channel, "daily")
    second = await bo.slash(channel, "daily")
    assert first.response.embeds[0].fields == second.response.embeds[0].fields
    picked = deps.service.store.daily_pick(f"guild:{guild.id}", deps.daily.today().isoformat())
    assert picked is not None and f"`{picked}`" in [f.value for f in first.response.embeds[0].fields]


def _answer_everything(deps: Deps, user: str, guild_id: int, missed_topic: str) -> None:
    """Record a full-marks answer to every question in a server, and a miss for each of one topic's."""
    for item in deps.service.bank.questions.values():
        deps.service.open(user, item.id, guild_id=guild_id)
        missed = item.topic == missed_topic
        result = GradeResult(
            score=0.0 if missed else 1.0,
            passed=not missed,
            verdict="incorrect" if missed else "correct",
            grader="test",
            feedback="",
        )
        assert deps.service.record_answer(user, item.id, "answer", result, guild_id).recorded


def test_server_daily_targets_the_members_weakest_topic(deps: Deps) -> None:
    """After members miss every calculus question and ace the rest, the server's daily question is calculus."""
    service = deps.service
    for user in ("discord:1", "discord:2"):
        _answer_everything(deps, user, 77, missed_topic="calculus")
    assert service.card(deps.daily.question_id(deps.daily.today(), guild_id=77)).topic == "calculus"


def test_group_challenge_without_topic_targets_the_server(deps: Deps) -> None:
    """A challenge started without a topic draws on the members' weakest topic first, easiest first."""
    service = deps.service
    _answer_everything(deps, "discord:5", 88, missed_topic="regularisation")
    challenge, _ = deps.challenges.start(88, 1, "discord:5", None, 3, 60)
    topics = [service.question(q).topic for q in challenge.question_ids]
    assert topics.count("regularisation") == 2 and len(set(challenge.question_ids)) == 3
    levels = [service.question(q).question.difficulty for q in challenge.question_ids]
    assert levels == sorted(levels)


def test_back_to_back_challenges_differ(deps: Deps) -> None:
    """A server's next challenge leans away from the questions of its last ones."""
    first, _ = deps.challenges.start(99, 1, "discord:6", None, 3, 60)
    second, _ = deps.challenges.start(99, 2, "discord:6", None, 3, 60)
    assert set(first.question_ids) != set(second.question_ids)
    assert len(set(first.question_ids) & set(second.question_ids)) <= 1
