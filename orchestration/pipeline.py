"""Running the pipeline from the CLI: prepare dbt, execute the refresh job, publish the docs."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from orchestration.errors import PlatformError
from orchestration.runtime.environment import dbt_executable
from orchestration.settings import Settings


@dataclass(frozen=True)
class RefreshOutcome:
    run_id: str
    success: bool
    failed_steps: tuple[str, ...]


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


def run_refresh(settings: Settings, full_refresh: bool = False) -> RefreshOutcome:
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
                "ops": {"dbt_models": {"config": {"full_refresh": full_refresh}}},
            },
        )
        failed = tuple(
            event.step_key or "?" for event in result.all_events if event.event_type_value == "STEP_FAILURE"
        )
        return RefreshOutcome(run_id=result.run_id, success=result.success, failed_steps=failed)


LANDING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bi-dash docs</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5}}</style>
</head><body>
<h1>bi-dash</h1>
<ul>
<li><a href="dbt/index.html">dbt docs</a>: models, columns and lineage from raw to the api schema</li>
<li><a href="{api}/">REST API</a> (OpenAPI document at the root)</li>
<li><a href="{dagster}/">Dagster</a>: assets, runs, schedules</li>
</ul>
</body></html>
"""


def generate_docs(settings: Settings, api_url: str, dagster_url: str) -> Path:
    """dbt docs (with the catalog of the live database) copied under home/docs, plus a landing page."""
    dbt_command(settings, "docs", "generate")
    site = settings.docs_dir / "dbt"
    site.mkdir(parents=True, exist_ok=True)
    for name in ("index.html", "manifest.json", "catalog.json"):
        shutil.copyfile(settings.dbt_target_dir / name, site / name)
    (settings.docs_dir / "index.html").write_text(LANDING_PAGE.format(api=api_url, dagster=dagster_url))
    return site


def refresh_or_raise(settings: Settings, full_refresh: bool = False) -> RefreshOutcome:
    outcome = run_refresh(settings, full_refresh)
    if not outcome.success:
        steps = ", ".join(outcome.failed_steps) or "see the run"
        raise PlatformError(
            f"refresh failed in {steps} (Dagster run {outcome.run_id}); dbt log: {settings.log_dir / 'dbt'}"
        )
    return outcome
