"""The SQLite store (the only module with SQL): users, attempts, mastery, open questions, servers, challenges."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.db import NotFoundError

from bot.adapters.store.migrations import migrations
from bot.adapters.store.models import Attempt, Challenge, GuildConfig, OpenQuestion, StoreError, User
from bot.engine.challenge import RoundAnswer
from bot.engine.mastery import TopicMastery

APPLICATION_ID = 0x4D4C5052  # "MLPR": marks a file as an mlprep database


def _ts(value: datetime) -> str:
    """Store timestamps as ISO text in UTC."""
    return value.astimezone(UTC).isoformat()


def _dt(value: str | None) -> datetime | None:
    """Read a stored timestamp."""
    return datetime.fromisoformat(value) if value else None


class Store:
    """All persistence for mlprep; returns models, never rows."""

    def __init__(self, db: sqlite_utils.Database, label: str = ":memory:") -> None:
        self.db = db
        self.label = label

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open (or create) the database at `path`, migrate it, and refuse corrupt or foreign files."""
        label = str(path)
        if Path(path).is_dir():
            raise StoreError(f"{label} is a folder, not a database file (set MLPREP_DB to a file path)")
        try:
            # One connection, used by one thread at a time (the Discord layer funnels calls through one worker).
            db = sqlite_utils.Database(sqlite3.connect(str(path), check_same_thread=False))
            store = cls(db, label)
            store._prepare(wal=True)
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{label} is not a usable SQLite database ({exc}); move it aside or set MLPREP_DB to another file"
            ) from exc
        return store

    @classmethod
    def memory(cls) -> Store:
        """An in-memory store, for tests."""
        store = cls(sqlite_utils.Database(sqlite3.connect(":memory:", check_same_thread=False)))
        store._prepare(wal=False)
        return store

    def _prepare(self, wal: bool) -> None:
        """Check the file is ours (or empty), then enable WAL and apply pending migrations."""
        app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        tables = self.db.table_names()
        if app_id != APPLICATION_ID and tables:
            raise StoreError(
                f"{self.label} is a SQLite database of another program (tables: "
                f"{', '.join(tables[:5])}); mlprep will not touch it. Set MLPREP_DB to another file"
            )
        if wal:
            self.db.enable_wal()
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=5000")
        if app_id != APPLICATION_ID:
            self.db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        migrations.apply(self.db)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def user(self, external_id: str, display_name: str | None = None) -> User:
        """Get or create the user with this external id."""
        rows = list(self.db["users"].rows_where("external_id = ?", [external_id], limit=1))
        if rows:
            return User(**{k: rows[0][k] for k in ("id", "external_id", "display_name")})
        with self.db.atomic():
            self.db["users"].insert(
                {
                    "external_id": external_id,
                    "display_name": display_name or external_id,
                    "created_at": _ts(datetime.now(UTC)),
                }
            )
        return self.user(external_id)

    def find_user(self, external_id: str) -> User | None:
        """Return the user with this external id, or None."""
        rows = list(self.db["users"].rows_where("external_id = ?", [external_id], limit=1))
        return User(**{k: rows[0][k] for k in ("id", "external_id", "display_name")}) if rows else None

    def record_attempt(self, attempt: Attempt, mastery: TopicMastery | None) -> int:
        """Save an attempt, its mastery update and close the open question, all in one transaction."""
        with self.db.atomic():
            row = attempt.model_dump(exclude={"id"})
            row.update(
                passed=int(attempt.passed), started_at=_ts(attempt.started_at), submitted_at=_ts(attempt.submitted_at)
            )
            attempt_id = self.db["attempts"].insert(row).last_pk
            if mastery is not None:
                self.db["mastery"].upsert(
                    {
                        "user_id": attempt.user_id,
                        "topic": mastery.topic,
                        "mastery": mastery.mastery,
                        "attempts": mastery.attempts,
                        "score_sum": mastery.score_sum,
                        "last_attempt_at": _ts(mastery.last_attempt_at) if mastery.last_attempt_at else None,
                    },
                    pk=("user_id", "topic"),
                )
            self.db.execute(
                "DELETE FROM open_questions WHERE user_id = ? AND question_id = ?",
                [attempt.user_id, attempt.question_id],
            )
        return int(attempt_id)

    def masteries(self, user_id: int) -> dict[str, TopicMastery]:
        """Every topic mastery of a user, by topic."""
        rows = self.db["mastery"].rows_where("user_id = ?", [user_id], order_by="topic")
        return {
            r["topic"]: TopicMastery(
                topic=r["topic"],
                mastery=r["mastery"],
                attempts=r["attempts"],
                score_sum=r["score_sum"],
                last_attempt_at=_dt(r["last_attempt_at"]),
            )
            for r in rows
        }

    def attempts(self, user_id: int, limit: int | None = None) -> list[Attempt]:
        """A user's attempts, newest first."""
        rows = self.db["attempts"].rows_where(
            "user_id = ?", [user_id], order_by="submitted_at desc, id desc", limit=limit
        )
        return [_attempt(r) for r in rows]

    def attempted_question_ids(self, user_id: int) -> set[str]:
        """Ids of every question the user has attempted."""
        sql = "SELECT DISTINCT question_id FROM attempts WHERE user_id = ?"
        return {r[0] for r in self.db.execute(sql, [user_id]).fetchall()}

    def open_question(self, user_id: int) -> OpenQuestion | None:
        """The user's open question, if any."""
        try:
            row = self.db["open_questions"].get(user_id)
        except NotFoundError:
            return None
        return OpenQuestion(
            user_id=row["user_id"],
            question_id=row["question_id"],
            started_at=_dt(row["started_at"]),
            hints_used=row["hints_used"],
            guild_id=row["guild_id"],
        )

    def set_open_question(self, open_question: OpenQuestion) -> None:
        """Make this the user's open question (replacing any other)."""
        with self.db.atomic():
            self.db["open_questions"].upsert(
                {
                    "user_id": open_question.user_id,
                    "question_id": open_question.question_id,
                    "started_at": _ts(open_question.started_at),
                    "hints_used": open_question.hints_used,
                    "guild_id": open_question.guild_id,
                },
                pk="user_id",
            )

    def clear_open_question(self, user_id: int) -> None:
        """Forget the user's open question."""
        with self.db.atomic():
            self.db.execute("DELETE FROM open_questions WHERE user_id = ?", [user_id])

    def guild_config(self, guild_id: int) -> GuildConfig:
        """A server's settings (defaults when never configured)."""
        try:
            row = self.db["guild_config"].get(guild_id)
        except NotFoundError:
            return GuildConfig(guild_id=guild_id)
        return GuildConfig(
            guild_id=guild_id,
            public_practice=bool(row["public_practice"]),
            allowed_topics=json.loads(row["allowed_topics"] or "[]"),
            daily_channel_id=row["daily_channel_id"],
            daily_hour=row["daily_hour"] if row["daily_hour"] is not None else 9,
            last_daily_on=row["last_daily_on"],
            llm_grading=bool(row["llm_grading"]),
        )

    def save_guild_config(self, config: GuildConfig) -> None:
        """Store a server's settings."""
        with self.db.atomic():
            self.db["guild_config"].upsert(
                {
                    "guild_id": config.guild_id,
                    "public_practice": int(config.public_practice),
                    "allowed_topics": json.dumps(config.allowed_topics),
                    "daily_channel_id": config.daily_channel_id,
                    "daily_hour": config.daily_hour,
                    "last_daily_on": config.last_daily_on,
                    "llm_grading": int(config.llm_grading),
                },
                pk="guild_id",
            )

    def daily_guilds(self) -> list[GuildConfig]:
        """Every server that has a daily-question channel."""
        rows = self.db["guild_config"].rows_where("daily_channel_id IS NOT NULL", order_by="guild_id")
        return [self.guild_config(row["guild_id"]) for row in rows]

    def counted_daily(self, user_id: int, start: datetime, end: datetime) -> bool:
        """Whether the user already has a recorded daily answer in [start, end)."""
        sql = (
            "SELECT 1 FROM attempts WHERE user_id = ? AND source = 'daily' AND submitted_at >= ? "
            "AND submitted_at < ? LIMIT 1"
        )
        return self.db.execute(sql, [user_id, _ts(start), _ts(end)]).fetchone() is not None

    def create_challenge(self, challenge: Challenge) -> Challenge | None:
        """Start a challenge; None if one is already running in the channel (checked in the transaction)."""
        with self.db.atomic():
            if self.running_challenge(challenge.channel_id) is not None:
                return None
            row = challenge.model_dump(exclude={"id"})
            row.update(
                question_ids=json.dumps(challenge.question_ids),
                topic=challenge.topic,
                round_started_at=_ts(challenge.round_started_at),
                created_at=_ts(challenge.round_started_at),
            )
            new_id = self.db["challenges"].insert(row).last_pk
        return challenge.model_copy(update={"id": int(new_id)})

    def running_challenge(self, channel_id: int) -> Challenge | None:
        """The running challenge in a channel, if any."""
        rows = list(self.db["challenges"].rows_where("channel_id = ? AND status = 'running'", [channel_id], limit=1))
        return _challenge(rows[0]) if rows else None

    def challenge(self, challenge_id: int) -> Challenge | None:
        """A challenge by id."""
        try:
            return _challenge(self.db["challenges"].get(challenge_id))
        except NotFoundError:
            return None

    def running_challenges(self) -> list[Challenge]:
        """Every running challenge (to resume timers after a restart)."""
        return [_challenge(r) for r in self.db["challenges"].rows_where("status = 'running'", order_by="id")]

    def update_challenge(self, challenge: Challenge) -> None:
        """Save a challenge's round, round start and status."""
        with self.db.atomic():
            self.db["challenges"].update(
                challenge.id,
                {
                    "round": challenge.round,
                    "status": challenge.status,
                    "round_started_at": _ts(challenge.round_started_at),
                },
            )

    def add_challenge_answer(self, challenge_id: int, answer: RoundAnswer, verdict: str, at: datetime) -> bool:
        """Store a participant's answer for a round; False if they already answered it."""
        with self.db.atomic():
            exists = self.db.execute(
                "SELECT 1 FROM challenge_answers WHERE challenge_id = ? AND round = ? AND user_id = ?",
                [challenge_id, answer.round, answer.user_id],
            ).fetchone()
            if exists:
                return False
            self.db["challenge_answers"].insert(
                {
                    "challenge_id": challenge_id,
                    "round": answer.round,
                    "user_id": answer.user_id,
                    "difficulty": answer.difficulty,
                    "score": answer.score,
                    "passed": int(answer.passed),
                    "verdict": verdict,
                    "submitted_at": _ts(at),
                }
            )
        return True

    def challenge_answers(self, challenge_id: int) -> list[RoundAnswer]:
        """Every answer of a challenge, in order."""
        rows = self.db["challenge_answers"].rows_where(
            "challenge_id = ?", [challenge_id], order_by="round, submitted_at"
        )
        return [
            RoundAnswer(
                round=r["round"],
                user_id=r["user_id"],
                difficulty=r["difficulty"],
                score=r["score"],
                passed=bool(r["passed"]),
            )
            for r in rows
        ]

    def guild_attempts(self, guild_id: int, since: datetime | None, topic: str | None) -> list[Attempt]:
        """Graded attempts made in one server (optionally since a time and in one topic), oldest first."""
        where, params = ["guild_id = ?", "verdict != 'skipped'"], [guild_id]
        if since is not None:
            where.append("submitted_at >= ?")
            params.append(_ts(since))
        if topic is not None:
            where.append("topic = ?")
            params.append(topic)
        rows = self.db["attempts"].rows_where(" AND ".join(where), params, order_by="submitted_at, id")
        return [_attempt(r) for r in rows]

    def display_names(self, user_ids: list[int]) -> dict[int, str]:
        """Display names of these users, by id."""
        if not user_ids:
            return {}
        marks = ", ".join("?" for _ in user_ids)
        rows = self.db.execute(f"SELECT id, display_name FROM users WHERE id IN ({marks})", user_ids).fetchall()
        return {row[0]: row[1] for row in rows}

    def external_ids(self, user_ids: list[int]) -> dict[int, str]:
        """External ids (e.g. discord:123) of these users, by id."""
        if not user_ids:
            return {}
        marks = ", ".join("?" for _ in user_ids)
        rows = self.db.execute(f"SELECT id, external_id FROM users WHERE id IN ({marks})", user_ids).fetchall()
        return {row[0]: row[1] for row in rows}

    def set_display_name(self, user_id: int, display_name: str) -> None:
        """Update a user's display name."""
        with self.db.atomic():
            self.db["users"].update(user_id, {"display_name": display_name})

    def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything stored about one user, as JSON-ready data."""
        user = self.db["users"].get(user_id)
        return {
            "user": {k: user[k] for k in ("external_id", "display_name", "created_at")},
            "attempts": list(self.db["attempts"].rows_where("user_id = ?", [user_id], order_by="id")),
            "mastery": list(self.db["mastery"].rows_where("user_id = ?", [user_id], order_by="topic")),
            "open_question": next(iter(self.db["open_questions"].rows_where("user_id = ?", [user_id])), None),
            "challenge_answers": list(self.db["challenge_answers"].rows_where("user_id = ?", [user_id])),
        }

    def delete_user(self, user_id: int) -> int:
        """Delete a user and everything about them, in one transaction; return how many attempts went."""
        with self.db.atomic():
            count = self.db.execute("SELECT count(*) FROM attempts WHERE user_id = ?", [user_id]).fetchone()[0]
            for table in ("attempts", "mastery", "open_questions", "challenge_answers"):
                self.db.execute(f"DELETE FROM {table} WHERE user_id = ?", [user_id])
            self.db.execute("DELETE FROM users WHERE id = ?", [user_id])
        return int(count)


def _challenge(row: dict) -> Challenge:
    """Build a Challenge model from a stored row."""
    return Challenge(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        host_id=row["host_id"],
        topic=row["topic"],
        question_ids=json.loads(row["question_ids"]),
        seconds=row["seconds"],
        round=row["round"],
        round_started_at=_dt(row["round_started_at"]),
        status=row["status"],
    )


def _attempt(row: dict) -> Attempt:
    """Build an Attempt model from a stored row."""
    data = dict(row)
    data["passed"] = bool(data["passed"])
    return Attempt(**data)
