"""Running the pipeline from the CLI: prepare dbt's manifest, execute the refresh job, report it."""

from __future__ import annotations

import os
import shutil
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from orchestration import logs, publish
from orchestration.change_detection import project_digest
from orchestration.defs.platform.dbt import run_dbt
from orchestration.defs.platform.steps import API_CHECKS_STEP, DBT_STEP
from orchestration.errors import PlatformError
from orchestration.logs import rotate
from orchestration.publish import RUNNER_LOCK_KEY
from orchestration.runtime.database import role_connection, start_database
from orchestration.runtime.runs import (
    describe_run,
    heal,
    keep_storage_connections,
    run_tags,
    runs_in_progress,
)
from orchestration.settings import PROJECT_ROOT, Settings

logger = logs.get_logger("pipeline")


@dataclass(frozen=True)
class RefreshOutcome:
    run_id: str
    success: bool
    failed_steps: tuple[str, ...]
    outcome: str = ""  # the audit trail's word: published, blocked, failed
    failing_checks: tuple[str, ...] = ()
    warning_checks: tuple[str, ...] = ()
    message: str = ""
    step_seconds: dict[str, float] = field(default_factory=dict)


def prepare_dbt(settings: Settings) -> bool:
    """Write the manifest Dagster loads the dbt assets from, unless the one there was parsed from this
    very project (its digest is kept beside it). True when dbt parsed."""

    stamp = settings.dbt_target_dir / ".project_digest"
    digest = project_digest(settings.dbt_project_dir)
    manifest = settings.dbt_target_dir / "manifest.json"
    if manifest.exists() and stamp.exists() and stamp.read_text() == digest:
        return False
    # a container image parses the project when it is built (deploy/Dockerfile): that manifest serves
    baked = settings.dbt_project_dir / "target"
    baked_stamp = baked / ".project_digest"
    if (baked / "manifest.json").exists() and baked_stamp.exists() and baked_stamp.read_text() == digest:
        settings.dbt_target_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(baked / "manifest.json", manifest)
        stamp.write_text(digest)
        return False
    run_dbt(settings, ["parse", "--quiet"])
    stamp.write_text(digest)
    return True


StepCallback = Callable[[str, bool, float], None]  # step key, succeeded, seconds


def run_refresh(
    settings: Settings,
    full_refresh: bool = False,
    allow_shrink: bool = False,
    on_step: StepCallback | None = None,
    every_domain: bool = False,
) -> RefreshOutcome:
    """Execute the Dagster `refresh` job in this process, recorded in the instance (visible in the UI).

    ``on_step`` is told of each step as it ends (from the run's event log, polled beside the run).
    ``every_domain``: build every domain, not only those with new loads (``--force``)."""
    # deferred: Dagster takes ~1 s to import; this module's dbt and docs helpers run without it
    import dagster as dg
    from dagster._core.execution.api import execute_run

    transformer = role_connection(start_database(settings), settings, "transformer")
    with dg.DagsterInstance.get() as instance, transformer.connect(autocommit=True) as guard:
        keep_storage_connections(instance)
        heal_runs(settings, instance)
        # one refresh at a time: say so in one line instead of letting two collide in their steps
        running = runs_in_progress(instance)
        locked = guard.execute("select pg_try_advisory_lock(%s)", (RUNNER_LOCK_KEY,)).fetchone()
        if running or not (locked and locked[0]):
            what = describe_run(instance, running[0]) if running else "another `bi-dash refresh`"
            raise PlatformError(
                f"a refresh is already running ({what}): this one did not start;"
                " wait for it to finish (`bi-dash status`)"
            )
        recon_job = _recon_refresh_job()
        run = _create_run(
            settings,
            instance,
            recon_job,
            run_config={
                "loggers": {"console": {"config": {"log_level": "INFO"}}},
                "ops": {
                    DBT_STEP: {"config": {"full_refresh": full_refresh, "every_domain": every_domain}},
                    **({API_CHECKS_STEP: {"config": {"min_row_share": 0.0}}} if allow_shrink else {}),
                },
            },
        )
        watcher = _StepWatcher(run.run_id, on_step) if on_step else None
        try:
            result = execute_run(recon_job, run, instance, raise_on_error=False)
        finally:
            if watcher:
                watcher.stop()
        failed = tuple(
            event.step_key or "?" for event in result.all_events if event.event_type_value == "STEP_FAILURE"
        )
        seconds = step_seconds(instance, result.run_id)
    outcome = RefreshOutcome(
        run_id=result.run_id, success=result.success, failed_steps=failed, step_seconds=seconds
    )
    return _with_audit(settings, outcome)


