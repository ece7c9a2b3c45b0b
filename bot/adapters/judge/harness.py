"""Runs inside the child process: load the user's code, call it on each test input, report JSON.

Standalone on purpose (standard library only, no imports from `bot`): the child starts with
`python -I harness.py`, a scrubbed environment and rlimits; expected outputs never reach it.
"""

import contextlib
import copy
import io
import json
import os
import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

OUTPUT_CAP = 4000
VALUE_CAP = 200_000


class _TestTimeout(BaseException):
    """Raised by the per-test alarm; a BaseException so user `except Exception` cannot swallow it."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    """Signal handler for the per-test alarm."""
    raise _TestTimeout()


def _jsonable(value: Any, depth: int = 0) -> Any:
    """Convert a returned value to JSON-like data (numpy arrays and scalars, tuples, sets)."""
    if depth > 50:
        raise ValueError("value nested too deeply")
    if hasattr(value, "tolist") and callable(value.tolist):
        value = value.tolist()
    elif hasattr(value, "item") and callable(value.item) and type(value).__module__ == "numpy":
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_jsonable(v, depth + 1) for v in value), key=lambda v: json.dumps(v, default=str))
    if isinstance(value, dict):
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    return repr(value)[:500]


def _error(exc: BaseException) -> str:
    """Describe an exception in one capped line."""
    return f"{type(exc).__name__}: {exc}"[:500]


def _guarded(seconds: float, func: Callable[..., Any], *args: Any) -> tuple[str, Any, str | None]:
    """Call func under the per-test alarm; return (status, value, error)."""
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return "ok", func(*args), None
    except _TestTimeout:
        return "time_limit", None, f"took longer than {seconds:g}s"
    except MemoryError:
        return "memory_limit", None, "ran out of memory"
    except RecursionError as exc:
        return "runtime_error", None, _error(exc)
    except OSError as exc:
        if exc.errno == 27:  # EFBIG: the file-size rlimit caught a flood of output
            return "output_limit", None, "printed too much output"
        return "runtime_error", None, _error(exc)
    except BaseException as exc:  # noqa: BLE001 - user code may raise anything, even SystemExit
        return "runtime_error", None, _error(exc)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _find_entry(namespace: dict[str, Any], name: str) -> Callable[..., Any]:
    """The user's function: a top-level def, or a method of a LeetCode-style `class Solution`."""
    if callable(namespace.get(name)):
        return namespace[name]
    solution = namespace.get("Solution")
    if isinstance(solution, type) and hasattr(solution, name):
        return getattr(solution(), name)
    raise NameError(f"define a function named `{name}`")


def _case(status: str, value: Any = None, error: str | None = None) -> dict[str, Any]:
    """Build one test case report, converting the value to JSON-like data."""
    case: dict[str, Any] = {"status": status, "value": None, "error": error}
    if status == "ok":
        try:
            case["value"] = _jsonable(value)
            if len(json.dumps(case["value"])) > VALUE_CAP:
                case.update(status="output_limit", value=None, error="returned value is too large")
        except (ValueError, TypeError, RecursionError) as exc:
            case.update(status="runtime_error", value=None, error=_error(exc))
    return case


def _run(job: dict[str, Any]) -> dict[str, Any]:
    """Load the code and run every test; return the report."""
    namespace: dict[str, Any] = {"__name__": "__solution__"}
    status, _, error = _guarded(job["per_test_s"], exec, compile(job["code"], "<answer>", "exec"), namespace)
    if status != "ok":
        return {"status": status, "cases": [], "check": None, "error": error}
    status, entry, error = _guarded(job["per_test_s"], _find_entry, namespace, job["entry_point"])
    if status != "ok":
        return {"status": "runtime_error", "cases": [], "check": None, "error": error}
    cases = []
    for args in job["args"]:
        status, value, error = _guarded(job["per_test_s"], lambda a=args: entry(*copy.deepcopy(a)))
        cases.append(_case(status, value, error))
    check = None
    if job.get("check"):
        check_ns: dict[str, Any] = {"__name__": "__check__"}
        exec(compile(job["check"], "<check>", "exec"), check_ns)
        status, _, error = _guarded(job["per_test_s"], check_ns["check"], entry)
        check = {"status": status, "value": None, "error": error}
    return {"status": "ok", "cases": cases, "check": check, "error": None}


def main() -> None:
    """Read the job from stdin, run it, write the report to the original stdout."""
    job = json.loads(sys.stdin.read())
    results = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    signal.signal(signal.SIGALRM, _alarm)
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        sys.setrecursionlimit(4_000)
        report = _run(job)
    report["stdout"] = captured.getvalue()[:OUTPUT_CAP]
    results.write(json.dumps(report))
    results.flush()


if __name__ == "__main__":
    main()
