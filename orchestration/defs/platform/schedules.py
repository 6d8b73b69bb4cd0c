"""Schedules are declared stopped: an operator turns them on in the Dagster UI (or `bi-dash schedule on`).

The hourly refresh asks first whether there is anything to build (orchestration/change_detection.py):
an hour without new loads costs one query, not a run."""

from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.change_detection import business_time_zone, reason_to_build
from orchestration.defs.platform.jobs import refresh_job
from orchestration.defs.platform.resources import PlatformDatabase
from orchestration.settings import get_settings


def _time_zone() -> str:
    return business_time_zone(Path(get_settings().dbt_project_dir))


@dg.schedule(
    name="refresh_hourly",
    job=refresh_job,
    cron_schedule="0 * * * *",
    execution_timezone=_time_zone(),
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Hourly refresh, skipped when nothing changed since the published build.",
)
def refresh_schedule(context: dg.ScheduleEvaluationContext, database: PlatformDatabase) -> Any:
    with database.transformer().connect() as conn:
        reason = reason_to_build(conn, database.settings())
    if reason is None:
        return dg.SkipReason("nothing new since the published build")
    return dg.RunRequest(tags={"bi-dash/reason": reason[:200]})
