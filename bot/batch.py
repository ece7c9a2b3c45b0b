"""grade-batch: grade a JSONL stream line by line; a bad line yields an error line, never a stop."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.errors import MlprepError
from bot.service import Service


class BatchLine(BaseModel):
    """One input line: `{"id": ..., "question_id": "...", "answer": "..."}`."""

    model_config = ConfigDict(extra="ignore")

    id: Any = None
    question_id: str
    answer: str


def grade_line(service: Service, raw: str, number: int, llm: bool = False) -> dict[str, Any]:
    """Grade one JSONL line into an output record (with `error` when the line is bad)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return {"id": None, "question_id": None, "line": number, "error": f"invalid JSON: {exc.msg}"}
    if not isinstance(data, dict):
        return {"id": None, "question_id": None, "line": number, "error": "line must be a JSON object"}
    base = {"id": data.get("id"), "question_id": data.get("question_id")}
    try:
        line = BatchLine.model_validate(data)
        result = service.grade(line.question_id, line.answer, llm=llm)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return {**base, "line": number, "error": problems}
    except MlprepError as exc:
        return {**base, "line": number, "error": exc.user_message}
    record = {
        **base,
        "score": result.score,
        "passed": result.passed,
        "verdict": result.verdict,
        "grader": result.grader,
        "feedback": result.feedback,
    }
    if service.question(line.question_id).question.kind == "concept":
        record["points"] = [{"id": p.id, "hit": p.hit} for p in result.points]
    return record


def grade_lines(
    service: Service,
    source: Iterable[str],
    sink: TextIO,
    progress: Callable[[int], None] | None = None,
    llm: bool = False,
) -> dict[str, int]:
    """Grade every non-blank line of `source`, writing one JSON line each to `sink`."""
    counts = {"graded": 0, "errors": 0}
    for number, raw in enumerate(source, start=1):
        if not raw.strip():
            continue
        record = grade_line(service, raw, number, llm)
        counts["errors" if "error" in record else "graded"] += 1
        sink.write(json.dumps(record, ensure_ascii=False) + "\n")
        sink.flush()
        if progress is not None and number % 25 == 0:
            progress(number)
    return counts
