"""The code judge: runs strangers' code under bubblewrap (or an explicitly allowed weaker fallback).

Layers, outermost first: a bounded pool of runs; a per-run cgroup (memory, pids) where the host allows;
rlimits (address space, CPU, file size, open files, processes, stack, no core); an empty environment;
an unprivileged uid (setpriv) when we are root; bubblewrap namespaces (user, pid, net, ipc, uts, mount)
with a read-only /usr, a size-capped tmpfs as the only writable place and no network; a seccomp filter;
and a wall-clock kill of the whole process group and cgroup. Expected outputs never enter the sandbox.
"""

from __future__ import annotations

import contextlib
import ctypes
import enum
import logging
import marshal
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.adapters.judge import seccomp
from bot.adapters.judge.cgroups import Cgroups, RunCgroup
from bot.adapters.judge.weak import FILE_CAP_BYTES, read_report
from bot.engine.grading.coding import RunJob, RunReport

log = logging.getLogger(__name__)
HARNESS = Path(__file__).with_name("harness.py")
NOBODY = 65534
SANDBOX_ENV = {
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "HOME": "/tmp",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}


class Isolation(enum.StrEnum):
    """How code is isolated; announced at start-up."""

    BWRAP = "bwrap"
    WEAK = "weak"
    REFUSED = "refused"


@dataclass(frozen=True)
class JudgeConfig:
    """Operator choices for the judge."""

    python: str = "/usr/bin/python3"
    bwrap: str = "bwrap"
    allow_weak: bool = False
    workers: int = 0
    max_pids: int = 64
    tmpfs_mb: int = 64


def _bwrap_argv(config: JudgeConfig, workdir: str, filter_fd: int) -> list[str]:
    """The bubblewrap command line (namespaces, read-only system, capped tmpfs, seccomp, empty env)."""
    argv = [
        config.bwrap,
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--as-pid-1",
        "--cap-drop",
        "ALL",
        "--clearenv",
    ]
    for key, value in SANDBOX_ENV.items():
        argv += ["--setenv", key, value]
    argv += [
        "--ro-bind",
        "/usr",
        "/usr",
        "--symlink",
        "usr/lib",
        "/lib",
        "--symlink",
        "usr/lib64",
        "/lib64",
        "--symlink",
        "usr/bin",
        "/bin",
        "--ro-bind-try",
        "/etc/alternatives",
        "/etc/alternatives",
        "--ro-bind-try",
        "/etc/ld.so.cache",
        "/etc/ld.so.cache",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(config.tmpfs_mb * 1024 * 1024),
        "--tmpfs",
        "/tmp",
        "--ro-bind",
        f"{workdir}/harness.py",
        "/judge/harness.py",
        "--chdir",
        "/tmp",
    ]
    prefix = Path(config.python).resolve().parents[1]
    if not str(prefix).startswith("/usr"):
        argv += ["--ro-bind", str(prefix), str(prefix)]
    if filter_fd >= 0:
        argv += ["--seccomp", str(filter_fd)]
    return [*argv, "--", config.python, "-I", "-S", "/judge/harness.py"]


def _drop_privileges() -> list[str]:
    """setpriv in front of the chain when we are root, so judged code never runs as host root."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--no-new-privs", "--"]


def _install_seccomp(program: bytes) -> None:
    """Load the filter into the calling process (weak mode; runs in the child before exec)."""
    libc = ctypes.CDLL(None, use_errno=True)

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]

    prog = SockFprog(len(program) // 8, program)
    if libc.prctl(38, 1, 0, 0, 0) != 0 or libc.prctl(22, 2, ctypes.byref(prog), 0, 0) != 0:  # NO_NEW_PRIVS, SECCOMP
        os._exit(126)


def _rlimits(job: RunJob, config: JudgeConfig) -> list[tuple[int, int, int]]:
    """(resource, soft, hard) for a run: address space, CPU, file size, open files, core, stack, processes."""
    memory = job.memory_mb * 1024 * 1024
    cpu = int(job.total_s) + 1
    return [
        (resource.RLIMIT_AS, memory, memory),
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_FSIZE, FILE_CAP_BYTES, FILE_CAP_BYTES),
        (resource.RLIMIT_NOFILE, 64, 64),
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_STACK, 64 * 1024 * 1024, 64 * 1024 * 1024),
        (resource.RLIMIT_NPROC, 4 * config.max_pids, 4 * config.max_pids),
    ]


_PRLIMIT_FLAGS = {
    resource.RLIMIT_AS: "--as",
    resource.RLIMIT_CPU: "--cpu",
    resource.RLIMIT_FSIZE: "--fsize",
    resource.RLIMIT_NOFILE: "--nofile",
    resource.RLIMIT_CORE: "--core",
    resource.RLIMIT_STACK: "--stack",
    resource.RLIMIT_NPROC: "--nproc",
}


def _prlimit_argv(job: RunJob, config: JudgeConfig) -> list[str]:
    """prlimit in front of the chain: the same limits as a pre-exec hook, without forking Python slowly."""
    return ["prlimit", *(f"{_PRLIMIT_FLAGS[res]}={soft}:{hard}" for res, soft, hard in _rlimits(job, config)), "--"]


def _limits(job: RunJob, config: JudgeConfig, cgroup: RunCgroup | None, weak: bool) -> Callable[[], None]:
    """The child's pre-exec step: join the cgroup, set rlimits, and (weak mode) load seccomp."""
    limits = _rlimits(job, config)
    program = seccomp.filter_program() if weak and seccomp.supported() else b""

    def apply() -> None:
        if cgroup is not None:
            cgroup.join()
        for res, soft, hard in limits:
            resource.setrlimit(res, (soft, hard))
        if program:
            _install_seccomp(program)

    return apply


