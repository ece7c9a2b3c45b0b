"""Plain-text rendering of cards, results and stats for the terminal."""

from __future__ import annotations

import textwrap

from bot.engine.grading.result import GradeResult
from bot.service import AnswerOutcome, QuestionCard, UserStats, WeakTopicView

RULE = "─" * 72


def card(item: QuestionCard, number: int) -> str:
    """A question as the terminal shows it."""
    lines = [
        RULE,
        f"Question {number} · {item.topic_title} · {item.kind} · difficulty {item.difficulty}/5 "
        f"· id {item.question_id}",
        "",
        item.prompt.rstrip(),
    ]
    if item.reason:
        lines.insert(2, f"({item.reason})")
    if item.choices:
        lines.append("")
        lines.extend(f"  {chr(65 + i)}) {choice}" for i, choice in enumerate(item.choices))
    if item.samples:
        lines.append("\nExamples:")
        lines.extend(f"  {call} -> {expected}" for call, expected in item.samples)
    if item.starter_code:
        lines.extend(["", "Starter code:", textwrap.indent(item.starter_code.rstrip(), "    ")])
    lines.extend(["", _answer_help(item)])
    return "\n".join(lines)


def _answer_help(item: QuestionCard) -> str:
    """How to answer this kind of question."""
    how = {
        "maths": "a letter (A, B, ...)" if item.choices else "an expression or number (e.g. 2x*cos(x^2), 0.25)",
        "coding": "your Python code",
        "concept": "your explanation",
    }[item.kind]
    hints = f" :hint ({item.hint_count} available)," if item.hint_count else ""
    return f"Answer with {how}; end with a line holding only `.`. Commands:{hints} :skip, :stats, :quit"


def result(result: GradeResult) -> str:
    """A grade line plus feedback."""
    mark = "✓" if result.passed else "✗"
    return f"{mark} {result.verdict} · score {result.score:.0%} · graded by {result.grader}\n{result.feedback}"


def outcome(item: AnswerOutcome) -> str:
    """A graded answer with the reference answer and solution."""
    parts = ["Skipped: here is how to answer it." if item.result.verdict == "skipped" else result(item.result)]
    if item.reference_answer:
        parts.append(f"\nReference answer:\n{textwrap.indent(item.reference_answer.rstrip(), '  ')}")
    if item.solution:
        parts.append(f"\nSolution:\n{textwrap.indent(item.solution.rstrip(), '  ')}")
    if item.note:
        parts.append(f"\nNote: {item.note}")
    if item.mastery is not None:
        m = item.mastery
        parts.append(f"\nMastery in {m.topic}: {m.mastery:.0%} ±{m.mastery_sd:.0%} after {m.attempts} attempt(s)")
    if item.next_review is not None:
        parts.append(f"Next review of this question: {item.next_review:%Y-%m-%d %H:%M} UTC")
    return "\n".join(parts)


def stats(data: UserStats) -> str:
    """A per-topic table with the weakest topics."""
    if not data.topics and not data.total_attempts:
        return f"No attempts yet for {data.user}. Start with: mlprep practice --user {data.user}"
    width = max(len(t.title) for t in data.topics) if data.topics else 5
    lines = [
        f"Stats for {data.user}: {data.total_attempts} attempt(s), {data.skipped} skipped",
        "",
        f"{'topic':<{width}}  attempts  avg score  mastery  ±     week  due",
    ]
    lines.extend(
        f"{t.title:<{width}}  {t.attempts:>8}  {t.average_score:>9.0%}  {t.mastery:>7.0%}  {t.mastery_sd:<4.0%}"
        f"  {_trend(t.trend):>4}  {t.due_reviews or '':>3}"
        for t in data.topics
    )
    lines.append("")
    lines.append(f"Streak: {data.streak} day(s)")
    lines.append(_reviews(data))
    if data.leeches:
        lines.append(f"Resting after repeated misses (study their solutions): {', '.join(data.leeches)}")
    lines.append(weakest(data))
    return "\n".join(lines)


def _trend(value: float | None) -> str:
    """A weekly change in points, e.g. `+8`, or `-` when the topic was not practised this week."""
    return "-" if value is None else f"{value * 100:+.0f}"


def _reviews(data: UserStats) -> str:
    """The due-reviews line."""
    if data.due_reviews:
        return f"Reviews due now: {data.due_reviews} (mlprep practice serves them first)"
    if data.next_review is not None:
        return f"Reviews due now: none; next one {data.next_review:%Y-%m-%d %H:%M} UTC"
    return "Reviews due now: none"


def weak(topics: list[WeakTopicView], user: str) -> str:
    """The weakest topics with why and a next step."""
    if not topics:
        return "No weak topics yet: answer a few questions first (mlprep practice)."
    lines = []
    for index, t in enumerate(topics, 1):
        lines.append(f"{index}. {t.title}: mastery {t.mastery:.0%} ±{t.mastery_sd:.0%} after {t.attempts} attempt(s)")
        lines.extend(f"   - {reason}" for reason in t.reasons)
        lines.append(f"   Next: mlprep practice --user {user} --topic {t.topic} --difficulty {t.next_level}")
    return "\n".join(lines)


def weakest(data: UserStats) -> str:
    """The weakest topics line."""
    if not data.weakest:
        return "Weakest topics: none yet (answer a few questions first)."
    names = ", ".join(f"{t.title} ({t.mastery:.0%})" for t in data.weakest)
    return f"Weakest topics: {names}. Practise one with: mlprep practice --topic {data.weakest[0].topic}"
