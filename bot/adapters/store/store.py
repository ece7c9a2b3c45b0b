"""The SQLite store (the only module with SQL): users, attempts, skills and reviews, servers, challenges."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.db import NotFoundError

from bot.adapters.store.migrations import item_row, migrations, review_row, skill_row
from bot.adapters.store.models import (
    Attempt,
    AttemptProgress,
    Challenge,
    GuildConfig,
    OpenQuestion,
    StoreError,
    User,
)
from bot.engine.challenge import RoundAnswer
from bot.engine.progress import SkillPoint
from bot.engine.review import ReviewState
from bot.engine.skill import ItemStats, TopicSkill

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

    def record_attempt(self, attempt: Attempt, progress: AttemptProgress | None) -> int:
        """Save an attempt, its skill, item and review updates, and close the open question, in one transaction."""
        with self.db.atomic():
            row = attempt.model_dump(exclude={"id"})
            row.update(
                passed=int(attempt.passed), started_at=_ts(attempt.started_at), submitted_at=_ts(attempt.submitted_at)
            )
            attempt_id = self.db["attempts"].insert(row).last_pk
            if progress is not None:
                skill = progress.skill
                self.db["skills"].upsert(skill_row(attempt.user_id, skill), pk=("user_id", "topic"))
                self.db["items"].upsert(item_row(progress.item), pk="question_id")
                self.db["reviews"].upsert(
                    review_row(attempt.user_id, attempt.topic, progress.review), pk=("user_id", "question_id")
                )
                self.db["skill_history"].insert(
                    {
                        "user_id": attempt.user_id,
                        "topic": skill.topic,
                        "at": _ts(attempt.submitted_at),
                        "rating": skill.rating,
                        "sd": skill.sd,
                    }
                )
            self.db.execute(
                "DELETE FROM open_questions WHERE user_id = ? AND question_id = ?",
                [attempt.user_id, attempt.question_id],
            )
        return int(attempt_id)

    def skills(self, user_id: int) -> dict[str, TopicSkill]:
        """Every topic skill of a user, by topic."""
        rows = self.db["skills"].rows_where("user_id = ?", [user_id], order_by="topic")
        return {
            r["topic"]: TopicSkill(
                topic=r["topic"], rating=r["rating"], sd=r["sd"], attempts=r["attempts"], last_at=_dt(r["last_at"])
            )
            for r in rows
        }

    def items(self) -> dict[str, ItemStats]:
        """Calibrated difficulty of every item that has results, by question id."""
        rows = self.db.execute("SELECT question_id, difficulty, attempts FROM items").fetchall()
        return {q: ItemStats(q, d, n) for q, d, n in rows}

    def reviews(self, user_id: int, question_id: str | None = None) -> list[ReviewState]:
        """A user's review schedule (optionally for one question), soonest due first."""
        where, params = "user_id = ?", [user_id]
        if question_id is not None:
            where, params = where + " AND question_id = ?", [user_id, question_id]
        rows = self.db["reviews"].rows_where(where, params, order_by="due, question_id")
        return [
            ReviewState(
                question_id=r["question_id"],
                card=json.loads(r["card"]),
                due=_dt(r["due"]),
                reviews=r["reviews"],
                lapses=r["lapses"],
                fails=r["fails"],
                leech=bool(r["leech"]),
                last_rating=r["last_rating"],
            )
            for r in rows
        ]

    def review(self, user_id: int, question_id: str) -> ReviewState | None:
        """A user's review schedule for one question, if they have answered it."""
        states = self.reviews(user_id, question_id=question_id)
        return states[0] if states else None

    def item(self, question_id: str) -> ItemStats | None:
        """One item's calibrated difficulty, if it has results."""
        row = self.db.execute("SELECT difficulty, attempts FROM items WHERE question_id = ?", [question_id]).fetchone()
        return ItemStats(question_id=question_id, difficulty=row[0], attempts=row[1]) if row else None

    def guild_skills(self, guild_id: int) -> dict[str, list[TopicSkill]]:
        """The topic skills of everyone who has answered in a server, by topic."""
        sql = (
            "SELECT s.topic, s.rating, s.sd, s.attempts, s.last_at FROM skills s WHERE s.user_id IN "
            "(SELECT DISTINCT user_id FROM attempts WHERE guild_id = ?) ORDER BY s.topic, s.user_id"
        )
        out: dict[str, list[TopicSkill]] = {}
        for topic, rating, sd, attempts, last_at in self.db.execute(sql, [guild_id]).fetchall():
            out.setdefault(topic, []).append(
                TopicSkill(topic=topic, rating=rating, sd=sd, attempts=attempts, last_at=_dt(last_at))
            )
        return out

    def daily_picks(self, scope: str) -> list[str]:
        """Every question ever picked as this scope's daily, newest day first."""
        rows = self.db.execute("SELECT question_id FROM daily_picks WHERE scope = ? ORDER BY day DESC", [scope])
        return [r[0] for r in rows.fetchall()]

    def due_and_resting(self, user_id: int, now: datetime) -> tuple[dict[str, datetime], set[str]]:
        """The hot path of selection: reviews due now (with due times) and leeches still resting.

        The same rules as `engine.review.due_reviews` and `resting`, done in SQL so a long history costs two
        indexed queries instead of loading every card.
        """
        at = _ts(now)
        due_rows = self.db.execute(
            "SELECT question_id, due FROM reviews WHERE user_id = ? AND due <= ?", [user_id, at]
        ).fetchall()
        rest_rows = self.db.execute(
            "SELECT question_id FROM reviews WHERE user_id = ? AND leech = 1 AND due > ?", [user_id, at]
        ).fetchall()
        return {q: datetime.fromisoformat(d) for q, d in due_rows}, {r[0] for r in rest_rows}

    def review_topics(self, user_id: int) -> dict[str, str]:
        """The topic of each question in a user's review schedule."""
        sql = "SELECT question_id, topic FROM reviews WHERE user_id = ?"
        return dict(self.db.execute(sql, [user_id]).fetchall())

    def skill_history(self, user_id: int, since: datetime | None = None) -> list[SkillPoint]:
        """A user's skill after each graded attempt (optionally since a time), oldest first."""
        where, params = "user_id = ?", [user_id]
        if since is not None:
            where, params = where + " AND at >= ?", [user_id, _ts(since)]
        rows = self.db["skill_history"].rows_where(where, params, order_by="at, id")
        return [SkillPoint(topic=r["topic"], at=_dt(r["at"]), rating=r["rating"], sd=r["sd"]) for r in rows]

    def skill_before(self, user_id: int, at: datetime) -> dict[str, SkillPoint]:
        """Each topic's last skill point before `at` (where a trend starts from)."""
        sql = (
            "SELECT topic, at, rating, sd FROM skill_history WHERE id IN (SELECT max(id) FROM skill_history "
            "WHERE user_id = ? AND at < ? GROUP BY topic)"
        )  # rows are written in time order, so the newest id is the latest point
        rows = self.db.execute(sql, [user_id, _ts(at)]).fetchall()
        return {t: SkillPoint(topic=t, at=_dt(when), rating=r, sd=sd) for t, when, r, sd in rows}

    def daily_pick(self, scope: str, day: str) -> str | None:
        """The question picked for this scope (a server or a user) on this day, if any."""
        row = self.db.execute(
            "SELECT question_id FROM daily_picks WHERE scope = ? AND day = ?", [scope, day]
        ).fetchone()
        return row[0] if row else None

    def save_daily_pick(self, scope: str, day: str, question_id: str, replace: bool = False) -> str:
        """Keep the first pick for (scope, day) and return whichever pick stands (`replace` swaps a stale one)."""
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        with self.db.atomic():
            self.db.execute(
                f"{verb} INTO daily_picks (scope, day, question_id) VALUES (?, ?, ?)", [scope, day, question_id]
            )
        return self.daily_pick(scope, day) or question_id

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

    def recent_challenge_questions(self, guild_id: int, challenges: int = 10) -> set[str]:
        """Questions used by the server's last `challenges` challenges."""
        rows = self.db.execute(
            "SELECT question_ids FROM challenges WHERE guild_id = ? ORDER BY id DESC LIMIT ?", [guild_id, challenges]
        ).fetchall()
        return {q for (ids,) in rows for q in json.loads(ids)}

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
        scope = f"user:{user['external_id']}"
        return {
            "daily_picks": list(self.db["daily_picks"].rows_where("scope = ?", [scope], order_by="day")),
            "user": {k: user[k] for k in ("external_id", "display_name", "created_at")},
            "attempts": list(self.db["attempts"].rows_where("user_id = ?", [user_id], order_by="id")),
            "mastery": list(self.db["mastery"].rows_where("user_id = ?", [user_id], order_by="topic")),
            "skills": list(self.db["skills"].rows_where("user_id = ?", [user_id], order_by="topic")),
            "reviews": list(self.db["reviews"].rows_where("user_id = ?", [user_id], order_by="question_id")),
            "skill_history": list(self.db["skill_history"].rows_where("user_id = ?", [user_id], order_by="id")),
            "open_question": next(iter(self.db["open_questions"].rows_where("user_id = ?", [user_id])), None),
            "challenge_answers": list(self.db["challenge_answers"].rows_where("user_id = ?", [user_id])),
        }

    def delete_user(self, user_id: int) -> int:
        """Delete a user and everything about them, in one transaction; return how many attempts went."""
        with self.db.atomic():
            count = self.db.execute("SELECT count(*) FROM attempts WHERE user_id = ?", [user_id]).fetchone()[0]
            tables = (
                "attempts",
                "mastery",
                "skills",
                "reviews",
                "skill_history",
                "open_questions",
                "challenge_answers",
            )
            for table in tables:
                self.db.execute(f"DELETE FROM {table} WHERE user_id = ?", [user_id])
            self.db.execute(
                "DELETE FROM daily_picks WHERE scope = (SELECT 'user:' || external_id FROM users WHERE id = ?)",
                [user_id],
            )
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
