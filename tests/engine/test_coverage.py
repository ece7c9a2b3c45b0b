"""Coverage rules for the shipped bank, bank statistics and the near-duplicate check."""

from __future__ import annotations

from bot.engine.bank import load_bank
from bot.engine.coverage import MIN_TOTAL, bank_stats, coverage_problems
from bot.engine.duplicates import near_duplicates, similarity

CALC = "question_bank/maths/calculus.yaml"


def test_stats_count_every_way(texts: dict[str, str]) -> None:
    """Stats count kinds, topics, levels per area and NumPy questions."""
    bank, _ = load_bank(texts)
    stats = bank_stats(bank)
    assert stats.questions == 7
    assert stats.by_kind == {"coding": 2, "concept": 2, "maths": 3}
    assert stats.by_area_difficulty["maths"] == {"1": 2, "2": 1}
    assert stats.by_topic_difficulty["arrays"] == {"1": 1, "2": 1}
    assert stats.numpy_coding == 0
    assert stats.with_solution == 1


def test_small_bank_falls_short_everywhere(texts: dict[str, str]) -> None:
    """The fixture bank misses the totals and the per-question minimums, each named with its question."""
    bank, _ = load_bank(texts)
    messages = [str(p) for p in coverage_problems(bank)]
    expected = [
        f"the bank has 7 questions; the shipped bank needs at least {MIN_TOTAL}",
        "0 NumPy coding questions; at least 30 needed",
        "topic calculus has 3 questions; at least 8 needed",
        "area ml has no questions of difficulty 3, 4, 5",
        "area maths: 2 of 3 questions (67%) are difficulty 1; at most 40% may share one level",
        "calc-value: needs a worked `solution`",
        "reg-l1-l2: has 2 key points; needs 3-6",
        "reg-dropout: has 0 `wrong_answers`; needs at least 2",
        "arr-two-sum: has 1 sample tests; needs at least 2",
        "arr-two-sum: has 2 hidden tests; needs at least 8 (or a `check`)",
        "arr-mean: needs at least 1 entry in `wrong_solutions`",
    ]
    for line in expected:
        assert any(line in m for m in messages), (line, messages)
    assert not any("key points with fewer than" in m for m in messages)


def test_hints_are_required_from_difficulty_three(texts: dict[str, str]) -> None:
    """A difficulty-3 question without hints is a coverage problem; below 3 it is not."""
    texts[CALC] = texts[CALC].replace(
        "difficulty: 1\n    prompt: What is the derivative", "difficulty: 3\n    prompt: What is the derivative"
    )
    bank, _ = load_bank(texts)
    messages = [str(p) for p in coverage_problems(bank)]
    assert any("calc-value: difficulty 3 needs `hints`" in m for m in messages)
    assert not any("calc-choice: difficulty" in m for m in messages)


def test_near_duplicate_prompts_are_found(texts: dict[str, str]) -> None:
    """A lightly reworded copy of a prompt is flagged, naming both questions; distinct prompts are not."""
    copy = texts[CALC].replace(
        "questions:\n",
        "questions:\n  - id: calc-derivative-again\n    kind: maths\n"
        "    difficulty: 2\n    prompt: Please differentiate x^2 sin(x).\n"
        "    answer:\n      value: 1\n",
        1,
    )
    bank, problems = load_bank({**texts, CALC: copy})
    assert problems == []
    found = [str(p) for p in near_duplicates(bank)]
    assert len(found) == 1
    assert "calc-derivative: prompt is a near-duplicate of calc-derivative-again" in found[0]
    assert near_duplicates(load_bank(texts)[0]) == []


def test_similarity_is_symmetric_and_bounded() -> None:
    """Identical prompts score 1, unrelated ones 0, in either order."""
    a, b = "Explain how dropout regularises a network.", "Find the eigenvalues of a 2 by 2 matrix."
    assert similarity(a, a) == 1.0
    assert similarity(a, b) == similarity(b, a) == 0.0
