"""Shared fixtures: a small valid bank (as texts and on disk), fake clock, in-memory service."""

from __future__ import annotations

import json
import random
import re
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.judge import Judge, JudgeConfig
from bot.adapters.store import Store
from bot.adapters.timed import TimedWorker
from bot.engine.bank import Bank, load_bank
from bot.grader import OfflineGrader
from bot.service import Service

TOPICS = """\
topics:
  - id: calculus
    title: Calculus
    area: maths
    description: Derivatives and integrals.
  - id: regularisation
    title: Regularisation
    area: ml
    description: Keeping models simple.
  - id: arrays
    title: Arrays
    area: coding
    description: Lists and hash maps.
"""

CALCULUS = """\
topic: calculus
questions:
  - id: calc-derivative
    kind: maths
    difficulty: 2
    prompt: Differentiate x^2 sin(x).
    hints: [Use the product rule.]
    solution: 2x sin x + x^2 cos x.
    answer:
      expression: 2*x*sin(x) + x**2*cos(x)
      variables: [x]
    equivalent_forms: ["2x sin(x) + x^2 cos(x)", "x(2sin x + x cos x)"]
    wrong_forms: ["2x cos(x)", "x^2 cos(x)"]
  - id: calc-value
    kind: maths
    difficulty: 1
    prompt: What is the derivative of x^3 at x = 2?
    answer:
      value: 12
  - id: calc-choice
    kind: maths
    difficulty: 1
    prompt: Which function is convex?
    answer:
      choices: ["x^2", "-x^2", "sin(x)"]
      correct: 0
"""

REGULARISATION = """\
topic: regularisation
questions:
  - id: reg-l1-l2
    kind: concept
    difficulty: 2
    prompt: Compare L1 and L2 regularisation.
    reference_answer: >-
      L1 adds the absolute values of the weights to the loss and drives many weights to exactly zero, giving
      sparse models. L2 adds the squared weights and shrinks all weights smoothly toward zero without zeroing them.
    key_points:
      - id: l1-sparse
        weight: 2
        description: L1 drives weights to exactly zero (sparsity)
        phrases: [sparse, exactly zero, weights to zero, feature selection]
      - id: l2-shrinks
        description: L2 shrinks weights smoothly
        phrases: [shrinks, weight decay, small weights]
    misconceptions:
      - id: l2-sparse
        description: L2 makes weights sparse
        phrases: [l2 makes weights sparse, l2 gives sparse, l2 produces sparse]
    wrong_answers:
      - Both of them make the model larger so that it fits the training data better.
      - Gradient descent takes steps against the gradient until the loss stops falling.
  - id: reg-dropout
    kind: concept
    difficulty: 1
    prompt: What does dropout do during training?
    reference_answer: >-
      Dropout randomly zeroes activations during training so units cannot co-adapt, which regularises the network.
"""

ARRAYS = """\
topic: arrays
questions:
  - id: arr-two-sum
    kind: coding
    difficulty: 2
    prompt: Return indices of the two numbers that add up to target.
    entry_point: two_sum
    starter_code: |
      def two_sum(nums, target):
          pass
    reference_solution: |
      def two_sum(nums, target):
          seen = {}
          for i, n in enumerate(nums):
              if target - n in seen:
                  return [seen[target - n], i]
              seen[n] = i
          return []
    tests:
      - {args: [[2, 7, 11, 15], 9], expected: [0, 1], sample: true}
      - {args: [[3, 2, 4], 6], expected: [1, 2]}
      - {args: [[3, 3], 6], expected: [0, 1]}
    wrong_solutions:
      - why: returns the values instead of their positions
        code: |
          def two_sum(nums, target):
              seen = set()
              for n in nums:
                  if target - n in seen:
                      return [target - n, n]
                  seen.add(n)
              return []
  - id: arr-mean
    kind: coding
    difficulty: 1
    prompt: Return the mean of a non-empty list.
    entry_point: mean
    starter_code: |
      def mean(xs):
          pass
    reference_solution: |
      def mean(xs):
          return sum(xs) / len(xs)
    tests:
      - {args: [[1, 2]], expected: 1.5, sample: true}
    check: |
      def check(candidate):
          assert abs(candidate([1, 2, 3, 4]) - 2.5) < 1e-9
"""

RUBRIC = """\
title: Concept explanation
criteria:
  - id: correctness
    weight: 2
    description: Is it right?
    levels: {0: wrong, 1: partly, 2: right}
"""


def bank_texts() -> dict[str, str]:
    """A small valid bank as {relative path: text}."""
    return {
        "question_bank/topics.yaml": TOPICS,
        "question_bank/maths/calculus.yaml": CALCULUS,
        "question_bank/ml/regularisation.yaml": REGULARISATION,
        "question_bank/coding/arrays.yaml": ARRAYS,
        "rubrics/concept-explanation.yaml": RUBRIC,
    }


def write_bank(root: Path, files: dict[str, str]) -> Path:
    """Write bank texts under `root` and return it."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def mini_bank() -> Bank:
    """The small bank, loaded (and known to be problem-free)."""
    bank, problems = load_bank(bank_texts())
    assert problems == []
    return bank


@pytest.fixture
def mini_bank_dir(tmp_path: Path) -> Path:
    """The small bank written to a temporary folder."""
    return write_bank(tmp_path / "bank", bank_texts())


class FakeClock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        """Move time forward."""
        self.now += timedelta(**kwargs)


@pytest.fixture(scope="session")
def judge() -> Judge:
    """The code judge: bubblewrap where it works (always in CI), else the weak fallback, explicitly allowed."""
    return Judge(JudgeConfig(allow_weak=True))


@pytest.fixture(scope="session")
def grader(judge: Judge) -> Iterator[OfflineGrader]:
    """One offline grader (with its maths worker) for the whole run."""
    grader = OfflineGrader(judge, TimedWorker(10.0), time_limit_s=5.0, memory_mb=512)
    yield grader
    grader.close()


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock."""
    return FakeClock()


@pytest.fixture
def service(mini_bank: Bank, grader: OfflineGrader, clock: FakeClock) -> Service:
    """A service over the small bank with an in-memory store."""
    return Service(mini_bank, Store.memory(), grader, clock, random.Random(7))


@pytest.fixture
def texts() -> dict[str, str]:
    """A fresh copy of the small bank's texts, for tests to break."""
    return bank_texts()


@pytest.fixture
def make_bank_dir(tmp_path: Path):  # noqa: ANN201 - returns a factory
    """Return a function that writes bank texts to a fresh folder."""
    counter = iter(range(1000))

    def make(files: dict[str, str]) -> Path:
        return write_bank(tmp_path / f"bank{next(counter)}", files)

    return make


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


@pytest.fixture(autouse=True)
def _no_embedding_assist(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process settings grade without the optional embeddings, installed or not, so results are the same."""
    monkeypatch.setenv("MLPREP_EMBEDDINGS", "off")
