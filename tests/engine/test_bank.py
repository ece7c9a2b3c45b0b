"""Bank loading: a valid bank loads; every kind of mistake is reported with file, line and question id."""

from __future__ import annotations

import pytest

from bot.engine.bank import TOPICS_PATH, load_bank

CALC = "question_bank/maths/calculus.yaml"
REG = "question_bank/ml/regularisation.yaml"
ARR = "question_bank/coding/arrays.yaml"


def _problems(files: dict[str, str]) -> list[str]:
    """Load and render every problem as `file:line: id: message`."""
    return [str(p) for p in load_bank(files)[1]]


def test_valid_bank_loads(texts: dict[str, str]) -> None:
    """The small bank loads with every question, topic and rubric and no problems."""
    bank, problems = load_bank(texts)
    assert problems == []
    assert len(bank.questions) == 7
    assert set(bank.topics) == {"calculus", "regularisation", "arrays"}
    assert "concept-explanation" in bank.rubrics
    assert bank.get("calc-derivative").topic == "calculus"  # type: ignore[union-attr]
    assert [q.id for q in bank.select(kind="coding")] == ["arr-two-sum", "arr-mean"]


def test_question_lines_are_recorded(texts: dict[str, str]) -> None:
    """Each question remembers the line it starts on."""
    bank, _ = load_bank(texts)
    assert bank.get("calc-value").line == 14  # type: ignore[union-attr]


ARRAYS_MEAN_TESTS = """\
    tests:
      - {args: [[1, 2]], expected: 1.5, sample: true}
    check: |
      def check(candidate):
          assert abs(candidate([1, 2, 3, 4]) - 2.5) < 1e-9
"""
MISTAKES = [
    # (name, file, old, new, expected text in a problem)
    (
        "unknown key",
        CALC,
        "    hints: [Use",
        "    hintz: [Use",
        f"{CALC}:7: calc-derivative: hintz: unknown key `hintz`",
    ),
    (
        "missing prompt",
        CALC,
        "    prompt: What is the derivative of x^3 at x = 2?\n",
        "",
        f"{CALC}:14: calc-value: prompt: required key is missing",
    ),
    ("bad id", CALC, "id: calc-value", "id: Calc_Value", "id: String should match pattern"),
    (
        "difficulty out of range",
        CALC,
        "difficulty: 2\n    prompt: Differentiate",
        "difficulty: 7\n    prompt: Differentiate",
        f"{CALC}:5: calc-derivative: difficulty: Input should be less than or equal to 5",
    ),
    (
        "two answer forms",
        CALC,
        "      value: 12",
        "      value: 12\n      expression: x",
        "calc-value: answer: answer needs exactly one of expression, value or choices (found: expression, value)",
    ),
    ("choice index out of range", CALC, "      correct: 0", "      correct: 5", "`correct` index 5 is out of range"),
    (
        "unknown kind",
        CALC,
        "kind: maths\n    difficulty: 1\n    prompt: Which",
        "kind: essay\n    difficulty: 1\n    prompt: Which",
        "calc-choice: kind must be one of coding, maths, concept",
    ),
    (
        "topic not in taxonomy",
        REG,
        "topic: regularisation",
        "topic: regularization",
        "topic `regularization` is not in topics.yaml",
    ),
    (
        "missing rubric",
        REG,
        "    difficulty: 1\n    prompt: What does dropout",
        "    rubric: nope\n    difficulty: 1\n    prompt: What does dropout",
        "reg-dropout: rubric `nope` not found in rubrics/",
    ),
    ("coding without tests", ARR, ARRAYS_MEAN_TESTS, "", "arr-mean: a coding question needs `tests`, `check`, or both"),
    (
        "duplicate key",
        ARR,
        "    difficulty: 1\n    prompt: Return the mean",
        "    difficulty: 1\n    difficulty: 2\n    prompt: Return the mean",
        "duplicate key `difficulty`",
    ),
    (
        "yaml syntax",
        CALC,
        "    solution: 2x sin x + x^2 cos x.",
        "    solution: [2x sin x",
        f"{CALC}:9: -: YAML syntax error",
    ),
    (
        "duplicate key point id",
        REG,
        "      - id: l2-shrinks",
        "      - id: l1-sparse",
        "duplicate key point or misconception id: l1-sparse",
    ),
    (
        "misconception without phrases",
        REG,
        "        phrases: [l2 makes weights sparse, l2 gives sparse, l2 produces sparse]\n",
        "",
        "reg-l1-l2: misconceptions.0.phrases: required key is missing",
    ),
]


