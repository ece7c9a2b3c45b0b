"""A local fake OpenAI-compatible server (127.0.0.1) whose behaviour each test scripts."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class FakeOpenAI:
    """Serves /v1/chat/completions; `script` is a list of behaviours consumed one per request."""

    def __init__(self) -> None:
        self.script: list[str] = []
        self.requests: list[dict[str, Any]] = []
        self.base_url = ""
        self.lock = threading.Lock()

    def next_behaviour(self) -> str:
        """The next scripted behaviour (the last one repeats)."""
        with self.lock:
            if len(self.script) > 1:
                return self.script.pop(0)
            return self.script[0] if self.script else "good"

    def verdict(self, body: dict[str, Any], honest: bool) -> dict[str, Any]:
        """A verdict that hits every key point, quoting the answer (or inventing quotes)."""
        user = body["messages"][-1]["content"]
        answer = re.search(r"<answer>\n(.*)\n</answer>", user, re.DOTALL).group(1)  # type: ignore[union-attr]
        ids = re.findall(r"- id `([a-z0-9-]+)` \(weight", user)
        quote = answer.split(".")[0].strip() if honest else "a sentence the candidate never wrote"
        return {
            "points": [{"id": i, "hit": True, "evidence": quote} for i in ids],
            "misconceptions": [],
            "score": 1.0,
            "feedback": "Looks complete.",
        }


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            return

        def _send(self, status: int, payload: dict[str, Any] | str) -> None:
            data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append(body)
            behaviour = fake.next_behaviour()
            if behaviour == "slow":
                time.sleep(2.5)
            if behaviour == "error500":
                self._send(500, {"error": {"message": "boom", "type": "server_error"}})
                return
            if behaviour == "ratelimit":
                self._send(429, {"error": {"message": "slow down", "type": "rate_limit"}})
                return
            message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
            if behaviour == "refusal":
                message["refusal"] = "I can't grade that."
            elif behaviour == "malformed":
                message["content"] = '{"points": [ this is not json'
            else:
                message["content"] = json.dumps(fake.verdict(body, honest=behaviour != "fabricated"))
            self._send(
                200,
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                },
            )

    return Handler


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """The fake server on a free 127.0.0.1 port."""
    fake = FakeOpenAI()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
