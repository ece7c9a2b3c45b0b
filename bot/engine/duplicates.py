"""Near-duplicate questions: prompts that share most of their word sequences."""

from __future__ import annotations

from itertools import combinations

from bot.engine.bank import Bank, BankProblem, question_problem
from bot.engine.grading import text

SHINGLE = 3
THRESHOLD = 0.5


def _shingles(prompt: str) -> frozenset[tuple[str, ...]]:
    """Word triples of a prompt's stems (stopwords kept: near-copies keep them too)."""
    words = text.stems(prompt)
    if len(words) < SHINGLE:
        return frozenset({tuple(words)})
    return frozenset(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of two prompts' word triples (1.0 = same wording)."""
    left, right = _shingles(a), _shingles(b)
    union = left | right
    return len(left & right) / len(union) if union else 0.0


def near_duplicates(bank: Bank, threshold: float = THRESHOLD) -> list[BankProblem]:
    """One problem for each pair of questions whose prompts are at least `threshold` similar."""
    items = list(bank.questions.values())
    shingles = {item.id: _shingles(item.question.prompt) for item in items}
    problems = []
    for a, b in combinations(items, 2):
        left, right = shingles[a.id], shingles[b.id]
        union = len(left | right)
        score = len(left & right) / union if union else 0.0
        if score >= threshold:
            problems.append(
                question_problem(
                    b, f"prompt is a near-duplicate of {a.id} ({a.source}:{a.line}), similarity {score:.2f}"
                )
            )
    return problems
