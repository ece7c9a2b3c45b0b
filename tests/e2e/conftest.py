"""A small wire-level fake of Discord on 127.0.0.1: REST (aiohttp) and the gateway (websocket).

Just enough of the real protocol for `mlprep run` to log in, sync commands, receive interactions and
answer them: users/@me, the oauth2 application, /gateway/bot, command sync, channel messages,
interaction callbacks and webhook follow-ups; HELLO, heartbeat ACK, IDENTIFY -> READY + GUILD_CREATE,
and dispatch of INTERACTION_CREATE.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import WSMsgType, web

APP_ID = "900000000000000001"
BOT_ID = APP_ID
GUILD_ID = "900000000000000010"
CHANNEL_ID = "900000000000000011"
USER_ID = "900000000000000020"
EVENT_TIMEOUT_S = 30.0


def _reply(data: Any, status: int = 200) -> web.Response:
    """A JSON response with exactly the content type Discord sends (discord.py compares it verbatim)."""
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


def _user(user_id: str, name: str, bot: bool = False) -> dict[str, Any]:
    """A user object."""
    return {"id": user_id, "username": name, "global_name": name, "discriminator": "0", "avatar": None, "bot": bot}


class FakeDiscord:
    """Records every REST call and gateway message; tests drive it with `interact` and `wait_for`."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        self.commands: list[dict[str, Any]] = []
        self.messages: dict[str, dict[str, Any]] = {}
        self.identified = asyncio.Event()
        self.gateway_paths: list[str] = []
        self._ids = itertools.count(900000000000001000)
        self._seq = itertools.count(1)
        self._ws: web.WebSocketResponse | None = None
        self._changed = asyncio.Condition()
        self.base = ""

    def next_id(self) -> str:
        """A fresh snowflake."""
        return str(next(self._ids))

    def app(self) -> web.Application:
        """The aiohttp application with REST routes under /api/v10 and the gateway."""
        app = web.Application()
        api = "/api/v10"
        app.router.add_get(f"{api}/users/@me", self._me)
        app.router.add_get(f"{api}/oauth2/applications/@me", self._application)
        app.router.add_get(f"{api}/gateway/bot", self._gateway_bot)
        app.router.add_put(f"{api}/applications/{{app}}/commands", self._sync)
        app.router.add_put(f"{api}/applications/{{app}}/guilds/{{guild}}/commands", self._sync)
        app.router.add_post(f"{api}/interactions/{{iid}}/{{token}}/callback", self._callback)
        app.router.add_post(f"{api}/webhooks/{{app}}/{{token}}", self._followup)
        app.router.add_patch(f"{api}/webhooks/{{app}}/{{token}}/messages/{{mid}}", self._edit_original)
        app.router.add_post(f"{api}/channels/{{cid}}/messages", self._channel_message)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/gateway-override", self._gateway)
        return app

    async def _record(self, request: web.Request) -> Any:
        """Store a call (method, path, JSON body) and wake waiters."""
        body = None
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "multipart/form-data":
                body = {"multipart": True}
            else:
                body = json.loads(raw) if raw else None
        async with self._changed:
            self.calls.append((request.method, request.path, body))
            self._changed.notify_all()
        return body

    async def _json(self, request: web.Request, data: Any, status: int = 200) -> web.Response:
        await self._record(request)
        return _reply(data, status=status)

    async def _me(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != "Bot fake-token":
            return await self._json(request, {"message": "401: Unauthorized", "code": 0}, status=401)
        return await self._json(request, _user(BOT_ID, "mlprep", bot=True))

    async def _application(self, request: web.Request) -> web.Response:
        owner = _user(USER_ID, "owner")
        data = {
            "id": APP_ID,
            "name": "mlprep",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": owner,
            "verify_key": "0" * 64,
            "flags": 0,
            "team": None,
        }
        return await self._json(request, data)

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        limits = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        # The override path proves DISCORD_GATEWAY_URL wins; without it, this URL is used.
        url = self.base.replace("http://", "ws://") + "/gateway"
        return await self._json(request, {"url": url, "shards": 1, "session_start_limit": limits})

    async def _sync(self, request: web.Request) -> web.Response:
        body = await self._record(request)
        self.commands = [{**c, "id": self.next_id(), "application_id": APP_ID, "version": "1"} for c in body]
        return _reply(self.commands)

    def _message(self, channel_id: str, payload: dict[str, Any], flags: int = 0) -> dict[str, Any]:
        """A message object built from a create/edit payload."""
        message = {
            "id": self.next_id(),
            "channel_id": channel_id,
            "author": _user(BOT_ID, "mlprep", bot=True),
            "content": payload.get("content") or "",
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": payload.get("embeds") or [],
            "components": payload.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": payload.get("flags", flags) or 0,
        }
        self.messages[message["id"]] = message
        return message

    async def _callback(self, request: web.Request) -> web.Response:
        body = await self._record(request)
        kind, data = body["type"], body.get("data") or {}
        interaction = {
            "id": request.match_info["iid"],
            "type": 2,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(data.get("flags", 0) & 64),
        }
        if kind in (4, 5):
            message = self._message(CHANNEL_ID, data)
            interaction["response_message_id"] = message["id"]
            return _reply({"interaction": interaction, "resource": {"type": kind, "message": message}})
        return _reply({"interaction": interaction, "resource": {"type": kind}})

    async def _followup(self, request: web.Request) -> web.Response:
        body = await self._record(request)
        return _reply(self._message(CHANNEL_ID, body))

    async def _edit_original(self, request: web.Request) -> web.Response:
        body = await self._record(request)
        return _reply(self._message(CHANNEL_ID, body))

    async def _channel_message(self, request: web.Request) -> web.Response:
        body = await self._record(request)
        return _reply(self._message(request.match_info["cid"], body))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        """HELLO, then answer IDENTIFY with READY + GUILD_CREATE and heartbeats with ACKs."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        self.gateway_paths.append(request.path)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            payload = json.loads(message.data)
            if payload["op"] == 1:
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif payload["op"] == 2:
                await self._dispatch("READY", self._ready())
                await self._dispatch("GUILD_CREATE", self._guild())
                self.identified.set()
        return ws

    async def _dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send one dispatch (op 0) event."""
        assert self._ws is not None, "the bot has not connected to the gateway"
        await self._ws.send_json({"op": 0, "t": event, "s": next(self._seq), "d": data})

    def _ready(self) -> dict[str, Any]:
        return {
            "v": 10,
            "user": _user(BOT_ID, "mlprep", bot=True),
            "guilds": [{"id": GUILD_ID, "unavailable": True}],
            "session_id": "fake-session",
            "resume_gateway_url": self.base.replace("http://", "ws://") + "/gateway",
            "shard": [0, 1],
            "application": {"id": APP_ID, "flags": 0},
            "private_channels": [],
            "relationships": [],
        }

    def _guild(self) -> dict[str, Any]:
        everyone = {
            "id": GUILD_ID,
            "name": "@everyone",
            "permissions": "2248473465835073",
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        channel = {
            "id": CHANNEL_ID,
            "type": 0,
            "guild_id": GUILD_ID,
            "name": "practice",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
        }
        return {
            "id": GUILD_ID,
            "name": "study group",
            "icon": None,
            "owner_id": USER_ID,
            "roles": [everyone],
            "channels": [channel],
            "threads": [],
            "members": [],
            "member_count": 2,
            "emojis": [],
            "stickers": [],
            "features": [],
            "unavailable": False,
            "large": False,
            "joined_at": datetime.now(UTC).isoformat(),
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "verification_level": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "system_channel_flags": 0,
            "explicit_content_filter": 0,
            "default_message_notifications": 0,
            "afk_timeout": 300,
        }

    def _interaction(self, kind: int, data: dict[str, Any], message: dict[str, Any] | None = None) -> dict[str, Any]:
        """An INTERACTION_CREATE payload from the test user in the test channel."""
        member = {
            "user": _user(USER_ID, "ana"),
            "roles": [],
            "joined_at": datetime.now(UTC).isoformat(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": "2248473465835073",
            "nick": None,
        }
        payload = {
            "id": self.next_id(),
            "application_id": APP_ID,
            "type": kind,
            "token": f"tok-{self.next_id()}",
            "version": 1,
            "guild_id": GUILD_ID,
            "channel_id": CHANNEL_ID,
            "channel": {"id": CHANNEL_ID, "type": 0, "guild_id": GUILD_ID, "name": "practice"},
            "member": member,
            "app_permissions": "2248473465835073",
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": GUILD_ID},
            "context": 0,
            "attachment_size_limit": 10485760,
            "data": data,
        }
        if message is not None:
            payload["message"] = message
        return payload

    async def slash(self, name: str, **options: Any) -> dict[str, Any]:
        """Invoke a synced slash command."""
        command = next(c for c in self.commands if c["name"] == name)
        opts = [{"name": k, "type": 4 if isinstance(v, int) else 3, "value": v} for k, v in options.items()]
        payload = self._interaction(2, {"id": command["id"], "name": name, "type": 1, "options": opts})
        await self._dispatch("INTERACTION_CREATE", payload)
        return payload

    async def click(self, message: dict[str, Any], custom_id: str) -> dict[str, Any]:
        """Press a button on a message."""
        payload = self._interaction(3, {"custom_id": custom_id, "component_type": 2}, message=message)
        await self._dispatch("INTERACTION_CREATE", payload)
        return payload

    async def submit_modal(self, custom_id: str, values: dict[str, str]) -> dict[str, Any]:
        """Submit a modal whose text inputs sit in labels."""
        components = [
            {"type": 18, "id": i + 1, "component": {"type": 4, "id": i + 100, "custom_id": key, "value": value}}
            for i, (key, value) in enumerate(values.items())
        ]
        payload = self._interaction(5, {"custom_id": custom_id, "components": components})
        await self._dispatch("INTERACTION_CREATE", payload)
        return payload

    async def wait_for(self, method: str, path_part: str, after: int = 0) -> tuple[int, Any]:
        """Wait (bounded) for a call whose path contains `path_part`; return its index and body."""

        async def found() -> tuple[int, Any] | None:
            for index, (m, path, body) in enumerate(self.calls[after:], start=after):
                if m == method and path_part in path:
                    return index, body
            return None

        async with asyncio.timeout(EVENT_TIMEOUT_S):
            async with self._changed:
                while (hit := await found()) is None:
                    await self._changed.wait()
        return hit


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A running fake Discord on a free 127.0.0.1 port."""
    fake = FakeDiscord()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.base = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        await runner.cleanup()
