"""End to end over the wire: the real `mlprep run` against the fake Discord on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

APP_ID = "900000000000000001"
DERIVATIVE = "2x sin(x) + x^2 cos(x)"


def _env(fake_discord, mini_bank_dir: Path, tmp_path: Path, token: str) -> dict[str, str]:  # noqa: ANN001
    """The bot's environment: only our settings, pointed at the fake server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLPREP_", "DISCORD_", "OPENAI_"))}
    env["MLPREP_EMBEDDINGS"] = "off"  # same grades whether or not the embeddings extra is installed
    env.update(
        DISCORD_TOKEN=token,
        DISCORD_API_BASE=f"{fake_discord.base}/api/v10",
        DISCORD_GATEWAY_URL=fake_discord.base.replace("http://", "ws://") + "/gateway-override",
        MLPREP_DB=str(tmp_path / "bot.db"),
        MLPREP_BANK_DIR=str(mini_bank_dir),
        MLPREP_ANSWER_COOLDOWN_S="0",
    )
    return env


@pytest.fixture
async def bot_process(fake_discord, mini_bank_dir: Path, tmp_path: Path) -> AsyncIterator[asyncio.subprocess.Process]:  # noqa: ANN001
    """`python -m bot run` pointed at the fake server; stopped (and its log shown on failure) afterwards."""
    env = _env(fake_discord, mini_bank_dir, tmp_path, "fake-token")
    log = (tmp_path / "bot.log").open("wb")
    process = await _spawn_bot(env, tmp_path, log, log)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
        log.close()
        print((tmp_path / "bot.log").read_text(errors="replace")[-4000:])


async def _spawn_bot(env: dict[str, str], cwd: Path, stdout: object, stderr: object) -> asyncio.subprocess.Process:
    """Start `python -m bot run` with this environment."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=cwd, stdout=stdout, stderr=stderr
    )


def _custom_id(message: dict, label: str) -> str:
    """The custom_id of the button with this label."""
    for row in message["components"]:
        for component in row["components"]:
            if component.get("label") == label:
                return component["custom_id"]
    raise AssertionError(f"no button {label!r} in {message['components']}")


async def test_login_sync_practice_answer(fake_discord, bot_process) -> None:  # noqa: ANN001
    """Log in, sync commands, /practice, press Answer, submit the modal, get the graded result."""
    await fake_discord.wait_for("GET", "/users/@me")
    await asyncio.wait_for(fake_discord.identified.wait(), 30)
    assert fake_discord.gateway_paths == ["/gateway-override"]
    _, commands = await fake_discord.wait_for("PUT", "/commands")
    assert {"practice", "answer", "stats", "leaderboard", "challenge", "daily", "mlprep", "help"} <= {
        c["name"] for c in commands
    }

    mark = len(fake_discord.calls)
    await fake_discord.slash("practice", topic="calculus", difficulty=2)
    _, card = await fake_discord.wait_for("POST", "/callback", after=mark)
    assert card["type"] == 4 and card["data"]["flags"] == 64
    assert card["data"]["embeds"][0]["title"] == "Practice question · Calculus"
    message = next(m for m in fake_discord.messages.values() if m["embeds"] == card["data"]["embeds"])

    mark = len(fake_discord.calls)
    await fake_discord.click(message, _custom_id(message, "Answer"))
    _, modal = await fake_discord.wait_for("POST", "/callback", after=mark)
    assert modal["type"] == 9 and modal["data"]["custom_id"] == "mp-modal:calc-derivative"

    mark = len(fake_discord.calls)
    await fake_discord.submit_modal("mp-modal:calc-derivative", {"answer": DERIVATIVE})
    _, deferred = await fake_discord.wait_for("POST", "/callback", after=mark)
    assert deferred["type"] == 5
    _, result = await fake_discord.wait_for("POST", f"/webhooks/{APP_ID}/", after=mark)
    assert result["embeds"][0]["title"].startswith("✅ correct · 100%")
    assert result["embeds"][1]["title"] == "Solution"
    assert bot_process.returncode is None


async def test_rejected_token_is_one_clear_line(fake_discord, mini_bank_dir: Path, tmp_path: Path) -> None:  # noqa: ANN001
    """A token Discord refuses ends the process with exit 1 and one explanation, no traceback."""
    env = _env(fake_discord, mini_bank_dir, tmp_path, "wrong-token")
    process = await _spawn_bot(env, tmp_path, asyncio.subprocess.PIPE, asyncio.subprocess.PIPE)
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    text = stderr.decode()
    assert "Discord rejected DISCORD_TOKEN" in text and "Traceback" not in text


async def test_dev_guild_sync(fake_discord, mini_bank_dir: Path, tmp_path: Path) -> None:  # noqa: ANN001
    """With MLPREP_DEV_GUILD the commands are synced to that server only."""
    env = _env(fake_discord, mini_bank_dir, tmp_path, "fake-token")
    env["MLPREP_DEV_GUILD"] = "900000000000000010"
    process = await _spawn_bot(env, tmp_path, asyncio.subprocess.DEVNULL, asyncio.subprocess.DEVNULL)
    try:
        _, commands = await fake_discord.wait_for("PUT", "/guilds/900000000000000010/commands")
        assert "practice" in {c["name"] for c in commands}
        assert not any(m == "PUT" and p.endswith(f"/applications/{APP_ID}/commands") for m, p, _ in fake_discord.calls)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)
