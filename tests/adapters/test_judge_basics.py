"""The code judge's basics: results, limits, and no secrets from the parent's environment."""

from __future__ import annotations

import time

import pytest

from bot.adapters.judge import Judge
from bot.adapters.timed import TimeBoundExceeded, TimedWorker
from bot.engine.grading.coding import RunJob

JUDGE: list[Judge] = []


@pytest.fixture(autouse=True)
def _use(judge: Judge) -> None:
    """Every test here runs through the session's judge."""
    JUDGE[:] = [judge]


def _run(
    code: str,
    args: list[list[object]] | None = None,
    per_test: float = 1.0,
    total: float = 4.0,
    check: str | None = None,
):  # noqa: ANN202
    """Run code against inputs and return the report."""
    job = RunJob(
        code=code,
        entry_point="f",
        args=args if args is not None else [[1, 2]],
        check=check,
        per_test_s=per_test,
        total_s=total,
        memory_mb=512,
    )
    return JUDGE[0].run(job)


def test_returns_values() -> None:
    """Each input's return value comes back as JSON-like data."""
    report = _run("def f(a, b):\n    return (a + b, {a})", [[1, 2], [3, 4]])
    assert report.status == "ok"
    assert [c.value for c in report.cases] == [[3, [1]], [7, [3]]]


def test_numpy_results_are_converted() -> None:
    """numpy arrays and scalars come back as lists and numbers."""
    pytest.importorskip("numpy")
    report = _run("import numpy as np\ndef f(a, b):\n    return np.array([a, b]) * 2, np.float64(0.5)")
    assert report.cases[0].value == [[2, 4], 0.5]


def test_leetcode_style_class_is_accepted() -> None:
    """`class Solution` with the entry point as a method works."""
    report = _run("class Solution:\n    def f(self, a, b):\n        return a * b")
    assert report.cases[0].value == 2


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("def f(a, b):\n    while True: pass", "time_limit", "took longer"),
        ("def f(a, b):\n    return [0] * 10**10", "memory_limit", "memory"),
        ("def f(a, b):\n    return 1 / 0", "runtime_error", "ZeroDivisionError"),
        ("def f(a, b):\n    raise SystemExit(3)", "runtime_error", "SystemExit"),
        ("def f(a, b):\n    return f(a, b)", "runtime_error", "RecursionError"),
        ("import os\ndef f(a, b):\n    os.write(1, b'x' * 10**7)\n    return 1", "output_limit", "too much output"),
        ("def g(a, b):\n    return 1", "runtime_error", "define a function named `f`"),
    ],
)
def test_failures_are_reported_per_test(code: str, status: str, error: str) -> None:
    """Each way user code can fail becomes a status with a message, never an exception here."""
    report = _run(code)
    case = report.cases[0] if report.cases else report
    assert case.status == status
    assert error in (case.error or "")


def test_every_test_runs_in_one_process_with_a_per_test_limit() -> None:
    """A slow test times out alone; the others still pass."""
    code = "import time\ndef f(a, b):\n    if a == 0:\n        time.sleep(5)\n    return a"
    started = time.monotonic()
    report = _run(code, [[1, 0], [0, 0], [2, 0]], per_test=0.5, total=5)
    assert [c.status for c in report.cases] == ["ok", "time_limit", "ok"]
    assert time.monotonic() - started < 4


def test_wall_clock_kill() -> None:
    """Code that blocks signals is killed at the total limit."""
    code = "import signal\nsignal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])\nimport time\ntime.sleep(30)"
    started = time.monotonic()
    report = _run(code, total=1.5)
    assert report.status == "time_limit"
    assert time.monotonic() - started < 5