DEFINITIONS_MODULE = "orchestration.definitions"
REPOSITORY_NAME = "__repository__"  # what @dg.definitions names the one repository of a code location


def _recon_refresh_job() -> Any:
    # deferred: Dagster and its definitions load only when a run is created
    from dagster._core.definitions.reconstruct import ReconstructableRepository

    from orchestration.defs.platform.jobs import REFRESH_JOB_NAME

    repository = ReconstructableRepository.for_module(
        DEFINITIONS_MODULE, fn_name="defs", working_directory=str(PROJECT_ROOT)
    )
    return repository.get_reconstructable_job(REFRESH_JOB_NAME)


def code_location_origin(settings: Settings) -> Any:
    """The code location the Dagster webserver and daemon load (see services._code_location): a run
    recorded with it belongs to that location's job, so the UI shows it like a run it launched
    (the Overview timeline, the job's runs, re-execution)."""
    # deferred: Dagster takes ~1 s to import; this module's dbt and docs helpers run without it
    from dagster._core.remote_origin import (
        GrpcServerCodeLocationOrigin,
        ManagedGrpcPythonEnvCodeLocationOrigin,
    )
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

    if settings.code_location_host:
        return GrpcServerCodeLocationOrigin(
            host=settings.code_location_host, port=settings.code_location_port
        )
    target = LoadableTargetOrigin(
        executable_path=sys.executable, module_name=DEFINITIONS_MODULE, working_directory=str(PROJECT_ROOT)
    )
    return ManagedGrpcPythonEnvCodeLocationOrigin(
        loadable_target_origin=target, location_name=DEFINITIONS_MODULE
    )


def _create_run(settings: Settings, instance: Any, recon_job: Any, run_config: dict[str, Any]) -> Any:
    """A refresh run in the instance, with the code location's origin (not an ad hoc run: those are
    missing from the Overview timeline), that this process then executes."""
    # deferred: Dagster takes ~1 s to import; this module's dbt and docs helpers run without it
    from dagster._core.execution.api import create_execution_plan
    from dagster._core.remote_origin import RemoteJobOrigin, RemoteRepositoryOrigin

    job_def = recon_job.get_definition()
    origin = RemoteJobOrigin(
        repository_origin=RemoteRepositoryOrigin(code_location_origin(settings), REPOSITORY_NAME),
        job_name=job_def.name,
    )
    return instance.create_run_for_job(
        job_def=job_def,
        execution_plan=create_execution_plan(
            recon_job, run_config=run_config, instance_ref=instance.get_ref()
        ),
        run_id=str(uuid.uuid4()),
        run_config=run_config,
        # the CLI reports its run's failure to the user; the daemon must not re-run it behind their back
        tags={**job_def.tags, **run_tags(), "dagster/max_retries": "0"},
        remote_job_origin=origin,
        job_code_origin=recon_job.get_python_origin(),
    )


class _StepWatcher:
    """Tells ``on_step`` of each step of a run as it ends, polling the run's event log in a thread."""

    def __init__(self, run_id: str, on_step: StepCallback, interval: float = 1.0) -> None:
        self.run_id, self.on_step, self.interval = run_id, on_step, interval
        self.seen: set[str] = set()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="step-watcher", daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        # deferred: Dagster takes ~1 s to import; this module's dbt and docs helpers run without it
        import dagster as dg

        with dg.DagsterInstance.get() as instance:
            keep_storage_connections(instance)
            while True:
                finished = self.done.wait(self.interval)
                try:
                    self._report(instance)
                except Exception:  # progress is a courtesy: the run's outcome is what counts
                    logger.debug("step progress unavailable", exc_info=True)
                if finished:
                    return

    def _report(self, instance: Any) -> None:
        for step, (succeeded, seconds) in _ended_steps(instance, self.run_id).items():
            if step not in self.seen:
                self.seen.add(step)
                self.on_step(step, succeeded, seconds)

    def stop(self) -> None:
        self.done.set()
        self.thread.join(timeout=60)


