"""Long-running child processes (PostgREST, Dagster, docs server): start, health-check, stop.

Each process has a pid file under ``home/run`` and a log under ``home/logs`` so that ``bi-dash down``
and ``bi-dash status`` work from another shell than the one that started it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from orchestration.errors import PlatformError
from orchestration.logs import rotate
from orchestration.settings import Settings


@dataclass(frozen=True)
class Service:
    name: str
    command: Sequence[str]
    health: Callable[[], bool]
    env: Mapping[str, str] | None = None
    cwd: Path | None = None
    min_uptime: float = 0.0  # seconds the process must stay up before it counts as started

    def pid_file(self, settings: Settings) -> Path:
        return settings.run_dir / f"{self.name}.pid"

    def log_file(self, settings: Settings) -> Path:
        return settings.log_dir / f"{self.name}.log"


def read_pid(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    # A zombie child of ours still "exists": treat it as dead.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            if stat.read().split(")")[-1].split()[0] == "Z":
                return None
    except OSError:
        pass
    return pid


def is_healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        response = httpx.get(url, timeout=timeout)
    except httpx.HTTPError:
        return False
    return response.status_code < 400


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def default_signals() -> None:
    """Default SIGTERM/SIGINT handling whatever this process inherited: a child of a parent that ignores
    them (an in-process Dagster run may; a shell runs `cmd &` with SIGINT ignored) would otherwise ignore
    them too, and so would what it execs (Dagster maps SIGTERM to SIGINT's handler: a code server
    started so ignored SIGTERM and outlived every stop). Children of `bi-dash up` and the processes
    `bi-dash serve` becomes both start from here."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(service: Service, settings: Settings, timeout: float = 60.0) -> int:
    """Start the service unless it already runs; wait until its health URL answers."""
    pid_file = service.pid_file(settings)
    pid = read_pid(pid_file)
    if pid is not None and service.health():
        return pid
    if pid is not None:
        stop(service, settings)
    log_file = service.log_file(settings)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    rotate(log_file)  # and while it runs, the heal_dead_runs sensor rotates it each minute if it grew
    env = {**os.environ, **(service.env or {})}
    with open(log_file, "ab") as log:
        process = subprocess.Popen(  # commands are built from settings, not user text
            list(service.command),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=service.cwd,
            start_new_session=True,  # Ctrl-C in the terminal reaches the CLI, which stops us cleanly
            preexec_fn=default_signals,
        )
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(str(process.pid))

    started = time.monotonic()

    def ready() -> bool:
        if process.poll() is not None:
            raise PlatformError(
                f"{service.name} exited with code {process.returncode} while starting; see {log_file}"
            )
        return time.monotonic() - started >= service.min_uptime and service.health()

    if not wait_until(ready, timeout):
        stop(service, settings)
        raise PlatformError(f"{service.name} did not become ready in {timeout:.0f}s; see {log_file}")
    return process.pid


def stop(service: Service, settings: Settings, timeout: float = 20.0) -> bool:
    """Stop the service's whole process group. True when something was running."""
    pid_file = service.pid_file(settings)
    pid = read_pid(pid_file)
    pid_file.unlink(missing_ok=True)
    if pid is None:
        return False
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return True
        if wait_until(lambda: _reap(pid), timeout if sig == signal.SIGTERM else 5):
            return True
    return True


def _reap(pid: int) -> bool:
    """True once the process is gone (reaping it when it is our child)."""
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return True
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def status(service: Service, settings: Settings) -> tuple[bool, int | None]:
    pid = read_pid(service.pid_file(settings))
    return (pid is not None and service.health()), pid
