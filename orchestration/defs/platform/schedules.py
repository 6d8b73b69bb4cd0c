"""Schedules are declared stopped: an operator turns them on in the Dagster UI."""

import dagster as dg

from orchestration.defs.platform.jobs import refresh_job

refresh_schedule = dg.ScheduleDefinition(
    name="refresh_hourly",
    job=refresh_job,
    cron_schedule="0 * * * *",
    execution_timezone="America/Sao_Paulo",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Hourly refresh of every model.",
)
