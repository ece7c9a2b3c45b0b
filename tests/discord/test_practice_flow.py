"""Practice on Discord, driven through simcord: cards, modal answers, hints, skips, /answer, DMs."""

from __future__ import annotations

import pytest

from bot.cogs.client import Deps

DERIVATIVE = "2x sin(x) + x^2 cos(x)"


@pytest.fixture
def server(simcord_env):  # noqa: ANN001, ANN201
    """A guild with a channel and two members."""
    guild = simcord_env.create_guild("study group")
    channel = guild.create_text_channel("practice")
    ana = guild.add_member(simcord_env.create_user("ana"))
    bo = guild.add_member(simcord_env.create_user("bo"))
    return guild, channel, ana, bo


async def test_practice_answer_next_in_a_guild(server, deps: Deps) -> None:  # noqa: ANN001
    """/practice posts a private card; Answer opens a modal; the graded result comes with Next."""
    _, channel, ana, _ = server
    shown = await ana.slash(channel, "practice", topic="calculus", difficulty=2)
    assert shown.ephemeral
    card = shown.response
    assert card.embeds[0].title == "Practice question · Calculus"
    assert "Differentiate x^2 sin(x)." in card.embeds[0].description
    modal = await ana.click(card, label="Answer")
    assert modal.modal is not None
    result = await ana.submit_modal(modal, {"answer": DERIVATIVE})
    graded = result.response
    assert graded.embeds[0].title.startswith("✅ correct · 100%")
    assert graded.embeds[1].title == "Solution"
    attempts = deps.service.store.attempts(deps.service.user(f"discord:{ana.id}").id)
    assert [(a.question_id, a.verdict, a.guild_id) for a in attempts] == [("calc-derivative", "correct", server[0].id)]
    nxt = await ana.click(graded, label="Next question")
    assert nxt.response.embeds[0].title.startswith("Practice question")


async def test_only_the_owner_can_press(server, deps: Deps) -> None:  # noqa: ANN001
    """With public practice on, others see the card but cannot press its buttons."""
    guild, channel, ana, bo = server
    deps.community.update_config(guild.id, public_practice=True)
    shown = await ana.slash(channel, "practice", topic="calculus", difficulty=2)
    assert not shown.ephemeral
    refused = await bo.click(shown.response, label="Hint")
    assert refused.response.content == "This card belongs to someone else: start your own with /practice."
    assert refused.ephemeral


async def test_hint_then_skip(server) -> None:  # noqa: ANN001
    """Hint shows the hints one by one; Skip reveals the solution and offers Next."""
    _, channel, ana, _ = server
    card = (await ana.slash(channel, "practice", topic="calculus", difficulty=2)).response
    hint = await ana.click(card, label="Hint")
    assert hint.response.content == "💡 Hint 1: Use the product rule."
    again = await ana.click(card, label="Hint")
    assert again.response.content == "No more hints for this question."
    skipped = await ana.click(card, label="Skip")
    assert skipped.response.embeds[0].title == "Skipped: here is how to answer it"
    assert "2x sin x + x^2 cos x." in skipped.response.embeds[1].description


async def test_answer_command_and_unreadable_input(server, ticker) -> None:  # noqa: ANN001
    """/answer grades the open question; unreadable input is not recorded and offers Answer again."""
    _, channel, ana, _ = server
    await ana.slash(channel, "practice", topic="calculus", difficulty=2)
    bad = await ana.slash(channel, "answer", text="2x+")
    message = bad.response
    assert "could not read `2x+`: expression ends early" in message.embeds[0].description
    assert message.embeds[0].footer.text == "Not recorded: fix the answer and try again."
    ticker.now += 5
    good = await ana.slash(channel, "answer", text=DERIVATIVE)
    assert good.response.embeds[0].title.startswith("✅ correct")


async def test_answer_without_open_question(simcord_env, server) -> None:  # noqa: ANN001
    """/answer with nothing open says how to start."""
    _, channel, ana, _ = server
    result = await ana.slash(channel, "answer", text="42")
    assert result.response.content == "You have no open question: start one with /practice."
    assert result.ephemeral
    assert [type(e.original).__name__ for e in simcord_env.errors] == ["NoOpenQuestion"]


