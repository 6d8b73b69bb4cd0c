"""Cross-domain definitions: the dbt project as assets, the refresh job and its schedule."""

import dagster as dg

from orchestration.defs.platform.assets import dbt_models, dbt_resource
from orchestration.defs.platform.jobs import refresh_job
from orchestration.defs.platform.resources import PlatformDatabase
from orchestration.defs.platform.schedules import refresh_schedule


def defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[dbt_models()],
        jobs=[refresh_job],
        schedules=[refresh_schedule],
        resources={"dbt": dbt_resource(), "database": PlatformDatabase()},
    )
