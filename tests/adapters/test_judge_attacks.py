"""The attack suite: hostile submissions must get a verdict, and nothing may escape or outlive the run."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from pathlib import Path

import pytest

from bot.adapters.judge import Isolation, Judge
from bot.engine.grading.coding import RunJob, RunReport


@pytest.fixture(autouse=True)
def _needs_bwrap(judge: Judge) -> None:
    """These tests are about the real sandbox: skip on a machine without it, but never in CI."""
    if judge.mode is not Isolation.BWRAP:
        if os.environ.get("CI"):
            pytest.fail("CI must run the attack suite under bubblewrap (scripts/install.sh installs it)")
        pytest.skip(f"bubblewrap is not usable here (mode {judge.mode})")


def _sandbox_pids() -> set[int]:
    """Pids of any judged process still alive (the harness runs as /judge/harness.py)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if b"/judge/harness.py" in (entry / "cmdline").read_bytes():
                found.add(int(entry.name))
        except OSError:
            continue
    return found


def _attack(
    judge: Judge,
    body: str,
    args: list[object] | None = None,
    per_test: float = 2.0,
    total: float = 6.0,
    memory_mb: int = 256,
) -> RunReport:
    """Run `def f(x): <body>` once and check no judged process is left behind."""
    code = "import os, sys, time, socket, ctypes, threading\n\ndef f(x):\n" + "\n".join(
        "    " + line for line in body.strip("\n").splitlines()
    )
    job = RunJob(
        code=code,
        entry_point="f",
        args=[args if args is not None else [0]],
        per_test_s=per_test,
        total_s=total,
        memory_mb=memory_mb,
    )
    report = judge.run(job)
    deadline = time.monotonic() + 5
    while _sandbox_pids() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _sandbox_pids(), "a judged process outlived its run"
    return report


def _status(report: RunReport) -> str:
    """The verdict of the single test, or of the run when it never reached it."""
    return report.cases[0].status if report.cases else report.status


def _value(report: RunReport) -> object:
    """What the single test returned."""
    assert report.cases and report.cases[0].status == "ok", report
    return report.cases[0].value


def test_infinite_loop(judge: Judge) -> None:
    """A busy loop hits the per-test limit."""
    assert _status(_attack(judge, "while True:\n    pass", per_test=1)) == "time_limit"


def test_sleep(judge: Judge) -> None:
    """Sleeping is wall-clock time too."""
    assert _status(_attack(judge, "time.sleep(60)", per_test=1)) == "time_limit"


def test_fork_bomb(judge: Judge) -> None:
    """Forking forever is stopped by the pids limit and the clock; no child survives."""
    report = _attack(judge, "while True:\n    try:\n        os.fork()\n    except OSError:\n        pass", per_test=2)
    assert _status(report) in ("time_limit", "runtime_error")


def test_thread_bomb(judge: Judge) -> None:
    """Starting threads forever fails inside the limits."""
    report = _attack(judge, "while True:\n    threading.Thread(target=time.sleep, args=(100,), daemon=True).start()")
    assert _status(report) in ("runtime_error", "time_limit", "memory_limit")


def test_allocate_10_gb(judge: Judge) -> None:
    """One huge allocation is a memory_limit verdict."""
    assert _status(_attack(judge, "return len(bytearray(10 * 1024**3))")) == "memory_limit"


def test_gradual_allocation(judge: Judge) -> None:
    """Growing memory a megabyte at a time also ends in memory_limit."""
    report = _attack(judge, "chunks = []\nwhile True:\n    chunks.append(bytearray(1024 * 1024))")
    assert _status(report) == "memory_limit"


def test_deep_recursion(judge: Judge) -> None:
    """Unbounded recursion is a runtime error, not a crash of the judge."""
    report = _attack(judge, "return f(x + 1)")
    assert _status(report) == "runtime_error" and "RecursionError" in (report.cases[0].error or "")


def test_write_a_5_gb_file(judge: Judge) -> None:
    """Writing a huge file stops at the file-size limit or the tmpfs cap; nothing lands on the host."""
    report = _attack(
        judge,
        "with open('/tmp/big', 'wb') as out:\n    for _ in range(5 * 1024):\n"
        "        out.write(b'x' * 1024 * 1024)\nreturn 'written'",
    )
    assert _status(report) in ("runtime_error", "output_limit")
    assert not Path("/tmp/big").exists()