async def test_practice_cooldown(simcord_env, server, ticker) -> None:  # noqa: ANN001
    """Asking for cards too fast is refused politely; after the cooldown it works again."""
    _, channel, ana, _ = server
    await ana.slash(channel, "practice")
    refused = await ana.slash(channel, "practice")
    assert refused.response.content.startswith("Slow down a little")
    ticker.now += 3
    assert (await ana.slash(channel, "practice")).response.embeds
    assert [type(e.original).__name__ for e in simcord_env.errors] == ["CooldownActive"]


async def test_cooldown_between_answers(simcord_env, server, ticker) -> None:  # noqa: ANN001
    """Two answers within the cooldown: the second is refused with a friendly line."""
    _, channel, ana, _ = server
    await ana.slash(channel, "practice", topic="calculus", difficulty=2)
    await ana.slash(channel, "answer", text="x")
    second = await ana.slash(channel, "answer", text="x")
    assert second.response.content.startswith("Slow down a little: try again in")
    assert [type(e.original).__name__ for e in simcord_env.errors] == ["CooldownActive"]


async def test_code_answer_through_the_modal(server) -> None:  # noqa: ANN001
    """A fenced code answer is judged by its tests."""
    _, channel, ana, _ = server
    card = (await ana.slash(channel, "practice", topic="arrays", difficulty=1)).response
    modal = await ana.click(card, label="Answer")
    result = await ana.submit_modal(modal, {"answer": "```python\ndef mean(xs):\n    return sum(xs) / len(xs)\n```"})
    assert result.response.embeds[0].title.startswith("✅ accepted · 100%")


async def test_dm_practice_is_a_private_session(simcord_env) -> None:  # noqa: ANN001
    """In DMs, cards are plain (not ephemeral) messages and the flow works the same."""
    user = simcord_env.create_user("cy")
    shown = await user.slash("practice", kind="concept")
    assert not shown.ephemeral
    modal = await user.click(shown.response, label="Answer")
    result = await user.submit_modal(modal, {"answer": "I am not sure at all."})
    assert result.response.embeds[0].title.startswith(("❌", "🟡"))
    following = await user.click(result.response, label="Next question")
    assert not following.ephemeral
    assert following.response.embeds[0].title.startswith("Practice question")
    assert following.response.embeds[0].fields[2].value != shown.response.embeds[0].fields[2].value


async def test_topic_autocomplete(server) -> None:  # noqa: ANN001
    """Typing part of a topic suggests matching topics."""
    _, channel, ana, _ = server
    choices = await ana.autocomplete(channel, "practice", "topic", "calc")
    assert [c["value"] for c in choices] == ["calculus"]


async def test_buttons_survive_a_restart(simcord_env, server, simcord_bot) -> None:  # noqa: ANN001
    """Card buttons keep working after the bot restarts (state lives in custom_id and the store)."""
    _, channel, ana, _ = server
    card = (await ana.slash(channel, "practice", topic="calculus", difficulty=2)).response
    await simcord_env.restart_bot()
    hint = await ana.click(card, label="Hint")
    assert hint.response.content == "💡 Hint 1: Use the product rule."


async def test_every_command_and_option_has_a_description(simcord_env, simcord_bot) -> None:  # noqa: ANN001
    """Discord shows these descriptions; none may be missing or the placeholder."""
    commands = list(simcord_bot.tree.walk_commands())
    names = {c.qualified_name for c in commands}
    assert {
        "practice",
        "answer",
        "stats",
        "weak",
        "leaderboard",
        "daily",
        "challenge start",
        "challenge stop",
        "help",
        "mlprep config",
        "mlprep forget-me",
        "mlprep export",
    } <= names
    for command in commands:
        assert command.description and command.description != "…", command.qualified_name
        for parameter in getattr(command, "parameters", []):
            assert parameter.description and parameter.description != "…", (command.qualified_name, parameter.name)
