"""Run blocking service calls off the event loop: one thread for the database, a pool for grading."""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Runner:
    """All database work goes through one thread (SQLite has one writer); grading runs on a pool."""

    def __init__(self, grading_workers: int = 0) -> None:
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlprep-db")
        self._grading = ThreadPoolExecutor(
            max_workers=grading_workers or os.cpu_count() or 2, thread_name_prefix="mlprep-grade"
        )

    async def db(self, func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run a store-touching call on the database thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db, functools.partial(func, *args, **kwargs))

    async def grade(self, func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run a slow, database-free call (grading) on the pool."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._grading, functools.partial(func, *args, **kwargs))

    def close(self) -> None:
        """Stop both executors."""
        self._db.shutdown(wait=True)
        self._grading.shutdown(wait=False, cancel_futures=True)
