"""Run a pure function in a worker process that is killed when it overruns its time bound."""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)


STARTUP_TIMEOUT_S = 60.0  # starting a worker and importing the function's module is not the job's time


def _import(module: str) -> None:
    """Import a module in the worker (so the import does not count against a job's time bound)."""
    importlib.import_module(module)


class TimeBoundExceeded(Exception):
    """The function did not finish within its time bound; its worker was killed."""


def _serve(conn: Connection) -> None:
    """Worker loop: receive (function, args), send back ("ok", result) or ("error", exception)."""
    while True:
        try:
            func, args = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", func(*args)))
        except Exception as exc:  # noqa: BLE001 - returned to the caller, who re-raises it
            conn.send(("error", exc))


class TimedWorker:
    """One reusable worker process; a call past `timeout_s` kills it and a fresh one starts next time."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._ctx = multiprocessing.get_context("forkserver")
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def _ensure(self) -> Connection:
        """Start the worker if none is running (a dead one is noticed when its pipe breaks)."""
        if self._process is None or self._conn is None:
            parent, child = self._ctx.Pipe()
            self._process = self._ctx.Process(target=_serve, args=(child,), daemon=True)
            self._process.start()
            child.close()
            self._conn = parent
        return self._conn

    def _send(self, message: tuple[Callable[..., Any], tuple[Any, ...]]) -> Connection:
        """Send a job, restarting the worker once if its pipe is broken."""
        try:
            conn = self._ensure()
            conn.send(message)
        except (BrokenPipeError, ConnectionResetError, EOFError):
            self.close()
            conn = self._ensure()
            conn.send(message)
        return conn

    def call(self, func: Callable[..., Any], *args: Any) -> Any:
        """Run func(*args) in the worker; raise TimeBoundExceeded past the time bound."""
        with self._lock:
            if self._process is None:
                self._warm(getattr(func, "__module__", __name__))
            conn = self._send((func, args))
            if not conn.poll(self.timeout_s):
                log.warning("time_bound_exceeded func=%s timeout_s=%s", getattr(func, "__name__", func), self.timeout_s)
                self.close()
                raise TimeBoundExceeded(f"took longer than {self.timeout_s:g}s")
            try:
                status, value = conn.recv()
            except (EOFError, ConnectionResetError) as exc:
                self.close()
                raise TimeBoundExceeded("the worker died") from exc
        if status == "error":
            raise value
        return value

    def _warm(self, module: str) -> None:
        """Start a worker and import `module` in it, with a generous bound of its own."""
        conn = self._send((_import, (module,)))
        if not conn.poll(STARTUP_TIMEOUT_S):
            self.close()
            raise TimeBoundExceeded(f"the worker did not start within {STARTUP_TIMEOUT_S:g}s")
        status, value = conn.recv()
        if status == "error":
            self.close()
            raise value

    def close(self) -> None:
        """Stop the worker process (SIGKILL: it holds no state worth saving)."""
        if self._process is not None:
            with contextlib.suppress(OSError, ValueError):
                self._process.kill()
            self._process.join(timeout=5)
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None
