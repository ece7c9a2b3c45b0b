"""Per-run cgroups for memory and process limits (v2 or v1), degrading to none with a logged warning."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
import uuid
from pathlib import Path

log = logging.getLogger(__name__)
ROOT = Path("/sys/fs/cgroup")


def _own_path(controller: str | None) -> str:
    """This process's cgroup path for a v1 controller (or the v2 unified path when None)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if (controller is None and controllers == "") or (controller and controller in controllers.split(",")):
            return path
    raise OSError(f"no cgroup entry for {controller or 'unified'}")


def _children(pid: int) -> list[int]:
    """Direct children of a process (from every thread's children list)."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found.extend(int(c) for c in (task / "children").read_text().split())
    return found


class RunCgroup:
    """The cgroup directories of one run; `join()` is called in the child before exec."""

    def __init__(self, dirs: list[Path]) -> None:
        self.dirs = dirs

    def join(self) -> None:
        """Move the calling process into the run's cgroups (runs in the child, before privileges drop)."""
        pid = str(os.getpid())
        for directory in self.dirs:
            (directory / "cgroup.procs").write_text(pid)

    def adopt(self, pid: int) -> None:
        """Move a started process and its descendants into the run's cgroups (parent first, so later forks follow)."""
        for directory in self.dirs:
            with contextlib.suppress(OSError):
                (directory / "cgroup.procs").write_text(str(pid))
        for child in _children(pid):
            self.adopt(child)

    def memory_exceeded(self) -> bool:
        """Whether the memory limit was hit during the run."""
        for directory in self.dirs:
            for name, marker in (("memory.events", "oom_kill "), ("memory.failcnt", "")):
                path = directory / name
                if not path.exists():
                    continue
                text = path.read_text()
                if marker:
                    count = next((int(line.split()[1]) for line in text.splitlines() if line.startswith(marker)), 0)
                    if count:
                        return True
                elif text.strip() not in ("", "0"):
                    return True
        return False

    def kill_all(self) -> None:
        """SIGKILL every process left in the run's cgroups."""
        for directory in self.dirs:
            kill = directory / "cgroup.kill"
            if kill.exists():
                with contextlib.suppress(OSError):
                    kill.write_text("1")
                continue
            with contextlib.suppress(OSError):
                for pid in (directory / "cgroup.procs").read_text().split():
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(int(pid), signal.SIGKILL)

    def remove(self, wait_s: float = 2.0) -> bool:
        """Delete the run's cgroup directories, waiting briefly for killed processes to finish exiting."""
        deadline = time.monotonic() + wait_s
        remaining = list(self.dirs)
        while remaining:
            for directory in list(remaining):
                try:
                    directory.rmdir()
                    remaining.remove(directory)
                except FileNotFoundError:
                    remaining.remove(directory)
                except OSError:
                    continue
            if not remaining or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        if remaining:
            log.warning("cgroup_not_removed dirs=%s", remaining)
        return not remaining


class Cgroups:
    """Creates per-run cgroups under this process's own cgroup, if the host lets us."""

    def __init__(self) -> None:
        self.mode, self.parents = self._detect()
        self._sweep()

    def _sweep(self) -> None:
        """Remove empty run cgroups left behind by an earlier process (e.g. after a crash)."""
        for parent in self.parents:
            for leftover in parent.glob("mlprep-run-*"):
                with contextlib.suppress(OSError):
                    leftover.rmdir()

    def _detect(self) -> tuple[str, list[Path]]:
        """Find writable v2 or v1 (memory + pids) parents; ("none", []) otherwise."""
        try:
            if (ROOT / "cgroup.controllers").exists():
                parent = ROOT / _own_path(None).lstrip("/")
                return self._probe("v2", [parent])
            memory = ROOT / "memory" / _own_path("memory").lstrip("/")
            pids = ROOT / "pids" / _own_path("pids").lstrip("/")
            return self._probe("v1", [memory, pids])
        except OSError as exc:
            log.warning("cgroups_unavailable reason=%s (memory and process limits rely on rlimits only)", exc)
            return "none", []

    def _probe(self, mode: str, parents: list[Path]) -> tuple[str, list[Path]]:
        """Check we can create and remove a child cgroup in every parent."""
        for parent in parents:
            probe = parent / f"mlprep-probe-{uuid.uuid4().hex[:8]}"
            probe.mkdir()
            probe.rmdir()
        return mode, parents

    def create(self, memory_bytes: int, max_pids: int) -> RunCgroup | None:
        """A fresh cgroup for one run with its limits, or None where cgroups are unavailable."""
        if self.mode == "none":
            return None
        name = f"mlprep-run-{uuid.uuid4().hex[:12]}"
        dirs = [parent / name for parent in self.parents]
        try:
            for directory in dirs:
                directory.mkdir()
            self._limit(dirs, memory_bytes, max_pids)
        except OSError as exc:
            log.warning("cgroup_create_failed error=%s", exc)
            RunCgroup(dirs).remove()
            return None
        return RunCgroup(dirs)

    def _limit(self, dirs: list[Path], memory_bytes: int, max_pids: int) -> None:
        """Write the memory and pids limits for the detected cgroup version."""
        if self.mode == "v2":
            (dirs[0] / "memory.max").write_text(str(memory_bytes))
            with contextlib.suppress(OSError):
                (dirs[0] / "memory.swap.max").write_text("0")
            (dirs[0] / "pids.max").write_text(str(max_pids))
            return
        memory, pids = dirs
        (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
        with contextlib.suppress(OSError):
            (memory / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
        (pids / "pids.max").write_text(str(max_pids))
