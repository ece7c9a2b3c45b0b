"""The `mlprep` command end to end, as a user runs it: real processes, a temporary database and bank."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., subprocess.CompletedProcess[str]]
LOCATED = re.compile(r"^[^:\s]+:\d+: [a-z0-9-]+: .+$")


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """Run `python -m bot ...` in a temporary folder with its own database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLPREP_", "DISCORD_", "OPENAI_"))}
    env["MLPREP_EMBEDDINGS"] = "off"  # same grades whether or not the embeddings extra is installed
    env["MLPREP_DB"] = str(tmp_path / "test.db")

    def invoke(
        *args: str,
        stdin: str = "",
        bank: Path | None = None,
        extra_env: dict[str, str | None] | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        merged = {**env, **(extra_env or {})}
        full_env = {k: v for k, v in merged.items() if v is not None}
        if bank is not None:
            full_env["MLPREP_BANK_DIR"] = str(bank)
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=full_env,
            timeout=timeout,
            check=False,
        )

    return invoke


def test_help_lists_every_command(run: Run) -> None:
    """`mlprep --help` names the contract's commands."""
    result = run("--help")
    assert result.returncode == 0
    for command in ("bank", "grade", "grade-batch", "practice", "stats"):
        assert command in result.stdout


def test_console_script_is_installed() -> None:
    """The `mlprep` console script sits beside the interpreter."""
    script = Path(sys.executable).parent / "mlprep"
    found = script if script.exists() else shutil.which("mlprep")
    assert found, "mlprep console script not installed"
    result = subprocess.run([str(found), "--version"], capture_output=True, text=True, check=False)
    assert result.stdout.startswith("mlprep ")


def test_shipped_bank_validates(run: Run) -> None:
    """The shipped bank passes every self-check and every coverage minimum (`--strict`, as issue 6 asks of CI)."""
    result = run("bank", "validate", "--strict", timeout=600)  # ~2 min: every reference and wrong solution is judged
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.match(r"ok: \d+ questions \(\d+ coding, \d+ concept, \d+ maths\) in \d+ topics", result.stdout)


def test_docs_coverage_table_matches_the_bank(run: Run) -> None:
    """docs/question-bank.md shows exactly what `mlprep bank stats --markdown` prints for the shipped bank."""
    table = run("bank", "stats", "--markdown").stdout.strip()
    docs = (Path(__file__).resolve().parents[2] / "docs" / "question-bank.md").read_text(encoding="utf-8")
    assert table.startswith("| area | topic |") and table in docs, "regenerate with: mlprep bank stats --markdown"


def test_shipped_bank_stats_json(run: Run) -> None:
    """`bank stats --json` follows the contract and shows the shipped bank's coverage numbers."""
    result = run("bank", "stats", "--json")
    data = json.loads(result.stdout)
    assert {"questions", "by_kind", "by_topic", "by_difficulty", "numpy_coding", "by_area_difficulty"} <= set(data)
    assert data["questions"] >= 450 and data["numpy_coding"] >= 30
    assert data["by_kind"]["coding"] >= 120 and data["by_kind"]["maths"] >= 120 and data["by_kind"]["concept"] >= 180
    assert min(data["by_topic"].values()) >= 8
    for levels in data["by_area_difficulty"].values():
        assert len(levels) == 5 and max(levels.values()) <= 0.4 * sum(levels.values())
    assert sum(data["by_topic"].values()) == data["questions"]


