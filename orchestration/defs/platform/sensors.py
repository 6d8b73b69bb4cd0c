"""Platform sensors: a run whose process died is marked failed within a minute, so the one-run-at-a-time
queue never waits behind it (orchestration/runtime/runs.py); the logs of the running services are
rotated when they outgrow their limit (orchestration/logs.py)."""

import dagster as dg

from orchestration.defs.platform.resources import PlatformDatabase
from orchestration.logs import rotate_all
from orchestration.runtime.runs import heal
from orchestration.settings import get_settings


@dg.sensor(minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def heal_dead_runs(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    """Marks failed the runs that claim to be in progress but whose process is gone."""

    healed = heal(context.instance, PlatformDatabase().transformer())
    for item in healed:
        context.log.warning(f"run {item.run_id} of {item.job_name} marked failed: {item.reason}")
    settings = get_settings()
    for log in rotate_all(settings.log_dir, (settings.pgdata / "log",)):
        context.log.info(f"rotated {log}")
    return dg.SkipReason(f"{len(healed)} dead run(s) marked failed" if healed else "no dead run")
