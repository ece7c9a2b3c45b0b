"""The SQLite store: migrations, transactions, WAL, and clear errors for files that are not ours."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.store import APPLICATION_ID, Attempt, OpenQuestion, Store, StoreError
from bot.engine.mastery import update_mastery

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _attempt(user_id: int, question_id: str = "q1", score: float = 1.0) -> Attempt:
    """A graded attempt."""
    return Attempt(
        user_id=user_id,
        question_id=question_id,
        topic="calculus",
        kind="maths",
        difficulty=2,
        answer="2x",
        score=score,
        passed=score >= 0.7,
        verdict="correct" if score >= 0.7 else "incorrect",
        grader="maths",
        feedback="ok",
        started_at=NOW,
        submitted_at=NOW,
    )


def test_fresh_file_is_created_migrated_and_marked(tmp_path: Path) -> None:
    """A new file gets the schema, WAL mode and our application id."""
    path = tmp_path / "new.db"
    store = Store.open(path)
    assert {"users", "attempts", "mastery", "open_questions"} <= set(store.db.table_names())
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    store.close()


def test_data_survives_reopening(tmp_path: Path) -> None:
    """Attempts and mastery written once are there after reopening; migrations are not re-applied."""
    path = tmp_path / "m.db"
    store = Store.open(path)
    user = store.user("cli:ana", "ana")
    store.record_attempt(_attempt(user.id), update_mastery(None, "calculus", 1.0, 2, NOW))
    store.close()
    again = Store.open(path)
    assert again.user("cli:ana").id == user.id
    assert [a.question_id for a in again.attempts(user.id)] == ["q1"]
    assert again.masteries(user.id)["calculus"].attempts == 1
    assert again.attempts(user.id)[0].submitted_at == NOW
    again.close()


def test_deleting_the_file_starts_over(tmp_path: Path) -> None:
    """Removing mlprep.db (and its WAL files) and opening again just works."""
    path = tmp_path / "mlprep.db"
    Store.open(path).close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = Store.open(path)
    assert store.attempts(store.user("cli:x").id) == []
    store.close()


def test_corrupt_file_gets_a_clear_error(tmp_path: Path) -> None:
    """A file that is not SQLite is refused with the path and a way out."""
    path = tmp_path / "mlprep.db"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match=r"mlprep.db is not a usable SQLite database .* set MLPREP_DB"):
        Store.open(path)
    assert path.read_bytes().startswith(b"this is not")


def test_foreign_database_is_left_alone(tmp_path: Path) -> None:
    """Another program's SQLite file is refused and not modified."""
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program .*invoices"):
        Store.open(path)
    assert path.read_bytes() == before


def test_folder_instead_of_file(tmp_path: Path) -> None:
    """MLPREP_DB pointing at a folder gets a clear error."""
    with pytest.raises(StoreError, match="is a folder"):
        Store.open(tmp_path)


def test_failed_write_is_rolled_back() -> None:
    """If part of a recorded attempt fails, nothing of it is saved."""
    store = Store.memory()
    user = store.user("cli:bo")
    bad_mastery = update_mastery(None, "calculus", 1.0, 2, NOW).model_copy(update={"attempts": None})
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute(
            "CREATE TRIGGER no_null BEFORE INSERT ON mastery WHEN NEW.attempts IS NULL "
            "BEGIN SELECT RAISE(ABORT, 'attempts is null'); END"
        )
        store.record_attempt(_attempt(user.id), bad_mastery)
    assert store.attempts(user.id) == []


def test_open_questions() -> None:
    """Opening, replacing and closing a user's open question."""
    store = Store.memory()
    user = store.user("cli:cy")
    assert store.open_question(user.id) is None
    store.set_open_question(OpenQuestion(user_id=user.id, question_id="q1", started_at=NOW))
    store.set_open_question(OpenQuestion(user_id=user.id, question_id="q2", started_at=NOW, hints_used=1))
    assert store.open_question(user.id) == OpenQuestion(user_id=user.id, question_id="q2", started_at=NOW, hints_used=1)
    store.record_attempt(_attempt(user.id, "q2"), None)
    assert store.open_question(user.id) is None
    assert store.attempted_question_ids(user.id) == {"q2"}


def test_users_are_separate() -> None:
    """One user's attempts never show up for another."""
    store = Store.memory()
    a, b = store.user("discord:1"), store.user("discord:2")
    store.record_attempt(_attempt(a.id, "q1"), None)
    assert store.attempts(b.id) == [] and store.find_user("discord:3") is None