def test_many_small_files(judge: Judge) -> None:
    """Filling the tmpfs with small files fails inside the sandbox."""
    report = _attack(
        judge,
        "for i in range(10**6):\n    with open(f'/tmp/f{i}', 'wb') as out:\n"
        "        out.write(b'x' * 4096)\nreturn 'done'",
        per_test=5,
        total=8,
    )
    assert _status(report) in ("runtime_error", "time_limit")


def test_huge_stdout(judge: Judge) -> None:
    """Flooding the real stdout is an output_limit verdict."""
    report = _attack(judge, "while True:\n    os.write(1, b'x' * 65536)")
    assert _status(report) == "output_limit"


def test_socket_to_a_local_listener(judge: Judge) -> None:
    """No network: a listener on 127.0.0.1 sees nothing."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    seen: list[object] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            seen.append(listener.accept())

    thread = threading.Thread(target=accept)
    thread.start()
    report = _attack(
        judge, "s = socket.socket()\ns.settimeout(1)\ns.connect(('127.0.0.1', x))\nreturn 'connected'", args=[port]
    )
    thread.join()
    listener.close()
    assert _status(report) == "runtime_error" and "Operation not permitted" in (report.cases[0].error or "")
    assert seen == []


def test_read_etc_shadow(judge: Judge) -> None:
    """/etc is not in the sandbox."""
    report = _attack(judge, "return open('/etc/shadow').read()")
    assert _status(report) == "runtime_error" and "FileNotFoundError" in (report.cases[0].error or "")


def test_secrets_are_out_of_reach(judge: Judge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot's .env, and DISCORD_TOKEN / OPENAI_API_KEY in its environment, are invisible from the sandbox."""
    env_file = tmp_path / ".env"
    env_file.write_text("DISCORD_TOKEN=secret-token-123\n")
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token-123")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-456")
    body = """
found = []
for path in (x, '/proc/1/environ', '/proc/self/environ', '/proc/1/cmdline'):
    try:
        found.append(open(path, 'rb').read().decode(errors='replace'))
    except OSError as exc:
        found.append(type(exc).__name__)
found.append(repr(dict(os.environ)))
return found
"""
    value = _value(_attack(judge, body, args=[str(env_file)]))
    text = repr(value)
    assert "secret-token-123" not in text and "sk-secret-456" not in text
    assert value[0] == "FileNotFoundError"


def test_kill_the_parent(judge: Judge) -> None:
    """Signals cannot reach the judge or anything outside the sandbox's pid namespace."""
    body = """
results = []
for pid in (x, os.getppid()):
    try:
        os.kill(pid, 9)
        results.append('killed')
    except OSError as exc:
        results.append(type(exc).__name__)
return results
"""
    value = _value(_attack(judge, body, args=[os.getpid()]))
    assert value[0] == "ProcessLookupError"
    assert os.getpid() > 0  # we are still here


def test_ctypes_unshare_mount_ptrace(judge: Judge) -> None:
    """Namespace, mount and ptrace syscalls are refused by seccomp."""
    body = """
libc = ctypes.CDLL(None, use_errno=True)
out = []
for call in (lambda: libc.unshare(0x10000000), lambda: libc.mount(b'none', b'/tmp', b'tmpfs', 0, None),
             lambda: libc.ptrace(16, 1, 0, 0)):
    ctypes.set_errno(0)
    out.append((call(), ctypes.get_errno()))
return out
"""
    assert _value(_attack(judge, body)) == [[-1, 1], [-1, 1], [-1, 1]]


def test_daemon_cannot_outlive_the_run(judge: Judge) -> None:
    """A double-forked, setsid daemon is killed with the run (checked by _attack)."""
    body = """
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(60)
    os._exit(0)
return 'spawned'
"""
    assert _value(_attack(judge, body)) == "spawned"


def test_runs_as_an_unprivileged_user(judge: Judge) -> None:
    """Judged code never runs as host root (uid 65534 when the bot is root)."""
    uid = _value(_attack(judge, "return os.getuid()"))
    assert uid != 0 or os.geteuid() != 0
