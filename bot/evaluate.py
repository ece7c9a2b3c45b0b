"""`mlprep eval`: grade a human-graded answer set and measure agreement with the humans."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.engine.metrics import pearson, quadratic_weighted_kappa, spearman
from bot.service import Service

ADVERSARIAL = frozenset(
    {"negated", "swapped", "stuffed", "injection", "copied", "offtopic", "empty", "verbose-wrong", "verbose-partial"}
)
ADVERSARIAL_MARGIN = 1.5


class GradedLine(BaseModel):
    """One human-graded answer."""

    model_config = ConfigDict(extra="ignore")

    question_id: str
    answer: str
    score: float
    tag: str | None = None


class Disagreement(BaseModel):
    """A line where the grader and the human differ."""

    question_id: str
    tag: str | None
    human: float
    grader: float
    answer: str


class EvalReport(BaseModel):
    """Agreement metrics over the set."""

    n: int
    pearson: float
    spearman: float
    qwk: float
    exact: float
    adjacent: float
    answers_per_s: float
    adversarial_violations: int
    by_tag: dict[str, dict[str, float]]
    worst: list[Disagreement]
    errors: list[str]
    embeddings: bool = False  # whether the optional embedding assist graded along


def _lines(source: Iterable[str]) -> tuple[list[GradedLine], list[str]]:
    """Parse the JSONL, collecting bad lines as errors."""
    lines, errors = [], []
    for number, raw in enumerate(source, start=1):
        if not raw.strip():
            continue
        try:
            lines.append(GradedLine.model_validate(json.loads(raw)))
        except ValueError as exc:
            errors.append(f"line {number}: {exc}")
    return lines, errors


def evaluate(service: Service, source: Iterable[str], worst: int = 10, llm: bool = False) -> EvalReport:
    """Grade every line offline and compare with the human scores (0-5)."""
    lines, errors = _lines(source)
    predicted: list[float] = []
    kept: list[GradedLine] = []
    started = time.perf_counter()
    for line in lines:
        if service.bank.get(line.question_id) is None:
            errors.append(f"unknown question {line.question_id}")
            continue
        predicted.append(5 * service.grade(line.question_id, line.answer, llm=llm).score)
        kept.append(line)
    elapsed = max(time.perf_counter() - started, 1e-9)
    human = [line.score for line in kept]
    binned_pred, binned_human = [min(5, max(0, round(p))) for p in predicted], [round(h) for h in human]
    diffs = [abs(a - b) for a, b in zip(binned_pred, binned_human, strict=True)]
    order = sorted(range(len(kept)), key=lambda i: -abs(predicted[i] - human[i]))[:worst]
    return EvalReport(
        n=len(kept),
        pearson=round(pearson(predicted, human), 4),
        spearman=round(spearman(predicted, human), 4),
        qwk=round(quadratic_weighted_kappa(binned_pred, binned_human), 4),
        exact=round(sum(d == 0 for d in diffs) / max(len(diffs), 1), 4),
        adjacent=round(sum(d <= 1 for d in diffs) / max(len(diffs), 1), 4),
        answers_per_s=round(len(kept) / elapsed, 1),
        adversarial_violations=sum(
            1
            for line, p in zip(kept, predicted, strict=True)
            if line.tag in ADVERSARIAL and p - line.score > ADVERSARIAL_MARGIN
        ),
        by_tag=_by_tag(kept, predicted),
        embeddings=service.grader.embed is not None,
        worst=[
            Disagreement(
                question_id=kept[i].question_id,
                tag=kept[i].tag,
                human=human[i],
                grader=round(predicted[i], 2),
                answer=kept[i].answer[:200],
            )
            for i in order
        ],
        errors=errors,
    )


def _by_tag(lines: list[GradedLine], predicted: list[float]) -> dict[str, dict[str, Any]]:
    """Mean human and grader score per tag."""
    groups: dict[str, list[tuple[float, float]]] = {}
    for line, p in zip(lines, predicted, strict=True):
        groups.setdefault(line.tag or "-", []).append((line.score, p))
    return {
        tag: {
            "n": len(pairs),
            "human": round(sum(h for h, _ in pairs) / len(pairs), 2),
            "grader": round(sum(p for _, p in pairs) / len(pairs), 2),
        }
        for tag, pairs in sorted(groups.items())
    }
