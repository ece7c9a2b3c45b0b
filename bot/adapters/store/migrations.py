"""Numbered schema migrations (sqlite-utils Migrations); each runs in a transaction with its record."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlite_utils

from bot.engine.review import ReviewState, review
from bot.engine.skill import ItemStats, TopicSkill, initial_item, update_item, update_skill

migrations = sqlite_utils.Migrations("mlprep")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    """Create users, attempts, mastery and open_questions."""
    db["users"].create(
        {"id": int, "external_id": str, "display_name": str, "created_at": str},
        pk="id",
        not_null={"external_id", "display_name", "created_at"},
    )
    db["users"].create_index(["external_id"], unique=True)
    db["attempts"].create(
        {
            "id": int,
            "user_id": int,
            "question_id": str,
            "topic": str,
            "kind": str,
            "difficulty": int,
            "answer": str,
            "score": float,
            "passed": int,
            "verdict": str,
            "grader": str,
            "feedback": str,
            "hints_used": int,
            "started_at": str,
            "submitted_at": str,
        },
        pk="id",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"user_id", "question_id", "topic", "score", "verdict", "submitted_at"},
    )
    db["attempts"].create_index(["user_id", "submitted_at"])
    db["attempts"].create_index(["user_id", "question_id"])
    db["mastery"].create(
        {"user_id": int, "topic": str, "mastery": float, "attempts": int, "score_sum": float, "last_attempt_at": str},
        pk=("user_id", "topic"),
        foreign_keys=[("user_id", "users", "id")],
    )
    db["open_questions"].create(
        {"user_id": int, "question_id": str, "started_at": str, "hints_used": int},
        pk="user_id",
        foreign_keys=[("user_id", "users", "id")],
    )


@migrations()
def m002_discord_context(db: sqlite_utils.Database) -> None:
    """Attempts and open questions remember their server; servers get a config row."""
    db["attempts"].add_column("guild_id", int)
    db["attempts"].add_column("source", str, not_null_default="practice")
    db["attempts"].create_index(["guild_id", "submitted_at"])
    db["open_questions"].add_column("guild_id", int)
    db["guild_config"].create(
        {"guild_id": int, "public_practice": int, "allowed_topics": str, "daily_channel_id": int, "daily_hour": int},
        pk="guild_id",
    )


@migrations()
def m003_daily(db: sqlite_utils.Database) -> None:
    """Remember the last day a server's daily question was posted."""
    db["guild_config"].add_column("last_daily_on", str)


@migrations()
def m004_challenges(db: sqlite_utils.Database) -> None:
    """Group challenges and their answers, so a running challenge survives a restart."""
    db["challenges"].create(
        {
            "id": int,
            "guild_id": int,
            "channel_id": int,
            "host_id": int,
            "topic": str,
            "question_ids": str,
            "seconds": int,
            "round": int,
            "round_started_at": str,
            "status": str,
            "created_at": str,
        },
        pk="id",
    )
    db["challenges"].create_index(["channel_id", "status"])
    db["challenge_answers"].create(
        {
            "challenge_id": int,
            "round": int,
            "user_id": int,
            "difficulty": int,
            "score": float,
            "passed": int,
            "verdict": str,
            "submitted_at": str,
        },
        pk=("challenge_id", "round", "user_id"),
        foreign_keys=[("challenge_id", "challenges", "id"), ("user_id", "users", "id")],
    )


@migrations()
def m005_llm_setting(db: sqlite_utils.Database) -> None:
    """Servers can turn LLM grading on."""
    db["guild_config"].add_column("llm_grading", int, not_null_default=0)


@migrations()
def m006_adaptive(db: sqlite_utils.Database) -> None:
    """Topic skills with uncertainty, calibrated items, FSRS reviews, skill history and daily picks.

    Existing attempts are replayed in order, so nobody's progress is lost in the move from the old mastery table.
    """
    db["skills"].create(
        {"user_id": int, "topic": str, "rating": float, "sd": float, "attempts": int, "last_at": str},
        pk=("user_id", "topic"),
        foreign_keys=[("user_id", "users", "id")],
    )
    db["items"].create({"question_id": str, "difficulty": float, "attempts": int}, pk="question_id")
    db["reviews"].create(
        {
            "user_id": int,
            "question_id": str,
            "topic": str,
            "card": str,
            "due": str,
            "reviews": int,
            "lapses": int,
            "fails": int,
            "leech": int,
            "last_rating": int,
        },
        pk=("user_id", "question_id"),
        foreign_keys=[("user_id", "users", "id")],
    )
    db["reviews"].create_index(["user_id", "due"])
    db["skill_history"].create(
        {"id": int, "user_id": int, "topic": str, "at": str, "rating": float, "sd": float},
        pk="id",
        foreign_keys=[("user_id", "users", "id")],
    )
    db["skill_history"].create_index(["user_id", "at"])
    db["daily_picks"].create({"scope": str, "day": str, "question_id": str}, pk=("scope", "day"))
    replay_attempts(db)


def replay_attempts(db: sqlite_utils.Database) -> None:
    """Rebuild skills, items, reviews and history from the stored graded attempts, oldest first."""
    skills: dict[tuple[int, str], TopicSkill] = {}
    items: dict[str, ItemStats] = {}
    reviews: dict[tuple[int, str], ReviewState] = {}
    history: list[dict] = []
    sql = (
        "SELECT user_id, question_id, topic, difficulty, score, hints_used, submitted_at FROM attempts "
        "WHERE verdict != 'skipped' ORDER BY submitted_at, id"
    )
    for user_id, question_id, topic, level, score, hints, at_text in db.execute(sql).fetchall():
        at = datetime.fromisoformat(at_text)
        skill = skills.get((user_id, topic)) or TopicSkill(topic=topic)
        item = items.get(question_id) or initial_item(question_id, int(level or 3))
        new_skill = update_skill(skill, item, score, at)
        items[question_id] = update_item(item, skill.rating, score)
        skills[(user_id, topic)] = new_skill
        reviews[(user_id, question_id)] = review(
            reviews.get((user_id, question_id)), question_id, score, hints or 0, at
        )
        history.append(
            {"user_id": user_id, "topic": topic, "at": at_text, "rating": new_skill.rating, "sd": new_skill.sd}
        )
    db["skills"].insert_all(skill_row(u, s) for (u, _), s in skills.items())
    db["items"].insert_all(item_row(i) for i in items.values())
    topics = {(u, q): t for u, q, t in db.execute("SELECT user_id, question_id, topic FROM attempts").fetchall()}
    db["reviews"].insert_all(review_row(u, topics[(u, q)], r) for (u, q), r in reviews.items())
    db["skill_history"].insert_all(history)


def skill_row(user_id: int, skill: TopicSkill) -> dict:
    """A skills row."""
    return {
        "user_id": user_id,
        "topic": skill.topic,
        "rating": skill.rating,
        "sd": skill.sd,
        "attempts": skill.attempts,
        "last_at": skill.last_at.astimezone(UTC).isoformat() if skill.last_at else None,
    }


def item_row(item: ItemStats) -> dict:
    """An items row."""
    return {"question_id": item.question_id, "difficulty": item.difficulty, "attempts": item.attempts}


def review_row(user_id: int, topic: str, state: ReviewState) -> dict:
    """A reviews row."""
    return {
        "user_id": user_id,
        "question_id": state.question_id,
        "topic": topic,
        "card": json.dumps(state.card),
        "due": state.due.astimezone(UTC).isoformat(),
        "reviews": state.reviews,
        "lapses": state.lapses,
        "fails": state.fails,
        "leech": int(state.leech),
        "last_rating": state.last_rating,
    }
