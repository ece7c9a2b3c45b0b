"""What the shipped bank must cover: counts by kind, topic and difficulty, and per-question completeness."""

from __future__ import annotations

import re
from collections import Counter

from pydantic import BaseModel, ConfigDict

from bot.engine.bank import Bank, BankProblem, question_problem
from bot.engine.models import AREA_OF_KIND, BankQuestion, CodingQuestion, ConceptQuestion

MIN_TOTAL = 450
MIN_BY_KIND = {"coding": 120, "maths": 120, "concept": 180}
MIN_NUMPY = 30
MIN_PER_TOPIC = 8
MAX_SHARE_ONE_LEVEL = 0.4
KEY_POINTS = (3, 6)
MIN_PHRASES = 2
MIN_WRONG_ANSWERS = 2
MIN_SAMPLE_TESTS = 2
MIN_HIDDEN_TESTS = 8
MIN_WRONG_SOLUTIONS = 1
HINTS_FROM_DIFFICULTY = 3
_NUMPY = re.compile(r"^\s*(?:import numpy|from numpy)\b", re.MULTILINE)


class BankStats(BaseModel):
    """Counts that `mlprep bank stats` reports (and `--strict` checks)."""

    model_config = ConfigDict(frozen=True)

    questions: int
    by_kind: dict[str, int]
    numpy_coding: int
    by_topic: dict[str, int]
    by_difficulty: dict[str, int]
    by_area_difficulty: dict[str, dict[str, int]]
    by_topic_difficulty: dict[str, dict[str, int]]
    with_hints: int
    with_solution: int


def uses_numpy(question: CodingQuestion) -> bool:
    """Whether a coding question's reference solution is a NumPy implementation."""
    return bool(_NUMPY.search(question.reference_solution))


def bank_stats(bank: Bank) -> BankStats:
    """Count the bank's questions every way the coverage rules need."""
    items = list(bank.questions.values())
    by_area: dict[str, Counter[str]] = {}
    by_topic: dict[str, Counter[str]] = {}
    for item in items:
        level = str(item.question.difficulty)
        by_area.setdefault(AREA_OF_KIND[item.question.kind], Counter())[level] += 1
        by_topic.setdefault(item.topic, Counter())[level] += 1
    return BankStats(
        questions=len(items),
        by_kind=dict(sorted(Counter(q.question.kind for q in items).items())),
        numpy_coding=sum(isinstance(q.question, CodingQuestion) and uses_numpy(q.question) for q in items),
        by_topic=dict(sorted(Counter(q.topic for q in items).items())),
        by_difficulty={str(k): v for k, v in sorted(Counter(q.question.difficulty for q in items).items())},
        by_area_difficulty={a: dict(sorted(c.items())) for a, c in sorted(by_area.items())},
        by_topic_difficulty={t: dict(sorted(c.items())) for t, c in sorted(by_topic.items())},
        with_hints=sum(bool(q.question.hints) for q in items),
        with_solution=sum(bool(q.question.solution) for q in items),
    )


def coverage_problems(bank: Bank) -> list[BankProblem]:
    """Every way the bank falls short of the shipped bank's minimums (used by `bank validate --strict`)."""
    stats = bank_stats(bank)
    problems = [_bank_problem(message) for message in _count_problems(bank, stats)]
    for item in bank.questions.values():
        problems.extend(question_problem(item, message) for message in _question_gaps(item))
    return problems


def _bank_problem(message: str) -> BankProblem:
    """A problem of the bank as a whole."""
    return BankProblem(file="question_bank/topics.yaml", line=1, message=message)


