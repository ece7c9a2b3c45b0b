"""Reading what a judged process left behind: its report, or how it died."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from pydantic import ValidationError

from bot.engine.grading.coding import RunJob, RunReport

FILE_CAP_BYTES = 2 * 1024 * 1024


def read_report(returncode: int | None, out_path: Path, err_path: Path, job: RunJob) -> RunReport:
    """The child's report, or a report of how the child ended without one."""
    if returncode is None:
        return RunReport(status="time_limit", error=f"took longer than {job.total_s:g}s in total")
    if returncode == -999:
        return RunReport(status="internal_error", error="could not start the judge")
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
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL, 128 + signal.SIGXCPU, 128 + signal.SIGKILL):
        return RunReport(status="time_limit", error="CPU time limit exceeded")
    if returncode in (-signal.SIGXFSZ, 128 + signal.SIGXFSZ):
        return RunReport(status="output_limit", error="printed too much output")
    if "MemoryError" in tail:
        return RunReport(status="memory_limit", error="ran out of memory")
    return RunReport(status="runtime_error", error=f"the program exited early (code {returncode}) {tail[-300:]}")