BROKEN = {
    # file, old, new, expected message part
    "reference fails": (
        "question_bank/coding/arrays.yaml",
        "return sum(xs) / len(xs)",
        "return 0",
        "arr-mean: reference_solution fails its own tests (wrong_answer)",
    ),
    "bad expression": (
        "question_bank/maths/calculus.yaml",
        "expression: 2*x*sin(x) + x**2*cos(x)",
        "expression: 2*x*sin(x) +",
        "calc-derivative: answer.expression: could not read",
    ),
    "reference misses key points": (
        "question_bank/ml/regularisation.yaml",
        "drives many weights to exactly zero, giving\n      sparse models",
        "changes the weights",
        "reg-l1-l2: reference_answer scores 0.33 against its own key points",
    ),
    "starter does not parse": (
        "question_bank/coding/arrays.yaml",
        "def two_sum(nums, target):\n          pass",
        "def two_sum(nums, target)\n          pass",
        "arr-two-sum: starter_code does not parse",
    ),
    "wrong answer scores": (
        "question_bank/ml/regularisation.yaml",
        "- Both of them make the model larger so that it fits the training data better.",
        "- L1 gives sparse models with weights at exactly zero; L2 shrinks weights smoothly.",
        "reg-l1-l2: wrong_answers[1] scores 1.00 (must be <= 0.4)",
    ),
    "unknown key": (
        "question_bank/maths/calculus.yaml",
        "    prompt: Which function is convex?",
        "    prompt: Which function is convex?\n    sourc: a book",
        "calc-choice: sourc: unknown key `sourc`",
    ),
}


def test_broken_bank_fails_with_located_messages(
    run: Run, texts: dict[str, str], make_bank_dir: Callable[[dict[str, str]], Path]
) -> None:
    """`bank validate` prints every problem as file:line: question-id: message and exits 1."""
    for file, old, new, _ in BROKEN.values():
        assert old in texts[file], old
        texts[file] = texts[file].replace(old, new, 1)
    result = run("bank", "validate", "--bank-dir", str(make_bank_dir(texts)))
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert all(LOCATED.match(line) for line in lines), lines
    for name, (_, _, _, expected) in BROKEN.items():
        assert any(expected in line for line in lines), (name, lines)


SELF_CHECKS = {
    # name: (file, [(old, new), ...], expected lines)
    "wrong solution passes": (
        "question_bank/coding/arrays.yaml",
        [
            ("return [target - n, n]", "return [nums.index(target - n), len(seen)]"),
            ("seen.add(n)", "seen.add(n) if n not in seen else seen.add(-n - 10**9)"),
        ],
        ["arr-two-sum: wrong_solutions[1] (returns the values instead of their positions) passes every test"],
    ),
    "maths forms": (
        "question_bank/maths/calculus.yaml",
        [('"x(2sin x + x cos x)"', '"x(2sin x + cos x)"'), ('"x^2 cos(x)"]', '"x^2 cos(x) + 2 x sin(x)", "2x +"]')],
        [
            "calc-derivative: equivalent_forms[2] `x(2sin x + cos x)` is not accepted",
            "calc-derivative: wrong_forms[2] `x^2 cos(x) + 2 x sin(x)` is accepted as correct",
            "calc-derivative: wrong_forms[3] `2x +` cannot be read",
        ],
    ),
}


@pytest.mark.parametrize("name", list(SELF_CHECKS))
def test_self_check_keys_are_enforced(
    run: Run, texts: dict[str, str], make_bank_dir: Callable[[dict[str, str]], Path], name: str
) -> None:
    """A wrong solution the tests accept, or a listed maths form that grades the other way, fails validate."""
    file, edits, expected = SELF_CHECKS[name]
    for old, new in edits:
        assert old in texts[file], old
        texts[file] = texts[file].replace(old, new, 1)
    result = run("bank", "validate", "--bank-dir", str(make_bank_dir(texts)))
    assert result.returncode == 1
    for line in expected:
        assert line in result.stdout, result.stdout


def test_validate_accepts_the_small_bank(run: Run, mini_bank_dir: Path) -> None:
    """The fixture bank is valid, via --bank-dir."""
    result = run("bank", "validate", "--bank-dir", str(mini_bank_dir))
    assert result.returncode == 0, result.stdout
    assert "ok: 7 questions (2 coding, 2 concept, 3 maths) in 3 topics, 1 rubric(s)" in result.stdout


