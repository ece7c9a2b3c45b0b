"""Run a user's code in a separate process: scrubbed environment, rlimits, wall-clock kill.

This is the first, subprocess-level runner; the code-judge issue hardens it into a real sandbox.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import resource
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from bot.engine.grading.coding import RunJob, RunReport

log = logging.getLogger(__name__)
HARNESS = Path(__file__).with_name("harness.py")
FILE_CAP_BYTES = 2 * 1024 * 1024
CHILD_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def _limits(job: RunJob) -> Callable[[], None]:
    """Return a pre-exec hook that applies rlimits in the child."""
    memory = job.memory_mb * 1024 * 1024
    cpu = int(job.total_s) + 1

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_CAP_BYTES, FILE_CAP_BYTES))
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


class SubprocessRunner:
    """Runs jobs with `python -I harness.py` in a temporary folder; never raises for user faults."""

    def __init__(self, python: str = sys.executable) -> None:
        self.python = python

    def run(self, job: RunJob) -> RunReport:
        """Run one job and return the child's report (or a report of how it died)."""
        with tempfile.TemporaryDirectory(prefix="mlprep-run-") as tmp:
            out_path, err_path = Path(tmp, "out.json"), Path(tmp, "err.txt")
            with out_path.open("wb") as out, err_path.open("wb") as err:
                returncode = self._spawn(job, tmp, out, err)
            return self._report(returncode, out_path, err_path, job)

    def _spawn(self, job: RunJob, cwd: str, out: object, err: object) -> int | None:
        """Start the child, feed it the job, and kill its process group at the wall-clock limit."""
        try:
            proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [self.python, "-I", str(HARNESS)],
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
                cwd=cwd,
                env=CHILD_ENV,
                preexec_fn=_limits(job),
                start_new_session=True,
            )
        except OSError as exc:
            log.error("sandbox_start_failed error=%s", exc)
            return -999
        try:
            proc.communicate(job.model_dump_json().encode(), timeout=job.total_s)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            return None
        finally:
            _kill_group(proc)
        return proc.returncode

    def _report(self, returncode: int | None, out_path: Path, err_path: Path, job: RunJob) -> RunReport:
        """Read the child's report, or explain how the child ended without one."""
        if returncode is None:
            return RunReport(status="time_limit", error=f"took longer than {job.total_s:g}s in total")
        if returncode == -999:
            return RunReport(status="internal_error", error="could not start the runner")
        if err_path.stat().st_size >= FILE_CAP_BYTES:
            return RunReport(status="output_limit", error="printed too much output")
        text = out_path.read_bytes()[:FILE_CAP_BYTES].decode("utf-8", "replace")
        if text:
            try:
                return RunReport.model_validate(json.loads(text))
            except (ValueError, ValidationError):
                return RunReport(status="runtime_error", error="the program corrupted the judge's report")
        return _death_report(returncode, err_path)


def _death_report(returncode: int, err_path: Path) -> RunReport:
    """Explain a child that ended without writing its report."""
    tail = err_path.read_bytes()[-600:].decode("utf-8", "replace").strip()
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return RunReport(status="time_limit", error="CPU time limit exceeded")
    if returncode == -signal.SIGXFSZ or err_path.stat().st_size >= FILE_CAP_BYTES:
        return RunReport(status="output_limit", error="printed too much output")
    if "MemoryError" in tail:
        return RunReport(status="memory_limit", error="ran out of memory")
    return RunReport(status="runtime_error", error=f"the program exited early (code {returncode}) {tail[-300:]}")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the child and anything it started."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
