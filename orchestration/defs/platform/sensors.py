"""Platform sensors: a run whose process died is marked failed within a minute, so the one-run-at-a-time
queue never waits behind it (orchestration/runtime/runs.py)."""

import dagster as dg

from orchestration.defs.platform.resources import PlatformDatabase


@dg.sensor(minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def heal_dead_runs(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    """Marks failed the runs that claim to be in progress but whose process is gone."""
    from orchestration.runtime.runs import heal

    healed = heal(context.instance, PlatformDatabase().transformer())
    for item in healed:
        context.log.warning(f"run {item.run_id} of {item.job_name} marked failed: {item.reason}")
    return dg.SkipReason(f"{len(healed)} dead run(s) marked failed" if healed else "no dead run")
