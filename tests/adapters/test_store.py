"""The SQLite store: migrations, transactions, WAL, and clear errors for files that are not ours."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils

from bot.adapters.store import APPLICATION_ID, Attempt, AttemptProgress, OpenQuestion, Store, StoreError
from bot.adapters.store.migrations import migrations
from bot.engine.review import LEECH_FAILS, due_reviews, resting, review
from bot.engine.skill import TopicSkill, initial_item, update_item, update_skill

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


def _progress(score: float = 1.0, question_id: str = "q1") -> AttemptProgress:
    """The skill, item and review change of one attempt on a difficulty-2 calculus question."""
    item = initial_item(question_id, 2)
    skill = TopicSkill(topic="calculus")
    return AttemptProgress(
        skill=update_skill(skill, item, score, NOW),
        item=update_item(item, skill.rating, score),
        review=review(None, question_id, score, 0, NOW),
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
    progress = _progress()
    store.record_attempt(_attempt(user.id), progress)
    store.close()
    again = Store.open(path)
    assert again.user("cli:ana").id == user.id
    assert [a.question_id for a in again.attempts(user.id)] == ["q1"]
    assert again.skills(user.id)["calculus"] == progress.skill
    assert again.item("q1") == progress.item
    assert again.review(user.id, "q1") == progress.review
    assert [p.rating for p in again.skill_history(user.id)] == [progress.skill.rating]
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
    store.db.execute(
        "CREATE TRIGGER no_history BEFORE INSERT ON skill_history BEGIN SELECT RAISE(ABORT, 'history is full'); END"
    )
    with pytest.raises(sqlite3.IntegrityError):
        store.record_attempt(_attempt(user.id), _progress())
    assert store.attempts(user.id) == []
    assert store.skills(user.id) == {} and store.reviews(user.id) == [] and store.item("q1") is None


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


def test_old_database_is_backfilled_from_its_attempts(tmp_path: Path) -> None:
    """A database from before skills and reviews gets them rebuilt from its attempts, so no progress is lost."""
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    migrations.apply(db, stop_before="m006_adaptive")
    user_id = (
        db["users"].insert({"external_id": "cli:old", "display_name": "old", "created_at": NOW.isoformat()}).last_pk
    )
    for index, score in enumerate([0.0] * LEECH_FAILS + [1.0]):
        row = _attempt(user_id, "q1" if index < LEECH_FAILS else "q2", score).model_dump(exclude={"id"})
        at = NOW.replace(day=1 + index).isoformat()
        row.update(passed=int(row["passed"]), started_at=at, submitted_at=at)
        db["attempts"].insert(row)
    db.close()
    store = Store.open(path)
    skill = store.skills(user_id)["calculus"]
    assert skill.attempts == LEECH_FAILS + 1 and skill.last_at == NOW.replace(day=1 + LEECH_FAILS)
    q1 = store.review(user_id, "q1")
    assert q1 is not None and q1.leech and q1.lapses == LEECH_FAILS
    assert store.item("q1") is not None and store.item("q1").attempts == LEECH_FAILS
    assert len(store.skill_history(user_id)) == LEECH_FAILS + 1
    store.close()


def test_daily_pick_keeps_the_first() -> None:
    """Two racing picks for the same server and day: the first stands and both callers see it."""
    store = Store.memory()
    assert store.daily_pick("guild:1", "2026-03-01") is None
    assert store.save_daily_pick("guild:1", "2026-03-01", "q1") == "q1"
    assert store.save_daily_pick("guild:1", "2026-03-01", "q2") == "q1"
    assert store.daily_picks("guild:1") == ["q1"]
    assert store.save_daily_pick("guild:1", "2026-03-01", "q3", replace=True) == "q3"  # q1 left the bank


def test_deleting_a_user_removes_skills_reviews_and_history() -> None:
    """Erasure covers the adaptive tables too."""
    store = Store.memory()
    user = store.user("cli:gone")
    store.record_attempt(_attempt(user.id), _progress())
    store.save_daily_pick("user:cli:gone", "2026-03-01", "q1")
    store.save_daily_pick("user:cli:stays", "2026-03-01", "q1")
    assert store.export_user(user.id)["daily_picks"][0]["question_id"] == "q1"
    store.delete_user(user.id)
    assert store.skills(user.id) == {} and store.reviews(user.id) == [] and store.skill_history(user.id) == []
    assert store.daily_picks("user:cli:gone") == [] and store.daily_picks("user:cli:stays") == ["q1"]


def test_due_and_resting_match_the_engine_rules() -> None:
    """The SQL fast path of selection agrees with engine.review's due_reviews and resting."""
    store = Store.memory()
    user = store.user("cli:fsrs")
    state = None
    for day in range(LEECH_FAILS):
        at = NOW.replace(day=1 + day)
        state = review(state, "leech", 0.0, 0, at)
        progress = _progress(0.0, "leech").model_copy(update={"review": state})
        store.record_attempt(_attempt(user.id, "leech", 0.0), progress)
    store.record_attempt(_attempt(user.id, "fresh", 0.0), _progress(0.0, "fresh"))
    states = store.reviews(user.id)
    for at in (NOW, NOW.replace(day=3), NOW.replace(day=28), NOW.replace(month=4)):
        assert store.due_and_resting(user.id, at) == (due_reviews(states, at), resting(states, at))
