"""Running the pipeline from the CLI: prepare dbt, execute the refresh job, publish the docs."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.errors import PlatformError
from orchestration.runtime.environment import dbt_executable
from orchestration.settings import Settings


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


def dbt_command(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """Run dbt as transformer (the environment comes from apply_platform_env)."""
    log = settings.log_dir / "dbt-cli.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(  # noqa: S603
        [dbt_executable(), *args, "--no-use-colors"],
        cwd=settings.dbt_project_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    with log.open("a") as handle:
        handle.write(f"$ dbt {' '.join(args)}\n{result.stdout}{result.stderr}\n")
    if result.returncode != 0:
        raise PlatformError(f"dbt {args[0]} failed: {_dbt_error(result.stdout + result.stderr)}; see {log}")
    return result


def _dbt_error(output: str) -> str:
    """The first error dbt printed, with its detail line ("Parsing Error: Boolean override …")."""
    lines = [line.strip() for line in output.splitlines()]
    for index, line in enumerate(lines):
        if line.endswith("Error") or "Error in" in line or line.startswith("Encountered an error"):
            detail = next((text for text in lines[index + 1 :] if text and text != line), "")
            if line.startswith("Encountered an error") and detail.endswith("Error"):
                detail = detail + ": " + next((text for text in lines[index + 2 :] if text), "")
            return f"{line} {detail}".strip()
    return "see the log"


def prepare_dbt(settings: Settings) -> None:
    """Write the manifest Dagster loads the dbt assets from (fast with partial parsing)."""
    dbt_command(settings, "parse", "--quiet")


def run_refresh(settings: Settings, full_refresh: bool = False, allow_shrink: bool = False) -> RefreshOutcome:
    """Execute the Dagster `refresh` job in this process, recorded in the instance (visible in the UI)."""
    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.defs.platform.jobs import REFRESH_JOB_NAME

    job = defs().resolve_job_def(REFRESH_JOB_NAME)
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={
                "loggers": {"console": {"config": {"log_level": "INFO"}}},
                "ops": {
                    "dbt_models": {"config": {"full_refresh": full_refresh}},
                    **({"api_resource_checks": {"config": {"min_row_share": 0.0}}} if allow_shrink else {}),
                },
            },
        )
        failed = tuple(
            event.step_key or "?" for event in result.all_events if event.event_type_value == "STEP_FAILURE"
        )
        seconds = step_seconds(instance, result.run_id)
    outcome = RefreshOutcome(
        run_id=result.run_id, success=result.success, failed_steps=failed, step_seconds=seconds
    )
    return _with_audit(settings, outcome)


def step_seconds(instance: Any, run_id: str) -> dict[str, float]:
    """Wall-clock seconds of each step of a run, from its event log (start to success or failure)."""
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in started:
            seconds[event.step_key] = round(entry.timestamp - started[event.step_key], 1)
    return seconds


def _with_audit(settings: Settings, outcome: RefreshOutcome) -> RefreshOutcome:
    """Add what the audit trail says about the run (outcome, failing and warning checks)."""
    from dataclasses import replace

    from orchestration import publish
    from orchestration.runtime.database import role_connection, start_database

    with role_connection(start_database(settings), settings, "transformer").connect(autocommit=True) as conn:
        recorded = publish.attempt_outcome(conn, outcome.run_id)
        if recorded and recorded[0] == "running" and not outcome.success:
            # a step crashed before it could say so: the run failed, nothing was published
            message = "failed steps: " + (", ".join(outcome.failed_steps) or "see the run")
            publish.finish_attempt(conn, outcome.run_id, "failed", message)
            recorded = ("failed", message)
        return replace(
            outcome,
            outcome=recorded[0] if recorded else "",
            message=(recorded[1] or "") if recorded else "",
            failing_checks=tuple(publish.failed_checks(conn, outcome.run_id, "error")),
            warning_checks=tuple(publish.failed_checks(conn, outcome.run_id, "warn")),
        )


LANDING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bi-dash docs</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5}}</style>
</head><body>
<h1>bi-dash</h1>
<ul>
<li><a href="dbt/index.html">dbt docs</a>: models, columns and lineage from raw to the api schema</li>
<li><a href="gx/index.html">Great Expectations Data Docs</a>: the expectation suites and every validation</li>
<li><a href="{api}/">REST API</a> (OpenAPI document at the root)</li>
<li><a href="{dagster}/">Dagster</a>: assets, runs, schedules</li>
</ul>
</body></html>
"""


def publish_docs(settings: Settings) -> Path:
    """dbt docs of the published build (catalog of the live database) copied under home/docs/dbt."""
    dbt_command(settings, "docs", "generate")
    site = settings.docs_dir / "dbt"
    site.mkdir(parents=True, exist_ok=True)
    for name in ("index.html", "manifest.json", "catalog.json"):
        shutil.copyfile(settings.dbt_target_dir / name, site / name)
    return site


def write_landing_page(settings: Settings, api_url: str, dagster_url: str) -> Path:
    """The docs site's front page: dbt docs, GX Data Docs, the API and Dagster."""
    settings.docs_dir.mkdir(parents=True, exist_ok=True)
    page = settings.docs_dir / "index.html"
    page.write_text(LANDING_PAGE.format(api=api_url, dagster=dagster_url))
    return page


def refresh_or_raise(
    settings: Settings, full_refresh: bool = False, allow_shrink: bool = False
) -> RefreshOutcome:
    outcome = run_refresh(settings, full_refresh, allow_shrink)
    if outcome.success:
        return outcome
    where = f"Dagster run {outcome.run_id}; dbt log: {settings.log_dir / 'dbt'}"
    if outcome.failing_checks:
        raise PlatformError(
            f"refresh {outcome.outcome or 'failed'}: not published, the API serves the last good build;"
            f" failing checks: {', '.join(outcome.failing_checks)} ({where})"
        )
    steps = ", ".join(outcome.failed_steps) or "see the run"
    detail = f": {outcome.message}" if outcome.message else ""
    raise PlatformError(f"refresh failed in {steps}{detail}; not published ({where})")
