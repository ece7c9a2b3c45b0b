"""LLM grading through the official openai SDK against any OpenAI-compatible server.

One retry on timeouts, rate limits, server errors, refusals and invalid output; then the offline grade,
saying so. Results are cached by (question, answer, model). Daily budgets per user and per server.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

import openai
from pydantic import ValidationError

from bot.engine.grading.llm import LlmVerdict, apply_guard_rails, build_messages
from bot.engine.grading.result import GradeResult
from bot.engine.models import BankQuestion, ConceptQuestion, Rubric

log = logging.getLogger(__name__)
RETRYABLE = (
    openai.APITimeoutError,
    openai.APIConnectionError,
    openai.RateLimitError,
    openai.InternalServerError,
    openai.LengthFinishReasonError,
    openai.ContentFilterFinishReasonError,
    ValidationError,
    ValueError,
)
CACHE_SIZE = 5000


class Budget:
    """Daily counts of LLM calls per user and per server (0 = unlimited)."""

    def __init__(self, per_user: int, per_server: int, today: Callable[[], date]) -> None:
        self.per_user, self.per_server, self.today = per_user, per_server, today
        self._counts: dict[tuple[str, str, date], int] = {}
        self._lock = threading.Lock()

    def take(self, user: str | None, server: str | None) -> bool:
        """Use one call of the budget; False if the user's or server's budget for today is spent."""
        day = self.today()
        keys = [
            (kind, who, day)
            for kind, who, limit in (("user", user, self.per_user), ("server", server, self.per_server))
            if who is not None and limit > 0
        ]
        limits = {"user": self.per_user, "server": self.per_server}
        with self._lock:
            if any(self._counts.get(key, 0) >= limits[key[0]] for key in keys):
                return False
            for key in keys:
                self._counts[key] = self._counts.get(key, 0) + 1
        return True


class LlmGrader:
    """Grades concept answers with an LLM, behind guard rails, falling back to the offline grade."""

    def __init__(self, client: openai.OpenAI, model: str, budget: Budget, timeout_s: float = 30.0) -> None:
        self.client, self.model, self.budget, self.timeout_s = client, model, budget, timeout_s
        self._cache: OrderedDict[str, GradeResult] = OrderedDict()
        self._lock = threading.Lock()

    def _key(self, question_id: str, answer: str) -> str:
        return hashlib.sha256(f"{self.model}\0{question_id}\0{answer}".encode()).hexdigest()

    def grade(
        self,
        item: BankQuestion,
        answer: str,
        offline: GradeResult,
        rubric: Rubric | None = None,
        user: str | None = None,
        server: str | None = None,
    ) -> GradeResult:
        """The LLM's guarded grade, or the offline grade with the reason when the LLM cannot be used."""
        question = item.question
        if not isinstance(question, ConceptQuestion) or offline.verdict == "unreadable":
            return offline
        key = self._key(item.id, answer)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        if not self.budget.take(user, server):
            return _fallback(offline, "today's LLM grading budget is used up")
        verdict, problem = self._ask(build_messages(question, answer, rubric))
        if verdict is None:
            return _fallback(offline, problem)
        result = apply_guard_rails(question, answer, verdict, offline, self.model)
        with self._lock:
            self._cache[key] = result
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return result

    def _ask(self, messages: list[dict[str, str]]) -> tuple[LlmVerdict | None, str]:
        """Call the model, retrying once; return the verdict or why there is none."""
        problem = "no answer"
        for attempt in (1, 2):
            try:
                completion = self.client.chat.completions.parse(
                    model=self.model,
                    messages=messages,
                    response_format=LlmVerdict,
                    temperature=0,
                    timeout=self.timeout_s,  # type: ignore[arg-type]
                )
                message = completion.choices[0].message
                if message.parsed is not None:
                    return message.parsed, ""
                problem = f"the model refused: {message.refusal}" if message.refusal else "empty verdict"
            except RETRYABLE as exc:
                problem = f"{type(exc).__name__}"
            except openai.APIStatusError as exc:
                return None, f"the LLM server answered {exc.status_code}"
            log.warning("llm_grade_failed attempt=%d problem=%s", attempt, problem)
        return None, problem


def _fallback(offline: GradeResult, why: str) -> GradeResult:
    """The offline grade, saying why the LLM was not used."""
    note = f"(LLM grading unavailable: {why}; this is the offline grade.)"
    return offline.model_copy(update={"feedback": f"{offline.feedback}\n{note}".strip()})


def build_llm_grader(
    api_key: str | None, base_url: str | None, model: str, budget: Budget, timeout_s: float = 30.0
) -> LlmGrader:
    """An LlmGrader over the official client (our own retry, so the SDK's is off)."""
    client = openai.OpenAI(api_key=api_key or "not-needed", base_url=base_url or None, max_retries=0, timeout=timeout_s)
    return LlmGrader(client, model, budget, timeout_s)