def _count_problems(bank: Bank, stats: BankStats) -> list[str]:
    """Totals, per-kind, NumPy, per-topic and difficulty-spread shortfalls."""
    found = []
    if stats.questions < MIN_TOTAL:
        found.append(f"the bank has {stats.questions} questions; the shipped bank needs at least {MIN_TOTAL}")
    for kind, minimum in MIN_BY_KIND.items():
        if stats.by_kind.get(kind, 0) < minimum:
            found.append(f"{stats.by_kind.get(kind, 0)} {kind} questions; at least {minimum} needed")
    if stats.numpy_coding < MIN_NUMPY:
        found.append(f"{stats.numpy_coding} NumPy coding questions; at least {MIN_NUMPY} needed")
    for topic in bank.topics:
        if stats.by_topic.get(topic, 0) < MIN_PER_TOPIC:
            found.append(f"topic {topic} has {stats.by_topic.get(topic, 0)} questions; at least {MIN_PER_TOPIC} needed")
    for area, levels in stats.by_area_difficulty.items():
        total = sum(levels.values())
        missing = [str(level) for level in range(1, 6) if str(level) not in levels]
        if missing:
            found.append(f"area {area} has no questions of difficulty {', '.join(missing)}")
        level, count = max(levels.items(), key=lambda kv: kv[1])
        if count > MAX_SHARE_ONE_LEVEL * total:
            found.append(
                f"area {area}: {count} of {total} questions ({count / total:.0%}) are difficulty {level}; "
                f"at most {MAX_SHARE_ONE_LEVEL:.0%} may share one level"
            )
    return found


def _question_gaps(item: BankQuestion) -> list[str]:
    """What one question lacks for the shipped bank."""
    q = item.question
    gaps = []
    if not q.solution:
        gaps.append("needs a worked `solution`")
    if q.difficulty >= HINTS_FROM_DIFFICULTY and not q.hints:
        gaps.append(f"difficulty {q.difficulty} needs `hints`")
    if isinstance(q, ConceptQuestion):
        gaps.extend(_concept_gaps(q))
    elif isinstance(q, CodingQuestion):
        gaps.extend(_coding_gaps(q))
    return gaps


def _concept_gaps(q: ConceptQuestion) -> list[str]:
    """Key points, phrasings and wrong answers a shipped concept question needs."""
    gaps = []
    low, high = KEY_POINTS
    if not low <= len(q.key_points) <= high:
        gaps.append(f"has {len(q.key_points)} key points; needs {low}-{high}")
    thin = [p.id for p in q.key_points if len(p.phrases) < MIN_PHRASES]
    if thin:
        gaps.append(f"key points with fewer than {MIN_PHRASES} phrases: {', '.join(thin)}")
    if len(q.wrong_answers) < MIN_WRONG_ANSWERS:
        gaps.append(f"has {len(q.wrong_answers)} `wrong_answers`; needs at least {MIN_WRONG_ANSWERS}")
    return gaps


def _coding_gaps(q: CodingQuestion) -> list[str]:
    """Tests and wrong solutions a shipped coding question needs."""
    gaps = []
    samples = len(q.sample_tests)
    hidden = len(q.tests) - samples
    if samples < MIN_SAMPLE_TESTS:
        gaps.append(f"has {samples} sample tests; needs at least {MIN_SAMPLE_TESTS}")
    if hidden < MIN_HIDDEN_TESTS and not q.check:
        gaps.append(f"has {hidden} hidden tests; needs at least {MIN_HIDDEN_TESTS} (or a `check`)")
    if len(q.wrong_solutions) < MIN_WRONG_SOLUTIONS:
        gaps.append(f"needs at least {MIN_WRONG_SOLUTIONS} entry in `wrong_solutions`")
    return gaps


def coverage_table(bank: Bank) -> str:
    """The Markdown table of questions per topic and difficulty (in topics.yaml order), with area totals."""
    stats = bank_stats(bank)
    rows = ["| area | topic | 1 | 2 | 3 | 4 | 5 | total |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for topic_id, topic in bank.topics.items():
        levels = stats.by_topic_difficulty.get(topic_id, {})
        counts = [levels.get(str(level), 0) for level in range(1, 6)]
        rows.append(f"| {topic.area} | {topic_id} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
    for area, levels in stats.by_area_difficulty.items():
        counts = [levels.get(str(level), 0) for level in range(1, 6)]
        rows.append(f"| **{area}** | all | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
    return "\n".join(rows)
