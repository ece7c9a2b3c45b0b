"""Numbered schema migrations (sqlite-utils Migrations); each runs in a transaction with its record."""

from __future__ import annotations

import sqlite_utils

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