def test_no_secrets_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child sees a scrubbed environment: no tokens, keys or settings of the parent."""
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    report = _run("import os\ndef f(a, b):\n    return sorted(os.environ)")
    names = report.cases[0].value
    assert "DISCORD_TOKEN" not in names and "OPENAI_API_KEY" not in names
    assert set(names) <= {
        "PATH",
        "LANG",
        "HOME",
        "PWD",
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "PYTHONDONTWRITEBYTECODE",
        "LC_CTYPE",
    }


def test_check_function_runs_against_the_candidate() -> None:
    """`check(candidate)` passes or fails with the assertion."""
    ok = _run("def f(a, b):\n    return a + b", check="def check(candidate):\n    assert candidate(2, 2) == 4")
    bad = _run("def f(a, b):\n    return a - b", check="def check(candidate):\n    assert candidate(2, 2) == 4")
    assert ok.check is not None and ok.check.status == "ok"
    assert bad.check is not None and bad.check.status == "runtime_error"
    assert (bad.check.error or "").startswith("AssertionError")


def test_timed_worker_kills_overruns_and_recovers() -> None:
    """A call past the bound raises TimeBoundExceeded; the next call gets a fresh worker.

    Only importable functions cross to the worker, so the test uses the standard library's.
    """
    worker = TimedWorker(0.5)
    try:
        with pytest.raises(TimeBoundExceeded):
            worker.call(time.sleep, 5)
        assert worker.call(pow, 2, 3) == 8
        with pytest.raises(ZeroDivisionError):
            worker.call(divmod, 1, 0)
    finally:
        worker.close()


def test_without_bubblewrap_judging_is_refused_unless_allowed() -> None:
    """No bwrap: refuse by default (never blamed on the user); with the operator's consent, the weak mode runs."""
    from bot.adapters.judge import Isolation, JudgeConfig

    refused = Judge(JudgeConfig(bwrap="/nonexistent/bwrap"))
    assert refused.mode is Isolation.REFUSED
    report = refused.run(
        RunJob(
            code="def f(a, b):\n    return 1", entry_point="f", args=[[1, 2]], per_test_s=1, total_s=3, memory_mb=256
        )
    )
    assert report.status == "internal_error" and "MLPREP_ALLOW_WEAK_SANDBOX" in (report.error or "")


def test_weak_mode_keeps_rlimits_seccomp_env_and_uid(monkeypatch: pytest.MonkeyPatch) -> None:
    """The explicit fallback still hides secrets, blocks sockets and drops root."""
    import os

    from bot.adapters.judge import Isolation, JudgeConfig

    monkeypatch.setenv("DISCORD_TOKEN", "secret-token")
    weak = Judge(JudgeConfig(bwrap="/nonexistent/bwrap", allow_weak=True))
    assert weak.mode is Isolation.WEAK
    code = (
        "import os, socket\n"
        "def f(a, b):\n"
        "    try:\n"
        "        socket.socket(socket.AF_INET)\n"
        "        net = 'open'\n"
        "    except OSError:\n"
        "        net = 'blocked'\n"
        "    return [os.getuid(), net, 'DISCORD_TOKEN' in os.environ]"
    )
    report = weak.run(RunJob(code=code, entry_point="f", args=[[1, 2]], per_test_s=2, total_s=4, memory_mb=256))
    uid, net, leaked = report.cases[0].value
    assert net == "blocked" and not leaked
    assert uid != 0 or os.geteuid() != 0
    looping = weak.run(
        RunJob(
            code="def f(a, b):\n    while True:\n        pass",
            entry_point="f",
            args=[[1, 2]],
            per_test_s=1,
            total_s=3,
            memory_mb=256,
        )
    )
    assert looping.cases[0].status == "time_limit"


def test_maths_check_has_a_hard_time_bound(mini_bank) -> None:  # noqa: ANN001
    """A maths check that overruns its bound is killed and reported as unreadable, not as a wrong answer."""
    from bot.grader import OfflineGrader

    grader = OfflineGrader(JUDGE[0], TimedWorker(0.0001), time_limit_s=5.0, memory_mb=256)
    try:
        result = grader.grade(mini_bank.get("calc-derivative"), "2x sin(x) + x^2 cos(x)")
    finally:
        grader.close()
    assert result.verdict == "unreadable" and "took too long" in result.feedback