def _site_paths(python: str) -> list[str]:
    """The import paths `site` would add (numpy lives there); the harness runs with -S and adds them itself."""
    script = "import sys; print(chr(10).join(p for p in sys.path if p))"
    try:
        full = subprocess.run([python, "-I", "-c", script], capture_output=True, text=True, timeout=20, check=True)
        bare = subprocess.run(
            [python, "-I", "-S", "-c", script], capture_output=True, text=True, timeout=20, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("judge_site_paths_failed error=%s", exc)
        return []
    return [p for p in full.stdout.splitlines() if p not in set(bare.stdout.splitlines())]


def encode_job(job: RunJob, paths: list[str]) -> bytes | None:
    """The job as marshal data for the harness (each test's args separately, so each test gets a fresh copy)."""
    try:
        return marshal.dumps(
            {
                "code": job.code,
                "entry_point": job.entry_point,
                "check": job.check,
                "per_test_s": job.per_test_s,
                "paths": paths,
                "args": [marshal.dumps(args) for args in job.args],
            }
        )
    except ValueError:
        return None


class Judge:
    """Runs RunJobs with the strongest isolation available; a bounded number at a time."""

    def __init__(self, config: JudgeConfig, cgroups: Cgroups | None = None) -> None:
        self.config = config
        self._cgroups = cgroups
        self._slots = threading.BoundedSemaphore(config.workers or os.cpu_count() or 2)
        self._probe_lock = threading.Lock()
        self._mode: Isolation | None = None
        self.site_paths: list[str] = []
        self.prlimit = shutil.which("prlimit") is not None

    @property
    def mode(self) -> Isolation:
        """The isolation in use, probed once on first need (commands that judge no code never pay for it)."""
        if self._mode is None:
            with self._probe_lock:
                if self._mode is None:
                    self._probe()
        assert self._mode is not None
        return self._mode

    @property
    def cgroups(self) -> Cgroups:
        """Per-run cgroup support, probed with the isolation."""
        self.mode  # noqa: B018 - probing sets up the cgroups too
        assert self._cgroups is not None
        return self._cgroups

    def _probe(self) -> None:
        """Detect bubblewrap, cgroups and the judge interpreter's import paths, and say what was found."""
        if self._cgroups is None:
            self._cgroups = Cgroups()
        mode = self._detect()
        self.site_paths = _site_paths(self.config.python) if mode is not Isolation.REFUSED else []
        level = logging.INFO if mode is Isolation.BWRAP else logging.WARNING
        log.log(level, "judge_isolation mode=%s cgroups=%s python=%s", mode, self._cgroups.mode, self.config.python)
        self._mode = mode

    def _detect(self) -> Isolation:
        """bwrap if it runs here; else the weak fallback only when the operator allowed it."""
        if shutil.which(self.config.bwrap) and Path(self.config.python).exists() and self._smoke():
            return Isolation.BWRAP
        return Isolation.WEAK if self.config.allow_weak else Isolation.REFUSED

    def _smoke(self) -> bool:
        """Run a no-op through the full chain once."""
        with tempfile.TemporaryDirectory(prefix="mlprep-probe-") as tmp:
            os.chmod(tmp, 0o755)
            Path(tmp, "harness.py").write_text("pass\n")
            argv = _drop_privileges() + _bwrap_argv(self.config, tmp, -1)
            try:
                result = subprocess.run(argv, env={}, capture_output=True, timeout=20, check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                log.warning("bwrap_unusable error=%s", exc)
                return False
        if result.returncode != 0:
            log.warning("bwrap_unusable code=%s stderr=%s", result.returncode, result.stderr[-300:])
        return result.returncode == 0

    def run(self, job: RunJob) -> RunReport:
        """Judge one submission; never raises for anything the submission does."""
        if self.mode is Isolation.REFUSED:
            return RunReport(
                status="internal_error",
                error="code judging is off on this host: bubblewrap is "
                "unavailable and MLPREP_ALLOW_WEAK_SANDBOX is not set",
            )
        with self._slots, tempfile.TemporaryDirectory(prefix="mlprep-run-") as tmp:
            os.chmod(tmp, 0o755)
            shutil.copyfile(HARNESS, Path(tmp, "harness.py"))
            os.chmod(Path(tmp, "harness.py"), 0o644)
            cgroup = self.cgroups.create(job.memory_mb * 1024 * 1024, self.config.max_pids)
            try:
                return self._run_in(job, tmp, cgroup)
            finally:
                if cgroup is not None:
                    cgroup.kill_all()
                    # The kernel finishes tearing the killed processes down a moment later; don't make the user wait.
                    threading.Thread(target=cgroup.remove, name="mlprep-cgroup-rm", daemon=True).start()

    def _run_in(self, job: RunJob, tmp: str, cgroup: RunCgroup | None) -> RunReport:
        """Spawn the chain, feed the job, enforce the wall clock, and read the report."""
        out_path, err_path = Path(tmp, "out.json"), Path(tmp, "err.txt")
        payload = encode_job(job, self.site_paths)
        if payload is None:
            return RunReport(status="internal_error", error="the question's test arguments are not plain data")
        weak = self.mode is Isolation.WEAK
        read_fd, write_fd = os.pipe() if not weak and seccomp.supported() else (-1, -1)
        if write_fd >= 0:
            os.write(write_fd, seccomp.filter_program())
            os.close(write_fd)
        fast = not weak and self.prlimit
        argv = (
            (_prlimit_argv(job, self.config) if fast else [])
            + _drop_privileges()
            + (
                [self.config.python, "-I", "-S", f"{tmp}/harness.py"]
                if weak
                else _bwrap_argv(self.config, tmp, read_fd)
            )
        )
        with out_path.open("wb") as out, err_path.open("wb") as err:
            returncode = self._spawn(
                argv,
                job,
                payload,
                out,
                err,
                None if fast else _limits(job, self.config, cgroup, weak),
                (read_fd,) if read_fd >= 0 else (),
                tmp,
                cgroup,
            )
        if read_fd >= 0:
            os.close(read_fd)
        report = read_report(returncode, out_path, err_path, job)
        failed = report.status == "runtime_error" or any(c.status != "ok" for c in report.cases)
        if cgroup is not None and failed and cgroup.memory_exceeded():
            cases = [c if c.status == "ok" else c.model_copy(update={"status": "memory_limit"}) for c in report.cases]
            return RunReport(status="memory_limit", error="ran out of memory", cases=cases)
        return report

    def _spawn(
        self,
        argv: list[str],
        job: RunJob,
        payload: bytes,
        out: object,
        err: object,
        preexec: Callable[[], None] | None,
        fds: tuple[int, ...],
        cwd: str,
        cgroup: RunCgroup | None,
    ) -> int | None:
        """Start the chain with an empty environment; kill everything at the wall-clock limit."""
        env = {} if self.mode is Isolation.BWRAP else dict(SANDBOX_ENV)
        try:
            proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                argv,
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
                env=env,
                cwd=cwd,
                preexec_fn=preexec,
                pass_fds=fds,
                start_new_session=True,
            )
        except OSError as exc:
            log.error("judge_start_failed error=%s", exc)
            return -999
        if preexec is None and cgroup is not None:
            cgroup.adopt(proc.pid)  # before the job is written, so nothing of the submission has run yet
        try:
            proc.communicate(payload, timeout=job.total_s)
        except subprocess.TimeoutExpired:
            return None
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            if cgroup is not None:
                cgroup.kill_all()
            proc.wait()
        return proc.returncode
