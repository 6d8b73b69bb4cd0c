"""Runs that died must not hold the platform: a refresh killed with kill -9 (its CLI, its run worker, or
the machine) stays STARTED in Dagster's storage, and with one run at a time every scheduled and inbox
run would queue behind it forever.

:func:`heal` finds runs that claim to be in progress but whose process is gone, marks them failed (in
Dagster and in the audit trail, with the reason) and drops the shadow schemas they left. It runs before
every refresh, at start-up, and every minute from a Dagster sensor; Dagster's run monitoring
(dagster.yaml) also ends runs that stay STARTING or run far longer than a refresh ever does.

Who runs a run: ``bi-dash refresh`` executes it in its own process and tags it with its pid and host;
a run the daemon launched names its worker's pid in its first engine event.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
from dataclasses import dataclass
from typing import Any

from orchestration import publish

PID_TAG = "bi_dash/pid"
HOST_TAG = "bi_dash/host"
IN_PROGRESS = ("STARTING", "STARTED", "CANCELING")
_WORKER_PID = re.compile(r"\(pid:? (\d+)\)")


_POOLED = "_bi_dash_keeps_connections"


def keep_storage_connections(instance: Any) -> None:
    """The instance's storages keep their PostgreSQL connections open while it is in use.

    By default each storage call opens a connection and closes it (an idle instance holds none): a
    refresh at S scale opened ~1,650 connections to the Dagster database, and keeping them cut it from
    28.7 to 23.7 s (bench/README.md). The webserver keeps them open the same way (one connection, up to
    20 more at once, recycled after an hour); a run has no statement timeout (0), as before. Called
    by ``bi-dash refresh`` on its instance and, for runs the daemon launches, by the platform database
    resource on the run worker's; once per instance (a second call would leave the first pool open)."""
    if getattr(instance, _POOLED, False):
        return
    instance.optimize_for_webserver(statement_timeout=0, pool_recycle=3600, max_overflow=20)
    setattr(instance, _POOLED, True)


def run_tags() -> dict[str, str]:
    """Tags of a run this process executes itself."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is dead
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


@dataclass(frozen=True)
class HealedRun:
    run_id: str
    job_name: str
    reason: str


def _worker_pid(instance: Any, run: Any) -> int | None:
    tagged = run.tags.get(PID_TAG)
    if tagged and run.tags.get(HOST_TAG, socket.gethostname()) == socket.gethostname():
        return int(tagged)
    for entry in instance.all_logs(run.run_id):
        event = entry.dagster_event
        if event is None or event.event_type_value != "ENGINE_EVENT":
            continue
        found = _WORKER_PID.search(entry.message or "")
        if found:
            return int(found.group(1))
    return None


def dead_runs(instance: Any) -> list[tuple[Any, str]]:
    """In-progress runs whose process is gone, with why we think so."""
    # deferred: Dagster takes ~1 s to import; the run-table helpers here need only SQL
    import dagster as dg

    dead = []
    statuses = [getattr(dg.DagsterRunStatus, status) for status in IN_PROGRESS]
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=statuses)):
        if run.tags.get(HOST_TAG) not in (None, socket.gethostname()):
            continue  # another machine's run: its own sweep decides
        pid = _worker_pid(instance, run)
        if pid is None:
            continue  # not started far enough to tell; run monitoring's start timeout covers it
        if not process_alive(pid):
            dead.append((run, f"its process ({pid}) is gone: killed, or the machine restarted"))
    return dead


def heal(instance: Any, transformer: Any | None = None) -> list[HealedRun]:
    """Mark dead runs failed, free the queue, and clear what they left behind."""
    healed = []
    for run, reason in dead_runs(instance):
        instance.report_run_failed(run, f"Marked failed by bi-dash: {reason}.")
        healed.append(HealedRun(run.run_id, run.job_name, reason))
    if healed and transformer is not None:
        with transformer.connect(autocommit=True) as conn:
            for item in healed:
                conn.execute(
                    "update audit.refresh_attempts set outcome = 'failed', finished_at = now(), message = %s"
                    " where run_id = %s and outcome = 'running'",
                    (f"the refresh died: {item.reason}", item.run_id),
                )
            if publish.acquire_refresh_lock(conn):  # no refresh builds now: its leftovers can go
                try:
                    publish.drop_shadow(conn)
                finally:
                    publish.release_refresh_lock(conn)
    if transformer is not None:  # after the dead ones got their own reason
        _close_orphan_attempts(instance, transformer)
    return healed


def _close_orphan_attempts(instance: Any, transformer: Any) -> None:
    """An audit attempt still 'running' whose Dagster run has ended (the publish step never ran) did not
    publish: say so, so that status and the change detection do not wait for it."""
    with transformer.connect(autocommit=True) as conn:
        running = conn.execute(
            "select run_id from audit.refresh_attempts where outcome = 'running'"
        ).fetchall()
        for (run_id,) in running:
            run = instance.get_run_by_id(run_id)
            if run is not None and run.is_finished:
                conn.execute(
                    "update audit.refresh_attempts set outcome = 'failed', finished_at = now(), message = %s"
                    " where run_id = %s and outcome = 'running'",
                    (f"the run ended ({run.status.value}) without publishing", run_id),
                )


def runs_in_progress(instance: Any) -> list[Any]:
    """Runs Dagster says are in progress (after :func:`heal`, their processes are alive)."""
    # deferred: Dagster takes ~1 s to import; the run-table helpers here need only SQL
    import dagster as dg

    statuses = [getattr(dg.DagsterRunStatus, status) for status in IN_PROGRESS]
    return list(instance.get_runs(filters=dg.RunsFilter(statuses=statuses)))


def describe_run(instance: Any, run: Any) -> str:
    record = instance.get_run_record_by_id(run.run_id)
    started = getattr(record, "start_time", None) if record else None
    when = f", started {dt.datetime.fromtimestamp(started).astimezone():%Y-%m-%d %H:%M:%S}" if started else ""
    return f"Dagster run {run.run_id[:8]} of job {run.job_name}{when}"