@pytest.mark.parametrize(("name", "file", "old", "new", "expected"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_mistakes_are_located(texts: dict[str, str], name: str, file: str, old: str, new: str, expected: str) -> None:
    """Each mistake yields a problem naming its file, line and question."""
    assert old in texts[file], f"fixture text for {name} changed"
    texts[file] = texts[file].replace(old, new, 1)
    problems = _problems(texts)
    assert any(expected in p for p in problems), problems
    assert all(p.split(":")[0].startswith(("question_bank/", "rubrics/")) for p in problems)


def test_duplicate_question_id_names_both_places(texts: dict[str, str]) -> None:
    """A question id used twice is reported at the second place (files load in path order), naming the first."""
    texts[ARR] = texts[ARR].replace("id: arr-mean", "id: calc-value")
    problems = _problems(texts)
    assert any(p.startswith(f"{CALC}:14: calc-value: duplicate question id (also at {ARR}:33)") for p in problems), (
        problems
    )


def test_question_in_wrong_area_folder(texts: dict[str, str]) -> None:
    """A file whose topic belongs to another area is reported."""
    texts["question_bank/coding/regularisation.yaml"] = texts.pop(REG)
    problems = _problems(texts)
    assert any("so its file belongs in question_bank/ml/" in p for p in problems), problems


def test_file_name_must_match_topic(texts: dict[str, str]) -> None:
    """A topic file is named after its topic."""
    texts["question_bank/maths/calc.yaml"] = texts.pop(CALC)
    assert any("file name must match its topic: expected calculus.yaml" in p for p in _problems(texts))


def test_missing_taxonomy(texts: dict[str, str]) -> None:
    """Without topics.yaml every topic is unknown, and the missing file is named."""
    del texts[TOPICS_PATH]
    problems = _problems(texts)
    assert f"{TOPICS_PATH}:1: -: missing: the bank needs a topic taxonomy" in problems


def test_unexpected_files(texts: dict[str, str]) -> None:
    """Files outside the format's places are reported, not silently ignored."""
    texts["question_bank/maths/notes.md"] = "# notes"
    texts["question_bank/extra.yaml"] = "topic: x"
    texts["rubrics/sub/r.yaml"] = "title: x"
    problems = _problems(texts)
    assert sum("unexpected file" in p for p in problems) == 3, problems


def test_duplicate_topic_id(texts: dict[str, str]) -> None:
    """A topic id defined twice in the taxonomy is reported."""
    texts[TOPICS_PATH] += "  - id: arrays\n    title: Again\n    area: coding\n    description: Again.\n"
    assert any("duplicate topic id `arrays`" in p for p in _problems(texts))


def test_rubric_levels_must_be_numbered(texts: dict[str, str]) -> None:
    """Rubric levels start at 0 without gaps."""
    texts["rubrics/concept-explanation.yaml"] = texts["rubrics/concept-explanation.yaml"].replace(
        "2: right", "3: right"
    )
    problems = _problems(texts)
    assert any(p.startswith("rubrics/concept-explanation.yaml:6: -: criteria.0.levels: ") for p in problems), problems


def test_every_problem_is_reported_at_once(texts: dict[str, str]) -> None:
    """Several broken files give several problems in one pass."""
    texts[CALC] = texts[CALC].replace("hints:", "hintz:")
    texts[ARR] = texts[ARR].replace("entry_point: mean", "entry_point: 'no good'")
    texts[REG] = texts[REG].replace("topic: regularisation", "topic: nope")
    assert len(_problems(texts)) >= 3


def test_empty_bank(texts: dict[str, str]) -> None:
    """A bank with a taxonomy but no question files says so."""
    bank, problems = load_bank({TOPICS_PATH: texts[TOPICS_PATH]})
    assert [p.message for p in problems] == ["the bank has no questions"]
    assert bank.questions == {}
