"""Runs inside the sandbox: load the user's code, call it on each test input, report JSON on stdout.

Standalone and lean on purpose (no imports from `bot`, no json/signal/copy modules: each costs
milliseconds per run). The job arrives as marshal data from the trusted parent on stdin; the report
leaves as JSON the parent parses and validates. Expected outputs never reach this process.
"""

import _signal
import io
import marshal
import os
import sys

OUTPUT_CAP = 4000
VALUE_CAP = 200_000
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class _TestTimeout(BaseException):
    """Raised by the per-test alarm; a BaseException so user `except Exception` cannot swallow it."""


def _alarm(signum, frame):  # noqa: ANN001, ANN202 - signal handler signature
    """Signal handler for the per-test alarm."""
    raise _TestTimeout()


def _string(text):  # noqa: ANN001, ANN202
    """A JSON string literal."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or 0xD800 <= ord(char) <= 0xDFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _dump(value, depth=0):  # noqa: ANN001, ANN202
    """Encode JSON-like data (numpy arrays and scalars, tuples and sets are converted first)."""
    if depth > 50:
        raise ValueError("value nested too deeply")
    if type(value).__module__ == "numpy":
        value = value.tolist() if hasattr(value, "tolist") else value.item()
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return (
            repr(float(value))
            if value == value and value not in (float("inf"), float("-inf"))
            else _string(repr(value))
        )
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_dump(v, depth + 1) for v in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "[" + ",".join(sorted(_dump(v, depth + 1) for v in value)) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(_string(str(k)) + ":" + _dump(v, depth + 1) for k, v in value.items()) + "}"
    return _string(repr(value)[:500])


def _error(exc):  # noqa: ANN001, ANN202
    """Describe an exception in one capped line."""
    return f"{type(exc).__name__}: {exc}"[:500]


def _guarded(seconds, func, *args):  # noqa: ANN001, ANN002, ANN202
    """Call func under the per-test alarm; return (status, value, error)."""
    _signal.setitimer(_signal.ITIMER_REAL, seconds)
    try:
        return "ok", func(*args), None
    except _TestTimeout:
        return "time_limit", None, f"took longer than {seconds:g}s"
    except MemoryError:
        return "memory_limit", None, "ran out of memory"
    except OSError as exc:
        if exc.errno == 27:  # EFBIG: the file-size rlimit caught a flood of output
            return "output_limit", None, "printed too much output"
        return "runtime_error", None, _error(exc)
    except BaseException as exc:  # noqa: BLE001 - user code may raise anything, even SystemExit
        return "runtime_error", None, _error(exc)
    finally:
        _signal.setitimer(_signal.ITIMER_REAL, 0)


def _find_entry(namespace, name):  # noqa: ANN001, ANN202
    """The user's function: a top-level def, or a method of a LeetCode-style `class Solution`."""
    if callable(namespace.get(name)):
        return namespace[name]
    solution = namespace.get("Solution")
    if isinstance(solution, type) and hasattr(solution, name):
        return getattr(solution(), name)
    raise NameError(f"define a function named `{name}`")


def _case(status, value=None, error=None):  # noqa: ANN001, ANN202
    """One test's report as JSON text, converting the returned value."""
    if status == "ok":
        try:
            encoded = _dump(value)
        except (ValueError, TypeError, RecursionError) as exc:
            return _case("runtime_error", error=_error(exc))
        if len(encoded) > VALUE_CAP:
            return _case("output_limit", error="returned value is too large")
        return '{"status":"ok","value":' + encoded + ',"error":null}'
    return (
        '{"status":'
        + _string(status)
        + ',"value":null,"error":'
        + (_string(error) if error is not None else "null")
        + "}"
    )


def _run(job):  # noqa: ANN001, ANN202
    """Load the code and run every test; return the report as JSON text."""
    namespace = {"__name__": "__solution__"}
    status, _, error = _guarded(job["per_test_s"], exec, compile(job["code"], "<answer>", "exec"), namespace)
    if status == "ok":
        status, entry, error = _guarded(job["per_test_s"], _find_entry, namespace, job["entry_point"])
        status = "runtime_error" if status != "ok" else status
    if status != "ok":
        return '{"status":' + _string(status) + ',"cases":[],"check":null,"error":' + _string(error or "") + "}"
    cases = []
    for blob in job["args"]:
        args = marshal.loads(blob)  # a fresh copy per test, so mutation by one test cannot leak into another
        status, value, error = _guarded(job["per_test_s"], lambda a=args: entry(*a))
        cases.append(_case(status, value, error))
    check = "null"
    if job.get("check"):
        check_ns = {"__name__": "__check__"}
        exec(compile(job["check"], "<check>", "exec"), check_ns)
        status, _, error = _guarded(job["per_test_s"], check_ns["check"], entry)
        check = _case(status if status != "ok" else "ok", None, error)
    return '{"status":"ok","cases":[' + ",".join(cases) + '],"check":' + check + ',"error":null}'


def main():  # noqa: ANN201
    """Read the job from stdin, run it, write the report to the original stdout."""
    job = marshal.loads(sys.stdin.buffer.read())
    sys.path.extend(job.get("paths", []))
    results = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    _signal.signal(_signal.SIGALRM, _alarm)
    captured = io.StringIO()
    sys.stdout = captured
    sys.setrecursionlimit(4_000)
    try:
        report = _run(job)
    finally:
        sys.stdout = sys.__stdout__
    results.write(report[:-1] + ',"stdout":' + _string(captured.getvalue()[:OUTPUT_CAP]) + "}")
    results.flush()


if __name__ == "__main__":
    main()
