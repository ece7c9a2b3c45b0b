"""The daily question: the same question for everyone on a given day, chosen from the date alone."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date


def daily_question_id(question_ids: Sequence[str], day: date) -> str:
    """Pick the day's question deterministically (stable for the day, spread over the bank across days)."""
    if not question_ids:
        raise ValueError("the bank has no questions")
    ordered = sorted(question_ids)
    digest = hashlib.sha256(f"mlprep-daily:{day.isoformat()}".encode()).digest()
    return ordered[int.from_bytes(digest[:8], "big") % len(ordered)]
