"""Cross-domain definitions: the dbt project as assets, the refresh job and its schedule."""

import dagster as dg

from orchestration.defs.platform.assets import dbt_models, published_build
from orchestration.defs.platform.checks import gx_checks
from orchestration.defs.platform.dbt import dbt_resource
from orchestration.defs.platform.jobs import refresh_job
from orchestration.defs.platform.resources import PlatformDatabase
from orchestration.defs.platform.schedules import refresh_schedule
from orchestration.defs.platform.sensors import heal_dead_runs
from orchestration.settings import get_settings


def defs() -> dg.Definitions:
    # pipeline logs follow the CLI: JSON lines with --log-format json / BI_DASH_LOG_FORMAT=json
    json_logs = get_settings().log_format == "json"
    return dg.Definitions(
        loggers={"console": dg.json_console_logger} if json_logs else None,
        assets=[dbt_models(), published_build()],
        asset_checks=gx_checks(),
        jobs=[refresh_job],
        schedules=[refresh_schedule],
        sensors=[heal_dead_runs],
        resources={"dbt": dbt_resource(), "database": PlatformDatabase()},
        # every job runs its steps one after the other in its run's process: they form one chain (load,
        # raw checks, dbt, api checks, publish), so a process per step (Dagster's default) only added
        # each step's start-up, 4-6 s apiece, to every run the sensors and the schedule launch
        executor=dg.in_process_executor,
    )