def _ended_steps(instance: Any, run_id: str) -> dict[str, tuple[bool, float]]:
    """Steps of a run that ended so far: succeeded, wall-clock seconds (in the order they ended)."""
    started: dict[str, float] = {}
    ended: dict[str, tuple[bool, float]] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            seconds = round(entry.timestamp - started.get(event.step_key, entry.timestamp), 1)
            ended[event.step_key] = (event.event_type_value == "STEP_SUCCESS", seconds)
    return ended


@contextmanager
def output_to_log(log: Path) -> Iterator[TextIO]:
    """Everything written to file descriptors 1 and 2 meanwhile (Dagster's console logger, dbt, library
    warnings) goes to ``log``; yields a stream that still reaches the terminal (the former stderr).

    The log is rotated first when it outgrew its limit (logs.rotate)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    rotate(log)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    terminal = os.fdopen(os.dup(2), "w", buffering=1, encoding="utf-8", errors="replace")
    target = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(target, 1)
    os.dup2(target, 2)
    os.close(target)
    try:
        yield terminal
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
        terminal.close()


def heal_dead_runs(settings: Settings) -> list[Any]:
    """heal_runs on the platform's Dagster instance."""
    # deferred: Dagster takes ~1 s to import; this module's dbt and docs helpers run without it
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        return heal_runs(settings, instance)


def heal_runs(settings: Settings, instance: Any) -> list[Any]:
    """Runs whose process died are marked failed before anything starts (orchestration/runtime/runs.py)."""

    healed = heal(instance, role_connection(start_database(settings), settings, "transformer"))
    for item in healed:
        logger.warning(f"run {item.run_id} of {item.job_name} marked failed: {item.reason}")
    return healed


def step_seconds(instance: Any, run_id: str) -> dict[str, float]:
    """Wall-clock seconds of each step of a run, from its event log (start to success or failure)."""
    return {step: seconds for step, (_, seconds) in _ended_steps(instance, run_id).items()}


def _with_audit(settings: Settings, outcome: RefreshOutcome) -> RefreshOutcome:
    """Add what the audit trail says about the run (outcome, failing and warning checks)."""

    with role_connection(start_database(settings), settings, "transformer").connect(autocommit=True) as conn:
        recorded = publish.attempt_outcome(conn, outcome.run_id)
        if recorded and recorded[0] == "running":
            # a step crashed before it could say so, or Dagster skipped the publish step: the run did
            # not publish, whatever Dagster's own status says
            message = "failed steps: " + (", ".join(outcome.failed_steps) or "the publish step did not run")
            publish.finish_attempt(conn, outcome.run_id, "failed", message)
            recorded = ("failed", message)
            outcome = replace(outcome, success=False)
        return replace(
            outcome,
            outcome=recorded[0] if recorded else "",
            message=(recorded[1] or "") if recorded else "",
            failing_checks=tuple(publish.failed_checks(conn, outcome.run_id, "error")),
            warning_checks=tuple(publish.failed_checks(conn, outcome.run_id, "warn")),
        )


def refresh_or_raise(
    settings: Settings,
    full_refresh: bool = False,
    allow_shrink: bool = False,
    on_step: StepCallback | None = None,
    every_domain: bool = False,
) -> RefreshOutcome:
    outcome = run_refresh(settings, full_refresh, allow_shrink, on_step, every_domain)
    if outcome.success:
        return outcome
    where = f"Dagster run {outcome.run_id}; log: {settings.log_dir / 'refresh.log'}"
    if outcome.outcome == "partial":
        raise PlatformError(
            f"refresh partly published: {outcome.message}; the API serves their last good build ({where})"
        )
    if outcome.failing_checks:
        raise PlatformError(
            f"refresh {outcome.outcome or 'failed'}: not published, the API serves the last good build;"
            f" failing checks: {', '.join(outcome.failing_checks)} ({where})"
        )
    steps = ", ".join(outcome.failed_steps) or "see the run"
    detail = f": {outcome.message}" if outcome.message else ""
    raise PlatformError(f"refresh failed in {steps}{detail}; not published ({where})")