def test_not_a_bank_folder(run: Run, tmp_path: Path) -> None:
    """A folder without question_bank/ is named as such."""
    result = run("bank", "validate", "--bank-dir", str(tmp_path))
    assert result.returncode == 1
    assert "not a bank folder" in result.stdout


def test_schema_is_json_schema(run: Run, tmp_path: Path) -> None:
    """`bank schema` writes a JSON Schema describing topic files."""
    result = run("bank", "schema", "-o", "schema.json")
    assert result.returncode == 0
    schema = json.loads((tmp_path / "schema.json").read_text())
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["properties"]["questions"]["type"] == "array"
    assert schema["additionalProperties"] is False


def test_grade_one_answer(run: Run, mini_bank_dir: Path, tmp_path: Path) -> None:
    """`grade` prints a verdict; --json gives the full result; --answer-file reads a file."""
    text = run("grade", "calc-value", "--answer", "12", bank=mini_bank_dir)
    assert text.returncode == 0 and text.stdout.startswith("✓ correct")
    (tmp_path / "answer.txt").write_text("L2 makes weights sparse.")
    data = json.loads(run("grade", "reg-l1-l2", "--answer-file", "answer.txt", "--json", bank=mini_bank_dir).stdout)
    assert data["question_id"] == "reg-l1-l2" and data["score"] == 0.0
    assert data["misconceptions"][0]["id"] == "l2-sparse"
    missing = run("grade", "nope", "--answer", "1", bank=mini_bank_dir)
    assert missing.returncode == 1 and missing.stderr.strip() == "error: There is no question `nope` in the bank."


def test_grade_batch_contract(run: Run, mini_bank_dir: Path, tmp_path: Path) -> None:
    """Each line keeps id and question_id and adds the result fields; bad lines get `error` and the batch goes on."""
    lines = [
        {"id": 1, "question_id": "calc-derivative", "answer": "2x sin x + x^2 cos x"},
        {"id": "b", "question_id": "reg-l1-l2", "answer": "L1 gives sparse weights. L2 shrinks weights."},
        {"id": 3, "question_id": "arr-mean", "answer": "def mean(xs):\n    return max(xs)"},
        {"id": 4, "question_id": "no-such-question", "answer": "x"},
        {"id": 5, "question_id": "calc-value"},
    ]
    body = "\n".join(json.dumps(line) for line in lines) + "\n{not json\n\n"
    (tmp_path / "in.jsonl").write_text(body)
    result = run("grade-batch", "in.jsonl", "-o", "out.jsonl", bank=mini_bank_dir)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(out) == 6
    first, concept, code, unknown, no_answer, not_json = out
    assert (first["id"], first["question_id"], first["verdict"], first["passed"], first["score"]) == (
        1,
        "calc-derivative",
        "correct",
        True,
        1.0,
    )
    assert first["grader"] == "maths" and "points" not in first
    assert concept["points"] == [{"id": "l1-sparse", "hit": True}, {"id": "l2-shrinks", "hit": True}]
    assert concept["verdict"] == "correct" and concept["grader"] == "keypoints"
    assert code["verdict"] == "wrong_answer" and code["passed"] is False and 0 <= code["score"] < 1
    assert set(code) >= {"id", "question_id", "score", "passed", "verdict", "grader", "feedback"}
    assert unknown["id"] == 4 and unknown["question_id"] == "no-such-question"
    assert "no question `no-such-question`" in unknown["error"]
    assert no_answer["id"] == 5 and "answer" in no_answer["error"]
    assert not_json["error"].startswith("invalid JSON") and not_json["line"] == 6
    assert "graded 3 line(s), 3 error line(s)" in result.stderr


def test_grade_batch_from_stdin_to_stdout(run: Run, mini_bank_dir: Path) -> None:
    """`-` reads stdin; without -o results go to stdout."""
    result = run(
        "grade-batch", "-", stdin='{"id": 9, "question_id": "calc-choice", "answer": "a"}\n', bank=mini_bank_dir
    )
    assert json.loads(result.stdout)["verdict"] == "correct"


SCRIPT = """\
:hint
L1 regularisation drives weights to exactly zero, so models are sparse.
L2 shrinks weights smoothly.
.
:stats
Dropout randomly zeroes activations during training so units cannot co-adapt.
.
"""


def test_scripted_practice_then_stats(run: Run, mini_bank_dir: Path) -> None:
    """A piped practice session answers questions, and the attempts appear in `mlprep stats`.

    With no history the policy opens the topic at the level nearest 70% predicted success (difficulty 2 here).
    """
    result = run("practice", "--kind", "concept", "--user", "ana", stdin=SCRIPT, bank=mini_bank_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Question ") == 2
    assert "This question has no hints." in result.stdout
    assert result.stdout.count("✓ correct") == 2
    assert "Session over: 2 answered (average 100%), 0 skipped." in result.stdout
    assert "Weakest topics: Regularisation" in result.stdout
    stats = json.loads(run("stats", "--user", "ana", "--json", bank=mini_bank_dir).stdout)
    assert stats["total_attempts"] == 2
    assert stats["topics"][0]["topic"] == "regularisation" and stats["topics"][0]["attempts"] == 2
    table = run("stats", "--user", "ana", bank=mini_bank_dir).stdout
    assert "Regularisation" in table and "Weakest topics" in table and "Reviews due now: none; next one" in table


def test_weak_and_chart(run: Run, mini_bank_dir: Path, tmp_path: Path) -> None:
    """`mlprep weak` explains the weakest topics with a next step; `stats --chart` writes a PNG."""
    script = "L2 makes weights sparse.\n.\n:skip\n:quit\n"
    run("practice", "--topic", "regularisation", "--user", "di", stdin=script, bank=mini_bank_dir)
    weak = json.loads(run("weak", "--user", "di", "--json", bank=mini_bank_dir).stdout)
    assert weak[0]["topic"] == "regularisation" and weak[0]["reasons"] and 1 <= weak[0]["next_level"] <= 5
    text = run("weak", "--user", "di", bank=mini_bank_dir).stdout
    assert "1. Regularisation: mastery" in text and "Next: mlprep practice --user di --topic regularisation" in text
    chart = run("stats", "--user", "di", "--chart", "progress.png", bank=mini_bank_dir)
    assert chart.returncode == 0 and "chart written to progress.png" in chart.stderr
    assert (tmp_path / "progress.png").read_bytes().startswith(b"\x89PNG")


def test_practice_skip_quit_and_retry(run: Run, mini_bank_dir: Path) -> None:
    """`:skip` reveals the solution; an unreadable answer asks again; `:quit` ends with a summary."""
    script = "2x+\n.\n:skip\n:quit\n"
    result = run(
        "practice", "--topic", "calculus", "--difficulty", "2", "--user", "bo", stdin=script, bank=mini_bank_dir
    )
    assert "could not read `2x+`: expression ends early" in result.stdout
    assert "Not recorded: try again, or :skip." in result.stdout
    assert "Skipped: here is how to answer it." in result.stdout and "Solution:" in result.stdout
    assert "You have seen every question matching those filters" in result.stdout
    assert "Session over: 0 answered (average 0%), 1 skipped." in result.stdout


def test_practice_on_the_shipped_bank(run: Run) -> None:
    """The shipped bank works for a scripted session with the default database location."""
    result = run(
        "practice",
        "--kind",
        "concept",
        "--user",
        "cy",
        stdin="I am not sure.\n.\n:quit\n",
        extra_env={"MLPREP_DB": "mlprep.db"},
    )
    assert result.returncode == 0, result.stderr
    assert "Question 1" in result.stdout and "Session over: 1 answered" in result.stdout


def test_unknown_topic(run: Run, mini_bank_dir: Path) -> None:
    """An unknown --topic lists the real ones."""
    result = run("practice", "--topic", "nope", bank=mini_bank_dir)
    assert result.returncode == 1
    assert "There is no topic `nope`. Topics: arrays, calculus, regularisation." in result.stderr


def test_corrupt_database_is_a_clear_error(run: Run, tmp_path: Path, mini_bank_dir: Path) -> None:
    """A corrupt database gives one clear line, no traceback, and is not modified."""
    (tmp_path / "test.db").write_bytes(b"garbage" * 500)
    result = run("stats", "--user", "ana", bank=mini_bank_dir)
    assert result.returncode == 1
    assert "is not a usable SQLite database" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "test.db").read_bytes() == b"garbage" * 500


def test_invalid_setting_is_a_clear_error(run: Run) -> None:
    """A malformed setting names itself."""
    result = run("stats", extra_env={"MLPREP_CODE_MEMORY_MB": "lots"})
    assert result.returncode == 2
    assert "invalid setting: MLPREP_CODE_MEMORY_MB" in result.stderr


def test_broken_bank_stops_practice(
    run: Run, texts: dict[str, str], make_bank_dir: Callable[[dict[str, str]], Path]
) -> None:
    """Practice refuses a bank with schema problems and points to `bank validate`."""
    texts["question_bank/maths/calculus.yaml"] += "    oops: 1\n"
    result = run("practice", bank=make_bank_dir(texts))
    assert result.returncode == 1
    assert "run `mlprep bank validate`" in result.stderr


def test_settings_come_from_dotenv(run: Run, tmp_path: Path, mini_bank_dir: Path) -> None:
    """A `.env` file in the working directory sets MLPREP_DB and MLPREP_BANK_DIR."""
    (tmp_path / ".env").write_text(f"MLPREP_DB=from-dotenv.db\nMLPREP_BANK_DIR={mini_bank_dir}\n")
    result = run("practice", "--topic", "calculus", "--user", "dee", stdin=":quit\n", extra_env={"MLPREP_DB": None})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-dotenv.db").exists()
    assert "Calculus" in result.stdout


def test_eval_reports_agreement(run: Run, mini_bank_dir: Path, tmp_path: Path) -> None:
    """`mlprep eval --json` grades human-scored answers and reports the agreement metrics."""
    lines = [
        {
            "question_id": "reg-l1-l2",
            "answer": "L1 gives sparse weights, exactly zero. L2 shrinks weights.",
            "score": 5,
        },
        {"question_id": "reg-l1-l2", "answer": "L1 is sparse.", "score": 3},
        {"question_id": "reg-l1-l2", "answer": "No idea.", "score": 0, "tag": "weak"},
        {"question_id": "reg-l1-l2", "answer": "L2 makes weights sparse.", "score": 0, "tag": "swapped"},
        {"question_id": "nope", "answer": "x", "score": 1},
    ]
    (tmp_path / "graded.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = run("eval", "graded.jsonl", "--json", bank=mini_bank_dir)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["n"] == 4 and report["errors"] == ["unknown question nope"]
    assert report["spearman"] > 0.9 and report["adversarial_violations"] == 0
    assert set(report) >= {"pearson", "spearman", "qwk", "exact", "adjacent", "worst", "by_tag", "answers_per_s"}


def test_bench_selection_reports_latency(run: Run, mini_bank_dir: Path) -> None:
    """`mlprep bench selection` builds a history through the service and reports pick latency as JSON."""
    result = run(
        "bench", "selection", "--questions", "12", "--attempts", "40", "--runs", "5", "--json", bank=mini_bank_dir
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["questions"] == 12 and data["attempts"] == 40 and data["runs"] == 5
    assert 0 < data["median_ms"] <= data["p95_ms"] <= data["max_ms"] and data["reviews"] <= 12
